"""Risk model precision and recall on a simulated marketplace: the rules (rule set v1) against a single-signal
baseline (claim rate alone over a threshold), on the same merchants. Not a timed test; deterministic seed.

    PYTHONPATH=src python bench/governance/risk.py [--merchants 2000] [--bad-share 0.05] [--seed 15]

Bad merchants (5 %) carry several weak signals each (claims, brushing flags, late shipping, price jumps,
escalations, slow replies), none loud on its own; good merchants carry noise, and some good merchants one loud
signal (a bad courier month: many claims; a seasonal price change; one near-duplicate flag). The rule functions
are called directly on `MerchantFigures`, as the platform calls them on the figures it gathers.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass

from xinren.governance.risk import model
from xinren.governance.risk.rules import VERSION_1_THRESHOLDS, VERSION_1_WEIGHTS, MerchantFigures

BASELINE_CLAIM_RATE = 0.05


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(1 for _ in range(n) if rng.random() < p)


def simulate(rng: random.Random, *, bad: bool, loud: bool) -> MerchantFigures:
    orders = rng.randint(20, 400)
    inquiries = rng.randint(5, 60)
    repriced = rng.randint(0, 8)
    new_listings = rng.randint(0, 10)
    if bad:
        # several weak signals: each alone stays under most thresholds
        claim_p, escalate_p, late_p = rng.uniform(0.03, 0.07), rng.uniform(0.01, 0.03), rng.uniform(0.10, 0.25)
        brushing, review_flags = rng.choice([0, 1, 1, 2]), rng.choice([0, 1, 2])
        reply_miss, jump_p, new_cat_p = rng.uniform(0.15, 0.4), rng.uniform(0.2, 0.6), rng.uniform(0.2, 0.7)
        lost_p = rng.uniform(0.0, 0.015)
    else:
        claim_p, escalate_p, late_p = rng.uniform(0.0, 0.03), rng.uniform(0.0, 0.008), rng.uniform(0.0, 0.08)
        brushing, review_flags = 0, rng.choice([0] * 9 + [1])
        reply_miss, jump_p, new_cat_p = rng.uniform(0.0, 0.15), rng.uniform(0.0, 0.1), rng.uniform(0.0, 0.3)
        lost_p = rng.uniform(0.0, 0.002)
        if loud:
            signal = rng.choice(["claims", "price", "late"])
            if signal == "claims":
                claim_p = rng.uniform(0.08, 0.15)  # a bad courier month
            elif signal == "price":
                jump_p = 1.0  # a seasonal repricing
                repriced = max(repriced, 3)
            else:
                late_p = rng.uniform(0.3, 0.5)  # a holiday backlog
    return MerchantFigures(
        orders=orders,
        claims=_binomial(rng, orders, claim_p),
        escalations=_binomial(rng, orders, escalate_p),
        disputes_lost=_binomial(rng, orders, lost_p),
        brushing_flags=brushing,
        review_flags=review_flags,
        inquiries_decided=inquiries,
        answered_within_24h=inquiries - _binomial(rng, inquiries, reply_miss),
        shipments_due=orders,
        shipped_late=_binomial(rng, orders, late_p),
        new_listings=new_listings,
        new_listings_new_category=_binomial(rng, new_listings, new_cat_p),
        offers_repriced=repriced,
        offers_price_jumped=_binomial(rng, repriced, jump_p),
    )


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, flagged: bool, bad: bool) -> None:
        self.tp += flagged and bad
        self.fp += flagged and not bad
        self.fn += (not flagged) and bad

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def run(merchants: int, bad_share: float, loud_share: float, seed: int) -> tuple[Tally, Tally]:
    rng = random.Random(seed)
    specs = [model.RuleSpec(rule_id, weight, {}) for rule_id, weight in VERSION_1_WEIGHTS.items()]
    thresholds = model.Thresholds(**VERSION_1_THRESHOLDS)
    rules, baseline = Tally(), Tally()
    for _ in range(merchants):
        bad = rng.random() < bad_share
        figures = simulate(rng, bad=bad, loud=not bad and rng.random() < loud_share)
        rules.add(model.score(figures, specs, thresholds).score >= thresholds.review, bad)
        baseline.add(figures.orders > 0 and figures.claims / figures.orders > BASELINE_CLAIM_RATE, bad)
    return rules, baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchants", type=int, default=2000)
    parser.add_argument("--bad-share", type=float, default=0.05)
    parser.add_argument("--loud-share", type=float, default=0.10, help="good merchants with one loud signal")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    rules, baseline = run(args.merchants, args.bad_share, args.loud_share, args.seed)
    print(
        f"merchants={args.merchants} bad_share={args.bad_share} loud_share={args.loud_share} seed={args.seed} "
        f"review_threshold={VERSION_1_THRESHOLDS['review']}"
    )
    for name, tally in (("rules v1", rules), (f"claim rate > {BASELINE_CLAIM_RATE:.0%}", baseline)):
        print(
            f"{name:<20} precision={tally.precision:.3f} recall={tally.recall:.3f} f1={tally.f1:.3f} "
            f"(tp={tally.tp} fp={tally.fp} fn={tally.fn})"
        )
    ratio = rules.f1 / baseline.f1 if baseline.f1 else float("inf")
    print(
        f"rules/baseline: F1 x{ratio:.2f}, precision x{rules.precision / (baseline.precision or 1):.2f}, "
        f"recall x{rules.recall / (baseline.recall or 1):.2f}"
    )


if __name__ == "__main__":
    main()
