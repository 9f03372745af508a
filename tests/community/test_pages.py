"""The community pages: feed, helpful button, tiers, my points and trial answers; and the JSON API."""

from __future__ import annotations

import json

import pytest

from xinren.accounts.nicknames import default_name
from xinren.community.models import HelpfulVote, PointsEntry, TrialParticipation
from xinren.community.services import review_sync, trial_event_create, trial_invite
from xinren.reviews.services import review_fold

from .conftest import diary_write, expert_make, review_new

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _checks_on(settings):  # type: ignore[no-untyped-def]
    settings.XINREN_REVIEW_CHECKS = True


def test_the_feed_page_shows_pseudonyms_scores_and_no_folded_text(client, platform, operator, consumer,
                                                                  other_consumer, product_on_sale):
    # given
    shown = review_new(consumer, product_on_sale, text="菌子很香，炒肉3天都吃完了。")
    hidden = review_new(other_consumer, product_on_sale, text="加我微信领红包")
    review_fold(actor=operator, review_id=hidden.pk, reason="含有广告引流信息")
    review_sync(review_id=shown.pk)

    # when
    response = client.get("/community/")

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "菌子很香，炒肉3天都吃完了。" in page
    assert default_name(shown.reviewer) in page and shown.reviewer not in page
    assert "加我微信领红包" not in page
    assert consumer.phone not in page
    assert "质量分 15 · 为什么？" in page
    assert "有用 0" not in page  # anonymous visitors see the count, not the button
    assert "0 人觉得有用" in page
    assert len(response.content) < 150 * 1024


def test_a_signed_in_consumer_votes_from_the_feed(client, platform, consumer, other_consumer, product_on_sale):
    review = review_new(consumer, product_on_sale)
    client.force_login(other_consumer)
    assert "有用 0" in client.get("/community/").content.decode()

    response = client.post(f"/community/reviews/{review.pk}/helpful/", {"next": "/community/"})

    assert (response.status_code, response["Location"]) == (302, "/community/")
    assert HelpfulVote.objects.filter(consumer=other_consumer, review=review).count() == 1
    assert "已觉得有用 1" in client.get("/community/").content.decode()
    client.post(f"/community/reviews/{review.pk}/helpful/", {"action": "undo"})
    assert HelpfulVote.objects.count() == 0


def test_an_author_sees_no_button_on_their_own_review_and_cannot_vote(client, platform, consumer, product_on_sale):
    review = review_new(consumer, product_on_sale)
    client.force_login(consumer)

    assert "有用 0" not in client.get("/community/").content.decode()
    client.post(f"/community/reviews/{review.pk}/helpful/")
    assert HelpfulVote.objects.count() == 0


def test_voting_needs_a_signed_in_consumer(client, platform, consumer, product_on_sale):
    review = review_new(consumer, product_on_sale)

    response = client.post(f"/community/reviews/{review.pk}/helpful/")

    assert response.status_code == 302
    assert response["Location"].startswith("/shop/signin/")
    assert HelpfulVote.objects.count() == 0


def test_the_tiers_page_publishes_the_criteria(client, db):
    page = client.get("/community/tiers/").content.decode()

    assert "近 180 天质量分 ≥ 75 的已展示评价数 ≥ 10" in page
    assert "平台达人" in page


def test_my_points_page_and_trial_answers(client, platform, merchant_actor, consumer, product_on_sale):
    review = review_new(consumer, product_on_sale)
    diary_write(review, 7, 15)
    review_sync(review_id=review.pk)
    expert = expert_make(consumer)
    event = trial_event_create(actor=merchant_actor, product_id=product_on_sale.pk, kind="trial", title="新品试用",
                               slots=1, starts_on=review.created_at.date(), ends_on=review.created_at.date())
    invitation = trial_invite(actor=merchant_actor, event_id=event.pk, public_id=expert.public_id)
    client.force_login(consumer)

    page = client.get("/community/me/").content.decode()
    assert "内容质量分达到 60" in page
    assert ">10<" in page
    response = client.post(f"/community/me/trials/{invitation.pk}/accept/")

    assert response.status_code == 302
    assert TrialParticipation.objects.get(pk=invitation.pk).status == "accepted"
    assert client.post(f"/community/me/trials/{invitation.pk}/maybe/").status_code == 404


def test_my_points_needs_sign_in(client, db):
    assert client.get("/community/me/").status_code == 302


def test_the_api_feed_and_vote(client, platform, consumer, other_consumer, product_on_sale):
    review = review_new(consumer, product_on_sale)

    feed = client.get("/api/v1/community/feed?limit=5").json()
    assert [item["review_id"] for item in feed["items"]] == [review.pk]
    assert client.post(f"/api/v1/community/reviews/{review.pk}/helpful").status_code == 401

    client.force_login(other_consumer)
    voted = client.post(f"/api/v1/community/reviews/{review.pk}/helpful")
    again = client.post(f"/api/v1/community/reviews/{review.pk}/helpful")
    undone = client.delete(f"/api/v1/community/reviews/{review.pk}/helpful")

    assert (voted.status_code, voted.json()) == (200, {"review_id": review.pk, "helpful": 1, "voted": True})
    assert (again.status_code, again.json()["code"]) == (409, "community.vote_exists")
    assert undone.json() == {"review_id": review.pk, "helpful": 0, "voted": False}
    assert client.get("/api/v1/community/feed?after=bad").status_code == 422


def test_the_api_my_points_tier_and_criteria(client, platform, consumer, product_on_sale):
    review = review_new(consumer, product_on_sale)
    diary_write(review, 7, 15)
    review_sync(review_id=review.pk)
    assert client.get("/api/v1/community/me/points").status_code == 401
    client.force_login(consumer)

    points = client.get("/api/v1/community/me/points").json()
    tier = client.get("/api/v1/community/me/tier").json()
    criteria = client.get("/api/v1/community/tiers").json()
    quality = client.get(f"/api/v1/community/reviews/{review.pk}/quality").json()

    assert points["balance"] == 10
    assert [(e["reason"], e["points"]) for e in points["entries"]] == [("quality.60", 10)]
    assert (tier["tier"], tier["history"]) == ("ordinary", [])
    assert criteria["version"] == "tiers/2026-11"
    assert quality["score"] == 62
    assert json.dumps(points).find(consumer.phone) == -1


def test_the_api_lets_a_merchant_open_a_trial_and_refuses_a_consumer_session(client, platform, merchant_actor,
                                                                            consumer, product_on_sale):
    body = {"product_id": product_on_sale.pk, "kind": "trial", "title": "新品试用", "slots": 3,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-15"}
    client.force_login(merchant_actor.user)
    created = client.post("/api/v1/community/trials", body, content_type="application/json")
    assert created.status_code == 201
    client.force_login(consumer)
    refused = client.post("/api/v1/community/trials", body, content_type="application/json")
    assert refused.status_code in (401, 403)


def test_the_trial_flow_over_the_api(client, platform, merchant_actor, consumer, product_on_sale):
    expert = expert_make(consumer)
    client.force_login(merchant_actor.user)
    experts = client.get("/api/v1/community/experts").json()
    event = client.post("/api/v1/community/trials", {
        "product_id": product_on_sale.pk, "kind": "factory_visit", "title": "工厂探访", "slots": 1,
        "starts_on": "2026-12-01", "ends_on": "2026-12-02"}, content_type="application/json").json()
    invited = client.post(f"/api/v1/community/trials/{event['id']}/invite", {"public_id": expert.public_id},
                          content_type="application/json")
    client.force_login(consumer)
    mine = client.get("/api/v1/community/me/trials").json()
    accepted = client.post(f"/api/v1/community/me/trials/{invited.json()['id']}/accept")

    assert [row["public_id"] for row in experts] == [expert.public_id]
    assert invited.status_code == 201
    assert [(row["event_id"], row["status"]) for row in mine] == [(event["id"], "invited")]
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    assert client.get("/api/v1/community/experts").status_code in (401, 403)


def test_operators_read_the_community_tables_in_the_admin(client, platform, consumer, product_on_sale):
    from xinren.accounts.models import User

    review = review_new(consumer, product_on_sale)
    diary_write(review, 7, 15)
    review_sync(review_id=review.pk)
    admin = User.objects.create_superuser(username="ops", password="pass-word-123")
    client.force_login(admin)

    for name in ("qualityscore", "pointsentry", "consumertier", "tierchange", "helpfulvote", "trialevent",
                 "trialparticipation"):
        assert client.get(f"/admin/community/{name}/").status_code == 200
    assert client.get(f"/admin/community/pointsentry/{PointsEntry.objects.get().pk}/change/").status_code == 200
    assert client.post("/admin/community/pointsentry/add/").status_code == 403
