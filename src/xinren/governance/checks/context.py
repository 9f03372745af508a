"""The CheckContext the checks run with in production: duplicates, blacklist and registry looked up in the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from xinren.accounts.blacklist import screen
from xinren.accounts.models import Organization
from xinren.verification.choices import CredentialKind, CredentialStatus
from xinren.verification.models import Credential
from xinren.verification.verifiers import verifier_for

from .base import ApplicantInput, CheckContext

# (kind, number, exclude_application_id) -> who holds it ("application:12"), or None. The applications service
# passes its lookup of live applications here; the checks package does not know applications.
ExtraDuplicates = Callable[[str, str, int | None], str | None]


def db_check_context(
    today: dt.date,
    exclude_application_id: int | None = None,
    *,
    organization_id: int | None = None,
    extra_duplicates: ExtraDuplicates | None = None,
) -> CheckContext:
    """A CheckContext reading the database.

    duplicate_of("uscc", code): an organization with that USCC, active or suspended (a suspended merchant does not
    start again under a new application); duplicate_of(kind, number): a credential of
    that kind and number, not withdrawn, held by another organization. `organization_id` is the applicant's own
    organization when it already has one (its own USCC and credentials are not duplicates), and
    `extra_duplicates(kind, number, exclude_application_id)` adds other sources (live applications).
    blacklist_hits: `accounts.blacklist.screen(stage="application")` on the USCC, the legal representative's ID
    number, the phone and the bank account; registry_status: the configured verifier of the kind.
    """

    def duplicate_of(kind: str, number: str) -> str | None:
        if kind == "uscc":
            organizations = Organization.objects.filter(uscc=number)
            if organization_id is not None:
                organizations = organizations.exclude(pk=organization_id)
            found = organizations.values_list("pk", flat=True).first()
            if found is not None:
                return f"organization:{found}"
        else:
            credentials = Credential.objects.filter(kind=kind, number=number).exclude(status=CredentialStatus.WITHDRAWN)
            if organization_id is not None:
                credentials = credentials.exclude(organization_id=organization_id)
            credential = credentials.values_list("pk", flat=True).first()
            if credential is not None:
                return f"credential:{credential}"
        if extra_duplicates is not None:
            return extra_duplicates(kind, number, exclude_application_id)
        return None

    def blacklist_hits(applicant: ApplicantInput) -> Sequence[str]:
        entities = {
            "uscc": applicant.uscc.strip().upper(),
            "id_number": applicant.legal_rep_id_number.strip().upper(),
            "phone": applicant.contact_phone.strip(),
            "bank_account": "".join(applicant.bank_account.split()),
        }
        result = screen(
            stage="application",
            entities={kind: value for kind, value in entities.items() if value},
            subject=applicant.company_name,
        )
        return result.reasons if result.intercepted else ()

    def registry_status(kind: str, number: str, holder_name: str, holder_uscc: str) -> str | None:
        if kind not in CredentialKind.values:
            return None
        outcome = verifier_for(kind).verify(
            kind=kind, number=number, holder_name=holder_name, holder_uscc=holder_uscc or None
        )
        return str(outcome.status)

    return CheckContext(
        today=today, duplicate_of=duplicate_of, blacklist_hits=blacklist_hits, registry_status=registry_status
    )
