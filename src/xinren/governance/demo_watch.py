"""Demo: the mushroom shop's food business licence (JY) expires in 20 days, so its console shows the warning
(docs/governance.md). Wild mushrooms need no food licence, so the demo never suspends anything when it expires."""

from __future__ import annotations

import datetime as dt

from xinren.accounts.actors import Actor
from xinren.catalog.shelf_life import local_date
from xinren.core import clock
from xinren.verification.choices import CredentialKind
from xinren.verification.models import Credential
from xinren.verification.services import credential_submit, registry_import

from .watch import organization_watch

NUMBER = "JY15301110012345"
ISSUER = "昆明市官渡区市场监督管理局"
HEADER = "number,holder_name,holder_uscc,scope,region,valid_from,valid_until,status\n"


def demo_watch_load(*, actor: Actor, now: dt.datetime | None = None) -> Credential:
    """The shop's JY, in the issuer's registry and verified, valid for 20 more days; the sweep records the warning."""
    today = local_date(now or clock.now())
    valid_from, valid_until = today - dt.timedelta(days=5 * 365 - 20), today + dt.timedelta(days=20)
    organization = actor.organization
    row = (f"{NUMBER},{organization.name},{organization.uscc or ''},预包装食品销售,云南省昆明市,"
           f"{valid_from.isoformat()},{valid_until.isoformat()},valid\n")
    registry_import(kind=CredentialKind.FOOD_BUSINESS, source=ISSUER, data=(HEADER + row).encode(),
                    filename="官渡区食品经营许可.csv", imported_by="demo")
    credential = credential_submit(actor=actor, kind=CredentialKind.FOOD_BUSINESS, number=NUMBER)
    Credential.objects.filter(pk=credential.pk).update(
        issuer=ISSUER, valid_from=valid_from, valid_until=valid_until, scope=["wild_mushroom"]
    )
    organization_watch(organization_id=organization.pk, today=today)
    credential.refresh_from_db()
    return credential
