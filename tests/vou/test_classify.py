"""The interface other contexts rely on: `classify(text, category=None) -> Classification` (shipped model)."""

from xinren.vou.classify import MODEL_VERSION, TYPES, classify, classify_many


def test_a_complaint_is_negative_with_its_types_and_their_evidence():
    # when
    result = classify("松茸到手全发霉了，客服还不理人", category="wild_mushroom")
    # then
    assert result.sentiment == "negative" and 0 <= result.score < 0.5
    assert result.types == ["spoiled", "rude_service"]
    assert result.evidence == {"spoiled": ["发霉"], "rude_service": ["不理人"]}
    assert result.model_version == MODEL_VERSION


def test_praise_raises_no_complaint():
    # when
    result = classify("芒果又大又甜，汁水很多，包装完好无损", category="fruit")
    # then
    assert result.sentiment == "positive" and result.score >= 0.5
    assert (result.types, result.evidence) == ([], {})


def test_the_category_decides_what_a_cue_means():
    # when
    fruit = classify("一点都不甜，太失望了", category="fruit")
    # then
    assert fruit.types == ["poor_quality"] and fruit.evidence["poor_quality"] == ["不甜"]


def test_a_complaint_without_a_specific_type_is_other():
    # when
    result = classify("垃圾，踩雷了，再也不来了")
    # then
    assert result.sentiment == "negative"
    assert result.types == ["other"] and result.evidence == {"other": ["垃圾", "踩雷", "再也不"]}


def test_the_json_has_exactly_the_documented_keys_and_known_type_ids():
    # when
    documents = [r.as_json() for r in classify_many(["快递太慢了，少发了一盒", "很好吃", ""])]
    # then
    assert [set(d) for d in documents] == [{"sentiment", "score", "types", "evidence"}] * 3
    assert all(set(d["types"]) <= set(TYPES) and list(d["evidence"]) == d["types"] for d in documents)
    assert documents[0]["types"] == ["late_delivery", "missing_items"]
    assert documents[2] == {"sentiment": "positive", "score": 0.5, "types": [], "evidence": {}}


def test_many_at_once_agree_with_one_at_a_time():
    # given
    texts = ["收到的鸡蛋碎了七八个", "客服态度很好", "退款申请十天了还是待处理"]
    # when
    together = classify_many(texts, category="meat_eggs")
    # then
    assert together == [classify(t, category="meat_eggs") for t in texts]
