"""Trials and factory visits: only platform experts are invited, slots hold, answers are final, and an expert's
review after an accepted trial is labelled."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.choices import Role
from xinren.community.choices import Tier
from xinren.community.models import TrialEvent, TrialParticipation
from xinren.community.selectors import expert_list, trial_review_ids, trial_review_labels
from xinren.community.services import trial_event_create, trial_invite, trial_respond
from xinren.core import clock
from xinren.core.errors import Conflict, NotFound, PermissionDenied

from ..factories import actor_for
from .conftest import expert_make, review_new

pytestmark = pytest.mark.django_db
START = dt.date(2026, 12, 1)


def _event(actor, product, *, slots=2, kind="trial"):
    return trial_event_create(actor=actor, product_id=product.pk, kind=kind, title="牛肝菌新品试用", slots=slots,
                              starts_on=START, ends_on=START + dt.timedelta(days=14))


def test_a_merchant_opens_a_trial_of_its_own_product(platform, merchant_actor, product_on_sale):
    event = _event(merchant_actor, product_on_sale)

    assert (event.merchant_id, event.product_id, event.kind, event.slots) == (
        product_on_sale.merchant_id, product_on_sale.pk, "trial", 2
    )
    assert len(event.ledger_leaf_hash) == 64


def test_a_merchant_cannot_open_a_trial_of_anothers_product(platform, other_actor, product_on_sale):
    with pytest.raises(NotFound):
        _event(other_actor, product_on_sale)
    assert TrialEvent.objects.count() == 0


def test_a_viewer_cannot_open_a_trial(platform, merchant, product_on_sale):
    with pytest.raises(PermissionDenied):
        _event(actor_for(merchant, Role.VIEWER), product_on_sale)
    assert TrialEvent.objects.count() == 0


def test_only_platform_experts_can_be_invited(platform, merchant_actor, product_on_sale, consumer, other_consumer):
    # given: a quality sharer and a platform expert
    sharer = expert_make(consumer, Tier.QUALITY_SHARER)
    expert = expert_make(other_consumer)
    event = _event(merchant_actor, product_on_sale)

    # when / then
    with pytest.raises(Conflict) as refused:
        trial_invite(actor=merchant_actor, event_id=event.pk, public_id=sharer.public_id)
    assert refused.value.code == "community.trial_not_expert"
    assert TrialParticipation.objects.count() == 0
    participation = trial_invite(actor=merchant_actor, event_id=event.pk, public_id=expert.public_id)
    assert (participation.consumer_id, participation.status) == (other_consumer.pk, "invited")
    with pytest.raises(Conflict):
        trial_invite(actor=merchant_actor, event_id=event.pk, public_id=expert.public_id)
    assert list(expert_list(actor=merchant_actor).values_list("public_id", flat=True)) == [expert.public_id]


def test_another_merchant_cannot_invite_to_my_event(platform, merchant_actor, other_actor, product_on_sale, consumer):
    expert = expert_make(consumer)
    event = _event(merchant_actor, product_on_sale)

    with pytest.raises(NotFound):
        trial_invite(actor=other_actor, event_id=event.pk, public_id=expert.public_id)
    assert TrialParticipation.objects.count() == 0


def test_an_expert_accepts_within_the_slots_once(platform, merchant_actor, product_on_sale, consumer, other_consumer):
    first, second = expert_make(consumer), expert_make(other_consumer)
    event = _event(merchant_actor, product_on_sale, slots=1)
    one = trial_invite(actor=merchant_actor, event_id=event.pk, public_id=first.public_id)
    two = trial_invite(actor=merchant_actor, event_id=event.pk, public_id=second.public_id)

    accepted = trial_respond(consumer=consumer, participation_id=one.pk, accept=True)
    assert accepted.status == "accepted"
    assert len(accepted.ledger_leaf_hash) == 64

    with pytest.raises(Conflict) as full:
        trial_respond(consumer=other_consumer, participation_id=two.pk, accept=True)
    assert full.value.code == "community.trial_full"
    assert TrialParticipation.objects.get(pk=two.pk).status == "invited"

    with pytest.raises(Conflict) as again:
        trial_respond(consumer=consumer, participation_id=one.pk, accept=False)
    assert again.value.code == "community.trial_transition"
    assert TrialParticipation.objects.get(pk=one.pk).status == "accepted"


def test_someone_elses_invitation_is_not_found(platform, merchant_actor, product_on_sale, consumer, other_consumer):
    expert = expert_make(consumer)
    event = _event(merchant_actor, product_on_sale)
    invitation = trial_invite(actor=merchant_actor, event_id=event.pk, public_id=expert.public_id)

    with pytest.raises(NotFound):
        trial_respond(consumer=other_consumer, participation_id=invitation.pk, accept=True)
    assert TrialParticipation.objects.get(pk=invitation.pk).status == "invited"


def test_a_demoted_expert_can_no_longer_accept(platform, merchant_actor, product_on_sale, consumer):
    tier = expert_make(consumer)
    event = _event(merchant_actor, product_on_sale)
    invitation = trial_invite(actor=merchant_actor, event_id=event.pk, public_id=tier.public_id)
    tier.tier = Tier.QUALITY_SHARER
    tier.save()

    with pytest.raises(Conflict) as refused:
        trial_respond(consumer=consumer, participation_id=invitation.pk, accept=True)
    assert refused.value.code == "community.trial_not_expert"
    assert TrialParticipation.objects.get(pk=invitation.pk).status == "invited"


def test_the_experts_review_after_an_accepted_trial_is_labelled(platform, merchant_actor, product_on_sale,
                                                                other_product_on_sale,
                                                                 consumer, other_consumer):
    # given: a review from before the trial, the accepted trial, then an order placed (and delivered) after it
    before = review_new(consumer, product_on_sale, text="第一次买，挺好。")
    expert = expert_make(consumer)
    event = _event(merchant_actor, product_on_sale)
    invitation = trial_invite(actor=merchant_actor, event_id=event.pk, public_id=expert.public_id)
    trial_respond(consumer=consumer, participation_id=invitation.pk, accept=True)
    later = clock.now() + dt.timedelta(days=3)
    after = review_new(consumer, product_on_sale, text="试用装收到了，炖汤很鲜。", delivered_at=later)
    other_products_review = review_new(consumer, other_product_on_sale, delivered_at=clock.now() + dt.timedelta(days=3))
    someone_else = review_new(other_consumer, product_on_sale, delivered_at=clock.now() + dt.timedelta(days=3))
    ids = [before.pk, after.pk, other_products_review.pk, someone_else.pk]

    # then
    assert trial_review_ids(review_ids=ids) == {after.pk}
    assert trial_review_labels(review_ids=ids) == {after.pk: "试用体验"}


def test_a_factory_visit_is_labelled_as_such(platform, merchant_actor, product_on_sale, consumer):
    expert = expert_make(consumer)
    event = _event(merchant_actor, product_on_sale, kind="factory_visit")
    invitation = trial_invite(actor=merchant_actor, event_id=event.pk, public_id=expert.public_id)
    trial_respond(consumer=consumer, participation_id=invitation.pk, accept=True)
    review = review_new(consumer, product_on_sale, delivered_at=clock.now() + dt.timedelta(days=3))

    assert trial_review_labels(review_ids=[review.pk]) == {review.pk: "探访体验"}


def test_a_declined_trial_labels_nothing(platform, merchant_actor, product_on_sale, consumer):
    expert = expert_make(consumer)
    event = _event(merchant_actor, product_on_sale)
    invitation = trial_invite(actor=merchant_actor, event_id=event.pk, public_id=expert.public_id)
    trial_respond(consumer=consumer, participation_id=invitation.pk, accept=False)
    review = review_new(consumer, product_on_sale, delivered_at=clock.now() + dt.timedelta(days=3))

    assert trial_review_ids(review_ids=[review.pk]) == set()
