"""Operators read requests, their moves and decisions; nobody edits them here (decisions are signed statements,
moves are history). Decisions are made through the services (console, API)."""

from __future__ import annotations

from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import AfterSaleDecision, AfterSaleRequest, AfterSaleTransition


class TransitionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AfterSaleTransition
    fields = ["at", "from_status", "to_status", "by_user", "by_organization", "rule", "note"]
    readonly_fields = ["at", "from_status", "to_status", "by_user", "by_organization", "rule", "note"]
    extra = 0


class DecisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AfterSaleDecision
    fields = ["at", "decided_by", "organization", "outcome", "amount_fen", "reason", "rule_id", "rule_version",
              "leaf_hash"]
    readonly_fields = ["at", "decided_by", "organization", "outcome", "amount_fen", "reason", "rule_id",
                       "rule_version", "leaf_hash"]
    extra = 0


@admin.register(AfterSaleRequest)
class AfterSaleRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "merchant", "kind", "status", "amount_fen", "refunded_fen", "level", "created_at",
                    "merchant_deadline"]
    list_filter = ["status", "kind", "level"]
    search_fields = ["reference"]
    readonly_fields = [f.name for f in AfterSaleRequest._meta.fields]
    inlines = [DecisionInline, TransitionInline]


@admin.register(AfterSaleDecision)
class AfterSaleDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "request", "decided_by", "outcome", "amount_fen", "rule_version", "at"]
    list_filter = ["decided_by", "outcome"]
    readonly_fields = [f.name for f in AfterSaleDecision._meta.fields]
