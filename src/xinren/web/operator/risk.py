"""The operator's risk pages: distribution, merchants by band, one evaluation in full, rule-set versions with their
shadow comparison and promotion, proposed suspensions and appeals to decide (docs/governance.md, "Risk score")."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from xinren.accounts.actors import Actor
from xinren.core.errors import DomainError, InvalidInput
from xinren.governance.models.risk import (
    ActionStatus,
    AppealStatus,
    Band,
    RiskAction,
    RiskAppeal,
    RiskEvaluation,
    RiskRuleSet,
)
from xinren.governance.risk import selectors, services
from xinren.governance.risk.rules import RULES
from xinren.web.merchant.console import console_view, form_error, render_console

from .dashboard import OPERATOR

CHART_WIDTH, BAR_HEIGHT = 320, 18


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=500, error_messages={"required": _("请填写理由")})
    yes = forms.BooleanField(required=False)


class DraftForm(forms.Form):
    rule_id = forms.ChoiceField(label=_("影子规则"), choices=[], error_messages={"invalid_choice": _("请选择一条规则")})
    weight = forms.IntegerField(
        label=_("权重"),
        min_value=1,
        max_value=100,
        error_messages={
            "required": _("请填写权重"),
            "invalid": _("权重必须是 1 到 100 的整数"),
            "min_value": _("权重必须是 1 到 100 的整数"),
            "max_value": _("权重必须是 1 到 100 的整数"),
        },
    )
    params = forms.CharField(label=_("参数（JSON，可留空）"), required=False, max_length=500)
    notes = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rule_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(rule_id, f"{gettext(rule.message)} ({rule_id})") for rule_id, rule in RULES.items()]

    def clean_params(self) -> dict[str, Any]:
        raw = self.cleaned_data["params"].strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise forms.ValidationError(_('参数必须是 JSON 对象，例如 {"ceiling": 0.5}'))
        return value


def _bars(buckets: list[tuple[int, int]]) -> list[dict[str, int]]:
    """A server-rendered SVG bar chart's rows: each score bucket's bar width in pixels."""
    top = max((n for _low, n in buckets), default=0) or 1
    return [
        {"low": low, "high": low + 10, "n": n, "y": i * (BAR_HEIGHT + 4), "width": round(n / top * CHART_WIDTH)}
        for i, (low, n) in enumerate(buckets)
    ]


def _overview(
    request: HttpRequest, actor: Actor, *, draft_form: DraftForm | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    latest = selectors.latest_evaluations()
    band = request.GET.get("band", "")
    shown = latest.filter(band=band) if band in Band.values else latest.exclude(band=Band.OK)
    distribution = selectors.distribution(latest)
    return render_console(
        request,
        actor,
        "operator/risk/overview.html",
        {
            "distribution": distribution,
            "bars": _bars(distribution.buckets),
            "chart_width": CHART_WIDTH + 60,
            "chart_height": len(distribution.buckets) * (BAR_HEIGHT + 4),
            "bands": Band.choices,
            "band": band,
            "merchants": shown.order_by("-score", "organization_id")[:200],
            "rule_sets": RiskRuleSet.objects.all()[:20],
            "pending_suspensions": RiskAction.objects.filter(
                suspension_proposed=True, suspension_decided_at__isnull=True, status=ActionStatus.IN_FORCE
            ).select_related("organization", "evaluation"),
            "appeals": RiskAppeal.objects.filter(status=AppealStatus.OPEN).select_related("action", "organization"),
            "draft_form": draft_form or DraftForm(),
            "decision_form": DecisionForm(),
            "error": error,
        },
        status=status,
    )


@require_safe
@console_view(**OPERATOR)  # type: ignore[arg-type]
def risk_overview(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _overview(request, actor)


@require_safe
@console_view(**OPERATOR)  # type: ignore[arg-type]
def risk_evaluation(request: HttpRequest, actor: Actor, evaluation_id: int) -> HttpResponse:
    evaluation = selectors.operator_evaluation(actor=actor, evaluation_id=evaluation_id)
    if evaluation is None:
        raise Http404
    return render_console(
        request,
        actor,
        "operator/risk/evaluation.html",
        {
            "evaluation": evaluation,
            "rows": selectors.evaluation_explained(evaluation),
            "history": RiskEvaluation.objects.filter(organization=evaluation.organization)[:30],
            "actions": RiskAction.objects.filter(organization=evaluation.organization).prefetch_related("appeals")[:30],
        },
    )


@require_safe
@console_view(**OPERATOR)  # type: ignore[arg-type]
def risk_rule_set(request: HttpRequest, actor: Actor, version: int) -> HttpResponse:
    rule_set = RiskRuleSet.objects.filter(version=version).first()
    if rule_set is None:
        raise Http404
    rows = selectors.shadow_comparison(rule_set, selectors.latest_evaluations().order_by("-score")[:500])
    return render_console(
        request,
        actor,
        "operator/risk/rule_set.html",
        {
            "rule_set": rule_set,
            "rules": [(rule, RULES.get(rule.rule_id)) for rule in rule_set.rules.all()],
            "rows": [row for row in rows if row.changed],
            "compared": len(rows),
            "unscored": sum(1 for row in rows if row.missing),
        },
    )


@require_POST
@console_view(**OPERATOR)  # type: ignore[arg-type]
def risk_rule_set_draft(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = DraftForm(request.POST)
    if not form.is_valid():
        return _overview(request, actor, draft_form=form, status=422)
    try:
        draft = services.risk_rule_set_draft(
            actor=actor,
            shadow_rules={form.cleaned_data["rule_id"]: (form.cleaned_data["weight"], form.cleaned_data["params"])},
            notes=form.cleaned_data["notes"],
        )
    except DomainError as exc:
        return _overview(request, actor, draft_form=form, status=form_error(form, exc))
    return redirect("operator:risk_rule_set", version=draft.version)


def _decided(request: HttpRequest, actor: Actor, decide: Any) -> HttpResponse:
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput("risk.reason_required", _("请填写理由"))
        decide(form.cleaned_data["yes"], form.cleaned_data["reason"])
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        return _overview(request, actor, error=str(exc.message), status=exc.status)
    return redirect("operator:risk_overview")


@require_POST
@console_view(**OPERATOR)  # type: ignore[arg-type]
def risk_rule_set_promote(request: HttpRequest, actor: Actor, version: int) -> HttpResponse:
    try:
        services.risk_rule_set_promote(actor=actor, version=version)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        return _overview(request, actor, error=str(exc.message), status=exc.status)
    return redirect("operator:risk_overview")


@require_POST
@console_view(**OPERATOR)  # type: ignore[arg-type]
def risk_suspension_decide(request: HttpRequest, actor: Actor, action_id: int) -> HttpResponse:
    return _decided(
        request,
        actor,
        lambda yes, reason: services.risk_suspension_decide(
            actor=actor, action_id=action_id, confirm=yes, reason=reason
        ),
    )


@require_POST
@console_view(**OPERATOR)  # type: ignore[arg-type]
def risk_appeal_decide(request: HttpRequest, actor: Actor, appeal_id: int) -> HttpResponse:
    return _decided(
        request,
        actor,
        lambda yes, reason: services.risk_appeal_decide(actor=actor, appeal_id=appeal_id, lift=yes, reason=reason),
    )
