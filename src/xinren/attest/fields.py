"""The field every signed record declares: the leaf hash of the log entry holding the statement behind the row."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class LeafHashField(models.CharField):
    """SHA-256 leaf hash of a log entry, 64 lowercase hex digits (blank on rows that are not signed yet)."""

    def __init__(self, verbose_name: Any = None, **kwargs: Any) -> None:
        kwargs["max_length"] = 64
        super().__init__(verbose_name or _("日志叶哈希"), **kwargs)

    def deconstruct(self) -> Any:
        # Migrations see the plain CharField(64) that the tables already have: declaring a field with this class
        # changes no schema, so no table is rebuilt.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
