"""The brushing-ring detector (governance/rings/graph.py) and `xinren rings detect` (ADR 0050)."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from xinren.cli import main
from xinren.governance.rings.graph import (
    Order,
    Params,
    Review,
    detect,
    duplicate_reviews,
    fraudar,
    hourly_repeat,
    k_core,
    lockstep,
    new_account_burst,
    peel,
    platform_index,
)

START = 1_788_220_800.0
TEMPLATE = "宝贝收到了非常满意，质量超级好，物流也快，五星好评推荐大家购买"


def _market(*, ring: bool, seed: int = 1) -> tuple[list[Order], list[Review], set[str]]:
    """60 ordinary buyers at five shops with random single purchases, plus (if `ring`) eight accounts brushing
    shop s0's four niche items in four rounds of a few minutes, half of them on one phone."""
    rng = random.Random(seed)
    orders: list[Order] = []
    reviews: list[Review] = []
    n = 0
    for b in range(60):
        for _ in range(3):
            shop = f"s{rng.randrange(5)}"
            n += 1
            t = START + rng.uniform(0, 60 * 86400)
            orders.append(Order(f"o{n}", f"u{b}", shop, f"{shop}p{rng.randrange(30)}", t, 1000, f"ph{b}", f"ad{b}"))
    members = {f"r{i}" for i in range(8)}
    if ring:
        for round_ in range(4):
            start = START + (round_ + 1) * 7 * 86400
            for i in range(8):
                for item in rng.sample(range(4), 3):
                    n += 1
                    t = start + rng.uniform(0, 180)
                    phone = "shared" if i < 4 else f"phr{i}"
                    orders.append(Order(f"o{n}", f"r{i}", "s0", f"s0niche{item}", t, 990, phone, f"adr{i}"))
                    text = TEMPLATE.replace("非常", rng.choice(["非常", "很", "超"])) + "！" * rng.randrange(3)
                    reviews.append(Review(f"o{n}", f"r{i}", f"s0niche{item}", t + 86400, 5, text))
    return orders, reviews, members


def test_a_planted_ring_is_found_with_its_evidence() -> None:
    orders, reviews, members = _market(ring=True)
    rings = detect(orders, reviews)
    assert len(rings) == 1
    ring = rings[0]
    assert ring.shop == "s0"
    assert set(ring.buyers) == members
    assert 0.6 <= ring.score <= 1.0
    signals = {item["signal"]: item for item in ring.evidence}
    assert {"rare_copurchase", "lockstep", "shared_phone", "duplicate_reviews"} <= set(signals)
    assert signals["shared_phone"]["buyers"] == 4
    assert signals["rare_copurchase"]["coverage"] == 1.0


def test_ordinary_shopping_flags_nothing() -> None:
    orders, reviews, _ = _market(ring=False)
    assert detect(orders, reviews) == []


def test_one_signal_alone_is_not_a_ring() -> None:
    """Eight buyers sharing one address (a dormitory) but shopping independently are not a ring."""
    orders = [Order(f"o{i}", f"d{i}", "s0", f"s0p{i}", START + i * 86400, 1000, f"ph{i}", "dorm") for i in range(8)]
    assert detect(orders) == []


def test_k_core_peels_the_loose_ends() -> None:
    clique = [(a, b) for a in "abcd" for b in "abcd" if a < b]
    core = k_core([*clique, ("d", "e"), ("e", "f")], 3)
    assert set(core) == set("abcd")
    assert core["d"] == {"a", "b", "c"}


def test_peeling_finds_the_dense_block() -> None:
    edges = {f"r{i}": {"x", "y", "z"} for i in range(10)}
    edges |= {f"n{i}": {f"p{i}"} for i in range(30)}
    rows, cols, density = peel(edges, {c: 1.0 for cols in edges.values() for c in cols})
    assert rows == {f"r{i}" for i in range(10)}
    assert cols == {"x", "y", "z"}
    assert density == pytest.approx(30 / 13)


def test_plain_fraudar_takes_blocks_out_one_after_another() -> None:
    orders = [Order(f"a{i}{p}", f"a{i}", "s", p, 0.0, 1, "", "") for i in range(6) for p in "xyz"]
    orders += [Order(f"b{i}{p}", f"b{i}", "t", p, 0.0, 1, "", "") for i in range(5) for p in "uv"]
    blocks = fraudar(orders, blocks=5)
    assert [rows for rows, _ in blocks[:2]] == [{f"a{i}" for i in range(6)}, {f"b{i}" for i in range(5)}]


def test_near_duplicate_reviews_survive_small_edits_and_short_praise_is_ignored() -> None:
    edited = TEMPLATE.replace("质量", "质两").replace("物流", "物流！！")
    reviews = [
        Review("1", "a", "p", 0.0, 5, TEMPLATE),
        Review("2", "b", "p", 0.0, 5, edited),
        Review("3", "c", "p", 0.0, 5, "很好吃，物流快"),
        Review("4", "d", "p", 0.0, 5, "很好吃，物流快"),
        Review("5", "e", "p", 0.0, 5, "冬笋个头均匀，炖汤很鲜，就是这次的快递比上次慢了两天"),
    ]
    signal = duplicate_reviews(reviews, {"a", "b", "c", "d", "e"}, Params())
    assert signal.pairs == {("a", "b")}
    assert duplicate_reviews(reviews, {"a"}, Params()).pairs == set()


def test_lockstep_needs_repeated_occasions_and_ignores_crowds() -> None:
    params = Params(lock_min=3, lock_crowd=10)
    together = [
        Order(f"{b}{k}", b, "s", "p", START + k * 86400 + i * 30, 1, "", "")
        for k in range(3)
        for i, b in enumerate("abc")
    ]
    assert lockstep(together, params).buyers == {"a", "b", "c"}
    twice = [o for o in together if o.time < START + 2 * 86400]
    assert lockstep(twice, params).buyers == set()
    crowd = together + [
        Order(f"x{i}{k}", f"x{i}", "s", "p", START + k * 86400 + 5, 1, "", "") for k in range(3) for i in range(12)
    ]
    assert lockstep(crowd, params).buyers == set()


def test_hourly_orders_per_buyer_and_new_account_bursts() -> None:
    hour = [Order(f"o{i}", f"b{i % 2}", "s", "p", START + i * 60, 1, "", "") for i in range(6)]
    assert hourly_repeat(hour, Params()).buyers == {"b0", "b1"}
    assert hourly_repeat(hour[:4], Params()).buyers == set()
    burst = [Order(f"n{i}", f"n{i}", "s", "p", START + i * 600, 1, "", "") for i in range(8)]
    older = [Order("old", "n0", "t", "p", START - 86400, 1, "", "")]
    platform = platform_index(burst + older)
    signal = new_account_burst("s", {o.buyer for o in burst}, platform, Params(burst_min=7))
    assert signal.buyers == {f"n{i}" for i in range(1, 8)}
    assert new_account_burst("s", {o.buyer for o in burst}, platform, Params()).buyers == set()


def _write(path, header: str, rows: list[list[object]]) -> str:  # type: ignore[no-untyped-def]
    import csv

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header.split(","))
        writer.writerows(rows)
    return str(path)


def test_the_command_reads_csv_and_prints_the_rings(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    orders, reviews, members = _market(ring=True)
    order_rows = [
        [o.order_id, o.buyer, o.shop, o.product, o.time, o.amount_fen, o.phone_hash, o.address_hash] for o in orders
    ]
    # ISO times are read as well as epoch seconds.
    review_rows = [[r.order_id, r.buyer, r.product, "2026-09-10T08:00:00", r.stars, r.text] for r in reviews]
    orders_csv = _write(
        tmp_path / "orders.csv", "order_id,buyer,shop,product,time,amount_fen,phone_hash,address_hash", order_rows
    )
    reviews_csv = _write(tmp_path / "reviews.csv", "order_id,buyer,product,time,stars,text", review_rows)
    assert main(["rings", "detect", "--orders", orders_csv, "--reviews", reviews_csv]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(ring["shop"], set(ring["buyers"])) for ring in out["rings"]] == [("s0", members)]
    assert {"signal", "buyers", "coverage"} <= set(out["rings"][0]["evidence"][0])
    assert main(["rings", "detect", "--orders", orders_csv]) == 0
    assert json.loads(capsys.readouterr().out)["rings"][0]["shop"] == "s0"


def test_the_command_refuses_bad_input_with_the_line(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    missing = _write(tmp_path / "a.csv", "order_id,buyer,shop", [["1", "b", "s"]])
    assert main(["rings", "detect", "--orders", missing]) == 2
    assert "missing columns: product, time" in capsys.readouterr().err
    bad = _write(
        tmp_path / "b.csv",
        "order_id,buyer,shop,product,time,amount_fen,phone_hash,address_hash",
        [["1", "b", "s", "p", "yesterday", "10", "", ""]],
    )
    assert main(["rings", "detect", "--orders", bad]) == 2
    assert "line 2" in capsys.readouterr().err
    assert main(["rings", "detect", "--orders", str(tmp_path / "none.csv")]) == 2


def test_the_detector_runs_without_django() -> None:
    code = "import sys, xinren.governance.rings.graph, xinren.governance.rings.cli; print('django' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def _one_device_one_payer() -> list[Order]:
    """Six accounts buying different items on different days, from one device and paying from one account."""
    return [
        Order(f"o{i}", f"d{i}", "s0", f"s0p{i}", START + i * 86400, 1000, f"ph{i}", f"ad{i}", "dev1", "payer1")
        for i in range(6)
    ]


def test_a_shared_device_and_payer_account_tie_accounts_into_a_ring() -> None:
    (ring,) = detect(_one_device_one_payer())
    assert set(ring.buyers) == {f"d{i}" for i in range(6)}
    assert {item["signal"] for item in ring.evidence} == {"shared_device", "shared_payment"}
    # without those hashes the same orders are ordinary shopping
    assert detect([o._replace(device_hash="", payment_hash="") for o in _one_device_one_payer()]) == []


def test_the_command_accepts_optional_device_and_payment_hash_columns(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    rows = [list(o) for o in _one_device_one_payer()]
    header = "order_id,buyer,shop,product,time,amount_fen,phone_hash,address_hash,device_hash,payment_hash"
    assert main(["rings", "detect", "--orders", _write(tmp_path / "o.csv", header, rows)]) == 0
    assert [ring["shop"] for ring in json.loads(capsys.readouterr().out)["rings"]] == ["s0"]
