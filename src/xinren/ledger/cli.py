"""`xinren ledger …` / `python -m xinren.ledger …`: verify a proof bundle offline, audit the log, print the key.

`verify` needs only this package and `cryptography`: a third party runs it with the bundle a consumer
page offers and the log's public key. `audit` and `key` read the platform's database and set Django up
when they are called, never at import.

Exit codes: 0 yes / consistent, 1 a precise no (the failing check is printed), 2 usage or input errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import LedgerError
from .item_bundle import REGISTRAR_OWNER, ItemVerdict, is_item_bundle, verify_item_bundle
from .proof import verify_bundle
from .statement_text import statement_lines

if TYPE_CHECKING:
    from .store.audit import AuditReport

# The log audit with the platform's rows checked in the same pass (which this package cannot see; xinren.cli passes
# attest's): called with the worker count and `verbose`, it returns the log's report and a function that prints
# what the rows' check found and says whether they are consistent.
TwoWayAudit = Callable[[int, bool], "tuple[AuditReport, Callable[[], bool]]"]


def _read_key(value: str) -> str:
    """A verifier key string, given inline or as a file that holds it (as /log/key serves it)."""
    try:
        if Path(value).is_file():
            return Path(value).read_text(encoding="utf-8").strip()
    except OSError:
        pass
    return value.strip()


def _read_bytes(path: str) -> bytes:
    return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()


def cmd_verify(args: argparse.Namespace) -> int:
    try:
        bundle = _read_bytes(args.bundle)
        entry = _read_bytes(args.entry) if args.entry else None
        key = _read_key(args.key)
        witnesses = [_read_key(w) for w in args.witness]
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if is_item_bundle(bundle):
        if args.entry:
            print("error: --entry is for a single-entry bundle, not an item bundle", file=sys.stderr)
            return 2
        return _print_item_verdict(verify_item_bundle(bundle, key, witnesses=witnesses, quorum=args.quorum),
                                   lang=args.lang)
    verdict = verify_bundle(bundle, key, entry=entry, origin=args.origin, witnesses=witnesses, quorum=args.quorum)
    if verdict:
        assert verdict.checkpoint is not None
        print(f"yes: {verdict.message}")
        print(f"  root {verdict.checkpoint.root.hex()}")
        if verdict.leaf_hash is not None:
            print(f"  leaf hash {verdict.leaf_hash.hex()}")
        if verdict.witnesses:
            print(f"  cosigned by {', '.join(verdict.witnesses)}")
        return 0
    print(f"no: the {verdict.check} check failed ({verdict.code}): {verdict.message}")
    return 1


_ITEM_WORDS = {
    "zh": {"yes": "是：{n} 条记录都在日志 {origin}（大小 {size}）中，且都由已登记的密钥签名",
           "no": "否：{check} 检查未通过（{code}）{where}：{message}", "at": "，第 {index} 条",
           "root": "根哈希", "signed": "签名方", "omitted": "页面上还有 {n} 条记录尚无法证明（{states}）",
           "registrar": "日志登记处"},
    "en": {"yes": "yes: {n} records are in {origin} at size {size}, each signed by a registered key",
           "no": "no: the {check} check failed ({code}){where}: {message}", "at": " at entry {index}",
           "root": "root", "signed": "signed by",
           "omitted": "{n} more records on the page cannot be proven yet ({states})",
           "registrar": "the log's registrar"},
}


def _print_item_verdict(verdict: ItemVerdict, *, lang: str) -> int:
    """Every record of an item bundle: what it states and who signed it, or the first check that failed."""
    words = _ITEM_WORDS[lang]
    if not verdict:
        where = "" if verdict.index is None else words["at"].format(index=verdict.index)
        print(words["no"].format(check=verdict.check, code=verdict.code, where=where, message=verdict.message))
        return 1
    assert verdict.checkpoint is not None
    checkpoint = verdict.checkpoint
    print(words["yes"].format(n=len(verdict.records), origin=checkpoint.origin, size=checkpoint.size))
    print(f"  {words['root']} {checkpoint.root.hex()}")
    for record in verdict.records:
        title, *details = statement_lines(record.statement, lang)
        signers = ", ".join(
            words["registrar"] if s.owner == REGISTRAR_OWNER else f"{s.name or s.owner} ({s.owner})"
            for s in record.signers
        )
        print(f"#{record.index} [{record.section}] {title} · {words['signed']} {signers}")
        for line in details:
            print(f"    {line}")
    if verdict.omitted:
        states = ", ".join(sorted({str(o.get("state", "")) for o in verdict.omitted}))
        print(words["omitted"].format(n=len(verdict.omitted), states=states))
    return 0


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
    import django

    django.setup()


def cmd_audit(args: argparse.Namespace) -> int:
    _django_setup()
    from xinren.ledger.store.audit import log_audit

    def progress(size: int) -> None:
        print(f"  … {size} entries", file=sys.stderr)

    rows: Callable[[], bool] | None = None
    if args.log_only or args.two_way is None:
        report = log_audit(workers=args.workers, progress=progress if args.verbose else None)
    else:
        report, rows = args.two_way(args.workers, args.verbose)
    problem = report.problem
    summary = (f"{report.entries} entries, {report.stored_hashes} stored hashes, {report.checkpoints} checkpoints, "
               f"{report.signatures} signatures in {report.seconds:.1f} s")
    consistent = problem is None
    if problem is None:
        print(f"log consistent: {summary}")
    else:
        print(f"log INCONSISTENT at {problem.position}: {problem.message}")
        print(f"  ({summary} checked before stopping)")
    if rows is not None:
        consistent = rows() and consistent
    return 0 if consistent else 1



def cmd_key(args: argparse.Namespace) -> int:
    _django_setup()
    from xinren.ledger.store.selectors import log_vkey

    print(log_vkey())
    return 0


def build_parser(prog: str = "xinren ledger", two_way: TwoWayAudit | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Xinren transparency log tools")
    commands = parser.add_subparsers(dest="command", required=True)

    verify = commands.add_parser("verify", help="verify an offline proof bundle with the log's public key")
    verify.add_argument("bundle", help="bundle file (c2sp.org/tlog-proof text or JSON, or an item's proof bundle "
                                       "xinren.ledger.item-bundle/v1), or - for standard input")
    verify.add_argument("--key", required=True, help="the log's verifier key string, or a file holding it")
    verify.add_argument("--entry", help="the entry bytes, for a detached bundle")
    verify.add_argument("--origin", help="the expected log origin (defaults to the key's name)")
    verify.add_argument("--witness", action="append", default=[], help="a trusted witness's verifier key")
    verify.add_argument("--quorum", type=int, default=0, help="how many trusted witnesses must have cosigned")
    verify.add_argument("--lang", choices=["zh", "en"], default="zh",
                        help="language of an item bundle's statements (zh: Chinese, en: English)")
    verify.set_defaults(func=cmd_verify)

    audit = commands.add_parser("audit", help="re-read the whole log and check every hash, checkpoint and signature")
    audit.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes verifying signatures")
    audit.add_argument("--verbose", "-v", action="store_true")
    audit.add_argument("--log-only", action="store_true", help="check the log only, not the platform's signed rows")
    audit.set_defaults(func=cmd_audit, two_way=two_way)

    key = commands.add_parser("key", help="print the log's verifier key")
    key.set_defaults(func=cmd_key)
    return parser


def main(
    argv: Sequence[str] | None = None, *, prog: str = "xinren ledger", two_way: TwoWayAudit | None = None
) -> int:
    """Run a subcommand; `two_way` is what `audit` runs unless --log-only (xinren.cli passes the rows' check)."""
    args = build_parser(prog, two_way).parse_args(argv)
    try:
        return int(args.func(args))
    except LedgerError as exc:
        print(f"error ({exc.code}): {exc.message}", file=sys.stderr)
        return 2
