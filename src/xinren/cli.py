"""The `xinren` console script: `xinren ledger verify|audit|key …`.

Subcommands import what they need when they run, so `xinren ledger verify` works with only the pure
ledger package installed (no Django settings, no database).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

USAGE = """usage: xinren <command> …

commands:
  ledger verify BUNDLE --key VKEY   check an offline proof bundle with the log's public key
  ledger audit                      re-read the whole log and report the first inconsistency
  ledger key                        print the log's verifier key
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE, end="")
        return 0 if args else 2
    if args[0] == "ledger":
        from xinren.ledger.cli import main as ledger_main

        return ledger_main(args[1:], prog="xinren ledger")
    print(f"xinren: unknown command {args[0]!r}\n\n{USAGE}", end="", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
