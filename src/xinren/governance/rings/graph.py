"""Brushing-ring (刷单) detection over a purchase edge list: pure Python, no Django (ADR 0050).

Input: orders (`Order`: id, buyer, shop, product, time in epoch seconds, amount in fen, keyed phone, address,
device and payment-account hashes) and optionally reviews (`Review`). Output: `Ring`s, one per group of buyers at a
shop that several independent signals tie together, each signal a small function returning the buyers it
implicates and the pairs it links:

- `rare_copurchase`: buyers linked when they share ≥ 2 of the shop's rarely bought items (bought by at most
  `rare_max_buyers` buyers on the whole platform), then the k-core of that projection;
- `lockstep`: buyers who ordered at the shop within `lock_window` seconds of each other on ≥ `lock_min` occasions;
- `shared_hashes`: buyers whose orders carry the same phone, address, device or payment-account hash (keyed hashes
  only: accounts/keyed.py);
- `duplicate_reviews`: near-duplicate review texts, robust to small edits (character 2-shingles, Jaccard, the
  normalisation of reviews/minhash.py, ADR 0011);
- `new_account_burst`: accounts whose first order on the platform is at this shop, many within a day;
- `hourly_repeat`: hours in which the shop's orders ÷ distinct buyers ≥ 3;
- `dense_block`: FRAUDAR-style greedy peeling of the shop's buyer–product graph with column weights
  1 / log(degree + 5) (Hooi et al., KDD 2016), for large organised rings.

A buyer belongs to a ring when at least `min_signals` signals implicate it and it is connected to the ring's other
members by linking signals; a ring needs `min_ring` members and a score ≥ `min_score`. The score is
1 − Π(1 − weightₛ · coverageₛ) over the signals, coverage being the share of members that signal implicates.
`fraudar` is the plain global detector, kept for comparison (bench/governance/rings.py).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from xinren.reviews.minhash import shingles

VERSION = "rings-2"  # rings-2: shared device and payment-account hashes


class Order(NamedTuple):
    order_id: str
    buyer: str
    shop: str
    product: str
    time: float
    amount_fen: int
    phone_hash: str
    address_hash: str
    # Keyed hashes of the checkout device and of the payment provider's payer account ("" when not known).
    device_hash: str = ""
    payment_hash: str = ""


class Review(NamedTuple):
    order_id: str
    buyer: str
    product: str
    time: float
    stars: int
    text: str


@dataclass(frozen=True)
class Params:
    rare_max_buyers: int = 120
    rare_core_k: int = 3
    rare_min_density: float = 0.3
    lock_window: float = 300.0
    lock_min: int = 3
    lock_crowd: int = 80
    hash_group_min: int = 3
    text_similarity: float = 0.5
    text_min_chars: int = 20
    text_max_reviews: int = 600
    burst_window: float = 86400.0
    burst_min: int = 8
    hourly_ratio: float = 3.0
    hourly_min_orders: int = 6
    dense_min_density: float = 0.45
    min_signals: int = 2
    min_ring: int = 5
    min_score: float = 0.6


WEIGHTS: dict[str, float] = {
    "rare_copurchase": 0.6,
    "lockstep": 0.5,
    "shared_phone": 0.5,
    "shared_address": 0.4,
    "shared_device": 0.5,
    "shared_payment": 0.5,
    "duplicate_reviews": 0.5,
    "new_account_burst": 0.3,
    "hourly_repeat": 0.3,
    "dense_block": 0.5,
}


@dataclass
class Signal:
    """What one signal found at one shop: the buyers it implicates, the pairs it links, and a readable detail."""

    name: str
    buyers: set[str] = field(default_factory=set)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    detail: dict[str, object] = field(default_factory=dict)


@dataclass
class Ring:
    shop: str
    buyers: list[str]
    score: float
    evidence: list[dict[str, object]]

    def as_json(self) -> dict[str, object]:
        return {"shop": self.shop, "buyers": self.buyers, "score": self.score, "evidence": self.evidence}


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


# ---------------------------------------------------------------------------------------------------------------
# Graph helpers


def k_core(pairs: Iterable[tuple[str, str]], k: int) -> dict[str, set[str]]:
    """The k-core of an undirected graph given by its edges, as an adjacency map."""
    adjacency: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        adjacency[a].add(b)
        adjacency[b].add(a)
    stack = [node for node, near in adjacency.items() if len(near) < k]
    removed: set[str] = set()
    while stack:
        node = stack.pop()
        if node in removed:
            continue
        removed.add(node)
        for other in adjacency[node]:
            if other not in removed:
                adjacency[other].discard(node)
                if len(adjacency[other]) < k:
                    stack.append(other)
        adjacency[node] = set()
    return {node: near for node, near in adjacency.items() if node not in removed}


def components(nodes: Iterable[str], pairs: Iterable[tuple[str, str]]) -> list[set[str]]:
    """Connected components of `nodes` under `pairs` (edges to other nodes are ignored)."""
    parent = {node: node for node in nodes}

    def find(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in pairs:
        if a in parent and b in parent:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb
    groups: dict[str, set[str]] = defaultdict(set)
    for node in parent:
        groups[find(node)].add(node)
    return list(groups.values())


def peel(edges: dict[str, set[str]], weight: dict[str, float]) -> tuple[set[str], set[str], float]:
    """FRAUDAR's greedy peeling of a bipartite graph (rows → columns): remove the node whose removal costs least,
    one at a time, and keep the subgraph with the highest f(S)/|S|, f being the sum of the column weights of the
    edges inside. Returns (rows, columns, density) of the best subgraph seen."""
    columns: dict[str, set[str]] = defaultdict(set)
    for row, cols in edges.items():
        for col in cols:
            columns[col].add(row)
    row_live = {row: set(cols) for row, cols in edges.items() if cols}
    col_live = {col: set(rows) for col, rows in columns.items()}
    row_cost = {row: sum(weight[c] for c in cols) for row, cols in row_live.items()}
    col_cost = {col: weight[col] * len(rows) for col, rows in col_live.items()}
    total = sum(row_cost.values())
    size = len(row_live) + len(col_live)
    if not size:
        return set(), set(), 0.0
    heap: list[tuple[float, int, str]] = [(cost, 0, row) for row, cost in row_cost.items()]
    heap += [(cost, 1, col) for col, cost in col_cost.items()]
    heapq.heapify(heap)
    best, best_step = total / size, 0
    order: list[tuple[int, str]] = []
    while heap:
        cost, kind, node = heapq.heappop(heap)
        if kind == 0:
            if node not in row_live or row_cost[node] != cost:
                continue
            cols = row_live.pop(node)
            for col in cols:
                col_live[col].discard(node)
                col_cost[col] -= weight[col]
                heapq.heappush(heap, (col_cost[col], 1, col))
        else:
            if node not in col_live or col_cost[node] != cost:
                continue
            rows = col_live.pop(node)
            for row in rows:
                row_live[row].discard(node)
                row_cost[row] -= weight[node]
                heapq.heappush(heap, (row_cost[row], 0, row))
        total -= cost
        size -= 1
        order.append((kind, node))
        if size and total / size > best:
            best, best_step = total / size, len(order)
    removed = set(order[:best_step])
    rows = {row for row in edges if edges[row] and (0, row) not in removed}
    cols = {col for col in columns if (1, col) not in removed}
    return rows, cols, best


def column_weights(degree: dict[str, int]) -> dict[str, float]:
    return {col: 1.0 / math.log(d + 5) for col, d in degree.items()}


def fraudar(orders: Iterable[Order], *, blocks: int = 20, min_density: float = 0.0) -> list[tuple[set[str], float]]:
    """Plain FRAUDAR on the whole buyer–product graph: up to `blocks` dense blocks, each found by peeling and then
    taken out (its buyers' edges removed) before the next; stops early below `min_density`."""
    edges: dict[str, set[str]] = defaultdict(set)
    for order in orders:
        edges[order.buyer].add(order.product)
    degree: dict[str, int] = defaultdict(int)
    for cols in edges.values():
        for col in cols:
            degree[col] += 1
    weight = column_weights(degree)
    found = []
    for _ in range(blocks):
        rows, _cols, density = peel(edges, weight)
        if not rows or density < min_density:
            break
        found.append((rows, density))
        for row in rows:
            edges.pop(row, None)
    return found


# ---------------------------------------------------------------------------------------------------------------
# Signals, per shop


@dataclass
class Platform:
    """What the signals need from the whole platform, computed once."""

    product_buyers: dict[str, int]
    first_order: dict[str, tuple[float, str]]
    weight: dict[str, float]


def platform_index(orders: list[Order]) -> Platform:
    buyers_of: dict[str, set[str]] = defaultdict(set)
    first: dict[str, tuple[float, str]] = {}
    for buyer, shop, product, time in map(itemgetter(1, 2, 3, 4), orders):
        buyers_of[product].add(buyer)
        seen = first.get(buyer)
        if seen is None or time < seen[0]:
            first[buyer] = (time, shop)
    degree = {product: len(buyers) for product, buyers in buyers_of.items()}
    return Platform(degree, first, column_weights(degree))


def rare_copurchase(shop_orders: list[Order], platform: Platform, params: Params) -> Signal:
    signal = Signal("rare_copurchase")
    rare_of: dict[str, set[str]] = defaultdict(set)
    degree, limit = platform.product_buyers, params.rare_max_buyers
    for buyer, product in map(itemgetter(1, 3), shop_orders):
        if degree[product] <= limit:
            rare_of[buyer].add(product)
    candidates = {buyer for buyer, items in rare_of.items() if len(items) >= 2}
    holders: dict[str, list[str]] = defaultdict(list)
    for buyer in candidates:
        for product in rare_of[buyer]:
            holders[product].append(buyer)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for buyers in holders.values():
        buyers.sort()
        for i, a in enumerate(buyers):
            for b in buyers[i + 1 :]:
                shared[(a, b)] += 1
    core = k_core((pair for pair, n in shared.items() if n >= 2), params.rare_core_k)
    pairs = {_pair(a, b) for a, near in core.items() for b in near}
    for group in components(core, pairs):
        # A ring buys the same few items: its projection is nearly a clique; loyal customers' is loose.
        inside = sum(len(core[b]) for b in group) / 2
        if inside >= params.rare_min_density * len(group) * (len(group) - 1) / 2:
            signal.buyers |= group
    signal.pairs = {pair for pair in pairs if pair[0] in signal.buyers}
    core = {b: core[b] for b in signal.buyers}
    if core:
        items = set().union(*(rare_of[b] for b in core))
        signal.detail = {"k": params.rare_core_k, "rare_items": len(items), "links": len(signal.pairs)}
    return signal


def lockstep(shop_orders: list[Order], params: Params) -> Signal:
    signal = Signal("lockstep")
    timeline = sorted(map(itemgetter(4, 1), shop_orders))
    times = [t for t, _ in timeline]
    buyers = [b for _, b in timeline]
    count: dict[tuple[str, str], int] = defaultdict(int)
    last: dict[tuple[str, str], float] = {}
    window, crowd = params.lock_window, params.lock_crowd
    n = len(times)
    lo = j = 0
    for i in range(n):
        t = times[i]
        if j <= i:
            j = i + 1
        while j < n and times[j] - t <= window:
            j += 1
        if j == i + 1:
            continue
        while times[lo] < t - window:
            lo += 1
        if j - lo > crowd:
            continue  # a sale or a crowd: ordering together says nothing
        a = buyers[i]
        for b in buyers[i + 1 : j]:
            if b == a:
                continue
            pair = (a, b) if a < b else (b, a)
            previous = last.get(pair)
            if previous is None or t - previous > window:
                count[pair] += 1
                last[pair] = t
    core = k_core((pair for pair, c in count.items() if c >= params.lock_min), 2)
    signal.buyers = set(core)
    signal.pairs = {_pair(a, b) for a, near in core.items() for b in near}
    if core:
        signal.detail = {"window_s": int(window), "min_occasions": params.lock_min, "links": len(signal.pairs)}
    return signal


def shared_hashes(shop_orders: list[Order], params: Params) -> list[Signal]:
    """Buyers of the shop sharing a phone, address, device or payer-account hash (groups of ≥ hash_group_min)."""
    out = []
    for name, index in (("shared_phone", 6), ("shared_address", 7), ("shared_device", 8), ("shared_payment", 9)):
        # Distinct (hash, buyer) pairs and their counts per hash, built in C: this runs once per purchase edge.
        pairs: set[tuple[str, str]] = set(map(itemgetter(index, 1), shop_orders))
        counts = Counter(map(itemgetter(0), pairs))
        counts.pop("", None)
        groups: dict[str, set[str]] = defaultdict(set)
        if counts and max(counts.values()) >= params.hash_group_min:
            for value, buyer in pairs:
                if value and counts[value] >= params.hash_group_min:
                    groups[value].add(buyer)
        signal = Signal(name)
        shared = [sorted(buyers) for buyers in groups.values() if len(buyers) >= params.hash_group_min]
        for buyers in shared:
            signal.buyers.update(buyers)
            signal.pairs.update((buyers[0], b) for b in buyers[1:])
        if shared:
            signal.detail = {"groups": len(shared), "largest": max(len(b) for b in shared)}
        out.append(signal)
    return out


def duplicate_reviews(reviews: list[Review], suspects: set[str], params: Params) -> Signal:
    """Near-duplicate texts among the suspects' reviews at the shop: Jaccard of character 2-shingles of the
    normalised text (reviews/minhash.py), so that a couple of changed characters do not hide a copy."""
    signal = Signal("duplicate_reviews")
    items = [(r.buyer, shingles(r.text, 2)) for r in reviews if r.buyer in suspects]
    items = [(b, s) for b, s in items if len(s) >= params.text_min_chars - 1][: params.text_max_reviews]
    for i, (a, left) in enumerate(items):
        for b, right in items[i + 1 :]:
            if a == b:
                continue
            inter = len(left & right)
            if inter and inter / (len(left) + len(right) - inter) >= params.text_similarity:
                signal.buyers.update((a, b))
                signal.pairs.add(_pair(a, b))
    if signal.pairs:
        signal.detail = {"pairs": len(signal.pairs), "min_jaccard": params.text_similarity}
    return signal


def new_account_burst(shop: str, shop_buyers: set[str], platform: Platform, params: Params) -> Signal:
    """Accounts whose first order on the platform is at this shop, ≥ `burst_min` of them within `burst_window`."""
    signal = Signal("new_account_burst")
    firsts = sorted((platform.first_order[b][0], b) for b in shop_buyers if platform.first_order[b][1] == shop)
    left = marked = 0
    for right, (t, _) in enumerate(firsts):
        while t - firsts[left][0] > params.burst_window:
            left += 1
        if right - left + 1 >= params.burst_min:
            signal.buyers.update(b for _, b in firsts[max(left, marked) : right + 1])
            marked = right + 1
    if signal.buyers:
        signal.detail = {"new_accounts": len(signal.buyers), "window_h": int(params.burst_window // 3600)}
    return signal


def hourly_repeat(shop_orders: list[Order], params: Params) -> Signal:
    signal = Signal("hourly_repeat")
    cells: dict[tuple[int, str], int] = defaultdict(int)
    for time, buyer in map(itemgetter(4, 1), shop_orders):
        cells[(int(time // 3600), buyer)] += 1
    hours: dict[int, dict[str, int]] = defaultdict(dict)
    for (hour, buyer), n in cells.items():
        hours[hour][buyer] = n
    flagged = 0
    for per_buyer in hours.values():
        orders = sum(per_buyer.values())
        if orders >= params.hourly_min_orders and orders / len(per_buyer) >= params.hourly_ratio:
            flagged += 1
            signal.buyers.update(b for b, n in per_buyer.items() if n >= params.hourly_ratio)
    if flagged:
        signal.detail = {"hours": flagged, "ratio": params.hourly_ratio}
    return signal


def dense_block(shop_orders: list[Order], platform: Platform, params: Params) -> Signal:
    signal = Signal("dense_block")
    edges: dict[str, set[str]] = defaultdict(set)
    for order in shop_orders:
        edges[order.buyer].add(order.product)
    # A buyer of one product is peeled first anyway; leaving them out keeps the peel small at large shops.
    edges = {buyer: products for buyer, products in edges.items() if len(products) >= 2}
    rows, cols, density = peel(edges, platform.weight)
    if density >= params.dense_min_density and len(rows) >= params.min_ring:
        signal.buyers = rows
        signal.detail = {"density": round(density, 3), "products": len(cols)}
    return signal


# ---------------------------------------------------------------------------------------------------------------
# Combining


def shop_rings(
    shop: str, shop_orders: list[Order], reviews: list[Review], platform: Platform, params: Params
) -> list[Ring]:
    signals = [
        rare_copurchase(shop_orders, platform, params),
        lockstep(shop_orders, params),
        *shared_hashes(shop_orders, params),
        new_account_burst(shop, {o.buyer for o in shop_orders}, platform, params),
        hourly_repeat(shop_orders, params),
    ]
    hits: dict[str, int] = defaultdict(int)
    for signal in signals:
        for buyer in signal.buyers:
            hits[buyer] += 1
    if reviews:
        suspects = {b for b, n in hits.items() if n >= 1}
        text = duplicate_reviews(reviews, suspects, params)
        signals.append(text)
        for buyer in text.buyers:
            hits[buyer] += 1
    members = {b for b, n in hits.items() if n >= params.min_signals}
    if len(members) < params.min_ring:
        return []
    # Loyal customers of a small shop form dense blocks too: the block adds to the score, it does not make members.
    signals.append(dense_block(shop_orders, platform, params))
    links: set[tuple[str, str]] = set()
    for signal in signals:
        links |= signal.pairs
    rings = []
    for group in components(members, links):
        if len(group) < params.min_ring:
            continue
        evidence: list[dict[str, object]] = []
        miss = 1.0
        for signal in signals:
            covered = len(signal.buyers & group)
            if not covered:
                continue
            coverage = covered / len(group)
            miss *= 1 - WEIGHTS[signal.name] * coverage
            evidence.append({"signal": signal.name, "buyers": covered, "coverage": round(coverage, 3)} | signal.detail)
        score = round(1 - miss, 3)
        if score >= params.min_score:
            rings.append(Ring(shop, sorted(group), score, evidence))
    return rings


def detect(orders: list[Order], reviews: list[Review] | None = None, params: Params | None = None) -> list[Ring]:
    """The rings in a purchase edge list, highest score first."""
    params = params or Params()
    platform = platform_index(orders)
    by_shop: dict[str, list[Order]] = defaultdict(list)
    shop_of_order: dict[str, str] = {}
    for order in orders:
        by_shop[order.shop].append(order)
        shop_of_order[order.order_id] = order.shop
    reviews_by_shop: dict[str, list[Review]] = defaultdict(list)
    for review in reviews or []:
        shop = shop_of_order.get(review.order_id)
        if shop is not None:
            reviews_by_shop[shop].append(review)
    rings = []
    for shop, shop_orders in by_shop.items():
        rings.extend(shop_rings(shop, shop_orders, reviews_by_shop.get(shop, []), platform, params))
    rings.sort(key=lambda ring: (-ring.score, ring.shop))
    return rings


__all__ = ["VERSION", "Order", "Params", "Review", "Ring", "detect", "fraudar"]
