"""Statement types governance signs, one module per part (found by attest's autodiscovery of `statements`).

Each part's module registers its types at import; list it here.
"""
from . import (
    applications,  # noqa: F401
    probation,  # noqa: F401  (governance.probation)
    rings,  # noqa: F401  (brushing rings: governance.ring.flag, governance.ring.decision)
    risk,  # noqa: F401  (the risk score: governance.risk.action, governance.risk.appeal)
    watch,  # noqa: F401  (qualification watch: governance.listing.suspension)
)
