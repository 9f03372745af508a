"""Signing-key statuses and the moves between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class SigningKeyStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    RETIRED = "retired", _("已轮换")
    REVOKED = "revoked", _("已吊销")


# A retired key may still be revoked (it leaked after rotation); nothing comes back to active.
SIGNING_KEY_TRANSITIONS: TransitionTable = {
    SigningKeyStatus.ACTIVE: frozenset({SigningKeyStatus.RETIRED, SigningKeyStatus.REVOKED}),
    SigningKeyStatus.RETIRED: frozenset({SigningKeyStatus.REVOKED}),
    SigningKeyStatus.REVOKED: frozenset(),
}
