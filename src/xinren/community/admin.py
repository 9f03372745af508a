"""Read-only admin views of the community tables for operators (changes go through services)."""

from __future__ import annotations

from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import ConsumerTier, HelpfulVote, PointsEntry, QualityScore, TierChange, TrialEvent, TrialParticipation


@admin.register(QualityScore)
class QualityScoreAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("review", "score", "version", "computed_at")


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("consumer", "points", "reason", "review", "created_at")
    list_filter = ("reason",)


@admin.register(ConsumerTier)
class ConsumerTierAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("public_id", "tier", "since", "evaluated_at")
    list_filter = ("tier",)


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("consumer", "from_tier", "to_tier", "reason", "at")


@admin.register(HelpfulVote)
class HelpfulVoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("consumer", "review", "created_at")


@admin.register(TrialEvent)
class TrialEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "merchant", "product", "slots", "starts_on", "ends_on")


@admin.register(TrialParticipation)
class TrialParticipationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("event", "consumer", "status", "invited_at", "responded_at")
