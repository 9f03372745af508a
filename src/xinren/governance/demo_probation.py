"""Demo probation (for the demo loader, last): the flower-cake bakery joined twelve days ago and is on probation
under policy version 1, so the merchant's and the operator's probation pages have a merchant to show; every demo
merchant has a (made-up) payout account, so the payouts its deliveries created can be paid."""

from __future__ import annotations

import datetime as dt

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.accounts.models import Membership, Organization
from xinren.core import clock
from xinren.orders.payouts import payout_account_set

from .services.probation import probation_start

PROBATION_MERCHANT = "dianwei-bakery"
DAYS_IN = 12
# Made-up account numbers of the demo merchants (never real ones): slug -> (bank, account)
ACCOUNTS = {
    "shanye-mushroom": ("中国农业银行昆明官渡支行", "6228480000000001234"),
    "jingmai-tea": ("云南省农村信用社澜沧县联社", "6224670000000005678"),
    "dianwei-bakery": ("中国建设银行昆明呈贡支行", "6217000000000009012"),
}


def demo_probation_load(*, now: dt.datetime) -> None:
    for slug, (bank, number) in ACCOUNTS.items():
        organization = Organization.objects.filter(slug=slug).first()
        owner = Membership.objects.filter(organization=organization, role=Role.OWNER).select_related("user").first()
        if organization is None or owner is None:
            continue
        actor = Actor(organization=organization, role=Role.OWNER, user=owner.user)
        payout_account_set(actor=actor, bank_name=bank, holder_name=organization.name, account_number=number)
    bakery = Organization.objects.filter(slug=PROBATION_MERCHANT).first()
    if bakery is not None:
        started = now - dt.timedelta(days=DAYS_IN)
        with clock.played_at(started):
            probation_start(organization=bakery, at=started)
