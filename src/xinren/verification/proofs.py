"""Whether each recorded check is in the log and still says what the platform signed.

A check row that was edited after signing (say, its status flipped to "valid") no longer matches its
statement and shows as a mismatch; labels resting on it then disappear.
"""

from __future__ import annotations

from collections.abc import Sequence

from xinren.attest.proofs import Proof, record_proofs

from .models import CredentialCheck
from .services import check_statement


def check_proofs(checks: Sequence[CredentialCheck]) -> dict[int, Proof]:
    """The proof state of each check, keyed by its primary key (needs `organization` loaded)."""
    return record_proofs(
        checks,
        leaf_hash=lambda check: check.ledger_leaf_hash,
        matches=lambda check, statement: statement is not None and statement == check_statement(check),
    )
