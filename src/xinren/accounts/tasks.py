"""Background tasks of accounts (ADR 0013): thin wrappers over the services, run by a worker."""

from __future__ import annotations

from xinren.core.tasks import background

from .signup import signup_codes_prune
from .throttle import throttle_prune

# Counters are forgotten a day after their last event (accounts.signin.LIMITS); two days keeps a margin.
COUNTERS_KEPT_SECONDS = 2 * 24 * 3600


@background(attempts=3, backoff=300)
def signin_counters_prune_task() -> int:
    """Periodic (daily): delete sign-in counters and sign-up codes that no longer limit anything. How many."""
    return throttle_prune(older_than=COUNTERS_KEPT_SECONDS) + signup_codes_prune()
