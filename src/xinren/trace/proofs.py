"""The proof state of trace events: in the log, and still saying what was signed (attest.proofs reads the log)."""

from __future__ import annotations

from collections.abc import Sequence

from xinren.attest.proofs import UNSIGNED, Proof, record_proofs

from .models import TraceEvent
from .statements import event_matches_statement


def event_proofs(events: Sequence[TraceEvent]) -> dict[int, Proof]:
    """The proof state of each event, keyed by the event's primary key (a few queries for any number)."""
    return record_proofs(
        events,
        leaf_hash=lambda event: event.ledger_leaf_hash,
        matches=lambda event, statement: statement is not None
        and event_matches_statement(document=event.document, statement=statement),
        unsigned=UNSIGNED,
    )
