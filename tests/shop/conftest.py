"""The consumer fixtures of the orders tests, and signed-in browsers."""

from __future__ import annotations

import pytest
from django.test import Client

from xinren.accounts.models import User

from ..orders.conftest import (  # noqa: F401  (fixtures shared with the orders tests)
    batch,
    consumer,
    items,
    offer,
    other_consumer,
    product,
)


def browser_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def shopper(request: pytest.FixtureRequest) -> Client:
    """A browser signed in as the `consumer` fixture's person."""
    return browser_of(request.getfixturevalue("consumer"))
