"""A database from before scopes: its grants become explicit legacy grants (all products, no end date) and keep
working; its programmes get the region code the table reads from their region text, declared for their alliance."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xinren.accounts.choices import OrganizationKind
from xinren.catalog.grants import grant_scope
from xinren.catalog.models import PartnerGrant
from xinren.trust.models import AllianceRegion, Programme

from ..factories import OrganizationFactory

BEFORE = [("catalog", "0007_label_sheets"), ("trust", "0003_signed_rows_immutable")]


def _migrate(targets) -> MigrationExecutor:  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_old_grants_become_legacy_and_old_programmes_get_codes(merchant, logistics):
    # given: the database taken back to before scopes, with a grant and two signed programmes
    alliance = OrganizationFactory(kind=OrganizationKind.ALLIANCE, slug="km", region="云南省昆明市")
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        executor = _migrate(BEFORE)
        executor.loader.build_graph()
        apps = executor._create_project_state(with_applied_migrations=True).apps
        apps.get_model("catalog", "PartnerGrant").objects.create(owner_id=merchant.pk, partner_id=logistics.pk)
        old_programme = apps.get_model("trust", "Programme")
        for code, region in (("km-trace", "云南省昆明市"), ("west", "滇西")):
            old_programme.objects.create(
                alliance_id=alliance.pk, code=code, name="昆明溯源", region=region, status="active", version=1,
                ledger_leaf_hash="ab" * 32,
            )
        # when
        _migrate(leaves)
    finally:
        _migrate(leaves)
    # then
    grant = PartnerGrant.objects.get()
    assert (grant.legacy_all_products, grant.product_id, grant.batch_id, grant.ends_on) == (True, None, None, None)
    assert merchant.pk in grant_scope(partner=logistics).owners_all
    assert dict(Programme.objects.values_list("code", "region_code")) == {"km-trace": "530100", "west": ""}
    assert list(AllianceRegion.objects.values_list("alliance__slug", "code")) == [("km", "530100")]
