"""`xinren rings detect --orders ORDERS.csv [--reviews REVIEWS.csv]`: the detector on CSV files, JSON out.

No Django: the detector and this reader are plain Python, so the command runs on an export anywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from xinren.governance.rings.csvio import InputError, orders_read, reviews_read
from xinren.governance.rings.graph import VERSION, detect


def main(argv: Sequence[str], *, prog: str = "xinren rings") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Brushing-ring (刷单) detection on CSV exports.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("detect", help="print the rings found, as JSON")
    run.add_argument(
        "--orders", required=True, help="order_id,buyer,shop,product,time,amount_fen,phone_hash,address_hash"
    )
    run.add_argument("--reviews", help="order_id,buyer,product,time,stars,text")
    args = parser.parse_args(list(argv))
    try:
        with open(args.orders, encoding="utf-8", newline="") as handle:
            orders = orders_read(handle)
        reviews = None
        if args.reviews:
            with open(args.reviews, encoding="utf-8", newline="") as handle:
                reviews = reviews_read(handle)
    except OSError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    except InputError as error:
        print(f"{prog}: bad input: {error}", file=sys.stderr)
        return 2
    rings = detect(orders, reviews)
    json.dump({"version": VERSION, "rings": [ring.as_json() for ring in rings]}, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
