"""What evaluating a label yields: earned or not, the ledger evidence behind it, and what is missing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from typing_extensions import TypedDict

from xinren.attest.proofs import VERIFIED, Proof

if TYPE_CHECKING:
    from .facts import LotFacts


class EvidenceRefData(TypedDict, closed=True):
    """An EvidenceRef as plain data."""

    kind: str
    description: str
    leaf_hash: str
    log_index: int | None
    url: str | None  # the proof bundle's URL, once verified


@dataclass(frozen=True)
class EvidenceRef:
    """One ledger statement a label rests on: what it is, its leaf hash, log index and proof bundle."""

    kind: str  # the statement type: trace.event, evidence.media, verification.result, coldchain.readings …
    description: str
    leaf_hash: str
    log_index: int | None = None
    url: str | None = None

    @classmethod
    def of(cls, *, kind: str, description: str, proof: Proof) -> EvidenceRef:
        index = proof.index if proof.state == VERIFIED else None
        return cls(
            kind=kind,
            description=description,
            leaf_hash=proof.leaf_hash,
            log_index=index,
            url=f"/log/bundle/{index}" if index is not None else None,
        )

    def as_dict(self) -> EvidenceRefData:
        return {
            "kind": self.kind,
            "description": self.description,
            "leaf_hash": self.leaf_hash,
            "log_index": self.log_index,
            "url": self.url,
        }


@dataclass
class LabelOutcome:
    """Earned only when nothing is missing and at least one verified statement backs it."""

    evidence: list[EvidenceRef] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    how: str = ""

    @property
    def earned(self) -> bool:
        return not self.missing and bool(self.evidence)

    def lack(self, reason: str | Promise) -> LabelOutcome:
        self.missing.append(str(reason))
        return self


@dataclass(frozen=True)
class Label:
    """A label of the catalogue: its code, Chinese name, icon, rule in words and the code that applies it."""

    code: str
    name: Promise
    icon: str
    rule: Promise
    evaluate: Callable[[LotFacts], LabelOutcome]
    needs_lot: bool = True
