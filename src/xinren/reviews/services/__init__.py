"""Writes of the reviews context: post a review or a diary entry, reply, fold, respond, invite, flag.

Each public fact is signed into the ledger in the same transaction that records it (as trace events are):
reviews, diaries, folds and author responses with the PLATFORM organization's custodial key (the platform
vouches that the purchase is verified; consumers have no organization), replies with the merchant's own key.
Nothing here deletes or edits a review's stars or text.
"""
from .bands import review_bands_prune
from .diaries import diary_invitations_create, diary_post
from .flags import brushing_flag, flag_resolve
from .reviews import (
    reply_post,
    review_fold,
    review_post,
    review_respond,
)
from .shared import REASON_MAX, TAG_MAX_CHARS, TAGS_MAX, TEXT_MAX, platform_organization

__all__ = [
    "REASON_MAX",
    "TAGS_MAX",
    "TAG_MAX_CHARS",
    "TEXT_MAX",
    "brushing_flag",
    "diary_invitations_create",
    "diary_post",
    "flag_resolve",
    "platform_organization",
    "reply_post",
    "review_bands_prune",
    "review_fold",
    "review_post",
    "review_respond",
]
