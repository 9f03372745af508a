"""Statement types governance signs, one module per part (found by attest's autodiscovery of `statements`).

Each part's module registers its types at import; list it here.
"""

from . import probation as _probation  # noqa: F401
