"""The proof state of trace events: in the log, signed by their recorder, and still saying what was signed."""

from __future__ import annotations

from collections.abc import Sequence

from xinren.attest.proofs import Proof, signed_record_proofs

from .models import TraceEvent
from .statements import TRACE_EVENT_RECORD


def event_proofs(events: Sequence[TraceEvent]) -> dict[int, Proof]:
    """The proof state of each event, keyed by the event's primary key (a few queries for any number). An event
    without a leaf hash is a mismatch: every event is signed when it is recorded."""
    return signed_record_proofs(TRACE_EVENT_RECORD, events)
