"""The `xinren` console script: `xinren ledger verify|audit|key …`, `xinren adlaw check`, `xinren vou …`.

Subcommands import what they need when they run, so `xinren ledger verify` works with only the pure
ledger package installed (no Django settings, no database).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xinren.attest.audit import ReconcileReport
    from xinren.ledger.store.audit import AuditReport

USAGE = """usage: xinren <command> …

commands:
  ledger verify BUNDLE --key VKEY   check an offline proof bundle with the log's public key
  ledger audit                      re-read the whole log, then reconcile every signed row with it, both ways
  ledger key                        print the log's verifier key
  adlaw check [--category C]        Advertising Law findings, one JSON line per line of standard input
  rings detect --orders CSV [--reviews CSV]   brushing rings (刷单) in an order export, as JSON
  trust explain GTIN [--lang zh|en] [--json] [--no-compare]   a product's score recomputed from the log alone
  vou classify [--category C]       sentiment and complaint types, one JSON line per line of standard input
  vou train --csv FILE [--out PATH] retrain the voice-of-the-user classifier and print its held-out accuracy
"""


def audit_two_way(workers: int, verbose: bool) -> tuple[AuditReport, Callable[[], bool]]:
    """The log audit with the platform's signed rows checked against it in the same pass, both ways
    (attest.audit.audit_two_way): the log's report, and what prints the rows' findings."""
    from xinren.attest.audit import audit_two_way as run

    def progress(line: str) -> None:
        print(f"  … {line}", file=sys.stderr)

    log, rows = run(workers=workers, progress=progress if verbose else None)
    return log, lambda: records_print(rows)


def records_print(report: ReconcileReport) -> bool:
    """Print the rows' findings; whether they are consistent."""
    summary = f"{report.rows} signed rows, {report.entries} domain entries in {report.seconds:.1f} s"
    if report.consistent:
        print(f"records consistent: {summary}")
        return True
    print(f"records INCONSISTENT: {len(report.problems)} problems ({summary})")
    for problem in report.problems:
        row = f"row {problem.row}" if problem.row is not None else "no row"
        entry = f"entry {problem.index}" if problem.index is not None else "no entry"
        print(f"  {problem.kind:<8} {problem.record} {row}, {entry}: {problem.message}")
    return False


def trust_explain(args: list[str]) -> int:
    """`manage.py trust_explain` as `xinren trust explain`: exit 0 when the score checks out, else 1."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
    import django
    from django.core.management import call_command
    from django.core.management.base import CommandError

    django.setup()
    try:
        call_command("trust_explain", *args)
    except CommandError as error:
        print(error, file=sys.stderr)
        return int(getattr(error, "returncode", 1) or 1)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE, end="")
        return 0 if args else 2
    if args[0] == "ledger":
        from xinren.ledger.cli import main as ledger_main

        return ledger_main(args[1:], prog="xinren ledger", two_way=audit_two_way)
    if args[0] == "adlaw":
        from xinren.adlaw.cli import main as adlaw_main

        return adlaw_main(args[1:])
    if args[0] == "rings":
        from xinren.governance.rings.cli import main as rings_main

        return rings_main(args[1:])
    if args[0] == "trust" and args[1:2] == ["explain"]:
        return trust_explain(args[2:])
    if args[0] == "vou":
        from xinren.vou.cli import main as vou_main

        return vou_main(args[1:])
    print(f"xinren: unknown command {args[0]!r}\n\n{USAGE}", end="", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
