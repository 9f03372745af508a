"""Precision and recall of the checker on a labelled set (data/labelled_v1.csv): used by the benchmark and a test."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .checker import check

LABELLED = Path(__file__).with_name("data") / "labelled_v1.csv"


@dataclass(frozen=True)
class Scores:
    """Counts over (line, rule id, severity) pairs, and over the block/pass decision of each line."""

    lines: int
    true_positives: int
    false_positives: int
    false_negatives: int
    decisions_right: int
    mistakes: tuple[tuple[str, frozenset[str], frozenset[str]], ...]
    # per kind of line (compliant, violating, exemption, negation, disguised): [lines, tp, fp, fn, decisions right]
    by_kind: tuple[tuple[str, tuple[int, int, int, int, int]], ...] = ()

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


def evaluate(path: Path = LABELLED) -> Scores:
    """Check every line of the labelled set and count agreements."""
    tp = fp = fn = right = lines = 0
    mistakes = []
    kinds: dict[str, list[int]] = {}
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            lines += 1
            expected = frozenset(label for label in row["expected"].split("|") if label)
            found = frozenset(f"{f.rule_id}:{f.severity}" for f in check(row["text"], category=row["category"]))
            tp += len(expected & found)
            fp += len(found - expected)
            fn += len(expected - found)
            blocks = any(label.endswith(":block") for label in expected)
            decided = blocks == any(label.endswith(":block") for label in found)
            right += decided
            counts = kinds.setdefault(row["kind"], [0, 0, 0, 0, 0])
            for position, value in enumerate(
                (1, len(expected & found), len(found - expected), len(expected - found), int(decided))
            ):
                counts[position] += value
            if expected != found:
                mistakes.append((row["text"], expected, found))
    by_kind = tuple((kind, (c[0], c[1], c[2], c[3], c[4])) for kind, c in sorted(kinds.items()))
    return Scores(lines, tp, fp, fn, right, tuple(mistakes), by_kind)
