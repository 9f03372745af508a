"""Content compliance under the Advertising Law (广告合规): a versioned term list matched before anything is signed.

Pure Python, no models: `check(text, field=, category=, facts=)` returns `Finding`s; the catalog refuses copy with a
blocking finding (catalog/facts.py) and `xinren adlaw check` runs it over standard input (docs/compliance.md).
"""

from .checker import BLOCK, UNKNOWN, WARN, Facts, Finding, blocking, check
from .terms import TERMS_VERSION

__all__ = ["BLOCK", "TERMS_VERSION", "UNKNOWN", "WARN", "Facts", "Finding", "blocking", "check"]
