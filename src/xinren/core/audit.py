"""Writing the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEntry


def audit_record(
    *,
    actor: Any,
    organization: Any,
    action: str,
    target: models.Model,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record one change; call inside the service's transaction."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organization=organization,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data or {},
    )


def audit_record_many(entries: list[tuple[Any, Any, str, models.Model, dict[str, Any]]]) -> None:
    """Record many changes in one insert: (actor, organization, action, target, data) each; inside the
    service's transaction."""
    AuditEntry.objects.bulk_create([
        AuditEntry(actor=actor if getattr(actor, "is_authenticated", False) else None, organization=organization,
                   action=action, target_type=target._meta.label_lower, target_id=str(target.pk), data=data or {})
        for actor, organization, action, target, data in entries
    ])
