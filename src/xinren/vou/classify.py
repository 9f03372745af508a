"""The classifier's public interface: `classify(text, category=None) -> Classification`.

Placeholder lexicon until the trained models land (ADR 0053): the interface is what other contexts rely on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MODEL_VERSION = "placeholder-0"

TYPES = (
    "damaged", "spoiled", "poor_quality", "not_as_described", "counterfeit", "late_delivery", "missing_items",
    "rude_service", "refund_friction", "safety_allergy", "price", "other",
)  # fmt: skip

_LEXICON = {
    "damaged": ("破损", "压坏", "摔碎", "漏了"),
    "spoiled": ("发霉", "变质", "臭了", "过期"),
    "not_as_described": ("货不对板", "与描述不符", "发错"),
    "counterfeit": ("假货", "仿冒"),
    "late_delivery": ("太慢", "迟迟", "还没到"),
    "missing_items": ("少了", "漏发", "缺件"),
    "rude_service": ("态度差", "不理人", "客服不回"),
    "refund_friction": ("不给退", "拒绝退款", "退款慢"),
    "safety_allergy": ("过敏", "拉肚子", "异物", "头发"),
    "price": ("太贵", "不值"),
}
_NEGATIVE = ("差", "失望", "垃圾", "坑")


@dataclass(frozen=True)
class Classification:
    sentiment: str  # "positive" | "negative"
    score: float  # probability of positive, 0–1
    types: list[str] = field(default_factory=list)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    model_version: str = MODEL_VERSION

    def as_json(self) -> dict[str, object]:
        return {"sentiment": self.sentiment, "score": self.score, "types": self.types, "evidence": self.evidence}


def classify(text: str, *, category: str | None = None) -> Classification:
    evidence = {kind: [w for w in words if w in text] for kind, words in _LEXICON.items()}
    evidence = {kind: spans for kind, spans in evidence.items() if spans}
    negative = bool(evidence) or any(w in text for w in _NEGATIVE)
    return Classification(
        sentiment="negative" if negative else "positive",
        score=0.2 if negative else 0.8,
        types=sorted(evidence),
        evidence=evidence,
    )
