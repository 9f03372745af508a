"""Status transition tables and the one check every status change goes through."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .errors import Conflict

# Each status maps to the statuses it may move to; a final status maps to an empty set.
TransitionTable = Mapping[str, frozenset[str]]


def transition_allowed(table: TransitionTable, current: str, target: str) -> bool:
    """Whether the table allows the move (a status missing from the table allows none)."""
    return target in table.get(current, frozenset())


def transition_check(
    table: TransitionTable,
    current: str,
    target: str,
    *,
    code: str,
    labels: type[models.TextChoices] | None = None,
    message: str | Promise | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Refuse a move the table does not allow with a `Conflict` carrying the context's code.

    Without a `message` the refusal names both states for people (through `labels`); `details` defaults to
    `{"from", "to"}`. Contexts pass their own wording and details where their clients already rely on them.
    """
    if transition_allowed(table, current, target):
        return
    if message is None:
        names = dict(labels.choices) if labels is not None else {}
        message = _("当前状态为“%(from)s”，不能变为“%(to)s”") % {
            "from": names.get(current, current),
            "to": names.get(target, target),
        }
    raise Conflict(code, message, details=details if details is not None else {"from": current, "to": target})
