"""Operators read reviews here; they fold through the service (an admin action), never edit or delete.

E-commerce Law art. 39: no delete permission anywhere; stars and text are read-only (a database trigger
refuses an UPDATE as well).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import User
from xinren.accounts.selectors import actor_for_user
from xinren.core.admin import ReadOnlyAdminMixin
from xinren.core.errors import DomainError

from . import services
from .models import DiaryEntry, DiaryInvitation, Flag, Fold, Reply, Review


class FoldInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Fold
    extra = 0
    fields = ["at", "source", "reason", "by_user", "ledger_leaf_hash"]


class DiaryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DiaryEntry
    extra = 0
    fields = ["milestone", "text", "created_at", "ledger_leaf_hash"]


class FoldActionForm(ActionForm):
    """The action bar with a public reason: folding is never silent."""

    reason = forms.CharField(
        label=_("公开理由"), max_length=services.REASON_MAX, required=False,
        help_text=_("折叠时必填，会公开显示在评价上，并通知作者"),
    )


def _fold_selected(
    modeladmin: admin.ModelAdmin[Review], request: HttpRequest, queryset: QuerySet[Review], reason: str
) -> None:
    user = request.user
    assert isinstance(user, User)
    try:
        actor = actor_for_user(user=user, organization_id=services.platform_organization().pk)
        for review in queryset:
            services.review_fold(actor=actor, review_id=review.pk, reason=reason)
    except DomainError as exc:
        modeladmin.message_user(request, str(exc.message), level=messages.ERROR)


@admin.action(description=_("以“含违法或侵权信息”为由折叠所选评价"))
def fold_unlawful(modeladmin: admin.ModelAdmin[Review], request: HttpRequest, queryset: QuerySet[Review]) -> None:
    _fold_selected(modeladmin, request, queryset, str(_("含违法或侵权信息")))


@admin.action(description=_("以填写的公开理由折叠所选评价"))
def fold_with_reason(
    modeladmin: admin.ModelAdmin[Review], request: HttpRequest, queryset: QuerySet[Review]
) -> None:
    # An empty reason reaches the service, which refuses it (review.invalid) and the message says why.
    _fold_selected(modeladmin, request, queryset, request.POST.get("reason", ""))


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "reviewer", "product", "merchant", "stars", "status", "fold_reason", "created_at"]
    list_filter = ["status", "stars"]
    search_fields = ["reviewer", "product__name", "product__gtin", "line__order__number"]
    readonly_fields = [
        "line", "consumer", "product", "merchant", "reviewer", "stars", "text", "tags", "verified_purchase",
        "status", "fold_reason", "folded_at", "author_response", "author_responded_at", "ledger_leaf_hash",
        "created_at",
    ]
    exclude = ["minhash"]
    inlines = [FoldInline, DiaryInline]
    actions = [fold_unlawful, fold_with_reason]
    action_form = FoldActionForm

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["review", "merchant", "replied_at", "reply_seconds"]


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["reason", "review", "merchant", "status", "created_at"]
    list_filter = ["reason", "status"]


@admin.register(DiaryInvitation)
class DiaryInvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["review", "milestone", "due_at", "answered_at"]
