"""Writes of the fund: every one is one transaction, idempotent by its key, with its permission checked here.

Money moves through the payment provider (the platform holds none itself, 二清): each service asks the provider
first, inside the transaction, and journals what the provider accepted; a provider refusal rolls everything back.
Every write first locks the fund account's row (the ledger's mutex, `ledger_lock`), then its other accounts in
ascending id (docs/fund.md, "Lock order"): writes are serialised, so two payouts for one claim cannot both pass the
check, and no two writes can deadlock.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.consumers import consumer_public_id
from xinren.accounts.models import Organization, User
from xinren.aftersales.models.fund import Account, Journal, Posting
from xinren.attest.keys import owner_of
from xinren.attest.signing import statement_sign_and_append
from xinren.core import clock
from xinren.core.errors import Conflict, DomainError, InvalidInput, NotFound
from xinren.orders.payments import provider_get
from xinren.orders.payments.provider import EscrowProvider, ProviderError, ProviderTransfer

from ..events import COVER_CHANGED
from . import errors
from .choices import NON_NEGATIVE_KINDS, PER_ORGANIZATION_KINDS, AccountKind, JournalKind
from .statements import FUND_PAYOUT, FUND_RECOVERY

# One transfer at most this much (50,000.00 yuan, the provider's single-transfer limit): anything above is
# implausible for a claim and is refused before anything is signed.
AMOUNT_MAX_FEN = 5_000_000
_KEY = re.compile(r"[A-Za-z0-9_.:\-]{8,120}")
_REFERENCE = re.compile(r"[A-Za-z0-9_.:\-]{1,80}")
PLATFORM = [OrganizationKind.PLATFORM]


@dataclass(frozen=True)
class Leg:
    """One posting to be made: an account and a signed amount."""

    account: Account
    amount_fen: int


def escrow_provider(name: str | None = None) -> EscrowProvider:
    """The configured provider, as one that offers the escrow operations."""
    provider = provider_get(name)
    if not isinstance(provider, EscrowProvider):
        raise DomainError(errors.PROVIDER_REFUSED, _("该支付渠道不支持托管转账"), details={"provider": provider.name})
    return provider


# -- checks ------------------------------------------------------------------------------------------------------


def amount_check(amount_fen: object) -> int:
    """A positive whole number of fen, at most AMOUNT_MAX_FEN."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or not 0 < amount_fen <= AMOUNT_MAX_FEN:
        raise InvalidInput(errors.AMOUNT_INVALID, _("金额须为 1 分到 5 万元之间的整数分"),
                           details={"field": "amount_fen", "max_fen": AMOUNT_MAX_FEN})
    return amount_fen


def key_check(key: object) -> str:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidInput(errors.IDEMPOTENCY_KEY_INVALID, _("幂等键须为 8–120 个字母、数字或 _.:- 字符"),
                           details={"field": "idempotency_key"})
    return key


def reference_check(reference: object) -> str:
    if not isinstance(reference, str) or not _REFERENCE.fullmatch(reference):
        raise InvalidInput(errors.REFERENCE_INVALID, _("关联单号须为 1–80 个字母、数字或 _.:- 字符"),
                           details={"field": "claim_reference"})
    return reference


def reason_check(reason: object) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not 1 <= len(text) <= 200:
        raise InvalidInput(errors.REASON_INVALID, _("请填写原因（1–200 字）"), details={"field": "reason"})
    return text


def merchant_check(merchant: object) -> Organization:
    if not isinstance(merchant, Organization) or merchant.kind != OrganizationKind.MERCHANT:
        raise NotFound(errors.ACCOUNT_NOT_FOUND, _("找不到该商家的基金账户"), details={"field": "merchant"})
    return merchant


def replayed_journal(*, key: str, kind: str, reference: str, amount_fen: int) -> Journal | None:
    """The journal made earlier with this key, when the request is the same one again; a refusal when the key was
    used for something else."""
    journal = Journal.objects.filter(key=key).first()
    if journal is None:
        return None
    if (journal.kind, journal.reference, journal.amount_fen) != (kind, reference, amount_fen):
        raise Conflict(errors.IDEMPOTENCY_KEY_REUSED, _("该幂等键已用于另一笔操作"), details={"key": key})
    return journal


# -- accounts ------------------------------------------------------------------------------------------------------


def account_open(*, kind: str, organization: Organization | None = None) -> Account:
    """The account of this kind (for this organization, for per-organization kinds), opened at zero when new."""
    if kind not in AccountKind.values:
        raise NotFound(errors.ACCOUNT_NOT_FOUND, _("找不到该基金账户"), details={"kind": str(kind)[:32]})
    if (kind in PER_ORGANIZATION_KINDS) != (organization is not None):
        raise NotFound(errors.ACCOUNT_NOT_FOUND, _("找不到该基金账户"), details={"kind": kind})
    lookup = {"kind": kind, "organization": organization}
    account = Account.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(**lookup, non_negative=kind in NON_NEGATIVE_KINDS)
    except IntegrityError:  # opened at the same moment by another request
        return Account.objects.get(**lookup)


def ledger_lock() -> Account:
    """Lock the fund account's row: the ledger's mutex. Every write takes it first, then its other accounts in
    ascending id, so writes are serialised and cannot deadlock (docs/fund.md, "Lock order")."""
    fund = account_open(kind=AccountKind.FUND)
    return Account.objects.select_for_update().get(pk=fund.pk)


# -- the internal posting primitive --------------------------------------------------------------------------------


def journal_post(
    *,
    key: str,
    kind: str,
    legs: Sequence[Leg],
    amount_fen: int,
    memo: str = "",
    reference: str = "",
    merchant: Organization | None = None,
    consumer_ref: str = "",
    reverses: Journal | None = None,
    transfer: ProviderTransfer | None = None,
    provider: str = "",
    statement_leaf_hash: str = "",
    actor_label: str = "",
) -> Journal:
    """Write one balanced journal and move the balances (internal: services check permissions before calling).

    The fund's row is locked first (`ledger_lock`), then the accounts in ascending id, the new balances checked
    against the non-negative rule, then the journal and its postings inserted and the balances moved by F()
    updates, all in the caller's transaction.
    """
    deltas: dict[int, int] = defaultdict(int)
    for leg in legs:
        if isinstance(leg.amount_fen, bool) or not isinstance(leg.amount_fen, int) or leg.amount_fen == 0:
            raise InvalidInput(errors.JOURNAL_UNBALANCED, _("分录行金额须为非零整数分"))
        if leg.account.pk is None:
            raise NotFound(errors.ACCOUNT_NOT_FOUND, _("找不到该基金账户"))
        deltas[leg.account.pk] += leg.amount_fen
    if len(legs) < 2 or sum(deltas.values()) != 0:
        raise InvalidInput(errors.JOURNAL_UNBALANCED, _("分录借贷不平：各行金额之和须为零"),
                           details={"sum_fen": sum(deltas.values())})
    with transaction.atomic():
        ledger_lock()
        locked = {account.pk: account for account in
                  Account.objects.select_for_update().filter(pk__in=sorted(deltas)).order_by("pk")}
        missing = sorted(set(deltas) - set(locked))
        if missing:
            raise NotFound(errors.ACCOUNT_NOT_FOUND, _("找不到该基金账户"), details={"accounts": missing})
        for pk, delta in deltas.items():
            account = locked[pk]
            if account.non_negative and account.balance_fen + delta < 0:
                raise Conflict(errors.INSUFFICIENT, _("%(account)s 余额不足") % {"account": account.get_kind_display()},
                               details={"account": pk, "balance_fen": account.balance_fen, "needed_fen": -delta})
        journal = Journal.objects.create(
            key=key, kind=kind, memo=memo[:200], reference=reference, amount_fen=amount_fen, merchant=merchant,
            consumer_ref=consumer_ref, reverses=reverses, provider=provider if transfer else "",
            provider_ref=transfer.transfer_ref if transfer else "", statement_leaf_hash=statement_leaf_hash,
            actor_label=actor_label[:150], created_at=clock.now(),
        )
        Posting.objects.bulk_create(
            [Posting(journal=journal, account_id=leg.account.pk, amount_fen=leg.amount_fen) for leg in legs]
        )
        for pk, delta in sorted(deltas.items()):
            if delta:
                Account.objects.filter(pk=pk).update(balance_fen=F("balance_fen") + delta)
        for account in locked.values():
            if account.kind == AccountKind.MERCHANT_DEPOSIT and deltas[account.pk] and account.organization_id:
                COVER_CHANGED.announce(organization_id=account.organization_id)
    return journal


def provider_call(call: object) -> ProviderTransfer:
    """Run a provider call; its refusal becomes a domain refusal (and the caller's transaction rolls back)."""
    try:
        assert callable(call)
        transfer = call()
    except ProviderError as exc:
        raise DomainError(errors.PROVIDER_REFUSED, _("支付渠道拒绝了这笔转账：%(code)s") % {"code": exc.code},
                          details={"provider_code": exc.code}, status=502) from exc
    assert isinstance(transfer, ProviderTransfer)
    return transfer


# -- money in ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def fund_contribute(*, actor: Actor, amount_fen: int, idempotency_key: str, memo: str = "") -> Journal:
    """The platform pays money into the fund's escrow account through the provider."""
    actor.require(role=Role.ADMIN, kinds=PLATFORM)
    amount_fen, key = amount_check(amount_fen), key_check(idempotency_key)
    fund = ledger_lock()
    clearing = account_open(kind=AccountKind.PROVIDER_CLEARING)
    if (earlier := replayed_journal(key=key, kind=JournalKind.CONTRIBUTION, reference="", amount_fen=amount_fen)):
        return earlier
    provider = escrow_provider()
    transfer = provider_call(lambda: provider.escrow_collect(
        reference=key, payer=owner_of(actor.organization), amount_fen=amount_fen,
        description="先行赔付基金注资", idempotency_key=key,
    ))
    return journal_post(
        key=key, kind=JournalKind.CONTRIBUTION, amount_fen=amount_fen, memo=memo or str(_("基金注资")),
        legs=[Leg(clearing, -amount_fen), Leg(fund, amount_fen)], transfer=transfer, provider=provider.name,
        actor_label=actor.label,
    )


@transaction.atomic
def deposit_collect(*, actor: Actor, merchant: Organization, amount_fen: int, idempotency_key: str) -> Journal:
    """A merchant tops up its own deposit (保证金) through the provider; another merchant's deposit is not found."""
    actor.require(role=Role.ADMIN, kinds=[OrganizationKind.MERCHANT])
    merchant = merchant_check(merchant)
    if merchant.pk != actor.organization.pk:
        raise NotFound(errors.ACCOUNT_NOT_FOUND, _("找不到该商家的基金账户"), details={"field": "merchant"})
    amount_fen, key = amount_check(amount_fen), key_check(idempotency_key)
    ledger_lock()
    deposit = account_open(kind=AccountKind.MERCHANT_DEPOSIT, organization=merchant)
    clearing = account_open(kind=AccountKind.PROVIDER_CLEARING)
    reference = owner_of(merchant)
    earlier = replayed_journal(key=key, kind=JournalKind.DEPOSIT, reference=reference, amount_fen=amount_fen)
    if earlier is not None:
        return earlier
    provider = escrow_provider()
    transfer = provider_call(lambda: provider.escrow_collect(
        reference=key, payer=reference, amount_fen=amount_fen, description="商家保证金", idempotency_key=key,
    ))
    return journal_post(
        key=key, kind=JournalKind.DEPOSIT, amount_fen=amount_fen, memo=str(_("缴纳保证金")), reference=reference,
        merchant=merchant, legs=[Leg(clearing, -amount_fen), Leg(deposit, amount_fen)], transfer=transfer,
        provider=provider.name, actor_label=actor.label,
    )


# -- paying first, recovering later ---------------------------------------------------------------------------------


def claim_paid_fen(*, claim_reference: str) -> int:
    """What the fund has paid for this claim, reversals deducted."""
    paid = Journal.objects.filter(kind=JournalKind.PAYOUT, reference=claim_reference).aggregate(s=Sum("amount_fen"))
    reversed_ = Journal.objects.filter(
        kind=JournalKind.REVERSAL, reverses__kind=JournalKind.PAYOUT, reverses__reference=claim_reference
    ).aggregate(s=Sum("amount_fen"))
    return int(paid["s"] or 0) - int(reversed_["s"] or 0)


def claim_recovered_fen(*, claim_reference: str) -> int:
    """What has been recovered from the merchant for this claim, reversals deducted."""
    got = Journal.objects.filter(kind=JournalKind.RECOVERY, reference=claim_reference).aggregate(s=Sum("amount_fen"))
    reversed_ = Journal.objects.filter(
        kind=JournalKind.REVERSAL, reverses__kind=JournalKind.RECOVERY, reverses__reference=claim_reference
    ).aggregate(s=Sum("amount_fen"))
    return int(got["s"] or 0) - int(reversed_["s"] or 0)


@transaction.atomic
def fund_payout(
    *,
    actor: Actor,
    claim_reference: str,
    consumer: User,
    merchant: Organization,
    amount_fen: int,
    reason: str,
    idempotency_key: str,
) -> Journal:
    """The platform pays a consumer first from the fund (先行赔付), through the provider's transfer, for a claim
    against `merchant`; signs `fund.payout`. One payout per claim: a second one (another key) is refused while the
    first stands; the same key again returns the first journal."""
    actor.require(role=Role.STAFF, kinds=PLATFORM)
    amount_fen, key = amount_check(amount_fen), key_check(idempotency_key)
    claim_reference, reason = reference_check(claim_reference), reason_check(reason)
    merchant = merchant_check(merchant)
    if not isinstance(consumer, User) or consumer.pk is None:
        raise NotFound(errors.ACCOUNT_NOT_FOUND, _("找不到该消费者"), details={"field": "consumer"})
    # The ledger's lock serialises every write: the checks below cannot race.
    fund = locked_fund = ledger_lock()
    clearing = account_open(kind=AccountKind.PROVIDER_CLEARING)
    receivable = account_open(kind=AccountKind.RECOVERIES_RECEIVABLE, organization=merchant)
    payouts = account_open(kind=AccountKind.PAYOUTS)
    earlier = replayed_journal(key=key, kind=JournalKind.PAYOUT, reference=claim_reference, amount_fen=amount_fen)
    if earlier is not None:
        return earlier
    if claim_paid_fen(claim_reference=claim_reference) > 0:
        raise Conflict(errors.ALREADY_PAID, _("该理赔单已先行赔付，不能重复赔付"),
                       details={"claim_reference": claim_reference})
    if locked_fund.balance_fen < amount_fen:
        raise Conflict(errors.INSUFFICIENT, _("先行赔付基金余额不足"),
                       details={"balance_fen": locked_fund.balance_fen, "needed_fen": amount_fen})
    consumer_ref = consumer_public_id(consumer)
    provider = escrow_provider()
    transfer = provider_call(lambda: provider.payout_transfer(
        reference=key, payee=consumer_ref, amount_fen=amount_fen, description="先行赔付", idempotency_key=key,
    ))
    entry = statement_sign_and_append(organization=actor.organization, statement={
        "type": FUND_PAYOUT, "subject": f"aftersales.claim:{claim_reference}", "claim": claim_reference,
        "consumer": consumer_ref, "merchant": owner_of(merchant), "amount_fen": amount_fen, "reason": reason,
        "transfer": transfer.transfer_ref,
    })
    return journal_post(
        key=key, kind=JournalKind.PAYOUT, amount_fen=amount_fen, memo=reason, reference=claim_reference,
        merchant=merchant, consumer_ref=consumer_ref, transfer=transfer, provider=provider.name,
        statement_leaf_hash=entry.leaf_hash, actor_label=actor.label,
        legs=[Leg(fund, -amount_fen), Leg(clearing, amount_fen), Leg(receivable, amount_fen),
              Leg(payouts, -amount_fen)],
    )


@transaction.atomic
def fund_recover(
    *, actor: Actor, claim_reference: str, merchant: Organization, amount_fen: int, idempotency_key: str
) -> Journal:
    """Recover what the fund paid for a claim from the merchant: its deposit first, the rest from its settlements
    by a provider deduction (分账); signs `fund.recovery`. Never more than is still owed for the claim."""
    actor.require(role=Role.STAFF, kinds=PLATFORM)
    amount_fen, key = amount_check(amount_fen), key_check(idempotency_key)
    claim_reference, merchant = reference_check(claim_reference), merchant_check(merchant)
    fund = ledger_lock()
    clearing = account_open(kind=AccountKind.PROVIDER_CLEARING)
    deposit = account_open(kind=AccountKind.MERCHANT_DEPOSIT, organization=merchant)
    receivable = account_open(kind=AccountKind.RECOVERIES_RECEIVABLE, organization=merchant)
    payouts = account_open(kind=AccountKind.PAYOUTS)
    deposit = Account.objects.select_for_update().get(pk=deposit.pk)
    earlier = replayed_journal(key=key, kind=JournalKind.RECOVERY, reference=claim_reference, amount_fen=amount_fen)
    if earlier is not None:
        return earlier
    payout = Journal.objects.filter(kind=JournalKind.PAYOUT, reference=claim_reference).first()
    owed = claim_paid_fen(claim_reference=claim_reference) - claim_recovered_fen(claim_reference=claim_reference)
    if payout is None or payout.merchant_id != merchant.pk or amount_fen > owed:
        raise Conflict(errors.NOTHING_TO_RECOVER, _("追偿金额超过该理赔单尚未追回的先行赔付"),
                       details={"claim_reference": claim_reference, "owed_fen": max(owed, 0) if payout else 0})
    from_deposit = min(deposit.balance_fen, amount_fen)
    from_settlements = amount_fen - from_deposit
    legs = [Leg(fund, amount_fen), Leg(receivable, -amount_fen), Leg(payouts, amount_fen)]
    if from_deposit:
        legs.append(Leg(deposit, -from_deposit))
    transfer, provider_name = None, ""
    if from_settlements:
        provider = escrow_provider()
        provider_name = provider.name
        transfer = provider_call(lambda: provider.settlement_deduct(
            reference=key, merchant=owner_of(merchant), amount_fen=from_settlements, description="先行赔付追偿",
            idempotency_key=key,
        ))
        legs.append(Leg(clearing, -from_settlements))
    statement: dict[str, object] = {
        "type": FUND_RECOVERY, "subject": f"aftersales.claim:{claim_reference}", "claim": claim_reference,
        "merchant": owner_of(merchant), "amount_fen": amount_fen, "from_deposit_fen": from_deposit,
        "from_settlements_fen": from_settlements,
    }
    if transfer is not None:
        statement["transfer"] = transfer.transfer_ref
    entry = statement_sign_and_append(organization=actor.organization, statement=statement)
    return journal_post(
        key=key, kind=JournalKind.RECOVERY, amount_fen=amount_fen, reference=claim_reference, merchant=merchant,
        memo=str(_("保证金 %(deposit)s 分，结算款 %(settlements)s 分") % {
            "deposit": from_deposit, "settlements": from_settlements}),
        legs=legs, transfer=transfer, provider=provider_name, statement_leaf_hash=entry.leaf_hash,
        actor_label=actor.label,
    )


# -- corrections ------------------------------------------------------------------------------------------------------


def _reverse(*, journal: Journal, key: str, memo: str, actor_label: str) -> Journal:
    if Journal.objects.filter(reverses=journal).exists():
        raise Conflict(errors.ALREADY_REVERSED, _("该分录已冲正"), details={"journal": journal.pk})
    legs = [Leg(posting.account, -posting.amount_fen) for posting in journal.postings.select_related("account")]
    return journal_post(
        key=key, kind=JournalKind.REVERSAL, amount_fen=journal.amount_fen, memo=memo, reference=journal.reference,
        merchant=journal.merchant, consumer_ref=journal.consumer_ref, reverses=journal, legs=legs,
        actor_label=actor_label,
    )


def journal_reverse_for_failed_transfer(*, journal: Journal, transfer_ref: str) -> Journal:
    """The provider says the journal's transfer failed: undo it with a reversal journal (the callback's doing)."""
    return _reverse(journal=journal, key=f"reversal:{journal.key}"[:120],
                    memo=str(_("渠道转账失败：%(ref)s") % {"ref": transfer_ref}), actor_label="provider")


@transaction.atomic
def reversal(*, actor: Actor, journal_id: int, reason: str, idempotency_key: str) -> Journal:
    """An operator corrects a journal that moved no money at the provider (a recovery from the deposit alone): a
    new journal with the postings negated. Journals with a provider transfer are reversed only by the provider's
    failure notice, so the ledger never disagrees with the provider."""
    actor.require(role=Role.ADMIN, kinds=PLATFORM)
    key, reason = key_check(idempotency_key), reason_check(reason)
    ledger_lock()
    journal = Journal.objects.filter(pk=journal_id).first()
    if journal is None:
        raise NotFound(errors.JOURNAL_NOT_FOUND, _("找不到该分录"))
    earlier = Journal.objects.filter(key=key).first()
    if earlier is not None:
        if earlier.reverses_id != journal.pk:
            raise Conflict(errors.IDEMPOTENCY_KEY_REUSED, _("该幂等键已用于另一笔操作"), details={"key": key})
        return earlier
    if journal.kind == JournalKind.REVERSAL or journal.provider_ref:
        raise Conflict(errors.NOT_REVERSIBLE, _("经支付渠道转账的分录只能由渠道的失败通知冲正"),
                       details={"journal": journal.pk})
    return _reverse(journal=journal, key=key, memo=reason, actor_label=actor.label)
