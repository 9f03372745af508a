"""Enqueueing commits or rolls back with the business write, on the database backend and on one outside it."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from xinren.core.tasks import Event, task_enqueue
from xinren.reviews.events import REVIEW_CHANGED

from ..fixtures.tasks import queued
from . import recording
from .jobs import noop_task

pytestmark = pytest.mark.django_db


class WriteFailed(Exception):
    pass


@pytest.fixture
def outside_backend(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "tests.tasks.recording.RecordingBackend"}}
    recording.SENT.clear()
    yield recording.SENT
    recording.SENT.clear()


def test_on_the_database_backend_the_task_is_a_row_of_the_callers_transaction():
    # when: one write commits, one rolls back
    with transaction.atomic():
        task_enqueue(noop_task, n=1)
    with pytest.raises(WriteFailed), transaction.atomic():
        task_enqueue(noop_task, n=2)
        raise WriteFailed
    # then: only the committed one is queued
    assert queued(noop_task) == [{"n": 1}]


def test_a_backend_outside_the_database_is_sent_the_task_after_the_commit(
    outside_backend, django_capture_on_commit_callbacks
):
    # when: the write is still open
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        result = task_enqueue(noop_task, n=1)
        # then: nothing is sent yet
        assert outside_backend == []
    # then: sent once the transaction committed
    assert result is None
    assert outside_backend == [("noop_task", {"n": 1})]
    assert DBTaskResult.objects.count() == 0


def test_a_rolled_back_write_sends_nothing_to_a_backend_outside_the_database(
    outside_backend, django_capture_on_commit_callbacks
):
    # when
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(WriteFailed),
        transaction.atomic(),
    ):
        task_enqueue(noop_task, n=2)
        raise WriteFailed
    # then
    assert callbacks == []
    assert outside_backend == []


def test_announcing_an_event_queues_each_subscribed_task_with_its_keywords():
    # given
    event = Event("tests.something_happened")
    event.subscribe(noop_task)
    event.subscribe(noop_task)  # subscribing twice is subscribing once
    # when
    with transaction.atomic():
        count = event.announce(n=5)
    with pytest.raises(WriteFailed), transaction.atomic():
        event.announce(n=6)
        raise WriteFailed
    # then
    assert count == 1
    assert queued(noop_task) == [{"n": 5}]


def test_announcing_many_queues_one_task_per_keyword_set_in_one_insert(django_assert_num_queries):
    # given
    event = Event("tests.many_things_happened")
    event.subscribe(noop_task)
    # when
    with transaction.atomic():
        with django_assert_num_queries(1):
            count = event.announce_many([{"n": 1}, {"n": 2}, {"n": 3}])
        assert event.announce_many([]) == 0
    with pytest.raises(WriteFailed), transaction.atomic():
        event.announce_many([{"n": 4}])
        raise WriteFailed
    # then: queued as `announce` queues them, ready to run
    assert count == 3
    assert sorted(kw["n"] for kw in queued(noop_task)) == [1, 2, 3]
    assert all(row.run_after is not None for row in DBTaskResult.objects.all())


def test_announcing_many_on_a_backend_outside_the_database_sends_each_after_the_commit(
    outside_backend, django_capture_on_commit_callbacks
):
    event = Event("tests.many_things_happened_outside")
    event.subscribe(noop_task)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event.announce_many([{"n": 1}, {"n": 2}])
        assert outside_backend == []
    assert outside_backend == [("noop_task", {"n": 1}), ("noop_task", {"n": 2})]


def test_an_event_nobody_subscribed_to_queues_nothing():
    # when
    count = Event("tests.nobody_listens").announce(n=1)
    # then
    assert count == 0
    assert DBTaskResult.objects.count() == 0


def test_the_community_subscribes_its_rescore_to_review_changes():
    # then (community's AppConfig.ready subscribed it; reviews itself imports nothing of the community)
    assert [task.module_path for task in REVIEW_CHANGED.subscribers] == [
        "xinren.community.tasks.review_sync_task",
        "xinren.trust.scores.tasks.score_after_review_task",  # the product's trust score (ADR 0047)
        "xinren.care.tasks.voice_review_task",  # the voice of the user reads it (ADR 0054)
    ]
