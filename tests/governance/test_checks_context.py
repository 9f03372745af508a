"""db_check_context: duplicates, blacklist and registry read from the database."""

from __future__ import annotations

import pytest

from xinren.accounts.choices import OrganizationStatus
from xinren.governance.checks import application_checks
from xinren.governance.checks.context import db_check_context
from xinren.verification.models import Credential
from xinren.verification.services import registry_import

from ..factories import OrganizationFactory
from .factories_checks import COMPANY, TODAY, USCC, applicant

pytestmark = pytest.mark.django_db
SC = "SC11453080200013"
HEADER = "number,holder_name,holder_uscc,scope,region,valid_from,valid_until,status\n"


def _credential(organization, number=SC, status="verified"):  # type: ignore[no-untyped-def]
    return Credential.objects.create(
        organization=organization, kind="food_production", number=number, holder_name=organization.name, status=status
    )


def test_an_organization_with_the_uscc_is_a_duplicate_unless_it_is_the_applicant():
    organization = OrganizationFactory(uscc=USCC)
    assert db_check_context(TODAY).duplicate_of("uscc", USCC) == f"organization:{organization.pk}"
    assert db_check_context(TODAY, organization_id=organization.pk).duplicate_of("uscc", USCC) is None
    organization.status = OrganizationStatus.SUSPENDED
    organization.save()
    # A suspended merchant does not start again under a new application.
    assert db_check_context(TODAY).duplicate_of("uscc", USCC) == f"organization:{organization.pk}"


def test_a_live_credential_elsewhere_is_a_duplicate_a_withdrawn_one_is_not():
    other = OrganizationFactory()
    credential = _credential(other)
    assert db_check_context(TODAY).duplicate_of("food_production", SC) == f"credential:{credential.pk}"
    assert db_check_context(TODAY).duplicate_of("food_business", SC) is None
    assert db_check_context(TODAY, organization_id=other.pk).duplicate_of("food_production", SC) is None
    Credential.objects.filter(pk=credential.pk).update(status="withdrawn")
    assert db_check_context(TODAY).duplicate_of("food_production", SC) is None


def test_extra_duplicates_are_asked_with_the_application_to_leave_out():
    asked = []

    def live_applications(kind: str, number: str, exclude: int | None) -> str | None:
        asked.append((kind, number, exclude))
        return "application:3"

    context = db_check_context(TODAY, 5, extra_duplicates=live_applications)
    assert context.duplicate_of("uscc", USCC) == "application:3"
    assert asked == [("uscc", USCC, 5)]


def test_blacklist_screens_the_applicants_entities(monkeypatch):
    from xinren.accounts.blacklist import ScreenResult
    from xinren.governance.checks import context as module

    seen = {}

    def screen(*, stage, entities, subject=""):  # type: ignore[no-untyped-def]
        seen.update(stage=stage, entities=dict(entities))
        return ScreenResult(intercepted=True, reasons=("id_number",))

    monkeypatch.setattr(module, "screen", screen)
    hits = db_check_context(TODAY).blacklist_hits(applicant(legal_rep_id_number="53010219900101123x"))
    assert hits == ("id_number",)
    assert seen == {"stage": "application", "entities": {"uscc": USCC, "id_number": "53010219900101123X"}}


def test_registry_rows_confirm_expire_or_are_missing(platform):
    row = f"{SC},{COMPANY},{USCC},茶叶,云南省普洱市,2024-01-01,2029-12-31,valid\n"
    registry_import(kind="food_production", source="云南省市场监管局", data=(HEADER + row).encode())
    context = db_check_context(TODAY)
    assert context.registry_status("food_production", SC, COMPANY, USCC) == "valid"
    assert context.registry_status("food_production", SC, COMPANY, "91530802MA6K99999X") == "mismatch"
    assert context.registry_status("food_business", "JY15308020012345", COMPANY, USCC) == "not_found"
    assert context.registry_status("uscc", USCC, COMPANY, USCC) is None
    results = application_checks(applicant(), context)
    assert {r.rule: r.outcome for r in results if r.qualification == 1}["registry.valid"] == "pass"
    # the business licence has no registry rows: a person looks
    assert {r.rule: r.outcome for r in results if r.qualification == 0}["registry.not_found"] == "manual"
