"""Races on PostgreSQL: one lot recalled twice at once is recalled once; the other is refused and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.aftersales.models import Recall
from xinren.aftersales.recalls.services import recall_issue
from xinren.catalog.models import Batch, Item
from xinren.core.errors import DomainError
from xinren.orders.models import SaleHold

from ..concurrency import race
from ..factories import actor_for
from .recall_flows import lot_of, regulator_org

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _codes(results: list[Any]) -> list[str]:
    return sorted(result.code if isinstance(result, DomainError) else "ok" for result in results)


def test_a_lot_recalled_twice_at_once_is_recalled_once(
    require_postgres, merchant_actor: Actor, batch: Batch, items: list[Item]  # type: ignore[no-untyped-def]
) -> None:
    regulator = actor_for(regulator_org(), Role.STAFF)
    results = race(*(
        lambda actor=actor: recall_issue(actor=actor, **lot_of(batch), reason="抽检不合格", scope="lot")
        for actor in (merchant_actor, regulator, merchant_actor)
    ))
    assert _codes(results) == ["ok", "recall.already_recalled", "recall.already_recalled"]
    assert Recall.objects.count() == 1
    assert SaleHold.objects.count() == 1
