"""A statement type of the tests' own, for tests of the log's mechanics rather than of any payload.

Registered once per test process (tests/conftest.py imports this module); the registry's list in docs/ledger.md
leaves out the context "tests".
"""

from __future__ import annotations

from typing import Any

from xinren.accounts.choices import OrganizationKind
from xinren.attest.registry import INTEGER, OBJECT, TEXT, statement_type

TEST_NOTE = statement_type(
    name="test.note", context="tests", summary="A note signed by a test, about nothing in the catalogue.",
    signers=OrganizationKind.values, properties={"facts": OBJECT, "n": INTEGER, "padding": TEXT},
)


def note(subject: str = "https://xinren.example/01/06901234567892/10/L2026", **extra: Any) -> dict[str, Any]:
    """A test.note statement about `subject`."""
    return {"type": TEST_NOTE.name, "subject": subject, **extra}
