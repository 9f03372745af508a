"""Writes of the community context: helpful votes, quality scores and reward points, expert tiers, trials."""

from .rewards import community_rescore, review_sync
from .tier_evaluation import tier_change_record, tiers_evaluate
from .trials import trial_event_create, trial_invite, trial_respond
from .votes import helpful_unvote, helpful_vote

__all__ = [
    "community_rescore",
    "helpful_unvote",
    "helpful_vote",
    "review_sync",
    "tier_change_record",
    "tiers_evaluate",
    "trial_event_create",
    "trial_invite",
    "trial_respond",
]
