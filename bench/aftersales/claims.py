"""Automatic 坏单包赔 claim decisions on PostgreSQL with 16 concurrent clients, as a ratio to bare inserts of the same
rows, and the p99 latency from request to recorded payout.

One run, one fresh database (xinren_bench_claims on $BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432):

  world   a platform, one merchant selling fresh wild mushrooms at ¥30.00, and `--clients` × `--claims` / 2
          consumers, each with two delivered order lines bought through the real order services (placed, paid in
          the sandbox, shipped with a serialized item, received), and each claim's photo uploaded before the claim
          (`aftersale_upload`: sniffed, stripped, stored by digest, variants encoded; as the consumer does while
          filling in the form) — not timed; then the tasks the world queued are run.
  (b)     `--clients` processes, each a client with its own connection, open `--claims` 坏单包赔 claims each
          through `aftersale_open` (timed, one call per claim): the intake (the line locked, eligibility and amount
          checked, the request, its photo and first transition written), then the decision in a batch with the
          claims waiting (ADR 0040): the consumers' levels, the rule set, the decisions signed into the log, the
          refunds recorded, the transitions. Latency = the call's wall time: it returns once its claim's decision
          and refund are committed (the payout journaled, `paying`); every claim must come back approved.
  (a)     the same processes insert every row (b) inserted — found by diffing every table's keys before and after
          (b) — into empty twin tables (`LIKE … INCLUDING ALL`), in as many transactions as claims.
  after   the provider's part, reported apart: the batches' payout tasks run as the worker runs them (the sandbox
          pays each refund out, each claim settles PAID); then every claim must be PAID exactly once.

The clients are forked from a process warmed up as gunicorn's master is before it forks its workers
(`xinren.warm.warm_up`, deploy/gunicorn.conf.py: preload_app), so (b) measures warm workers.

Prints claims/s for both, the ratio b/a (goal ≥ 0.3), the CPU per claim of the clients and of their PostgreSQL
backends, p50/p99/max latency of (b) (goal p99 ≤ 1 s), the batches, and checks that no claim paid twice (one refund
per claim, refunds per line ≤ what was paid).

Usage: python bench/aftersales/claims.py [--clients 16] [--claims 30]   (claims per client)
"""

from __future__ import annotations

import argparse
import hashlib
import io
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PRICE_FEN = 3000
BARE_RUNS = 3
CLAIM_FEN = 2500


def world_name(lines: int) -> str:
    """The cached world's database: per size and per migrations (a changed migration builds a new world)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src").glob("xinren/*/migrations/0*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return f"xinren_bench_claims_world_{lines}_{digest.hexdigest()[:10]}"


def use_database(*, template: str | None = None) -> None:
    """A fresh xinren_bench_claims: empty and migrated, or a copy of `template` (a world built before)."""
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS xinren_bench_claims WITH (FORCE)")
        conn.execute(f"CREATE DATABASE xinren_bench_claims {f'TEMPLATE {template}' if template else ''}")
    os.environ["DATABASE_URL"] = f"{PG_URL}/xinren_bench_claims"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.XINREN_ORDERS_PER_HOUR = 1_000_000
    if template is None:
        call_command("migrate", verbosity=0)


def world_cached(lines: int) -> str | None:
    """The cached world of this size, if one was kept (`--keep-world`)."""
    import psycopg

    name = world_name(lines)
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return name if found else None


def plan_keep(lines: list[tuple[int, str, int, int]]) -> None:
    """The lines and their uploads, kept with the world (a bench_ table: not one of the rows (b) writes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_plan (consumer_id bigint, number text, line_id bigint, upload_id bigint)")
        cursor.executemany("INSERT INTO bench_plan VALUES (%s, %s, %s, %s)", lines)


def plan_read() -> list[tuple[int, str, int, int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT consumer_id, number, line_id, upload_id FROM bench_plan ORDER BY upload_id")
        return [tuple(row) for row in cursor.fetchall()]  # type: ignore[misc]


def world_keep(lines: int) -> None:
    """Keep the world just built (after its tasks ran) as a template database for the next run."""
    import psycopg
    from django.db import connections

    connections.close_all()
    name = world_name(lines)
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE xinren_bench_claims")


def picture(n: int) -> bytes:
    """A small JPEG that differs for every claim (the pipeline stores by digest: no two claims share a file)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (n % 251, (n // 251) % 251, 90)).save(buffer, format="JPEG")
    return buffer.getvalue()


def world(lines_needed: int) -> list[tuple[int, str, int]]:
    """The platform, a merchant with a fresh product, consumers with two delivered lines each.
    Returns (consumer id, order number, line id) per line."""
    from tests.factories import BatchFactory, ItemFactory, OrganizationFactory, ProductFactory, actor_for
    from tests.orders.flows import order_paid, order_placed, order_shipped
    from xinren.accounts.choices import OrganizationKind, Role
    from xinren.accounts.consumers import consumer_signup
    from xinren.catalog.choices import ProductCategory
    from xinren.orders.models import Offer, OrderLine
    from xinren.orders.services import order_delivery_confirm

    OrganizationFactory(name="信任平台运营中心", slug="xinren", kind=OrganizationKind.PLATFORM, uscc=None)
    merchant = OrganizationFactory(slug="bench-mushrooms", name="昆明野生菌铺", kind=OrganizationKind.MERCHANT)
    product = ProductFactory(merchant=merchant, name="野生牛肝菌 250g", category=ProductCategory.WILD_MUSHROOM)
    Offer.objects.create(merchant=merchant, product=product, price_fen=PRICE_FEN, stock=10_000_000)
    batch = BatchFactory(product=product, quantity=lines_needed + 2)
    items = iter([ItemFactory(batch=batch) for _ in range(lines_needed + 2)])  # in stock before anyone orders
    seller = actor_for(merchant, Role.STAFF)
    out = []
    consumers = (lines_needed + 1) // 2
    for n in range(consumers):
        user = consumer_signup(phone=f"1360000{n:04d}", password="bench-password-1")
        for _ in range(2):
            order = order_placed(user, product)
            order_paid(user, order)
            order_shipped(seller, order, [next(items)])
            order_delivery_confirm(consumer=user, order_number=order.number)
            line = OrderLine.objects.get(order=order)
            out.append((user.pk, order.number, line.pk))
    return out[:lines_needed]


def side_by_side(target: Any, chunks: list[Any]) -> tuple[float, list[Any]]:
    """Run `target(chunk, barrier, results)` in one process per chunk (a client each, as gunicorn's workers are
    processes: no shared interpreter lock), all starting together; the wall time from the barrier to the last one."""
    from django.db import connections

    connections.close_all()  # every client opens its own connection
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(chunks) + 1)
    results = context.Queue()
    processes = [context.Process(target=target, args=(chunk, barrier, results)) for chunk in chunks]
    for process in processes:
        process.start()
    barrier.wait()
    wall = time.perf_counter()
    out = [results.get() for _ in processes]
    wall = time.perf_counter() - wall
    for process in processes:
        process.join()
    return wall, out


def uploads(lines: list[tuple[int, str, int]]) -> tuple[list[tuple[int, str, int, int]], float]:
    """Each claim's photo, uploaded before the claim as the consumer does while filling in the form (`POST
    /uploads`: sniffed, stripped, stored by digest, its variants encoded) — not part of (b). Returns the lines
    with their upload id, and the mean upload time."""
    from xinren.accounts.models import User
    from xinren.aftersales.services import aftersale_upload

    out, start = [], time.perf_counter()
    for consumer_id, number, line_id in lines:
        upload = aftersale_upload(consumer=User.objects.get(pk=consumer_id), media=[("bad.jpg", picture(line_id))])
        out.append((consumer_id, number, line_id, upload[0].pk))
    return out, (time.perf_counter() - start) / max(1, len(lines))


def claims_client(chunk: list[tuple[int, str, int, int]], barrier: Any, results: Any) -> None:
    from django.db import OperationalError, connection

    from xinren.accounts.models import User
    from xinren.aftersales.choices import Kind
    from xinren.aftersales.services import aftersale_open
    from xinren.core.errors import DomainError

    users = {pk: User.objects.get(pk=pk) for pk in {c[0] for c in chunk}}
    latencies, ids, refused = [], [], []
    backend = backend_pid()
    barrier.wait()
    cpu, cpu_backend = time.process_time(), process_cpu(backend)
    for consumer_id, number, line_id, upload_id in chunk:
        start = time.perf_counter()
        try:
            request = aftersale_open(
                consumer=users[consumer_id], order_number=number, line_id=line_id, kind=Kind.DAMAGED,
                reason="收到时菌子已经软烂出水", amount_fen=CLAIM_FEN, upload_ids=[upload_id],
            )
        except DomainError as exc:
            refused.append(exc.code)
            continue
        except OperationalError as exc:  # a deadlock would land here: counted, and the run goes on
            refused.append(type(exc.__cause__).__name__)
            continue
        latencies.append(time.perf_counter() - start)
        if request.status != "paying":
            refused.append(f"not approved: {request.status}")
            continue
        ids.append(request.pk)
    cpu, cpu_backend = time.process_time() - cpu, process_cpu(backend) - cpu_backend
    connection.close()
    results.put((latencies, ids, refused, cpu, cpu_backend))


def backend_pid() -> int:
    """The process id of this client's PostgreSQL backend (on this machine: its CPU time is read from /proc)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def process_cpu(pid: int) -> float:
    """A process's CPU time so far (user + system), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_times() -> tuple[int, int]:
    """The machine's busy and total CPU time so far (all cores, /proc/stat jiffies)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def busy_since(start: tuple[int, int]) -> float:
    """The share of the machine's CPU time (all cores) that was busy since `start` (`cpu_times()`)."""
    busy, total = cpu_times()
    return (busy - start[0]) / max(1, total - start[1])


def run_claims(plan: list[list[tuple[int, str, int, int]]]
               ) -> tuple[float, list[float], list[int], list[str], tuple[float, float]]:
    """(b): the wall time, the latencies, the claims decided, the refusals, and the CPU seconds the clients spent in
    Python and in their PostgreSQL backends."""
    wall, out = side_by_side(claims_client, plan)
    latencies = [x for part in out for x in part[0]]
    ids = [x for part in out for x in part[1]]
    refused = [x for part in out for x in part[2]]
    return wall, latencies, ids, refused, (sum(part[3] for part in out), sum(part[4] for part in out))


def tables() -> dict[str, str]:
    """Every table of the schema with a one-column primary key: name → that column."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.relname, a.attname FROM pg_index i
            JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
            WHERE i.indisprimary AND n.nspname = 'public' AND array_length(i.indkey::int2[], 1) = 1
              AND c.relname NOT LIKE 'bench_%'""")
        return dict(cursor.fetchall())


def snapshot() -> None:
    """Remember every row's key before (b), so that (a) can tell which rows (b) wrote."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table, pk in tables().items():
            cursor.execute(f'CREATE TABLE "bench_seen_{table}" AS SELECT "{pk}" AS pk FROM "{table}"')


def written_rows() -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """The rows (b) inserted, per table (columns, rows); and for each table an empty twin with the same columns,
    defaults, checks and indexes (`LIKE … INCLUDING ALL`), which (a) inserts into, so keys never collide."""
    from django.db import connection
    from psycopg.types.json import Jsonb

    out = {}
    with connection.cursor() as cursor:
        for table, pk in tables().items():
            cursor.execute(f'SELECT t.* FROM "{table}" t WHERE NOT EXISTS '
                           f'(SELECT 1 FROM "bench_seen_{table}" s WHERE s.pk = t."{pk}")')
            rows = cursor.fetchall()
            if not rows:
                continue
            columns = [col.name for col in cursor.description]
            cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                           "AND data_type IN ('json', 'jsonb')", [table])
            json_columns = {name for (name,) in cursor.fetchall()}
            wrap = [name in json_columns for name in columns]
            rows = [tuple(Jsonb(v) if w and v is not None else v for v, w in zip(row, wrap, strict=True))
                    for row in rows]
            cursor.execute(f'CREATE TABLE "bench_copy_{table}" (LIKE "{table}" INCLUDING ALL)')
            out[table] = (columns, rows)
    return out


def run_bare(claims: int, clients: int) -> tuple[float, int, int]:
    """Insert every row (b) inserted — the claims, their photos, media links, transitions, decisions, log entries,
    audit entries, refunds, the provider's records, queued tasks — with plain SQL `INSERT`s into the twin tables,
    in as many transactions as (b) decided claims (each transaction gets its share of every table's rows), from
    the same number of client processes. A run of (a) is short (about 2 s) and so noisier than (b): it runs
    `BARE_RUNS` times, the twin tables emptied between runs, and the median wall time counts. Returns it, the rows
    and the tables."""
    from django.db import connection

    written = written_rows()
    transactions: list[list[tuple[str, list[str], list[tuple[Any, ...]]]]] = [
        [(table, columns, rows[k::claims]) for table, (columns, rows) in written.items() if rows[k::claims]]
        for k in range(claims)
    ]
    chunks = [transactions[i::clients] for i in range(clients)]
    walls = []
    for run in range(BARE_RUNS):
        if run:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE " + ", ".join(f'"bench_copy_{table}"' for table in written))
            connection.close()
        walls.append(side_by_side(bare_client, chunks)[0])
    return statistics.median(walls), sum(len(rows) for _, rows in written.values()), len(written)


def bare_client(chunk: list[Any], barrier: Any, results: Any) -> None:
    from django.db import connection, transaction

    barrier.wait()
    with connection.cursor() as cursor:
        for parts in chunk:
            with transaction.atomic():
                for table, columns, rows in parts:
                    cols = ", ".join(f'"{c}"' for c in columns)
                    marks = ", ".join(["%s"] * len(columns))
                    for row in rows:
                        cursor.execute(f'INSERT INTO "bench_copy_{table}" ({cols}) VALUES ({marks})', row)
    connection.close()
    results.put(None)


def batches(ids: list[int]) -> tuple[int, int]:
    """How many batches decided the claims (a batch stamps its decisions with one time), and the largest."""
    from django.db.models import Count

    from xinren.aftersales.models import AfterSaleDecision

    sizes = list(AfterSaleDecision.objects.filter(request_id__in=ids).values("at").annotate(n=Count("id"))
                 .values_list("n", flat=True))
    return len(sizes), max(sizes, default=0)


def drain() -> tuple[float, int]:
    """Run every queued task as the worker runs them. Returns the wall time and the tasks run."""
    from xinren.core.worker import tasks_run_due

    start, ran = time.perf_counter(), 0
    while n := tasks_run_due():
        ran += n
    return time.perf_counter() - start, ran


def drain_until_paid(ids: list[int]) -> tuple[float, float, int]:
    """The provider's part, after (b): the queue run as the worker runs it, oldest first (the batches' payout tasks —
    the sandbox pays each refund out, each claim is settled PAID — among the notifications and score refreshes the
    claims queued). Returns when every claim was paid, when the queue was empty, and the tasks run."""
    from xinren.aftersales.choices import Status
    from xinren.aftersales.models import AfterSaleRequest
    from xinren.core.worker import tasks_run_due

    start, ran, calls, paid_at = time.perf_counter(), 0, 0, None
    claims = AfterSaleRequest.objects.filter(pk__in=ids)

    def look() -> bool:  # between two tasks: note when the last claim was paid (every 20 tasks); never stop
        nonlocal calls, paid_at
        calls += 1
        if paid_at is None and calls % 20 == 0 and not claims.exclude(status=Status.PAID).exists():
            paid_at = time.perf_counter() - start
        return False

    while n := tasks_run_due(stop=look):
        ran += n
    return paid_at or time.perf_counter() - start, time.perf_counter() - start, ran


def check(ids: list[int]) -> tuple[int, int, int]:
    """Claims not paid, claims with a refund that did not succeed, lines refunded beyond what was paid."""
    from django.db.models import Count, F, Sum

    from xinren.aftersales.choices import Status
    from xinren.aftersales.models import AfterSaleRequest
    from xinren.orders.choices import RefundStatus
    from xinren.orders.models import OrderLine, Refund

    claims = AfterSaleRequest.objects.filter(pk__in=ids)
    unpaid = claims.exclude(status=Status.PAID).count()
    bad_refunds = claims.exclude(refund__status=RefundStatus.SUCCEEDED).count()
    per_order = (Refund.objects.values("payment__order_id").annotate(n=Count("id"), total=Sum("amount_fen"))
                 .filter(n__gt=0))
    over = 0
    for row in per_order:
        paid = OrderLine.objects.filter(order_id=row["payment__order_id"]).aggregate(s=Sum(F("total_fen")))["s"]
        over += int(row["total"] > (paid or 0) or row["n"] > 1)
    return unpaid, bad_refunds, over


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--claims", type=int, default=30, help="claims per client")
    parser.add_argument("--keep-world", action="store_true",
                        help="keep the world as a template database and start from it next time (same size, same "
                             "migrations): for running the benchmark again after a change")
    args = parser.parse_args()
    needed = args.clients * args.claims
    cached = world_cached(needed) if args.keep_world else None
    use_database(template=cached)
    t0 = time.perf_counter()
    if cached:
        lines, upload_mean = plan_read(), 0.0
    else:
        lines, upload_mean = uploads(world(needed))
        drain()  # what building the world queued (notifications, page refreshes) runs before (b)
        if args.keep_world:
            plan_keep(lines)
            world_keep(needed)
    setup = time.perf_counter() - t0
    # each consumer's two lines go to different clients, so a consumer's claims can race each other too
    plan = [lines[i::args.clients] for i in range(args.clients)]
    snapshot()
    from xinren.warm import warm_up

    warm_up()  # as gunicorn's master does before it forks the workers (deploy/gunicorn.conf.py: preload_app)
    cpu = cpu_times()
    wall_b, latencies, ids, refused, (cpu_python, cpu_database) = run_claims(plan)
    busy_b = busy_since(cpu)
    ok = len(ids)
    cpu = cpu_times()
    wall_a, rows, tables_n = run_bare(ok, args.clients)  # the rows (b) wrote, before the provider's part
    busy_a = busy_since(cpu)
    n_batches, largest = batches(ids)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    print(f"clients {args.clients}, claims tried {args.clients * args.claims}, decided {ok}, "
          f"refused {len(refused)} ({', '.join(sorted(set(refused))) or '-'}); world built in {setup:.0f} s")
    print(f"(b) aftersale_open, automatic 坏单包赔: {ok / wall_b:8.1f} claims/s ({wall_b:.2f} s wall; CPU "
          f"{busy_b:.0%} busy)")
    print(f"    CPU per claim: {cpu_python / max(1, ok) * 1000:.1f} ms in the clients' Python (the batches' included), "
          f"{cpu_database / max(1, ok) * 1000:.1f} ms in their PostgreSQL backends")
    print(f"(a) bare inserts of the same rows : {ok / wall_a:8.1f} claims/s ({wall_a:.2f} s wall; CPU {busy_a:.0%} "
          f"busy; {rows / ok:.1f} rows per claim in {tables_n} tables)")
    print(f"ratio b/a: {wall_a / wall_b:.3f}   (goal >= 0.3)")
    print(f"latency request -> recorded payout: p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms   (goal p99 <= 1000 ms)")
    print(f"decided in {n_batches} batches (mean {ok / max(1, n_batches):.1f} claims, largest {largest})")
    print(f"photo upload before the claim (not in (b)): {upload_mean * 1000:.0f} ms mean", flush=True)
    wall_paid, wall_drain, tasks = drain_until_paid(ids)
    unpaid, bad_refunds, over = check(ids)
    print(f"provider's part after (b), one worker running the queue in order: every claim paid at the provider after "
          f"{wall_paid:.1f} s; all {tasks} tasks (payouts, notifications, score refreshes) in {wall_drain:.1f} s")
    print(f"not paid {unpaid}, refunds not succeeded {bad_refunds}, orders refunded twice or beyond paid {over}")
    assert unpaid == 0 and bad_refunds == 0 and over == 0, "a claim was not paid exactly once"


if __name__ == "__main__":
    main()
