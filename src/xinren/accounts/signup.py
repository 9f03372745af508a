"""Consumer sign-up in two steps, so that nobody learns from it whether a phone number has an account (ADR 0016).

1. `consumer_signup_start(phone)` always answers the same (the masked number the code went to). A new number is
   texted a six-digit code; a registered one is texted a notice instead ("someone asked to sign up with your number;
   you already have an account"), so the owner hears of it and the asker learns nothing.
2. `consumer_signup_confirm(phone, code, password)` creates the account when the code matches. A registered number
   never received a code, so its confirmation fails exactly as a wrong code does.

Both steps are limited: codes per phone (the first at once, then waits doubling from a minute) and per client
address, and five tries per code.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput

from .consumers import PASSWORD_INVALID, consumer_signup, phone_mask, phone_normalize
from .models import SignupCode, User
from .signin import DAY
from .sms import sms_send
from .smscodes import CODE_INVALID, code_check, code_issue, code_use
from .throttle import Limit, throttle_key

SIGNUP_PHONE = Limit(free=1, base=60, cap=3600, forget=DAY)
SIGNUP_CLIENT = Limit(free=5, base=300, cap=6 * 3600, forget=DAY)


@transaction.atomic
def consumer_signup_start(*, phone: str, client: str) -> str:
    """Text the phone a sign-up code, or its owner a notice if it has an account; returns the masked number."""
    phone = phone_normalize(phone)
    # A code is stored for every number, registered or not, so both cost the same work.
    code = code_issue(purpose="signup", phone=phone, client=client, limits=(SIGNUP_PHONE, SIGNUP_CLIENT),
                      key=throttle_key("signup", "phone", phone))
    if User.objects.filter(Q(phone=phone) | Q(username=phone)).exists():
        body = _("【信任】有人用您的手机号申请注册。您已有账号，请直接登录；如忘记密码或并非本人操作，请忽略本短信。")
    else:
        body = _("【信任】您的注册验证码是 %(code)s，10 分钟内有效，请勿告诉他人。") % {"code": code}
    sms_send(phone=phone, body=body)
    return phone_mask(phone)


def consumer_signup_confirm(*, phone: str, code: str, password: str) -> User:
    """Create the account when the code texted to the phone matches (a wrong try is counted and kept)."""
    phone = phone_normalize(phone)
    try:
        validate_password(password)
    except ValidationError as exc:
        raise InvalidInput(PASSWORD_INVALID, " ".join(exc.messages), details={"field": "password"}) from exc
    phone_key = throttle_key("signup", "phone", phone)
    stored = code_check(key=phone_key, code=code)  # outside the transaction: a wrong try stays counted
    invalid = InvalidInput(CODE_INVALID, _("验证码错误或已过期"), details={"field": "code"})
    try:
        with transaction.atomic():
            code_use(key=phone_key, stored=stored)
            return consumer_signup(phone=phone, password=password)
    except Conflict:  # registered meanwhile: the same answer as a wrong code
        raise invalid from None


def signup_codes_prune() -> int:
    """Delete expired sign-up codes; returns how many."""
    deleted, _ = SignupCode.objects.filter(expires_at__lte=clock.now()).delete()
    return deleted
