"""`python -m xinren.ledger verify BUNDLE --key VKEY`: offline verification without Django."""

from .cli import main

raise SystemExit(main(prog="python -m xinren.ledger"))
