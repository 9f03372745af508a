"""The explainable layer: cue words with negation, intensity and the product's category; spans as evidence."""

from xinren.vou.rules import evidence, findings, negative_tone, strength


def test_a_cue_gives_its_type_and_the_span_that_triggered_it():
    # when
    found = findings("松茸到手全发霉了，客服还不理人", category="wild_mushroom")
    # then
    assert evidence(found) == {"spoiled": ["发霉"], "rude_service": ["不理人"]}


def test_a_negated_cue_is_no_complaint():
    # when / then
    assert evidence(findings("没有压坏也没有烂果，包装很专业", category="fruit")) == {}
    assert evidence(findings("一点都不过敏，很温和", category="cosmetics")) == {}
    assert evidence(findings("压坏了两个", category="fruit")) == {"damaged": ["压坏"]}


def test_a_negation_in_another_clause_does_not_reach_the_cue():
    # when
    found = findings("不是我说，盒子压坏了", category="baked_goods")
    # then
    assert evidence(found) == {"damaged": ["压坏"]}


def test_expired_is_spoiled_for_food_and_a_quality_fault_for_a_cream():
    # when / then
    assert evidence(findings("月饼过期了", category="baked_goods")) == {"spoiled": ["过期"]}
    assert evidence(findings("面霜过期了", category="cosmetics")) == {"poor_quality": ["过期"]}
    assert evidence(findings("过期了", category=None)) == {"spoiled": ["过期"]}


def test_not_sweet_is_poor_quality_for_fruit_only():
    # when / then
    assert evidence(findings("芒果不甜", category="fruit")) == {"poor_quality": ["不甜"]}
    assert evidence(findings("这款茶不甜", category="tea")) == {}


def test_a_fixed_phrase_of_praise_is_not_a_complaint():
    # when / then
    assert evidence(findings("不甜不要钱，真的很甜", category="fruit")) == {}
    assert evidence(findings("包装完好无损，价格公道", category="honey")) == {}


def test_an_intensifier_weighs_half_as_much_again():
    # when / then
    assert strength(findings("快递慢了", category="tea")) == 1.0
    assert strength(findings("快递太慢了", category="tea")) == 1.0  # 太慢 is itself the cue
    assert strength(findings("菌子严重发霉", category="wild_mushroom")) == 1.5


def test_not_received_about_a_gift_is_a_missing_item_not_a_late_parcel():
    # when / then
    assert evidence(findings("赠品没有收到", category="tea")) == {"missing_items": ["赠品"]}
    assert evidence(findings("到现在都没收到货", category="tea")) == {"late_delivery": ["没收到"]}


def test_negative_tone_words_are_found_unless_negated_by_a_fixed_phrase():
    # when / then
    assert negative_tone("差评，太失望了") == ["差评", "失望"]
    assert negative_tone("东西不错") == []
