"""What the delisting announces to the contexts above (notify): keywords are ids only (ADR 0013)."""

from xinren.core.tasks import Event

# A product was delisted on its score. Keywords: delisting_id.
DELISTED = Event("trust.delisted")
# An operator decided a delisting appeal. Keywords: appeal_id.
APPEAL_DECIDED = Event("trust.appeal_decided")
