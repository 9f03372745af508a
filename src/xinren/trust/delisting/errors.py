"""Stable error codes of delisting and appeals."""

DELISTING_NOT_FOUND = "delisting.not_found"
APPEAL_NOT_FOUND = "delisting.appeal_not_found"
APPEAL_NOT_ALLOWED = "delisting.appeal_not_allowed"
APPEAL_OPEN = "delisting.appeal_open"
APPEAL_DECIDED = "delisting.appeal_decided"
INVALID = "delisting.invalid"
TRANSITION = "delisting.transition_invalid"
