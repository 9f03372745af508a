"""The periodic schedule: every job, its cadence and the context that owns it (ADR 0013).

It sits beside urls.py because, like the URL map, it names parts of every context. Three things read it:
`manage.py tasks_worker` ticks it in its loop (`make run`, the embedded default), `manage.py schedule_run` ticks it
from the systemd timers, and `manage.py schedule_units` writes those timers into deploy/systemd (a test checks
that the committed units are what this list generates). Each job's slot runs once, whoever ticks.
"""

from __future__ import annotations

from datetime import timedelta

from xinren.accounts.tasks import signin_counters_prune_task
from xinren.aftersales.fund.tasks import fund_reconcile_task
from xinren.aftersales.programmes.tasks import programmes_review_task
from xinren.aftersales.tasks import aftersales_sweep_task
from xinren.catalog.tasks import label_sheets_sweep_task
from xinren.community.tasks import community_rescore_task, tiers_evaluate_task
from xinren.core.schedule import PeriodicJob
from xinren.core.worker import task_results_prune_task
from xinren.governance.copy_recheck_tasks import copy_recheck_task
from xinren.governance.probation_tasks import probation_review_task
from xinren.governance.tasks import qualifications_watch_task, risk_evaluate_task
from xinren.orders.tasks import (
    offer_pages_refresh_task,
    orders_expire_task,
    payments_reconcile_task,
    payouts_pay_due_task,
)
from xinren.reviews.tasks import reviews_invite_task
from xinren.trust.scores.tasks import trust_scores_publish_task, trust_scores_refresh_task

JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        name="orders-expire", task=orders_expire_task, context="orders", every=timedelta(minutes=5),
        description="cancel unpaid orders past their payment deadline and return their stock",
    ),
    PeriodicJob(
        name="payments-reconcile", task=payments_reconcile_task, context="orders", every=timedelta(minutes=5),
        description="redeliver sandbox webhooks, refresh open payments, retry pending refunds",
    ),
    PeriodicJob(
        name="reviews-invite", task=reviews_invite_task, context="reviews", every=timedelta(hours=1),
        description="invite usage diaries due at day 7/15/30, flag brushing shops, prune the near-duplicate index",
    ),
    PeriodicJob(
        name="community-rescore", task=community_rescore_task, context="community", every=timedelta(hours=1),
        description="rescore reviews changed in the last two hours and settle their points",
    ),
    PeriodicJob(
        name="tiers-evaluate", task=tiers_evaluate_task, context="community", every=timedelta(days=1),
        at=timedelta(hours=3, minutes=30),
        description="rescore the last day's reviews, then promote and demote expert tiers",
    ),
    PeriodicJob(
        name="tasks-prune", task=task_results_prune_task, context="core", every=timedelta(days=1),
        at=timedelta(hours=4, minutes=10),
        description="delete task results finished long ago (a week; failed: 30 days) and old schedule claims",
    ),
    PeriodicJob(
        name="signin-prune", task=signin_counters_prune_task, context="accounts", every=timedelta(days=1),
        at=timedelta(hours=4, minutes=40),
        description="delete sign-in counters idle for two days and expired sign-up codes (ADR 0016)",
    ),
    PeriodicJob(
        name="aftersales-sweep", task=aftersales_sweep_task, context="aftersales", every=timedelta(minutes=5),
        description="after-sales: merchant deadlines (silence = agreed), timed refunds, payouts pending or failed "
                    "(bounded retries), insurer deadlines passed (the fund pays first), recoveries owed to the fund",
    ),
    PeriodicJob(
        name="fund-reconcile", task=fund_reconcile_task, context="aftersales", every=timedelta(hours=1),
        description="the compensation fund's ledger against the payment provider's transfers (docs/fund.md)",
    ),
    PeriodicJob(
        name="programmes-review", task=programmes_review_task, context="aftersales", every=timedelta(days=1),
        at=timedelta(hours=2, minutes=20),
        description="guarantee programmes: end memberships no longer qualifying; republish moved after-sale records",
    ),
    PeriodicJob(
        name="offer-pages-refresh", task=offer_pages_refresh_task, context="orders", every=timedelta(days=1),
        at=timedelta(minutes=5),
        description="republish the product pages whose offer (JSON-LD availability) the new day's shelf life flipped",
    ),
    PeriodicJob(
        name="label-sheets-sweep", task=label_sheets_sweep_task, context="catalog", every=timedelta(minutes=15),
        description="delete label sheet files kept 7 days; queue again sheet jobs whose task was lost (docs/labels.md)",
    ),
    PeriodicJob(
        name="qualifications-watch", task=qualifications_watch_task, context="governance", every=timedelta(days=1),
        at=timedelta(minutes=20),
        description="warn of licences expiring within 30 days; suspend listings an expired licence leaves uncovered, "
                    "lift those a renewal covers again (docs/governance.md)",
    ),
    PeriodicJob(
        name="risk-evaluate", task=risk_evaluate_task, context="governance", every=timedelta(days=1),
        at=timedelta(hours=5, minutes=10),
        description="score every merchant with the active risk rule set; act on changed bands (docs/governance.md)",
    ),
    PeriodicJob(
        name="payouts-pay-due", task=payouts_pay_due_task, context="orders", every=timedelta(hours=1),
        description="pay merchants the settlements due (paid minus refunded, after the hold); hold or intercept "
                    "as governance and the blacklist say (docs/payments.md, Merchant settlements)",
    ),
    PeriodicJob(
        name="probation-review", task=probation_review_task, context="governance", every=timedelta(days=1),
        at=timedelta(hours=3, minutes=10),
        description="probation (新手期): end it when every criterion holds, extend it by 30 days with the failing "
                    "figures when the minimum period is over (docs/governance.md, Probation)",
    ),
    PeriodicJob(
        name="trust-scores-publish", task=trust_scores_publish_task, context="trust", every=timedelta(minutes=1),
        description="sign the trust scores that newly posted reviews changed, in one pooled write, and judge them "
                    "for delisting (ADR 0051)",
    ),
    PeriodicJob(
        name="trust-scores-refresh", task=trust_scores_refresh_task, context="trust", every=timedelta(days=1),
        at=timedelta(hours=5, minutes=40),
        description="recompute every product's trust score under the current formula, after the risk evaluation "
                    "(the safety net under the event-driven refreshes; docs/trust-model.md)",
    ),
    PeriodicJob(
        name="adlaw-recheck", task=copy_recheck_task, context="governance", every=timedelta(days=1),
        at=timedelta(hours=4, minutes=20),
        description="re-check every product's copy under the current Advertising Law term list and tell the "
                    "merchants with a blocking finding, once per list and findings (docs/compliance.md)",
    ),
)
