"""Held-out measures of a classifier: sentiment accuracy and per-type precision, recall and F1."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xinren.vou.classify import Classification
from xinren.vou.dataset import Example


@dataclass(frozen=True)
class TypeScore:
    """Precision, recall and F1 of one type; `support` is how many held-out texts carry it."""

    type: str
    precision: float
    recall: float
    f1: float
    support: int


def accuracy(examples: Sequence[Example], predicted: Sequence[str]) -> float:
    """The share of examples whose sentiment was predicted right."""
    if not examples:
        return 0.0
    return sum(e.sentiment == p for e, p in zip(examples, predicted, strict=True)) / len(examples)


def type_scores(
    examples: Sequence[Example], results: Sequence[Classification], types: Sequence[str]
) -> list[TypeScore]:
    """Per type, over every held-out text (a type reported on praise is a false positive)."""
    scores = []
    for kind in types:
        true_positive = sum(kind in e.types and kind in r.types for e, r in zip(examples, results, strict=True))
        predicted = sum(kind in r.types for r in results)
        support = sum(kind in e.types for e in examples)
        precision = true_positive / predicted if predicted else 0.0
        recall = true_positive / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(TypeScore(kind, precision, recall, f1, support))
    return scores


def micro_f1(examples: Sequence[Example], results: Sequence[Classification]) -> float:
    """F1 over all (text, type) pairs."""
    true_positive = sum(len(set(e.types) & set(r.types)) for e, r in zip(examples, results, strict=True))
    predicted = sum(len(r.types) for r in results)
    actual = sum(len(e.types) for e in examples)
    if not true_positive:
        return 0.0
    precision, recall = true_positive / predicted, true_positive / actual
    return 2 * precision * recall / (precision + recall)


def report_lines(examples: Sequence[Example], results: Sequence[Classification], types: Sequence[str]) -> list[str]:
    """The printed report: accuracy, then a row per type."""
    lines = [
        f"held-out texts: {len(examples)}",
        f"sentiment accuracy: {accuracy(examples, [r.sentiment for r in results]):.3f}",
        f"types micro-F1: {micro_f1(examples, results):.3f}",
        f"{'type':<18} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}",
    ]
    for score in type_scores(examples, results, types):
        lines.append(
            f"{score.type:<18} {score.precision:>9.3f} {score.recall:>7.3f} {score.f1:>6.3f} {score.support:>8}"
        )
    return lines
