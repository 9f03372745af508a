"""Risk writes: evaluate a merchant and act on its band; confirm a proposed suspension; appeals; rule-set versions.

Every write is one transaction with an audit row, and every action or appeal decision a statement the platform
signs (`governance.risk.action`, `governance.risk.appeal`). Actions follow a change of band only, so the daily
run does not repeat itself; an appeal lifted stays lifted until the band changes again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, OrganizationStatus, RestrictionKind, RestrictionSource, Role
from xinren.accounts.models import Organization
from xinren.accounts.restrictions import restriction_impose, restrictions_lift
from xinren.accounts.services import platform_organization
from xinren.attest.keys import owner_of
from xinren.attest.signing import statement_sign_and_append
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound

from ..events import STANDING_CHANGED
from ..models.risk import (
    ActionKind,
    ActionStatus,
    AppealStatus,
    RiskAction,
    RiskAppeal,
    RiskEvaluation,
    RiskRule,
    RiskRuleSet,
    RuleMode,
    RuleSetStatus,
)
from ..statements.risk import RISK_ACTION, RISK_APPEAL
from . import model, rules
from .inputs import merchant_figures
from .rules import RULES

PLATFORM_KINDS = [OrganizationKind.PLATFORM]
MERCHANT_KINDS = [OrganizationKind.MERCHANT, OrganizationKind.SUPPLIER]
# The action that follows a band reached from a lower one.
ACTION_FOR_BAND = {
    model.WATCH: ActionKind.WATCH,
    model.RESTRICT: ActionKind.RESTRICT,
    model.SUSPEND: ActionKind.HOLD_PAYOUTS,
}


def rule_set_active() -> RiskRuleSet:
    """The rule set in force. Version 1 is seeded by migration 0005_risk, and written again here when no rule set
    exists at all (a database emptied after migrating: a test database flushed between transactional tests)."""
    found = RiskRuleSet.objects.filter(status=RuleSetStatus.ACTIVE).first()
    if found is None and not RiskRuleSet.objects.exists():
        found = _version_1_seed()
    if found is None:
        raise Conflict("risk.no_active_rule_set", _("没有生效的风险规则集"))
    return found


@transaction.atomic
def _version_1_seed() -> RiskRuleSet:
    now = clock.now()
    thresholds = rules.VERSION_1_THRESHOLDS
    rule_set = RiskRuleSet.objects.create(
        version=1,
        status=RuleSetStatus.ACTIVE,
        review_threshold=thresholds["review"],
        restrict_threshold=thresholds["restrict"],
        suspend_threshold=thresholds["suspend"],
        created_at=now,
        activated_at=now,
        notes="初始版本",
    )
    RiskRule.objects.bulk_create(
        RiskRule(
            rule_set=rule_set, rule_id=rule_id, weight=weight, params=rules.VERSION_1_PARAMS[rule_id], mode="active"
        )
        for rule_id, weight in rules.VERSION_1_WEIGHTS.items()
    )
    return rule_set


def _specs(rule_set: RiskRuleSet) -> list[model.RuleSpec]:
    return [model.RuleSpec(r.rule_id, float(r.weight), r.params, r.mode) for r in rule_set.rules.all()]


def _thresholds(rule_set: RiskRuleSet) -> model.Thresholds:
    return model.Thresholds(rule_set.review_threshold, rule_set.restrict_threshold, rule_set.suspend_threshold)


def _latest_band(organization: Organization) -> str:
    """The band the merchant's risk actions last put it in (ok when none, or after a lift)."""
    last = RiskAction.objects.filter(organization=organization).order_by("-created_at", "-id").first()
    if last is None or last.kind == ActionKind.LIFT:
        return model.OK
    return {
        ActionKind.WATCH: model.WATCH,
        ActionKind.RESTRICT: model.RESTRICT,
        ActionKind.HOLD_PAYOUTS: model.SUSPEND,
        ActionKind.SUSPEND: model.SUSPEND,
    }[ActionKind(last.kind)]


@transaction.atomic
def risk_evaluate(*, organization: Organization, at: datetime | None = None, act: bool = True) -> RiskEvaluation:
    """Score one merchant with the active rule set (and the shadow rules of drafts), store it with every rule's
    inputs, and act when its band changed."""
    at = at or clock.now()
    # One evaluation of a merchant at a time: two would both see the old band and both act.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    active = rule_set_active()
    specs = _specs(active)
    seen = {spec.rule_id for spec in specs}
    # Shadow rules of drafts are scored too (never summed), so a draft can be compared before it is promoted.
    for rule in RiskRule.objects.filter(rule_set__status=RuleSetStatus.DRAFT, mode=RuleMode.SHADOW).order_by("id"):
        if rule.rule_id not in seen:
            seen.add(rule.rule_id)
            specs.append(model.RuleSpec(rule.rule_id, float(rule.weight), rule.params, RuleMode.SHADOW))
    figures = merchant_figures(organization, params={spec.rule_id: spec.params for spec in specs}, at=at)
    band_before = (
        RiskEvaluation.objects.filter(organization=organization).order_by("-evaluated_at", "-pk")
        .values_list("band", flat=True).first()
    )
    scored = model.score(figures, specs, _thresholds(active))
    evaluation = RiskEvaluation.objects.create(
        organization=organization,
        rule_set=active,
        score=Decimal(str(scored.score)),
        band=scored.band,
        results=scored.results,
        figures=figures.as_dict(),
        evaluated_at=at,
    )
    audit_record(
        actor=None,
        organization=organization,
        action="risk.evaluate",
        target=evaluation,
        data={"score": scored.score, "band": scored.band, "rule_set_version": active.version},
    )
    if evaluation.band != band_before:
        STANDING_CHANGED.announce(organization_id=organization.pk)
    if act:
        _act(evaluation)
    return evaluation


def _sign_action(evaluation: RiskEvaluation, kind: str, reason: str) -> str:
    statement = {
        "type": RISK_ACTION,
        "subject": owner_of(evaluation.organization),
        "merchant": owner_of(evaluation.organization),
        "band": evaluation.band,
        "score": float(evaluation.score),
        "rule_set_version": evaluation.rule_set.version,
        "top_rules": model.top_rules(evaluation.results),
        "action": kind,
        "reason": reason,
    }
    return statement_sign_and_append(organization=platform_organization(), statement=statement).leaf_hash


def _act(evaluation: RiskEvaluation) -> RiskAction | None:
    organization = evaluation.organization
    previous = _latest_band(organization)
    if evaluation.band == previous:
        return None
    reference = f"risk:{evaluation.pk}"
    reason = _("风险评估 %(score)s 分（规则集 v%(version)s）") % {
        "score": evaluation.score,
        "version": evaluation.rule_set.version,
    }
    # A new band replaces what the old one imposed: lift every open risk restriction, impose the new band's.
    restrictions_lift(organization=organization, source=RestrictionSource.RISK)
    RiskAction.objects.filter(organization=organization, status=ActionStatus.IN_FORCE).update(
        status=ActionStatus.LIFTED, lifted_at=evaluation.evaluated_at
    )
    kind = ActionKind.LIFT if evaluation.band == model.OK else ACTION_FOR_BAND[evaluation.band]
    if kind in (ActionKind.RESTRICT, ActionKind.HOLD_PAYOUTS):
        restriction_impose(
            organization=organization,
            kind=RestrictionKind.NO_NEW_LISTINGS,
            source=RestrictionSource.RISK,
            reason=reason,
            reference=reference,
        )
    if kind == ActionKind.HOLD_PAYOUTS:
        restriction_impose(
            organization=organization,
            kind=RestrictionKind.PAYOUTS_HELD,
            source=RestrictionSource.RISK,
            reason=reason,
            reference=reference,
        )
    action = RiskAction.objects.create(
        organization=organization,
        evaluation=evaluation,
        kind=kind,
        status=ActionStatus.LIFTED if kind == ActionKind.LIFT else ActionStatus.IN_FORCE,
        suspension_proposed=kind == ActionKind.HOLD_PAYOUTS,
        reason=reason,
        leaf_hash=_sign_action(evaluation, kind, reason),
        created_at=evaluation.evaluated_at,
    )
    audit_record(
        actor=None,
        organization=organization,
        action=f"risk.action.{kind}",
        target=action,
        data={"evaluation": evaluation.pk, "from_band": previous, "to_band": evaluation.band},
    )
    return action


def _operator_action(actor: Actor, action_id: int) -> RiskAction:
    actor.require(role=Role.STAFF, kinds=PLATFORM_KINDS)
    action = (
        RiskAction.objects.select_for_update(of=("self",))
        .select_related("evaluation__rule_set", "organization")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        raise NotFound("risk.action_not_found", _("找不到该风险措施"))
    return action


def _reason_required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput("risk.reason_required", _("请填写理由"), details={"field": "reason"})
    if len(reason) > 500:
        raise InvalidInput("risk.reason_too_long", _("理由不能超过 500 字"), details={"field": "reason"})
    return reason


@transaction.atomic
def risk_suspension_decide(*, actor: Actor, action_id: int, confirm: bool, reason: str) -> RiskAction:
    """An operator confirms the suspension the score proposed (the shop is suspended) or declines it (payouts and
    new listings stay held until the band or an appeal changes that)."""
    reason = _reason_required(reason)
    action = _operator_action(actor, action_id)
    if (
        not action.suspension_proposed
        or action.suspension_decided_at is not None
        or action.status != ActionStatus.IN_FORCE
    ):
        raise Conflict("risk.suspension_not_pending", _("该措施没有待确认的暂停建议"))
    now = clock.now()
    action.suspension_decided_at, action.suspension_confirmed, action.decided_by = now, confirm, actor.user
    action.save(update_fields=["suspension_decided_at", "suspension_confirmed", "decided_by"])
    if confirm:
        organization = action.organization
        organization.status = OrganizationStatus.SUSPENDED
        organization.save(update_fields=["status"])
        STANDING_CHANGED.announce(organization_id=organization.pk)
        suspension = RiskAction.objects.create(
            organization=organization,
            evaluation=action.evaluation,
            kind=ActionKind.SUSPEND,
            reason=reason,
            decided_by=actor.user,
            leaf_hash=_sign_action(action.evaluation, ActionKind.SUSPEND, reason),
            created_at=now,
        )
        action.status, action.lifted_at = ActionStatus.LIFTED, now  # replaced by the suspension
        action.save(update_fields=["status", "lifted_at"])
        audit_record(
            actor=actor.user,
            organization=organization,
            action="risk.suspension.confirm",
            target=suspension,
            data={"proposed_by": action.pk, "reason": reason},
        )
        return suspension
    audit_record(
        actor=actor.user,
        organization=action.organization,
        action="risk.suspension.decline",
        target=action,
        data={"reason": reason},
    )
    return action


@transaction.atomic
def risk_appeal_file(*, actor: Actor, action_id: int, text: str, evidence_id: int | None = None) -> RiskAppeal:
    """The merchant appeals one of its risk actions in force."""
    actor.require(role=Role.STAFF, kinds=MERCHANT_KINDS)
    action = RiskAction.objects.select_for_update().filter(pk=action_id, organization=actor.organization).first()
    if action is None:
        raise NotFound("risk.action_not_found", _("找不到该风险措施"))
    text = text.strip()
    if len(text) < 10:
        raise InvalidInput(
            "risk.appeal_text_short", _("申诉理由至少 10 个字，请说明哪项判断不对以及原因"), details={"field": "text"}
        )
    if len(text) > 1000:
        raise InvalidInput("risk.appeal_text_long", _("申诉理由不能超过 1000 字"), details={"field": "text"})
    if action.status != ActionStatus.IN_FORCE or action.kind == ActionKind.LIFT:
        raise Conflict("risk.action_not_in_force", _("该措施已解除，无需申诉"))
    if action.appeals.filter(status=AppealStatus.OPEN).exists():
        raise Conflict("risk.appeal_open", _("该措施已有待处理的申诉，请等待平台处理"))
    appeal = RiskAppeal.objects.create(
        action=action,
        organization=actor.organization,
        text=text,
        evidence_id=evidence_id,
        filed_by=actor.user,
        filed_at=clock.now(),
    )
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="risk.appeal.file",
        target=appeal,
        data={"action": action.pk, "evidence_id": evidence_id},
    )
    return appeal


@transaction.atomic
def risk_appeal_decide(*, actor: Actor, appeal_id: int, lift: bool, reason: str) -> RiskAppeal:
    """An operator upholds the action or lifts it (its restrictions, and a suspension it made), with a reason."""
    reason = _reason_required(reason)
    actor.require(role=Role.STAFF, kinds=PLATFORM_KINDS)
    appeal = (
        RiskAppeal.objects.select_for_update(of=("self",))
        .select_related("action__organization")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise NotFound("risk.appeal_not_found", _("找不到该申诉"))
    if appeal.status != AppealStatus.OPEN:
        raise Conflict("risk.appeal_decided", _("该申诉已处理"))
    action, now = appeal.action, clock.now()
    if lift:
        restrictions_lift(
            organization=action.organization, source=RestrictionSource.RISK, reference=f"risk:{action.evaluation_id}"
        )
        if action.kind == ActionKind.SUSPEND:
            action.organization.status = OrganizationStatus.ACTIVE
            action.organization.save(update_fields=["status"])
            STANDING_CHANGED.announce(organization_id=action.organization_id)
        action.status, action.lifted_at = ActionStatus.LIFTED, now
        action.save(update_fields=["status", "lifted_at"])
    appeal.status = AppealStatus.LIFTED if lift else AppealStatus.UPHELD
    appeal.decided_by, appeal.decision_reason, appeal.decided_at = actor.user, reason, now
    appeal.leaf_hash = statement_sign_and_append(
        organization=platform_organization(),
        statement={
            "type": RISK_APPEAL,
            "subject": owner_of(action.organization),
            "merchant": owner_of(action.organization),
            "action": action.kind,
            "action_statement": action.leaf_hash,
            "outcome": appeal.status,
            "reason": reason,
        },
    ).leaf_hash
    appeal.save(update_fields=["status", "decided_by", "decision_reason", "decided_at", "leaf_hash"])
    audit_record(
        actor=actor.user,
        organization=action.organization,
        action=f"risk.appeal.{appeal.status}",
        target=appeal,
        data={"action": action.pk, "reason": reason},
    )
    return appeal


@transaction.atomic
def risk_rule_set_draft(
    *, actor: Actor, shadow_rules: Mapping[str, tuple[int, Mapping[str, Any]]], notes: str = ""
) -> RiskRuleSet:
    """A new draft version copying the active one, plus new rules (rule id -> weight, params) in shadow mode."""
    actor.require(role=Role.ADMIN, kinds=PLATFORM_KINDS)
    base = rule_set_active()
    existing = set(base.rules.values_list("rule_id", flat=True))
    for rule_id, (weight, _params) in shadow_rules.items():
        if rule_id not in RULES:
            raise InvalidInput(
                "risk.rule_unknown", _("没有这条规则：%(rule)s") % {"rule": rule_id}, details={"field": "rule_id"}
            )
        if rule_id in existing:
            raise Conflict(
                "risk.rule_in_set",
                _("规则 %(rule)s 已在生效规则集中") % {"rule": rule_id},
                details={"field": "rule_id"},
            )
        if not 0 < weight <= 100:
            raise InvalidInput("risk.weight_invalid", _("权重必须在 1 到 100 之间"), details={"field": "weight"})
    if not shadow_rules:
        raise InvalidInput("risk.shadow_rule_required", _("请至少添加一条影子规则"), details={"field": "rule_id"})
    last = RiskRuleSet.objects.order_by("-version").values_list("version", flat=True).first() or 0
    draft = RiskRuleSet.objects.create(
        version=last + 1,
        status=RuleSetStatus.DRAFT,
        review_threshold=base.review_threshold,
        restrict_threshold=base.restrict_threshold,
        suspend_threshold=base.suspend_threshold,
        created_by=actor.user,
        created_at=clock.now(),
        notes=notes[:500],
    )
    RiskRule.objects.bulk_create(
        [
            RiskRule(rule_set=draft, rule_id=r.rule_id, weight=r.weight, params=r.params, mode=r.mode)
            for r in base.rules.all()
        ]
        + [
            RiskRule(rule_set=draft, rule_id=rule_id, weight=weight, params=dict(params), mode=RuleMode.SHADOW)
            for rule_id, (weight, params) in shadow_rules.items()
        ]
    )
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="risk.rule_set.draft",
        target=draft,
        data={"base": base.version, "shadow": sorted(shadow_rules)},
    )
    return draft


@transaction.atomic
def risk_rule_set_promote(*, actor: Actor, version: int) -> RiskRuleSet:
    """Activate a draft, its shadow rules now counted, and retire the version it replaces."""
    actor.require(role=Role.ADMIN, kinds=PLATFORM_KINDS)
    draft = RiskRuleSet.objects.select_for_update().filter(version=version).first()
    if draft is None:
        raise NotFound("risk.rule_set_not_found", _("找不到该规则集版本"))
    if draft.status != RuleSetStatus.DRAFT:
        raise Conflict("risk.rule_set_not_draft", _("只有草稿版本可以启用"))
    now = clock.now()
    old = RiskRuleSet.objects.select_for_update().filter(status=RuleSetStatus.ACTIVE).first()
    if old is not None:
        old.status, old.retired_at = RuleSetStatus.RETIRED, now
        old.save(update_fields=["status", "retired_at"])
    promoted = sorted(draft.rules.filter(mode=RuleMode.SHADOW).values_list("rule_id", flat=True))
    draft.rules.filter(mode=RuleMode.SHADOW).update(mode=RuleMode.ACTIVE)
    draft.status, draft.activated_at = RuleSetStatus.ACTIVE, now
    draft.save(update_fields=["status", "activated_at"])
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="risk.rule_set.promote",
        target=draft,
        data={"retired": old.version if old else None, "promoted_rules": promoted},
    )
    return draft


def risk_evaluate_all(*, at: datetime | None = None) -> int:
    """Evaluate every active merchant (the daily task); each merchant in its own transaction."""
    count = 0
    for organization in Organization.objects.filter(kind__in=MERCHANT_KINDS, status=OrganizationStatus.ACTIVE).order_by(
        "pk"
    ):
        risk_evaluate(organization=organization, at=at)
        count += 1
    return count
