"""Reads of the attest context: an organization's signing keys."""

from __future__ import annotations

from django.db.models import QuerySet

from xinren.accounts.actors import Actor

from .models import SigningKey


def signing_key_list(*, actor: Actor) -> QuerySet[SigningKey]:
    """The actor's organization's signing keys (public halves only), newest first."""
    return SigningKey.objects.filter(organization=actor.organization).order_by("-created_at", "-id")
