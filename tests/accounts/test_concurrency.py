"""Sign-in counters are shared by every worker: other connections, other processes, attempts sent at once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from xinren.accounts.consumers import consumer_authenticate
from xinren.accounts.signin import PASSWORD, SigninAttempt
from xinren.accounts.throttle import throttle_count
from xinren.core.errors import DomainError

from ..concurrency import race
from ..fixtures.accounts import consumer_with_phone

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT = Path(__file__).resolve().parents[2]


def on_another_connection(*calls: Callable[[], Any]) -> None:
    """Run the calls one after the other in a thread of their own, which has a database connection of its own."""
    race(lambda: [_swallow(call) for call in calls])


def _swallow(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except DomainError as exc:
        return exc


def _guess(password: str = "wrong-pass-1", client: str = "203.0.113.5") -> Callable[[], Any]:
    return lambda: consumer_authenticate(phone="13812341234", password=password, client=client)


def _codes(results: list[Any]) -> list[str]:
    return sorted(result.code if isinstance(result, DomainError) else "ok" for result in results)


def test_failures_counted_on_other_connections_limit_this_one():
    # given two "workers" (threads with their own connections) that failed three and two times
    consumer_with_phone("13812341234")
    on_another_connection(*(_guess() for _ in range(3)))
    on_another_connection(*(_guess() for _ in range(2)))
    # when this connection tries the right password
    with pytest.raises(DomainError) as caught:
        _guess("pass-word-123")()
    # then
    assert caught.value.code == "rate_limited"


def test_ten_guesses_at_once_check_only_five_passwords(require_postgres):
    # given
    consumer_with_phone("13812341234")
    # when
    results = race(*(_guess(f"wrong-pass-{n}") for n in range(10)))
    # then
    assert _codes(results) == ["consumer.credentials_invalid"] * 5 + ["rate_limited"] * 5
    pair_key, client_key, account_key, _known = SigninAttempt(
        scope=PASSWORD, account="13812341234", client="203.0.113.5"
    ).keys()
    assert [throttle_count(key, forget=86400) for key in (pair_key, client_key, account_key)] == [5, 5, 5]


def test_the_owner_elsewhere_signs_in_while_guesses_arrive_at_once(require_postgres):
    # given
    consumer_with_phone("13812341234")
    # when
    results = race(*(_guess(f"wrong-pass-{n}") for n in range(8)), _guess("pass-word-123", client="198.51.100.7"))
    # then
    assert _codes(results) == ["consumer.credentials_invalid"] * 5 + ["ok"] + ["rate_limited"] * 3


def test_a_second_process_shares_the_counters(require_postgres):
    # given a consumer, committed, and another process (a second gunicorn worker) that fails five times
    consumer_with_phone("13812341234")
    settings_dict = connection.settings_dict
    url = (f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@{settings_dict['HOST']}:"
           f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}")
    script = (
        "import django; django.setup()\n"
        "from xinren.accounts.consumers import consumer_authenticate\n"
        "from xinren.core.errors import DomainError\n"
        "codes = []\n"
        "for n in range(5):\n"
        "    try:\n"
        "        consumer_authenticate(phone='13812341234', password=f'wrong-{n}', client='203.0.113.5')\n"
        "    except DomainError as exc:\n"
        "        codes.append(exc.code)\n"
        "print(','.join(codes))\n"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "xinren.settings_test",
           "PYTHONPATH": str(PROJECT / "src")}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=PROJECT, capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == ",".join(["consumer.credentials_invalid"] * 5)
    # when this process tries the right password from the same address
    with pytest.raises(DomainError) as caught:
        _guess("pass-word-123")()
    # then
    assert caught.value.code == "rate_limited"


# -- texted codes (accounts.smscodes) -------------------------------------------------------------------------


def _texted_code(phone: str) -> str:
    import re

    from xinren.accounts.models import SandboxTextMessage

    match = re.search(r"\b\d{6}\b", SandboxTextMessage.objects.filter(phone=phone).latest("id").body)
    assert match
    return match.group()


def test_guesses_at_a_code_sent_at_once_compare_at_most_five(require_postgres):
    from xinren.accounts.models import SignupCode
    from xinren.accounts.smscodes import CODE_ATTEMPTS, signin_code_request, signin_code_verify

    # given
    consumer_with_phone("13812341234")
    signin_code_request(phone="13812341234", client="203.0.113.5")
    code = _texted_code("13812341234")
    wrong = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, 11)]
    # when ten wrong codes arrive at once
    results = race(*(lambda guess=guess: signin_code_verify(phone="13812341234", code=guess) for guess in wrong))
    # then each was refused, only five were counted, and the right code no longer works
    assert _codes(results) == ["consumer.code_invalid"] * 10
    assert SignupCode.objects.get().attempts == CODE_ATTEMPTS
    with pytest.raises(DomainError):
        signin_code_verify(phone="13812341234", code=code)


def test_a_code_used_twice_at_once_signs_in_once(require_postgres):
    from xinren.accounts.smscodes import password_reset_confirm, password_reset_request

    # given
    consumer_with_phone("13812341234")
    password_reset_request(phone="13812341234", client="203.0.113.5")
    code = _texted_code("13812341234")
    # when
    results = race(
        lambda: password_reset_confirm(phone="13812341234", code=code, password="cha-shan-2027"),
        lambda: password_reset_confirm(phone="13812341234", code=code, password="cha-shan-2028"),
    )
    # then
    assert _codes(results) == ["consumer.code_invalid", "ok"]
