"""Whether each recorded check is in the log and still says what the platform signed.

A check row that was edited after signing (say, its status flipped to "valid") no longer matches its
statement and shows as a mismatch; labels resting on it then disappear.
"""

from __future__ import annotations

from collections.abc import Sequence

from xinren.attest.proofs import Proof, signed_record_proofs

from .models import CredentialCheck
from .statements import CHECK_RECORD


def check_proofs(checks: Sequence[CredentialCheck]) -> dict[int, Proof]:
    """The proof state of each check, keyed by its primary key."""
    return signed_record_proofs(CHECK_RECORD, checks)
