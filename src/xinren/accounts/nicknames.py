"""Consumers' nicknames, and the one way a reviewer is named on a page: masked (王**), never a hex pseudonym.

A nickname is personal data the consumer chose to show; it is never signed (statements carry the keyed-hash
pseudonym `consumers.consumer_public_id`) and never shown whole to anyone else: pages show its first character and
two stars. A consumer without one is shown a friendly name made from the pseudonym ("信任用户 3F**"), so that no page
ever prints a 16-hex string. docs/reviews.md ("Reviewer names").
"""

from __future__ import annotations

import re
import unicodedata

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinren.core.audit import audit_record
from xinren.core.errors import InvalidInput

from .consumers import consumer_require
from .models import User

NICKNAME_MIN = 2
NICKNAME_MAX = 12
NICKNAME_INVALID = "consumer.nickname_invalid"
MASK = "**"
# What a consumer without a nickname is called: the prefix and four characters of the pseudonym, then masked.
DEFAULT_PREFIX = "信任用户"

# Five or more digits in a row (spaces, dashes and dots between them ignored) look like a phone or QQ number.
_DIGIT_RUN = re.compile(r"\d(?:[\s\-.·]*\d){4,}")
_URL = re.compile(
    r"(?i)(?:https?:|www\.|://|\.(?:com|cn|net|org|top|xyz|cc|io|me|vip|shop)\b|[a-z0-9-]+\.[a-z]{2,}/)"
)
_CONTACT = re.compile(r"(?i)(?:微信|vx|v信|wx|qq|加我|电话|手机|@)")
# Names that would pass a reviewer off as the platform or a merchant; kept short on purpose (not a filter of taste).
BANNED = ("官方", "客服", "平台", "管理员", "信任", "xinren", "admin", "商家")


def _invalid(message: str | Promise) -> InvalidInput:
    return InvalidInput(NICKNAME_INVALID, message, details={"field": "nickname"})


def nickname_clean(value: str) -> str:
    """The nickname as stored: NFKC, inner whitespace collapsed, 2–12 characters, printable, and no phone number,
    link, contact handle or name of the platform. Empty means "no nickname" (the default name is shown)."""
    text = " ".join(unicodedata.normalize("NFKC", value or "").split())
    if not text:
        return ""
    if any(unicodedata.category(ch)[0] == "C" for ch in text):
        raise _invalid(_("昵称不能包含控制字符"))
    if not NICKNAME_MIN <= len(text) <= NICKNAME_MAX:
        raise _invalid(_("昵称需为 2–12 个字"))
    if _DIGIT_RUN.search(text):
        raise _invalid(_("昵称不能包含手机号或连续数字"))
    if _URL.search(text) or _CONTACT.search(text):
        raise _invalid(_("昵称不能包含网址或联系方式"))
    lowered = text.casefold()
    if any(word.casefold() in lowered for word in BANNED):
        raise _invalid(_("昵称不能冒充平台、商家或客服"))
    return text


@transaction.atomic
def consumer_nickname_set(*, actor: User, nickname: str) -> User:
    """The consumer chooses (or, with an empty value, clears) the nickname their reviews are shown by."""
    user = consumer_require(actor)
    cleaned = nickname_clean(nickname)
    user.nickname = cleaned
    user.save(update_fields=["nickname"])
    audit_record(actor=user, organization=None, action="consumer.nickname_set", target=user,
                 data={"set": bool(cleaned)})
    return user


def nickname_mask(nickname: str) -> str:
    """A nickname as others see it: its first character and two stars ("王小明" -> "王**", "Alice" -> "A**")."""
    text = (nickname or "").strip()
    if not text:
        return ""
    first = text[0]
    # Keep a combining mark or variation selector with the character it belongs to, never alone.
    for ch in text[1:3]:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me") or 0xFE00 <= ord(ch) <= 0xFE0F:
            first += ch
        else:
            break
    return f"{first}{MASK}"


def default_name(public_id: str) -> str:
    """The name of a consumer without a nickname, from their pseudonym: "信任用户 3F**" (two of its characters show,
    which tells reviewers apart on a page without printing the pseudonym)."""
    tail = re.sub(r"[^0-9a-zA-Z]", "", public_id or "")[1:3].upper() or "00"
    return f"{DEFAULT_PREFIX} {tail}{MASK}"


def reviewer_name(*, nickname: str | None, public_id: str) -> str:
    """How a reviewer is named on every page (shop, scan page, community feed, merchant console): the masked
    nickname, or the default name. Never the pseudonym, a phone number or a full nickname."""
    return nickname_mask(nickname or "") or default_name(public_id)


def user_reviewer_name(user: User | None, *, public_id: str) -> str:
    """reviewer_name for a loaded user (None: the default name)."""
    return reviewer_name(nickname=user.nickname if user is not None else "", public_id=public_id)
