"""The content-quality score: exact components, weights, version; stars are not an input."""

from __future__ import annotations

import pytest

from xinren.community import quality
from xinren.community.models import QualityScore
from xinren.community.services import review_sync

from .conftest import LONG_TEXT, diary_write, review_new


def test_text_units_count_cjk_characters_and_latin_words_not_punctuation():
    assert quality.text_units("菌子很新鲜 good 500g！") == 7
    assert quality.text_units("，。！？   ") == 0
    assert quality.text_units(LONG_TEXT) == 139


def test_specifics_are_simple_named_patterns():
    assert quality.specifics_found("菌子很新鲜 good 500g！") == ["number_with_unit"]
    assert quality.specifics_found("放了3天") == ["duration"]
    assert quality.specifics_found("比超市的香") == ["comparison"]
    assert quality.specifics_found("炒肉很好吃") == ["usage_context"]
    assert quality.specifics_found("味道一般，没什么特别的。") == []
    assert quality.specifics_found(LONG_TEXT) == ["number_with_unit", "duration", "comparison", "usage_context"]


@pytest.mark.parametrize(("votes", "value"), [(0, 0), (1, 12), (5, 50), (8, 67), (10, 75), (20, 93), (50, 99)])
def test_helpful_votes_have_diminishing_returns(votes, value):
    assert quality.helpful_component(votes) == value


def test_components_and_weighted_total_are_exact():
    # given: 60 units (half of full length), two kinds of specifics, one photo, two diaries, ten votes
    text = "放冰箱3天" + "好" * 55
    inputs = quality.QualityInputs(text=text, media=1, diary_milestones=(7, 15), helpful_votes=10)

    # when
    result = quality.quality_compute(inputs)

    # then
    assert result.components == {"length": 50, "specifics": 50, "media": 40, "diary": 60, "helpful": 75}
    # (25×50 + 25×50 + 15×40 + 20×60 + 15×75) / 100 = 54.25
    assert result.score == 54
    assert result.version == "quality/2026-11"
    assert result.inputs == {"text_units": 60, "specifics": ["duration", "usage_context"],
                             "media": 1, "diary_milestones": [7, 15], "helpful_votes": 10}


def test_full_marks_and_media_steps():
    full = quality.quality_compute(
        quality.QualityInputs(text=LONG_TEXT, media=3, diary_milestones=(7, 15, 30), helpful_votes=1000)
    )
    assert full.components == {"length": 100, "specifics": 100, "media": 100, "diary": 100, "helpful": 100}
    assert full.score == 100
    assert [quality.quality_compute(quality.QualityInputs(text="", media=n)).components["media"]
            for n in (0, 1, 2, 3, 7)] == [0, 40, 80, 100, 100]


def test_explanation_rows_carry_label_value_weight_and_points():
    rows = quality.explain({"length": 50, "specifics": 50, "media": 40, "diary": 60, "helpful": 75})
    assert [(r["key"], r["value"], r["weight"], r["points"]) for r in rows] == [
        ("length", 50, 25, 12.5), ("specifics", 50, 25, 12.5), ("media", 40, 15, 6.0), ("diary", 60, 20, 12.0),
        ("helpful", 75, 15, 11.2),
    ]
    assert str(rows[0]["label"]) == "篇幅"


def test_stars_are_not_an_input(platform, consumer, other_consumer, product_on_sale):
    # given: the same text and the same follow-ups, one star and five stars
    one = review_new(consumer, product_on_sale, stars=1)
    five = review_new(other_consumer, product_on_sale, stars=5)
    diary_write(one, 7)
    diary_write(five, 7)

    # when
    low = review_sync(review_id=one.pk)
    high = review_sync(review_id=five.pk)

    # then
    assert (low.score, low.components, low.inputs) == (high.score, high.components, high.inputs)
    assert low.score == 56  # (25×100 + 25×100 + 20×30) / 100
    assert "stars" not in low.inputs


def test_the_stored_score_keeps_inputs_and_version(platform, consumer, product_on_sale):
    review = review_new(consumer, product_on_sale, text="很好吃，炒肉香。")

    review_sync(review_id=review.pk)

    stored = QualityScore.objects.get(review=review)
    assert stored.version == "quality/2026-11"
    assert stored.inputs == {"text_units": 6, "specifics": ["usage_context"], "media": 0, "diary_milestones": [],
                             "helpful_votes": 0}
    assert stored.components == {"length": 5, "specifics": 25, "media": 0, "diary": 0, "helpful": 0}
    assert stored.score == 8  # (25×5 + 25×25) / 100 = 7.5, rounded half up


def test_photos_attached_by_the_reviews_core_count_as_media(platform, consumer, product_on_sale):
    from xinren.evidence.models import MediaFile
    from xinren.reviews.models import ReviewMedia

    # given: two photos attached to the review
    review = review_new(consumer, product_on_sale, text="很好")
    for position in range(2):
        media = MediaFile.objects.create(sha256=f"{position:064x}", kind="image", mime="image/jpeg", size=10,
                                         original=f"o{position}", thumbnail=f"t{position}")
        ReviewMedia.objects.create(review=review, media=media, position=position)

    # when
    score = review_sync(review_id=review.pk)

    # then
    assert score.inputs["media"] == 2
    assert score.components["media"] == 80


def test_the_one_line_explanation_for_the_feed():
    components = {"length": 50, "specifics": 50, "media": 40, "diary": 60, "helpful": 75}

    assert quality.explain_text(components) == (
        "篇幅 50×25%=12.5；具体细节 50×25%=12.5；图片/视频 40×15%=6.0；使用日记 60×20%=12.0；有用投票 75×15%=11.2"
    )
