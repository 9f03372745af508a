"""Statement types of the after-sales context; each part registers its own (fund/statements.py, …)."""

from xinren.aftersales.fund import statements as _fund_statements  # noqa: F401
