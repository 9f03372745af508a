"""`xinren adlaw check [--category C] [--health-food]`: one text per line on stdin, one JSON object per line out.

Each output line is `{"terms_version", "blocked", "findings": [Finding…]}`. Django is set up only for the translated
messages (the settings' language, zh-hans); no database is opened.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import TextIO


def main(argv: Sequence[str], *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xinren adlaw", description="Advertising Law checks of product copy")
    commands = parser.add_subparsers(dest="command", required=True)
    checking = commands.add_parser("check", help="check one text per line of standard input")
    checking.add_argument("--category", default="other", help="the catalog's product category (default: other)")
    checking.add_argument("--health-food", action="store_true", help="the copy is a health food's (保健食品)")
    checking.add_argument("--credential", action="append", default=None, help="a verified credential kind")
    args = parser.parse_args(list(argv))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
    import django

    django.setup()
    from . import TERMS_VERSION, Facts, blocking, check

    facts = Facts(
        credentials=None if args.credential is None else frozenset(args.credential),
        health_food=args.health_food,
    )
    source, sink = stdin or sys.stdin, stdout or sys.stdout
    for line in source:
        text = line.rstrip("\n")
        findings = check(text, field="text", category=args.category, facts=facts)
        record = {
            "terms_version": TERMS_VERSION,
            "blocked": bool(blocking(findings)),
            "findings": [finding.as_dict() for finding in findings],
        }
        sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0
