"""Error codes of the support context (the stable contract; messages are translated)."""

CONVERSATION_NOT_FOUND = "support.conversation_not_found"
SUBJECT_INVALID = "support.subject_invalid"
NOT_A_CUSTOMER = "support.not_a_customer"
MESSAGE_INVALID = "support.message_invalid"
RATE_LIMITED = "support.rate_limited"
TRANSITION = "support.transition_invalid"
