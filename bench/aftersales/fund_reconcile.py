"""The fund's ledger under a long mixed run, then a reconciliation that must find zero drift and zero double payments.

One run, one fresh database (SQLite file under var/, or xinren_bench_fund on $BENCH_POSTGRES, default
postgres://postgres@127.0.0.1:5432). A platform with 50 merchants and 500 consumers, then `--ops` operations drawn
at random, each through the services as the product does it:

  contribution   the platform pays into the fund through the provider (fund_contribute)
  deposit        a merchant tops up its deposit (deposit_collect)
  payout         the fund pays a consumer first for a new claim (fund_payout: provider transfer + signed statement);
                 one in twenty ends in 13 fen, which the sandbox fails at the payee, so its notice reverses it
  payout again   a second payout for an already paid claim (another key): must be refused
  recovery       recover part or all of what is owed for a paid claim (deposit first, then a settlement deduction)
  repeat         any earlier request sent again with its own key: must return the first journal, move nothing
  reversal       an operator reverses a recovery that only touched the deposit (services.reversal)
  notices        the provider sends its pending transfer notices (succeeded / failed)
  replay         an already delivered notice, re-signed and sent again twice: must change nothing

Then every pending notice is delivered and `fund_reconcile` runs. Prints counts per kind, refusals, timings (mean
and p99 per kind), and the reconciliation's figures; exits 1 unless drift and double payments are both zero.

Usage: python bench/aftersales/fund_reconcile.py [--db sqlite|postgres] [--ops 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")

WEIGHTS = {
    "contribution": 2, "deposit": 10, "payout": 34, "payout_again": 3, "recovery": 24, "repeat": 8,
    "reversal": 3, "notices": 6, "replay": 10,
}


def use_database(db: str) -> None:
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS xinren_bench_fund")
            conn.execute("CREATE DATABASE xinren_bench_fund")
        os.environ["DATABASE_URL"] = f"{PG_URL}/xinren_bench_fund"
    else:
        path = ROOT / "var" / "bench_fund.sqlite3"
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("XINREN_TASKS_BACKEND", "database")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class World:
    """The parties and what the run has done so far (what the next operations draw from)."""

    def __init__(self, merchants: int, consumers: int) -> None:
        from tests.factories import OrganizationFactory
        from xinren.accounts.actors import Actor
        from xinren.accounts.choices import OrganizationKind, Role
        from xinren.accounts.models import Membership, Organization, User

        platform = Organization.objects.create(name="信任平台", slug="xinren", kind=OrganizationKind.PLATFORM,
                                               uscc=None)
        operator = User.objects.create(username="bench-operator")
        Membership.objects.create(user=operator, organization=platform, role=Role.ADMIN)
        self.operator = Actor(organization=platform, role=Role.ADMIN, user=operator)
        self.merchants = []
        self.merchant_actors = {}
        for n in range(merchants):
            org = OrganizationFactory(name=f"商家{n}", slug=f"bench-m{n}", kind=OrganizationKind.MERCHANT)
            user = User.objects.create(username=f"bench-m{n}")
            Membership.objects.create(user=user, organization=org, role=Role.ADMIN)
            self.merchants.append(org)
            self.merchant_actors[org.pk] = Actor(organization=org, role=Role.ADMIN, user=user)
        self.consumers = [User.objects.create(username=f"bench-c{n}", phone=f"1390000{n:04d}")
                          for n in range(consumers)]
        self.claims: list[tuple[str, Any, int]] = []  # (claim reference, merchant, amount paid)
        self.requests: list[tuple[str, dict[str, Any]]] = []  # (kind, kwargs) to repeat
        self.deposit_recoveries: list[int] = []  # journals of recoveries from the deposit alone
        self.keys = 0

    def key(self, kind: str) -> str:
        self.keys += 1
        return f"bench-{kind}-{self.keys:08d}"


def operation(kind: str, world: World, rng: random.Random, counts: Counter[str]) -> None:
    from xinren.aftersales.fund import services
    from xinren.aftersales.fund.callbacks import transfer_webhook_receive
    from xinren.aftersales.models.fund import Journal
    from xinren.core import clock
    from xinren.core.errors import DomainError
    from xinren.orders.payments.sandbox import webhooks_deliver_pending
    from xinren.orders.payments.sandbox_models import SandboxWebhookEvent
    from xinren.orders.payments.signatures import SIGNATURE_HEADER, webhook_secrets, webhook_sign

    op = world.operator
    try:
        if kind == "contribution":
            kwargs = {"amount_fen": rng.randint(1_000_000, 5_000_000), "idempotency_key": world.key(kind)}
            services.fund_contribute(actor=op, **kwargs)
            world.requests.append((kind, kwargs))
        elif kind == "deposit":
            merchant = rng.choice(world.merchants)
            kwargs = {"merchant": merchant, "amount_fen": rng.randint(10_000, 500_000),
                      "idempotency_key": world.key(kind)}
            services.deposit_collect(actor=world.merchant_actors[merchant.pk], **kwargs)
            world.requests.append((kind, kwargs))
        elif kind == "payout":
            merchant = rng.choice(world.merchants)
            amount = rng.randint(10, 3000) * 100 + (13 if rng.random() < 0.05 else rng.choice([0, 50, 88]))
            claim = f"AS-{world.keys + 1:08d}"
            kwargs = {"claim_reference": claim, "consumer": rng.choice(world.consumers), "merchant": merchant,
                      "amount_fen": amount, "reason": "坏单包赔", "idempotency_key": world.key(kind)}
            services.fund_payout(actor=op, **kwargs)
            world.claims.append((claim, merchant, amount))
            world.requests.append((kind, kwargs))
        elif kind == "payout_again" and world.claims:
            claim, merchant, amount = rng.choice(world.claims)
            try:
                services.fund_payout(actor=op, claim_reference=claim, consumer=world.consumers[0], merchant=merchant,
                                     amount_fen=amount, reason="重复申请", idempotency_key=world.key(kind))
                counts["payout_again_paid"] += 1  # allowed only when the first one failed and was reversed
            except DomainError as exc:
                counts[f"refused:{exc.code}"] += 1
        elif kind == "recovery" and world.claims:
            claim, merchant, amount = rng.choice(world.claims)
            owed = services.claim_paid_fen(claim_reference=claim) - services.claim_recovered_fen(
                claim_reference=claim)
            if owed <= 0:
                counts["recovery_nothing_owed"] += 1
                return
            part = owed if rng.random() < 0.7 else rng.randint(1, owed)
            kwargs = {"claim_reference": claim, "merchant": merchant, "amount_fen": part,
                      "idempotency_key": world.key(kind)}
            journal = services.fund_recover(actor=op, **kwargs)
            if not journal.provider_ref:
                world.deposit_recoveries.append(journal.pk)
            world.requests.append((kind, kwargs))
        elif kind == "repeat" and world.requests:
            earlier, kwargs = rng.choice(world.requests)
            actor = world.merchant_actors[kwargs["merchant"].pk] if earlier == "deposit" else op
            call = {"contribution": services.fund_contribute, "deposit": services.deposit_collect,
                    "payout": services.fund_payout, "recovery": services.fund_recover}[earlier]
            before = Journal.objects.count()
            call(actor=actor, **kwargs)
            if Journal.objects.count() != before:
                counts["repeat_moved_money"] += 1
        elif kind == "reversal" and world.deposit_recoveries:
            journal_id = world.deposit_recoveries.pop(rng.randrange(len(world.deposit_recoveries)))
            services.reversal(actor=op, journal_id=journal_id, reason="录入错误", idempotency_key=world.key(kind))
        elif kind == "notices":
            counts["notices_delivered"] += webhooks_deliver_pending(limit=500)
        elif kind == "replay":
            event = (SandboxWebhookEvent.objects.filter(event_type__startswith="transfer.", delivered_at__isnull=False)
                     .order_by("?").first())
            if event is None:
                return
            body = event.body.encode()
            for _ in range(2):
                before = Journal.objects.count()
                headers = {SIGNATURE_HEADER: webhook_sign(body=body, timestamp=int(clock.now().timestamp()),
                                                          secrets=webhook_secrets()[:1])}
                transfer_webhook_receive(provider_name="sandbox", body=body, headers=headers)
                if Journal.objects.count() != before:
                    counts["replay_moved_money"] += 1
        else:
            counts[f"skipped:{kind}"] += 1
            return
        counts[kind] += 1
    except DomainError as exc:
        counts[f"refused:{exc.code}"] += 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    use_database(args.db)

    from django.db import connection

    from xinren.aftersales.fund import services
    from xinren.aftersales.fund.reconcile import fund_reconcile
    from xinren.aftersales.models.fund import Journal
    from xinren.orders.payments.sandbox import webhooks_deliver_pending

    rng = random.Random(args.seed)
    world = World(merchants=50, consumers=500)
    services.fund_contribute(actor=world.operator, amount_fen=5_000_000, idempotency_key="bench-seed-0001")
    counts: Counter[str] = Counter()
    timings: dict[str, list[float]] = defaultdict(list)
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    started = time.perf_counter()
    for n in range(args.ops):
        kind = rng.choices(kinds, weights)[0]
        t0 = time.perf_counter()
        operation(kind, world, rng, counts)
        timings[kind].append(time.perf_counter() - t0)
        if (n + 1) % 10_000 == 0:
            print(f"  {n + 1} ops, {time.perf_counter() - started:.0f}s", flush=True)
    run_seconds = time.perf_counter() - started
    delivered = 0
    while (batch := webhooks_deliver_pending(limit=1000)) > 0:
        delivered += batch
    counts["notices_delivered"] += delivered

    report = fund_reconcile()
    standing = Journal.objects.filter(kind="payout", reversed_by__isnull=True).values("reference").distinct().count()
    payouts = Journal.objects.filter(kind="payout", reversed_by__isnull=True).count()

    print(f"database: {connection.vendor}; operations: {args.ops} in {run_seconds:.1f}s "
          f"({args.ops / run_seconds:.0f}/s)")
    for kind in kinds:
        values = timings.get(kind, [])
        if values:
            print(f"  {kind:<13} {counts[kind]:>7} done  mean {statistics.mean(values) * 1000:7.2f} ms  "
                  f"p99 {percentile(values, 0.99) * 1000:7.2f} ms")
    for name, value in sorted(counts.items()):
        if name not in WEIGHTS:
            print(f"  {name}: {value}")
    print(f"ledger: {report.journals} journals, {report.postings} postings, {report.accounts} accounts; "
          f"provider: {report.transfers} transfers ({report.pending} pending)")
    print(f"escrow: provider {report.escrow_provider_fen} fen, ledger {report.escrow_ledger_fen} fen")
    print(f"reconciliation: {report.seconds:.2f}s, drift {report.drift_count}, double payments "
          f"{report.double_payments}; standing payouts {payouts} for {standing} claims")
    for line in report.drift[:20]:
        print(f"  DRIFT {line}")
    bad = report.drift_count + report.double_payments + (payouts - standing) + counts["repeat_moved_money"] \
        + counts["replay_moved_money"]
    print("OK" if bad == 0 else "FAILED")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
