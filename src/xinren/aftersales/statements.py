"""The statement types of the aftersales context, one module per part (found by attest's autodiscovery)."""

from xinren.aftersales.recalls import statements as _recall_statements  # noqa: F401
