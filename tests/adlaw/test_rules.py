"""The rules of term list v2: each article, the context exemptions, the caller's facts, and the labelled set."""

import pytest

from xinren.adlaw import BLOCK, TERMS_VERSION, UNKNOWN, WARN, Facts, check
from xinren.adlaw.evaluation import evaluate


def _found(text: str, category: str = "tea", facts: Facts = UNKNOWN) -> list[tuple[str, str, str]]:
    return [(f.rule_id, f.severity, f.span) for f in check(text, category=category, facts=facts)]


def test_the_issue_example_is_blocked_twice_with_articles_spans_and_rewrites():
    # when
    findings = check("治疗高血压 最好的", field="description", category="tea")
    # then
    assert [(f.rule_id, f.article, f.severity, f.start, f.end, f.span) for f in findings] == [
        ("disease.claim", "17", BLOCK, 0, 2, "治疗"),
        ("abs.superlative", "9(3)", BLOCK, 6, 8, "最好"),
    ]
    assert "第十七条" in findings[0].message and "治疗" in findings[0].message
    assert findings[1].suggestion.startswith("删去比较级用语")
    assert TERMS_VERSION == "v2"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全网第一", [("abs.rank", BLOCK, "全网第一")]),
        ("唯一正宗", [("abs.unique", BLOCK, "唯一")]),
        ("极品大红袍", [("abs.grade", BLOCK, "极品")]),
        ("送礼首选", [("abs.preferred", BLOCK, "首选")]),
        ("１００％有效", [("health.guarantee", BLOCK, "１００％有效")]),
        ("安全无毒副作用", [("health.guarantee", BLOCK, "安全无毒副作用")]),
        ("增强免疫力", [("health.function", WARN, "增强免疫力")]),
        ("专家推荐", [("endorse.expert", WARN, "专家推荐")]),
    ],
)
def test_terms_of_each_article(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "最佳食用期 7 天",
        "最佳赏味期",
        "最好冷藏保存",
        "第一批春茶",
        "第一次购买",
        "施有机肥的果园",
        "一级铁观音",
        "特级龙井",
    ],
)
def test_context_exemptions_are_no_finding(text):
    assert _found(text) == []


def test_a_self_comparison_or_a_true_designation_is_a_warning_not_a_block():
    assert _found("本店销量第一") == [("abs.rank", WARN, "第一")]
    assert _found("国家级非遗技艺") == [("abs.grade", WARN, "国家级")]
    assert _found("本店销量第一，全国第一") == [("abs.rank", WARN, "第一"), ("abs.rank", BLOCK, "全国第一")]


def test_a_registered_trademark_is_not_a_claim():
    assert _found("极品王茶叶", facts=Facts(trademarks=("极品王",))) == []
    assert _found("极品王茶叶，极品口感", facts=Facts(trademarks=("极品王",))) == [("abs.grade", BLOCK, "极品")]


def test_disease_claims_are_allowed_where_medical_copy_belongs():
    assert _found("用于治疗高血压", category="pharmacy") == []
    assert _found("用于治疗高血压", category="cosmetics") == [("disease.claim", BLOCK, "治疗")]


def test_endorsements_block_for_medical_and_health_food_and_warn_elsewhere():
    assert _found("医生推荐", category="medical_device") == [("endorse.expert", BLOCK, "医生推荐")]
    assert _found("医生推荐", category="honey", facts=Facts(health_food=True))[0][:2] == ("endorse.expert", BLOCK)
    assert _found("医生推荐", category="honey") == [("endorse.expert", WARN, "医生推荐")]


def test_certification_claims_follow_the_callers_facts():
    assert _found("有机大米") == [("cert.organic", WARN, "有机")]
    assert _found("有机大米", facts=Facts(credentials=frozenset())) == [("cert.organic", BLOCK, "有机")]
    assert _found("有机大米", facts=Facts(credentials=frozenset({"organic"}))) == []
    assert _found("地理标志产品", facts=Facts(credentials=frozenset({"organic"}))) == [
        ("cert.geo", BLOCK, "地理标志产品")
    ]


def test_a_health_food_must_carry_the_disclaimer():
    # when
    missing = check("调节血糖的好帮手", category="other", facts=Facts(health_food=True))
    carried = check("本品不能代替药物。每日两粒", category="other", facts=Facts(health_food=True))
    # then
    assert [(f.rule_id, f.severity, f.start, f.end) for f in missing] == [("health.disclaimer", BLOCK, 0, 0)]
    assert carried == []
    assert check("调节血糖的好帮手", category="other")[0].rule_id == "health.function"


def test_messages_are_translated():
    from django.utils import translation

    with translation.override("en"):
        finding = check("最好的茶", category="tea")[0]
    assert finding.message == "“最好” is an absolute term (Advertising Law, art. 9(3))"


def test_the_labelled_set_is_matched():
    # when
    scores = evaluate()
    # then
    assert scores.lines >= 150
    assert scores.precision >= 0.95 and scores.recall >= 0.95
    assert scores.decisions_right == scores.lines


@pytest.mark.parametrize(
    ("text", "span"),
    [("治 疗高血压", "治 疗"), ("喝它能治-疗", "治-疗"), ("治\u200b疗", "治\u200b疗"), ("zhi疗失眠", "zhi疗"),
     ("ZhiLiao胃病", "ZhiLiao"), ("ｔｏｐ１爆款", "ｔｏｐ１"), ("唯.一正宗", "唯.一")],
)
def test_split_and_disguised_terms_still_match_with_the_span_as_written(text, span):
    (finding,) = check(text, category="tea")
    assert (finding.severity, finding.span, text[finding.start : finding.end]) == (BLOCK, span, span)


@pytest.mark.parametrize(
    "text", ["不含防腐剂", "本品是普通食品，不能治疗疾病", "并非有机产品", "不宣称任何疗效", "有机会来茶园看看",
             "desktop1 款式", "味道非常好", "TOP 10 榜单"],
)
def test_negated_terms_and_lookalikes_are_no_claim(text):
    assert check(text, category="tea") == []


def test_a_negation_cue_only_counts_right_before_the_term():
    assert [f.span for f in check("味道不错最好的茶", category="tea")] == ["最好"]
    assert [f.span for f in check("不是第一，是唯一", category="tea")] == ["唯一"]


def test_a_green_food_claim_needs_the_merchants_verified_green_food_licence():
    from xinren.verification.choices import CredentialKind

    text = "绿色食品认证的赣南脐橙"
    assert _found(text, "fruit", Facts(credentials=frozenset())) == [("cert.green", BLOCK, "绿色食品认证")]
    assert _found(text, "fruit", Facts(credentials=frozenset({CredentialKind.ORGANIC}))) == [
        ("cert.green", BLOCK, "绿色食品认证")
    ]
    assert _found(text, "fruit", Facts(credentials=frozenset({CredentialKind.GREEN_FOOD}))) == []
    assert _found(text, "fruit") == [("cert.green", WARN, "绿色食品认证")]  # the catalog alone does not know
