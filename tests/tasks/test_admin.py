"""Operators find failed tasks in the admin, with their error and which attempt failed; nobody edits them there."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from xinren.core.tasks import task_enqueue

from ..factories import UserFactory
from .jobs import always_fails_task, noop_task

pytestmark = pytest.mark.django_db

LIST = "/admin/django_tasks_database/dbtaskresult/"


@pytest.fixture
def operator_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="ops", is_staff=True, is_superuser=True))
    return client


def test_failed_tasks_are_listed_with_their_error_and_attempt(run_tasks, operator_client):
    # given: one task failed, one succeeded
    task_enqueue(always_fails_task, why="支付渠道超时")
    task_enqueue(noop_task, n=1)
    run_tasks()
    # when
    page = operator_client.get(LIST, {"status__exact": "FAILED"})
    # then
    assert page.status_code == 200
    listed = page.context["cl"].result_list
    assert [(row.task_path, row.status) for row in listed] == [(always_fails_task.module_path, "FAILED")]
    html = page.content.decode()
    assert "RuntimeError: 支付渠道超时" in html
    assert '<td class="field-attempt">1/3</td>' in html


def test_a_task_result_is_read_only_and_shows_its_traceback(run_tasks, operator_client):
    # given
    task_enqueue(always_fails_task, why="boom")
    run_tasks()
    failed = DBTaskResult.objects.get(status="FAILED")
    # when
    page = operator_client.get(f"{LIST}{failed.pk}/change/")
    changed = operator_client.post(f"{LIST}{failed.pk}/change/", {"status": "SUCCESSFUL"})
    deleted = operator_client.post(f"{LIST}{failed.pk}/delete/", {"post": "yes"})
    # then
    assert page.status_code == 200
    assert "<pre>Traceback (most recent call last):" in page.content.decode()
    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert DBTaskResult.objects.get(pk=failed.pk).status == "FAILED"
    assert operator_client.get(f"{LIST}add/").status_code == 403
