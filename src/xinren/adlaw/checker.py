"""`check(text, field=, category=, facts=)`: the Advertising Law findings of one piece of copy.

Pure Python over the versioned term list; messages are translated (django.utils.translation) in the active language.
A term is judged in its context (SAMR's 2023 guide): a match starting inside an exempt phrase (最佳食用期, 第一批,
有机肥) is no finding, nor is one right after a negation cue (不能治疗, 并非有机: list v2); inside a warn phrase
(本店销量第一, 国家级非遗) it is at most a warning; inside one of the caller's registered trademarks it is no finding.
Split or disguised terms (治 疗, 治-疗, full-width letters, zhi疗) match as the term (list v2). Of overlapping
matches the longest wins (全网第一 over 第一).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext as _

from .origin import contradicts, origin_claims, origin_name
from .terms import EXEMPT, TERM, TERMS_VERSION, WARN_CONTEXT, Rule, TermList, compact, normalize, term_list

BLOCK, WARN = "block", "warn"


@dataclass(frozen=True)
class Facts:
    """What the caller knows about the seller and product: verified credential kinds (None: not known here),
    registered trademarks in the copy, whether the product is a health food (保健食品), where it comes from."""

    credentials: frozenset[str] | None = None
    trademarks: tuple[str, ...] = ()
    health_food: bool = False
    # The GB/T 2260 code of the product's stated origin (a province or prefecture), None when not known here.
    origin_code: str | None = None


UNKNOWN = Facts()


@dataclass(frozen=True)
class Finding:
    """One span of copy that breaks (block) or may break (warn) an article of the Advertising Law."""

    rule_id: str
    article: str
    severity: str
    start: int
    end: int
    span: str
    message: str
    suggestion: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _message(family: str, span: str, *, context_warn: bool, known: bool) -> str:
    if context_warn:
        return _("“%(span)s”须真实并可证明，请保留依据（《广告法》第九条第三项、第二十八条）") % {"span": span}
    if family == "absolute":
        return _("“%(span)s”是绝对化用语（《广告法》第九条第三项）") % {"span": span}
    if family == "absolute_percent":
        return _("“%(span)s”是绝对化的说法，须有依据（《广告法》第九条第三项）") % {"span": span}
    if family == "disease":
        return _("“%(span)s”宣称疾病治疗或预防功能，只有医疗、药品、医疗器械可以（《广告法》第十七条）") % {
            "span": span
        }
    if family == "health_function":
        return _("“%(span)s”宣称保健功能，普通食品不得使用（《广告法》第十七条）") % {"span": span}
    if family == "health_guarantee":
        return _("“%(span)s”是对功效或安全性的断言或保证（《广告法》第十八条）") % {"span": span}
    if family == "health_disclaimer":
        return _("保健食品的文案须显著标明“本品不能代替药物”（《广告法》第十八条）")
    if family == "endorsement":
        return _("“%(span)s”以专家、医生或患者的名义作推荐或证明（《广告法》第十六条、第十八条、第三十八条）") % {
            "span": span
        }
    if known:
        return _("“%(span)s”声称的认证没有经核验的证书（《广告法》第二十八条）") % {"span": span}
    return _("“%(span)s”声称一项认证，须有经核验的证书（《广告法》第二十八条）") % {"span": span}


def _in_trademark(text: str, start: int, trademarks: tuple[str, ...]) -> bool:
    for mark in trademarks:
        if not mark:
            continue
        at = text.find(mark)
        while at != -1:
            if at <= start < at + len(mark):
                return True
            at = text.find(mark, at + 1)
    return False


def _negated(normalized: str, start: int, terms: TermList) -> bool:
    """Whether a negation cue ends right before `start`, or a few gap characters before it (不能用于治疗)."""
    if not terms.negation_cues:
        return False
    for gap in range(terms.negation_max_gap + 1):
        end = start - gap
        if end <= 0:
            return False
        if gap and normalized[end] not in terms.negation_gap:
            return False
        for cue in terms.negation_cues:
            if normalized.endswith(cue, 0, end):
                return True
    return False


def _word(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _latin_inside(normalized: str, start: int, end: int) -> bool:
    """A match starting or ending with a Latin letter or digit in the middle of a longer run of them (ZHILIAO inside
    an English word, TOP1 inside TOP 10) is not the term."""
    before = normalized[start - 1] if start else ""
    after = normalized[end] if end < len(normalized) else ""
    return (_word(normalized[start]) and _word(before)) or (_word(normalized[end - 1]) and _word(after))


def check(
    text: str, *, field: str = "", category: str = "", facts: Facts = UNKNOWN, version: str = TERMS_VERSION
) -> list[Finding]:
    """The findings of one piece of copy, in order of position. `field` names the copy (name, description,
    share_card) for the caller's report; `category` is the catalog's product category."""
    del field  # the same rules hold for every field of copy; the caller reports which one
    terms = term_list(version)
    categories = frozenset({category, "health_food"} if facts.health_food else {category})
    normalized = normalize(text)
    # v2 lists match the copy without its filler characters (治 疗 is 治疗); offsets map back to the original.
    offsets = list(range(len(text)))
    if terms.compact:
        normalized, offsets = compact(normalized)
    exempt: list[tuple[int, int]] = []
    warned: list[tuple[int, int]] = []
    matches: list[tuple[int, int, Rule]] = []
    for start, end, payload in terms.automaton.find(normalized):
        kind, index = terms.payloads[payload]
        if kind == TERM:
            matches.append((start, end, terms.rules[index]))
        elif kind == EXEMPT:
            exempt.append((start, end))
        elif kind == WARN_CONTEXT:
            warned.append((start, end))
    # Longest first, then leftmost: a match inside a longer one is the same claim.
    matches.sort(key=lambda match: (-(match[1] - match[0]), match[0]))
    kept: list[tuple[int, int, Rule]] = []
    for start, end, rule in matches:
        if any(other_start <= start and end <= other_end for other_start, other_end, _rule in kept):
            continue
        kept.append((start, end, rule))
    findings: list[Finding] = []
    for start, end, rule in sorted(kept, key=lambda match: match[0]):
        severity = rule.severity_in(categories)
        if severity is None:
            continue
        if any(c_start <= start < c_end for c_start, c_end in exempt):
            continue
        if _latin_inside(normalized, start, end) or _negated(normalized, start, terms):
            continue
        original_start, original_end = offsets[start], offsets[end - 1] + 1
        if _in_trademark(text, original_start, facts.trademarks):
            continue
        context_warn = any(c_start <= start < c_end for c_start, c_end in warned)
        known = facts.credentials is not None
        if rule.credential:
            if known and rule.credential in (facts.credentials or ()):
                continue
            if not known:
                severity = WARN
        if context_warn:
            severity = WARN
        span = text[original_start:original_end]
        findings.append(
            Finding(
                rule_id=rule.id,
                article=rule.article,
                severity=severity,
                start=original_start,
                end=original_end,
                span=span,
                message=_message(rule.family, span, context_warn=context_warn, known=known),
                suggestion=rule.suggestion,
            )
        )
    for rule in terms.rules:
        if rule.on_missing and rule.severity_in(categories) and rule.on_missing not in normalized:
            findings.append(
                Finding(
                    rule_id=rule.id,
                    article=rule.article,
                    severity=rule.severity_in(categories) or BLOCK,
                    start=0,
                    end=0,
                    span="",
                    message=_message(rule.family, "", context_warn=False, known=True),
                    suggestion=rule.suggestion,
                )
            )
    if facts.origin_code:
        findings.extend(_origin_findings(text, facts.origin_code))
    return findings


def _origin_findings(text: str, origin_code: str) -> list[Finding]:
    """A place named as the goods' origin that the product's stated origin contradicts (art. 8, 28(2))."""
    return [
        Finding(
            rule_id="origin.contradicted",
            article="8, 28(2)",
            severity=BLOCK,
            start=claim.start,
            end=claim.end,
            span=claim.span,
            message=_("称产地为“%(claimed)s”，与商品登记的产地“%(origin)s”不符")
            % {"claimed": claim.span, "origin": origin_name(origin_code)},
            suggestion=str(_("按登记的产地描述；产地确有变化时，先更正商品的产地")),
        )
        for claim in origin_claims(text)
        if contradicts(claim.code, origin_code)
    ]


def blocking(findings: list[Finding]) -> list[Finding]:
    """The findings that stop publication."""
    return [finding for finding in findings if finding.severity == BLOCK]


__all__ = ["BLOCK", "UNKNOWN", "WARN", "Facts", "Finding", "blocking", "check"]
