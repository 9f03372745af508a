"""Background tasks of the governance context (ADR 0013): thin wrappers over the services, run by a worker."""

from __future__ import annotations

from xinren.core.tasks import background

from . import watch
from .risk.services import risk_evaluate_all


@background(attempts=3, backoff=300)
def qualifications_watch_task() -> dict[str, int]:
    """Daily: warn of credentials expiring within 30 days, suspend listings an expired one leaves uncovered, lift
    those covered again (docs/governance.md)."""
    result = watch.qualifications_watch()
    return {"organizations": result.organizations, "warned": result.warned, "suspended": result.suspended,
            "lifted": result.lifted}


@background(attempts=3, backoff=300)
def risk_evaluate_task() -> dict[str, int]:
    """Periodic (daily): score every active merchant with the active rule set and act on changed bands."""
    return {"evaluated": risk_evaluate_all()}
