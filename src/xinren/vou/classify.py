"""The classifier's public interface: `classify(text, category=None) -> Classification` (ADR 0053).

Sentiment is the trained NB-SVM's probability, moved by the complaint cues the rules found (a text that says 发霉
is less likely to be praise). Complaint types are reported only for a negative text: the rules' types (with the
matched spans as evidence) joined with the types the trained model is confident of (with the n-grams that decided
it); a negative text with neither is `other`. The model is the shipped one, trained on first use and cached, or
the file named by `XINREN_VOU_MODEL` (written by `xinren vou train`).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xinren.vou import rules
from xinren.vou.dataset import default_version

if TYPE_CHECKING:  # scikit-learn is imported when a model is first needed, not when this module is
    from xinren.vou.model import Model

TYPES = (
    "damaged", "spoiled", "poor_quality", "not_as_described", "counterfeit", "late_delivery", "missing_items",
    "rude_service", "refund_friction", "safety_allergy", "price", "other",
)  # fmt: skip

MODEL_VERSION = default_version()

RULE_WEIGHT = 0.5  # how far each unit of cue strength moves the sentiment's log-odds towards negative
TONE_WEIGHT = 1.0  # the same for each negative-tone word (差评, 失望 …)


@dataclass(frozen=True)
class Classification:
    sentiment: str  # "positive" | "negative"
    score: float  # probability of positive, 0–1
    types: list[str] = field(default_factory=list)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    model_version: str = MODEL_VERSION

    def as_json(self) -> dict[str, object]:
        return {"sentiment": self.sentiment, "score": self.score, "types": self.types, "evidence": self.evidence}


class Classifier:
    """A trained model with the rules layer on top."""

    def __init__(self, model: Model, *, rule_weight: float = RULE_WEIGHT, tone_weight: float = TONE_WEIGHT):
        self.model = model
        self.rule_weight = rule_weight
        self.tone_weight = tone_weight

    def classify_many(self, texts: Sequence[str], *, category: str | None = None) -> list[Classification]:
        texts = [text.strip() for text in texts]
        if not texts:
            return []
        probabilities = self.model.sentiment.predict(texts)
        type_scores = self.model.types.predict(texts)
        return [
            self._combine(text, float(p), scores, category)
            for text, p, scores in zip(texts, probabilities, type_scores, strict=True)
        ]

    def _combine(self, text: str, probability: float, scores: dict[str, float], category: str | None) -> Classification:
        found = rules.findings(text, category=category)
        tone = rules.negative_tone(text)
        p = min(max(probability, 1e-6), 1 - 1e-6)
        logit = math.log(p / (1 - p)) - self.rule_weight * rules.strength(found) - self.tone_weight * len(tone)
        score = round(1 / (1 + math.exp(-logit)), 4)
        if not text or score >= 0.5:
            return Classification("positive", score if text else 0.5, [], {}, self.model.version)
        evidence = rules.evidence(found)
        if not evidence:  # the trained model speaks when no cue did: its evidence is the n-grams that decided
            threshold = self.model.types.threshold
            for kind, probability_of_type in scores.items():
                if probability_of_type >= threshold and kind != "other":
                    evidence[kind] = self.model.types.evidence(text, kind)
        if not evidence:
            evidence["other"] = tone
        types = [kind for kind in TYPES if kind in evidence]
        return Classification("negative", score, types, {kind: evidence[kind] for kind in types}, self.model.version)


_lock = threading.Lock()
_default: Classifier | None = None


def default_classifier() -> Classifier:
    """The configured classifier: the model file named by XINREN_VOU_MODEL, else the shipped (cached) one."""
    global _default
    from xinren.vou import model as trained

    with _lock:
        if _default is None:
            configured = os.environ.get("XINREN_VOU_MODEL")
            if configured:
                model = trained.load(Path(configured))
            else:
                model, _path = trained.build_default(TYPES)
            _default = Classifier(model)
        return _default


def reset() -> None:
    """Forget the loaded classifier (after XINREN_VOU_MODEL changes)."""
    global _default
    with _lock:
        _default = None


def classify(text: str, *, category: str | None = None) -> Classification:
    return default_classifier().classify_many([text], category=category)[0]


def classify_many(texts: Sequence[str], *, category: str | None = None) -> list[Classification]:
    """Classify many texts at once (the models are vectorised: much faster than one call a text)."""
    return default_classifier().classify_many(texts, category=category)
