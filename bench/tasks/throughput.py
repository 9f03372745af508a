"""The task path: enqueue + execute throughput of background tasks, per backend, in one run (ADR 0013).

One run, one fresh database (SQLite file var/bench/tasks.sqlite3, or PostgreSQL xinren_bench_tasks), and a Redis
database of its own (1–15, claimed with a key as the tests do). Two tasks:

  noop         `tests.tasks.jobs.noop_task`: returns its argument (the cost of the path itself);
  review_sync  `xinren.community.tasks.review_sync_task`: rescores a review and settles its points, cycling over
               --reviews reviews posted through the services.

Modes, alternated round by round so that all see the same load on a shared machine:

  call   the plain function calls, in this process (the baseline: tasks/s of doing the work inline);
  db×1   the database backend, `task_enqueue` here and one `manage.py tasks_worker --no-schedule` process;
  db×2   the same with two worker processes;
  rq×2   RQ on Redis (XINREN_TASKS_BACKEND=rq), `task_enqueue` here and two `manage.py rqworker --with-scheduler`
         processes (RQ's default worker, as deploy/systemd runs it: a forked work horse per job);
  rqs×2  the same with `--worker-class rq.worker.SimpleWorker` (no fork: what the fork costs).

For each mode and task: --tasks tasks are enqueued one by one (each in its own transaction, as a request would),
with the workers already running and idle; the clock runs from the first enqueue until the last task has finished.
Reported: the median over --rounds of tasks/s end to end, of enqueue alone, the ratio of end to end to the plain
calls of the same round, and the overhead per task (1/rate − 1/calls, in ms). Workers are started before and
stopped after each timed part (not timed).

Usage: python bench/tasks/throughput.py --db sqlite|postgres [--tasks 300] [--rounds 3] [--reviews 50]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # tests.tasks.jobs: the no-op task the workers import too
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = "redis://127.0.0.1:6379"
OWNER_KEY = "xinren:bench:owner"
POLL = 0.005


def use_database(kind: str) -> str:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        path = BENCH_DIR / "tasks.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS xinren_bench_tasks")
            conn.execute("CREATE DATABASE xinren_bench_tasks")
        url = f"{PG_URL}/xinren_bench_tasks"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def claim_redis() -> tuple[str, Callable[[], None]]:
    import redis

    token = uuid.uuid4().hex
    for number in range(15, 0, -1):
        client = redis.Redis.from_url(f"{REDIS}/{number}")
        if client.set(OWNER_KEY, token, nx=True, ex=3600):
            if client.dbsize() == 1:
                break
            client.delete(OWNER_KEY)
    else:
        raise SystemExit("no free Redis database (1–15)")

    def release() -> None:
        for key in client.scan_iter("rq:*"):
            client.delete(key)
        if client.get(OWNER_KEY) == token.encode():
            client.delete(OWNER_KEY)

    return f"{REDIS}/{number}", release


def reviews_make(count: int) -> list[int]:
    """`count` reviews posted through the services (the platform signs them), each on its own delivered line."""
    from django.conf import settings

    from tests.factories import OrganizationFactory, ProductFactory, UserFactory
    from xinren.core import clock
    from xinren.orders.choices import OrderStatus
    from xinren.orders.models import Offer, Order, OrderLine
    from xinren.reviews.services import review_post

    settings.XINREN_REVIEW_CHECKS = False  # identical texts are not what is measured here
    OrganizationFactory(name="信任平台", slug="xinren", kind="platform")
    merchant = OrganizationFactory(name="昆明山野菌菇店", slug="shanye", kind="merchant")
    product = ProductFactory(merchant=merchant, name="楚雄野生牛肝菌 500g")
    offer = Offer.objects.create(merchant=merchant, product=product, price_fen=12800, stock=10_000)
    text = ("这次买的楚雄野生牛肝菌一共500克，收到时菌盖完整没有碎，闻着有很浓的山野香气。放冰箱冷藏3天以后依然很新鲜，"
            "和以前在超市买的干货相比香味重很多。周末炒肉片给家里老人孩子吃，大家都说好吃下饭。")
    ids = []
    for n in range(count):
        consumer = UserFactory(username=f"1390000{n:04d}", phone=f"1390000{n:04d}")
        now = clock.now()
        order = Order.objects.create(
            number=f"B{n:012d}", consumer=consumer, merchant=merchant, status=OrderStatus.DELIVERED,
            total_fen=12800, recipient_name="王小明", recipient_phone="13900001111",
            shipping_address="上海市浦东新区张杨路 500 号", placed_at=now, delivered_at=now,
        )
        line = OrderLine.objects.create(order=order, product=product, offer=offer, product_name=product.name,
                                        gtin=product.gtin, unit_price_fen=12800, quantity=1, total_fen=12800)
        ids.append(review_post(consumer=consumer, line_id=line.pk, stars=5, text=text).pk)
    return ids


@contextmanager
def workers(
    name: str, commands: list[list[str]], env: dict[str, str], ready: Callable[[list[Path]], bool]
) -> Iterator[None]:
    """Worker processes running `commands`, once `ready(their log files)` holds and a second more has passed."""
    logs = [BENCH_DIR / f"worker-{name}-{n}.log" for n in range(len(commands))]
    processes = []
    for command, log in zip(commands, logs, strict=True):
        with log.open("w") as out:
            processes.append(subprocess.Popen([sys.executable, "manage.py", *command], cwd=ROOT, env=env,
                                              stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
    try:
        deadline = time.monotonic() + 60
        while not ready(logs):
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise SystemExit(f"workers did not start: see {logs}")
            time.sleep(0.05)
        time.sleep(1.0)  # past their first poll (and the RQ scheduler's lock)
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:  # and its work horse or scheduler: they share its process group
                print(f"  a worker did not stop within 60 s of SIGTERM: killed (see {logs})", flush=True)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def workers_started(logs: list[Path]) -> bool:
    """Every tasks_worker has printed its first line (Django is set up, the loop is next)."""
    return all(" worker bench-" in log.read_text() for log in logs)


def timed_enqueue_and_run(enqueue: Callable[[int], None], count: int, done: Callable[[], int]) -> tuple[float, float]:
    """Seconds to enqueue `count` tasks, and seconds until all of them have finished."""
    started = time.perf_counter()
    for n in range(count):
        enqueue(n)
    enqueued = time.perf_counter()
    while done() < count:
        time.sleep(POLL)
    return enqueued - started, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reviews", type=int, default=50)
    args = parser.parse_args()

    database_url = use_database(args.db)
    redis_url, redis_release = claim_redis()
    try:
        run(args, database_url=database_url, redis_url=redis_url)
    finally:
        redis_release()


def run(args: argparse.Namespace, *, database_url: str, redis_url: str) -> None:
    import django_rq
    from django.test import override_settings
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult
    from rq import Queue, Worker
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    from tests.tasks.jobs import noop_task
    from xinren.community.services import review_sync
    from xinren.community.tasks import review_sync_task
    from xinren.core.tasks import task_enqueue

    review_ids = reviews_make(args.reviews)
    DBTaskResult.objects.all().delete()  # the rescores the posts queued
    env = {**os.environ, "DATABASE_URL": database_url, "XINREN_REDIS_URL": redis_url}
    rq_settings = {
        "TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
        "RQ_QUEUES": {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 300}},
    }
    kinds = {
        "noop": (lambda n: noop_task.call(n=n), lambda n: task_enqueue(noop_task, n=n)),
        "review_sync": (
            lambda n: review_sync(review_id=review_ids[n % len(review_ids)]),
            lambda n: task_enqueue(review_sync_task, review_id=review_ids[n % len(review_ids)]),
        ),
    }
    rates: dict[tuple[str, str], list[float]] = {}
    enqueue_rates: dict[tuple[str, str], list[float]] = {}
    ratios: dict[tuple[str, str], list[float]] = {}

    def record(mode: str, kind: str, seconds_enqueue: float, seconds_total: float, baseline: float) -> None:
        rate = args.tasks / seconds_total
        rates.setdefault((mode, kind), []).append(rate)
        enqueue_rates.setdefault((mode, kind), []).append(args.tasks / seconds_enqueue)
        ratios.setdefault((mode, kind), []).append(rate / baseline)
        print(f"  {mode:5} {kind:12} {rate:9.1f} tasks/s end to end, {args.tasks / seconds_enqueue:9.1f}/s enqueue,"
              f" ratio to calls {rate / baseline:.2e}", flush=True)

    def db_done() -> int:
        return DBTaskResult.objects.filter(status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]).count()

    for round_ in range(1, args.rounds + 1):
        print(f"round {round_}", flush=True)
        baseline: dict[str, float] = {}
        for kind, (call, _enqueue) in kinds.items():
            started = time.perf_counter()
            for n in range(args.tasks):
                call(n)
            baseline[kind] = args.tasks / (time.perf_counter() - started)
            rates.setdefault(("call", kind), []).append(baseline[kind])
            print(f"  call  {kind:12} {baseline[kind]:9.1f} calls/s", flush=True)

        for count in (1, 2):
            commands = [["tasks_worker", "--no-schedule", "--interval", "0.05", "--worker-id", f"bench-{n}"]
                        for n in range(count)]
            with workers(f"db{count}", commands, {**env, "XINREN_TASKS_BACKEND": "database"}, workers_started):
                for kind, (_call, enqueue) in kinds.items():
                    DBTaskResult.objects.all().delete()
                    seconds = timed_enqueue_and_run(enqueue, args.tasks, db_done)
                    record(f"db×{count}", kind, *seconds, baseline[kind])

        with override_settings(**rq_settings):
            queue = django_rq.get_queue("default")
            for mode, extra in (("rq×2", []), ("rqs×2", ["--worker-class", "rq.worker.SimpleWorker"])):
                commands = [["rqworker", "--job-class", "django_tasks_rq.Job", "--with-scheduler", *extra, "--name",
                             f"bench-{uuid.uuid4().hex[:6]}-{n}", "default"] for n in range(2)]

                def rq_done(queue: Queue = queue) -> int:
                    return len(FinishedJobRegistry(queue=queue)) + len(FailedJobRegistry(queue=queue))

                def rq_started(logs: list[Path], queue: Queue = queue) -> bool:
                    return len(Worker.all(connection=queue.connection)) == 2

                with workers(mode.replace("×", "x"), commands, {**env, "XINREN_TASKS_BACKEND": "rq"}, rq_started):
                    for kind, (_call, enqueue) in kinds.items():
                        for registry in (FinishedJobRegistry(queue=queue), FailedJobRegistry(queue=queue)):
                            for job_id in registry.get_job_ids():
                                registry.remove(job_id, delete_job=True)
                        seconds = timed_enqueue_and_run(enqueue, args.tasks, rq_done)
                        record(mode, kind, *seconds, baseline[kind])
                failed = len(FailedJobRegistry(queue=queue))
                if failed:
                    print(f"  {mode}: {failed} task(s) failed", flush=True)
                while len(Worker.all(connection=queue.connection)):  # the next mode waits for these to leave
                    time.sleep(0.05)
    db_failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count()

    print(f"\nmedians over {args.rounds} rounds, {args.tasks} tasks each ({args.db}); "
          f"failed on the database: {db_failed}")
    print(f"{'mode':6} {'task':12} {'tasks/s':>9} {'enqueue/s':>10} {'÷ calls':>9} {'ms/task over call':>18}")
    for (mode, kind), values in rates.items():
        line = f"{mode:6} {kind:12} {statistics.median(values):9.1f}"
        if mode != "call":
            overhead = 1000 * (1 / statistics.median(values) - 1 / statistics.median(rates[("call", kind)]))
            line += f" {statistics.median(enqueue_rates[(mode, kind)]):10.1f}"
            line += f" {statistics.median(ratios[(mode, kind)]):9.2e} {overhead:18.2f}"
        print(line)


if __name__ == "__main__":
    main()
