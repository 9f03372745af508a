"""A browser signed in as the consumer."""

from __future__ import annotations

import pytest
from django.test import Client

from xinren.accounts.models import User

from ..fixtures.accounts import browser_of


@pytest.fixture
def shopper(consumer: User) -> Client:
    """A browser signed in as the `consumer` fixture's person."""
    return browser_of(consumer)
