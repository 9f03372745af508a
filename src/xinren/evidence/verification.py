"""Whether each piece of evidence shown to a consumer is in the log and still says what was signed.

The states are those of trace events (xinren.attest.proofs): verified, pending, mismatch. A mismatch
means the stored row (file digest, purpose, caption) no longer says what the logged statement says, or the
statement cannot be found: the album then leaves the evidence out rather than show it unverified.
"""

from __future__ import annotations

from collections.abc import Sequence

from xinren.attest.proofs import Proof, signed_record_proofs

from .models import Evidence
from .statements import EVIDENCE_RECORD


def evidence_proofs(evidence: Sequence[Evidence]) -> dict[int, Proof]:
    """The proof state of each piece of evidence by primary key (a few queries for any number).

    Needs `media` loaded (select_related) to avoid a query per row.
    """
    return signed_record_proofs(EVIDENCE_RECORD, evidence)
