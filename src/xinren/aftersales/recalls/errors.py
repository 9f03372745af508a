"""Error codes of recalls (the stable contract; messages are translated)."""

RECALL_NOT_FOUND = "recall.not_found"
RECALL_INVALID = "recall.invalid"
RECALL_SERIALS = "recall.serials_invalid"
RECALL_DUPLICATE = "recall.already_recalled"
RECALL_NOT_ALLOWED = "recall.not_allowed"
BATCH_NOT_FOUND = "recall.batch_not_found"
