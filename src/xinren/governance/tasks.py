"""Background tasks of merchant governance (ADR 0013): thin wrappers over the services, run by a worker."""

from __future__ import annotations

from xinren.core.tasks import background

from .risk.services import risk_evaluate_all


@background(attempts=3, backoff=300)
def risk_evaluate_task() -> dict[str, int]:
    """Periodic (daily): score every active merchant with the active rule set and act on changed bands."""
    return {"evaluated": risk_evaluate_all()}
