"""Explain a product's trust score from the transparency log alone (`xinren trust explain <gtin>`, ADR 0051).

`score_explain` reads only the log's tables (entries, the pool, the key directory): the latest `trust.score` for
the GTIN, its signature, the statements its `sources` name. It reruns the pure formula on the signed inputs
(`explain.statement_recompute`). `stored_compare` is the one read of a domain table, kept apart: the stored
`ProductScore` must show what the statement says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xinren.accounts.selectors import platform_find
from xinren.attest.keys import owner_of
from xinren.attest.proofs import envelope_statement, logged_statements
from xinren.ledger.dsse import verify_envelope
from xinren.ledger.errors import LedgerError
from xinren.ledger.store.models import KeyRecord, LogEntry, PendingEntry

from ..models import ProductScore
from .explain import FOLDED, shown, statement_recompute
from .statements import TRUST_SCORE

UPHELD = ("approve", "partial")


@dataclass
class Check:
    code: str  # signature, recomputed, sources.reviews, stored …
    ok: bool
    detail: str = ""


@dataclass
class Explanation:
    """What the log says about a product's score, and every check made on it."""

    gtin: str
    leaf_hash: str = ""
    index: int | None = None  # None: accepted, waiting for the next integration
    statement: dict[str, Any] | None = None
    recomputed: dict[str, Any] | None = None
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.statement is not None and all(check.ok for check in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "gtin": self.gtin, "leaf_hash": self.leaf_hash, "log_index": self.index, "ok": self.ok,
            "statement": self.statement, "recomputed": None if self.recomputed is None else shown(self.recomputed),
            "checks": [{"code": c.code, "ok": c.ok, "detail": c.detail} for c in self.checks],
        }  # fmt: skip


def _latest(gtin: str) -> tuple[bytes, int | None, bytes, str] | None:
    """The newest `trust.score` entry about the GTIN: pooled ones are newer than any integrated one."""
    pooled = (
        PendingEntry.objects.filter(statement_type=TRUST_SCORE.name, subject=gtin).order_by("-pk")
        .values_list("leaf_hash", "envelope", "signer_key_id").first()
    )  # fmt: skip
    if pooled is not None:
        return bytes(pooled[0]), None, bytes(pooled[1]), pooled[2]
    logged = (
        LogEntry.objects.filter(statement_type=TRUST_SCORE.name, subject=gtin).order_by("-index")
        .values_list("leaf_hash", "index", "envelope", "signer_key_id").first()
    )  # fmt: skip
    if logged is None:
        return None
    return bytes(logged[0]), int(logged[1]), bytes(logged[2]), logged[3]


def _signature(envelope: bytes, key_id: str) -> Check:
    key = KeyRecord.objects.filter(key_id=key_id).values_list("public_key", "owner").first()
    if key is None:
        return Check("signature", False, f"unknown key {key_id}")
    try:
        verify_envelope(envelope, {key_id: bytes(key[0])})
    except LedgerError as error:
        return Check("signature", False, str(error))
    platform = platform_find()
    if platform is None or key[1] != owner_of(platform):
        return Check("signature", False, f"signed by {key[1]}, not the platform")
    return Check("signature", True, f"{key[1]} {key_id[:16]}")


def _sources(statement: dict[str, Any]) -> list[Check]:
    """Each source is in the log and says what the input says."""
    gtin, inputs, sources = statement["gtin"], statement.get("inputs", {}), statement.get("sources", {})
    wanted = [bytes.fromhex(leaf) for hashes in sources.values() for leaf in hashes]
    logged = logged_statements(wanted)

    def said(leaf: str) -> dict[str, Any] | None:
        found = logged.get(bytes.fromhex(leaf))
        return None if found is None else found[1]

    checks: list[Check] = []
    reviews = inputs.get("reviews", [])
    if isinstance(reviews, dict):
        fold = reviews[FOLDED]
        checks.append(Check("sources.reviews", True, f"folded: {fold['counted']} of {fold['total']} counted, "
                                                     f"digest {str(fold.get('digest', ''))[:16]}"))  # fmt: skip
    elif reviews:
        hashes = sources.get("reviews", [])
        problems: list[str] = []
        reviewers: dict[int, str] = {}
        if len(hashes) != len(reviews):
            problems.append(f"{len(hashes)} sources for {len(reviews)} reviews")
        for (buyer, stars, _age, _quality), leaf in zip(reviews, hashes, strict=False):
            review = said(leaf)
            if review is None or review.get("type") != "review":
                problems.append(f"{leaf[:16]} is no review in the log")
            elif review.get("order_line", {}).get("gtin") != gtin or review.get("stars") != stars:
                problems.append(f"{leaf[:16]} says {review.get('stars')} stars for {review.get('order_line')}")
            elif reviewers.setdefault(int(buyer), str(review.get("reviewer"))) != str(review.get("reviewer")):
                problems.append(f"{leaf[:16]}: buyer {buyer} is another reviewer")
        if len(set(reviewers.values())) != len(reviewers):
            problems.append("two buyer numbers name the same reviewer")
        checks.append(Check("sources.reviews", not problems, "; ".join(problems) or f"{len(hashes)} reviews"))
    labs = inputs.get("lab_reports", [])
    if labs:
        hashes = sources.get("lab_reports", [])
        problems = [] if len(hashes) == len(labs) else [f"{len(hashes)} sources for {len(labs)} lab reports"]
        for (report_id, _stars, _age), leaf in zip(labs, hashes, strict=False):
            report = said(leaf)
            if report is None or report.get("type") != "lab.report":
                problems.append(f"{leaf[:16]} is no lab report in the log")
            elif report.get("report_id") != report_id or report.get("gtin") != gtin:
                problems.append(f"{leaf[:16]} is report {report.get('report_id')} on {report.get('gtin')}")
        checks.append(Check("sources.lab_reports", not problems, "; ".join(problems) or f"{len(hashes)} reports"))
    upheld = int(inputs.get("claims_upheld", 0))
    if upheld:
        hashes = sources.get("claims_upheld", [])
        good = [
            h
            for h in hashes
            if (said(h) or {}).get("type") == "aftersale.decision"
            and (said(h) or {}).get("outcome") in UPHELD
            and (said(h) or {}).get("gtin") == gtin
        ]
        checks.append(Check("sources.claims_upheld", len(good) == len(hashes) and len(good) >= upheld,
                            f"{len(good)} upheld decisions for {upheld} orders"))  # fmt: skip
    if int(inputs.get("credit", {}).get("open_suspensions", 0)):
        hashes = sources.get("suspensions", [])
        said_all = [said(h) or {} for h in hashes]
        about = all(s.get("type") == "governance.listing.suspension" and s.get("gtin") == gtin for s in said_all)
        suspended = sum(1 for s in said_all if s.get("action") == "suspended")
        checks.append(Check("sources.suspensions", about and suspended >= 1,
                            f"{len(hashes)} statements, {suspended} suspensions"))  # fmt: skip
    if inputs.get("credit", {}).get("on_probation"):
        hashes = sources.get("probation", [])
        signed = bool(hashes) and all((said(h) or {}).get("type") == "governance.probation" for h in hashes)
        checks.append(Check("sources.probation", signed, f"{len(hashes)} statements"))
    return checks


def score_explain(gtin: str) -> Explanation:
    """The latest signed score of the GTIN checked against the log: signature, recomputation, sources."""
    explanation = Explanation(gtin=gtin)
    latest = _latest(gtin)
    if latest is None:
        explanation.checks.append(Check("statement", False, "no trust.score statement for this GTIN in the log"))
        return explanation
    leaf, explanation.index, envelope, key_id = latest
    explanation.leaf_hash = leaf.hex()
    statement = envelope_statement(envelope)
    if statement is None or statement.get("type") != TRUST_SCORE.name:
        explanation.checks.append(Check("statement", False, "the entry cannot be read as a trust.score"))
        return explanation
    explanation.statement = statement
    explanation.checks.append(_signature(envelope, key_id))
    state = "pooled, waiting for integration" if explanation.index is None else f"entry {explanation.index}"
    explanation.checks.append(Check("in_log", True, state))
    try:
        explanation.recomputed = statement_recompute(statement)
    except (KeyError, TypeError, ValueError) as error:
        explanation.checks.append(Check("recomputed", False, f"cannot rerun the formula: {error!r}"))
        return explanation
    same = shown(explanation.recomputed) == shown(statement)
    explanation.checks.append(
        Check("recomputed", same, "" if same else f"formula gives {shown(explanation.recomputed)}")
    )
    explanation.checks.extend(_sources(statement))
    return explanation


def stored_compare(explanation: Explanation) -> Check:
    """The stored score (the one domain read) shows what the statement says, and names it."""
    statement = explanation.statement or {}
    row = ProductScore.objects.filter(product__gtin=explanation.gtin, version=statement.get("version")).first()
    if row is None:
        return Check("stored", False, "no stored score for this GTIN and version")
    stored = shown({"score": row.score, "components": row.components})
    if row.publish_pending and stored != shown(statement):
        return Check("stored", False, f"stored {stored} awaits its statement (the trust-scores-publish job signs it "
                                      "within a minute; `manage.py trust_scores_publish` now)")
    if stored != shown(statement):
        return Check("stored", False, f"stored {stored} differs from the signed {shown(statement)}")
    if row.leaf_hash and row.leaf_hash != explanation.leaf_hash:
        return Check("stored", False, f"stored row names statement {row.leaf_hash[:16]}")
    return Check("stored", True, f"{row.score} ({row.version})")
