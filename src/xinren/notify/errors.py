"""Stable error codes of notifications."""

NOTIFICATION_NOT_FOUND = "notification.not_found"
KIND_INVALID = "notification.kind_invalid"
PREFERENCE_INVALID = "notification.preference_invalid"
