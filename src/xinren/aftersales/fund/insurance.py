"""Insurance (正品险 / 品质险): an insurer publishes policies, merchants subscribe, the insurer funds its account
through the provider and pays claims that meet a policy from it, signing `insurance.payout` itself.

Promises never fall below the statutory floors, checked when a policy is published:
- Consumer Rights Protection Law art. 55 (fraud — a counterfeit sold as genuine): 3 × the price, at least 500 yuan;
- Food Safety Law art. 148 (food not meeting the standards): 10 × the price or 3 × the loss, at least 1,000 yuan.
A 正品险 policy must promise at least the first (and, covering food, the second); a payout is computed from the
policy and is never below the floor either, whatever the policy says.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.consumers import consumer_public_id
from xinren.accounts.models import Organization, User
from xinren.aftersales.models.fund import InsurancePolicy, InsuranceSubscription, Journal
from xinren.attest.keys import owner_of
from xinren.attest.signing import statement_sign_and_append
from xinren.core.errors import Conflict, InvalidInput, NotFound

from ..events import COVER_CHANGED
from . import errors
from .choices import AccountKind, JournalKind, PolicyKind
from .services import (
    Leg,
    account_open,
    amount_check,
    escrow_provider,
    journal_post,
    key_check,
    ledger_lock,
    merchant_check,
    provider_call,
    reference_check,
    replayed_journal,
)
from .statements import INSURANCE_PAYOUT

# Consumer Rights Protection Law art. 55: 3 × the price, at least 500 yuan.
FRAUD_MULTIPLE, FRAUD_MINIMUM_FEN = 3, 50_000
# Food Safety Law art. 148: 10 × the price or 3 × the loss, at least 1,000 yuan.
FOOD_PRICE_MULTIPLE, FOOD_LOSS_MULTIPLE, FOOD_MINIMUM_FEN = 10, 3, 100_000
# Beyond these a promise is implausible (a typo): refused before it is published.
MULTIPLE_MAX, FIXED_MAX_FEN = 100, 5_000_000
INSURER = [OrganizationKind.INSURER]


@transaction.atomic
def policy_publish(
    *,
    actor: Actor,
    kind: str,
    title: str,
    covers_food: bool = False,
    price_multiple: int = 0,
    minimum_fen: int = 0,
    pays_return_shipping: bool = False,
    fixed_fen: int = 0,
) -> InsurancePolicy:
    """An insurer publishes a policy; a promise below the statutory floor (or implausibly large) is refused."""
    actor.require(role=Role.ADMIN, kinds=INSURER)
    title = (title or "").strip()
    if not 1 <= len(title) <= 80:
        raise InvalidInput(errors.POLICY_INVALID, _("请填写条款名称（1–80 字）"), details={"field": "title"})
    if kind == PolicyKind.AUTHENTIC:
        multiple, minimum = (FOOD_PRICE_MULTIPLE, FOOD_MINIMUM_FEN) if covers_food else (
            FRAUD_MULTIPLE, FRAUD_MINIMUM_FEN)
        if not (isinstance(price_multiple, int) and multiple <= price_multiple <= MULTIPLE_MAX):
            raise InvalidInput(
                errors.POLICY_BELOW_FLOOR, _("正品险的赔付倍数不得低于法定的 %(n)s 倍（最多 %(max)s 倍）")
                % {"n": multiple, "max": MULTIPLE_MAX}, details={"field": "price_multiple", "floor": multiple},
            )
        if not (isinstance(minimum_fen, int) and minimum <= minimum_fen <= FIXED_MAX_FEN):
            raise InvalidInput(
                errors.POLICY_BELOW_FLOOR, _("正品险的最低赔付不得低于法定的 %(yuan)s 元") % {"yuan": minimum // 100},
                details={"field": "minimum_fen", "floor_fen": minimum},
            )
        fields = {"price_multiple": price_multiple, "minimum_fen": minimum_fen}
    elif kind == PolicyKind.QUALITY:
        if not (isinstance(fixed_fen, int) and 0 < fixed_fen <= FIXED_MAX_FEN):
            raise InvalidInput(errors.POLICY_INVALID, _("品质险须约定 0.01–50,000 元的固定赔付金额"),
                               details={"field": "fixed_fen"})
        fields = {"pays_return_shipping": bool(pays_return_shipping), "fixed_fen": fixed_fen}
    else:
        raise InvalidInput(errors.POLICY_INVALID, _("未知的险种"), details={"field": "kind"})
    return InsurancePolicy.objects.create(insurer=actor.organization, kind=kind, title=title,
                                          covers_food=bool(covers_food), **fields)


def _policy_get(policy_id: int) -> InsurancePolicy:
    policy = InsurancePolicy.objects.select_related("insurer").filter(pk=policy_id, active=True).first()
    if policy is None:
        raise NotFound(errors.POLICY_NOT_FOUND, _("找不到该保险条款"))
    return policy


@transaction.atomic
def policy_subscribe(*, actor: Actor, policy_id: int) -> InsuranceSubscription:
    """A merchant subscribes to a policy (once; subscribing again returns the subscription)."""
    actor.require(role=Role.ADMIN, kinds=[OrganizationKind.MERCHANT])
    policy = _policy_get(policy_id)
    subscription, created = InsuranceSubscription.objects.get_or_create(policy=policy, merchant=actor.organization)
    if created:
        COVER_CHANGED.announce(organization_id=actor.organization.pk)
    return subscription


@transaction.atomic
def insurer_fund(*, actor: Actor, amount_fen: int, idempotency_key: str) -> Journal:
    """An insurer pays money for its policies into its own account (in escrow, through the provider)."""
    actor.require(role=Role.ADMIN, kinds=INSURER)
    amount_fen, key = amount_check(amount_fen), key_check(idempotency_key)
    ledger_lock()
    account = account_open(kind=AccountKind.INSURER, organization=actor.organization)
    clearing = account_open(kind=AccountKind.PROVIDER_CLEARING)
    reference = owner_of(actor.organization)
    earlier = replayed_journal(key=key, kind=JournalKind.INSURER_FUNDING, reference=reference, amount_fen=amount_fen)
    if earlier is not None:
        return earlier
    provider = escrow_provider()
    transfer = provider_call(lambda: provider.escrow_collect(
        reference=key, payer=reference, amount_fen=amount_fen, description="保险备付金", idempotency_key=key,
    ))
    return journal_post(
        key=key, kind=JournalKind.INSURER_FUNDING, amount_fen=amount_fen, memo=str(_("保险公司备付金")),
        reference=reference, legs=[Leg(clearing, -amount_fen), Leg(account, amount_fen)], transfer=transfer,
        provider=provider.name, actor_label=actor.label,
    )


@dataclass(frozen=True)
class Amount:
    """What a policy pays for a claim, and how that was reached (signed as `basis`)."""

    fen: int
    basis: str


def payout_amount(*, policy: InsurancePolicy, price_fen: int, loss_fen: int = 0, shipping_fen: int = 0) -> Amount:
    """The amount a policy pays: 正品险 max(multiple × price, minimum, statutory floors); 品质险 shipping + a set
    amount."""
    for name, value in (("price_fen", price_fen), ("loss_fen", loss_fen), ("shipping_fen", shipping_fen)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInput(errors.AMOUNT_INVALID, _("金额须为非负整数分"), details={"field": name})
    if policy.kind == PolicyKind.QUALITY:
        shipping = shipping_fen if policy.pays_return_shipping else 0
        return Amount(shipping + policy.fixed_fen, f"shipping {shipping} + fixed {policy.fixed_fen}")
    return compensation_amount(price_fen=price_fen, loss_fen=loss_fen, food=policy.covers_food,
                               multiple=policy.price_multiple, minimum_fen=policy.minimum_fen)


def compensation_amount(*, price_fen: int, loss_fen: int = 0, food: bool = False, multiple: int = 0,
                        minimum_fen: int = 0) -> Amount:
    """The compensation for a counterfeit (假一赔N): the largest of a promised multiple of the price, a promised
    minimum and the statutory floors — CRPL art. 55 (3 × the price, at least 500 yuan) and, for food, FSL art. 148
    (10 × the price or 3 × the loss, at least 1,000 yuan). A promise can raise it, never lower it. The one
    implementation of the floors: insurance payouts and the platform's own 假一赔N decisions both call it."""
    for name, value in (("price_fen", price_fen), ("loss_fen", loss_fen), ("multiple", multiple),
                        ("minimum_fen", minimum_fen)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInput(errors.AMOUNT_INVALID, _("金额须为非负整数分"), details={"field": name})
    if price_fen <= 0:
        raise InvalidInput(errors.AMOUNT_INVALID, _("请填写商品价款"), details={"field": "price_fen"})
    candidates: dict[str, int] = {}
    if multiple:
        candidates[f"{multiple} x price"] = multiple * price_fen
    if minimum_fen:
        candidates["policy minimum"] = minimum_fen
    candidates["CRPL art. 55 floor"] = max(FRAUD_MULTIPLE * price_fen, FRAUD_MINIMUM_FEN)
    if food:
        candidates["FSL art. 148 floor"] = max(FOOD_PRICE_MULTIPLE * price_fen, FOOD_LOSS_MULTIPLE * loss_fen,
                                               FOOD_MINIMUM_FEN)
    basis, fen = max(candidates.items(), key=lambda item: item[1])
    return Amount(fen, basis)


@transaction.atomic
def insurance_payout(
    *,
    actor: Actor,
    policy_id: int,
    claim_reference: str,
    consumer: User,
    merchant: Organization,
    price_fen: int,
    loss_fen: int = 0,
    shipping_fen: int = 0,
    idempotency_key: str,
) -> Journal:
    """The insurer pays a consumer under its policy for a claim against a merchant it covers, from its own account
    through the provider; signs `insurance.payout` with its own key. One standing insurance payout per claim."""
    actor.require(role=Role.STAFF, kinds=INSURER)
    key, claim_reference = key_check(idempotency_key), reference_check(claim_reference)
    merchant = merchant_check(merchant)
    policy = _policy_get(policy_id)
    if policy.insurer_id != actor.organization.pk:
        raise NotFound(errors.POLICY_NOT_FOUND, _("找不到该保险条款"))
    if not InsuranceSubscription.objects.filter(policy=policy, merchant=merchant).exists():
        raise Conflict(errors.NOT_COVERED, _("该商家未投保此险种"), details={"policy": policy.pk})
    if not isinstance(consumer, User) or consumer.pk is None:
        raise NotFound(errors.ACCOUNT_NOT_FOUND, _("找不到该消费者"), details={"field": "consumer"})
    amount = payout_amount(policy=policy, price_fen=price_fen, loss_fen=loss_fen, shipping_fen=shipping_fen)
    amount_fen = amount_check(amount.fen)
    ledger_lock()
    account = account_open(kind=AccountKind.INSURER, organization=actor.organization)
    clearing = account_open(kind=AccountKind.PROVIDER_CLEARING)
    if (earlier := replayed_journal(key=key, kind=JournalKind.INSURANCE_PAYOUT, reference=claim_reference,
                             amount_fen=amount_fen)):
        return earlier
    if Journal.objects.filter(kind=JournalKind.INSURANCE_PAYOUT, reference=claim_reference,
                              reversed_by__isnull=True).exists():
        raise Conflict(errors.ALREADY_PAID, _("该理赔单已获保险赔付，不能重复赔付"),
                       details={"claim_reference": claim_reference})
    account.refresh_from_db()
    if account.balance_fen < amount_fen:
        raise Conflict(errors.INSUFFICIENT, _("保险公司账户余额不足"),
                       details={"balance_fen": account.balance_fen, "needed_fen": amount_fen})
    consumer_ref = consumer_public_id(consumer)
    provider = escrow_provider()
    transfer = provider_call(lambda: provider.payout_transfer(
        reference=key, payee=consumer_ref, amount_fen=amount_fen, description="保险赔付", idempotency_key=key,
    ))
    entry = statement_sign_and_append(organization=actor.organization, statement={
        "type": INSURANCE_PAYOUT, "subject": f"aftersales.claim:{claim_reference}", "claim": claim_reference,
        "policy": f"policy:{policy.pk}", "policy_kind": policy.kind, "consumer": consumer_ref,
        "merchant": owner_of(merchant), "insurer": owner_of(actor.organization), "amount_fen": amount_fen,
        "basis": amount.basis, "transfer": transfer.transfer_ref,
    })
    return journal_post(
        key=key, kind=JournalKind.INSURANCE_PAYOUT, amount_fen=amount_fen, memo=f"{policy.title} · {amount.basis}",
        reference=claim_reference, merchant=merchant, consumer_ref=consumer_ref, transfer=transfer,
        provider=provider.name, statement_leaf_hash=entry.leaf_hash, actor_label=actor.label,
        legs=[Leg(account, -amount_fen), Leg(clearing, amount_fen)],
    )
