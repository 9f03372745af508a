"""Applications to sell, as an applicant fills them in (tests of the applications part)."""

from __future__ import annotations

import itertools

from xinren.accounts.models import User
from xinren.accounts.uscc import uscc_check_char
from xinren.governance.models import MerchantApplication
from xinren.governance.services.applications import (
    ApplicationData,
    QualificationData,
    application_create,
    application_scan_upload,
)

from ..evidence.samples import png

_serial = itertools.count(1)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def uscc_new() -> str:
    body = f"91530102MA{next(_serial):07d}"
    return body + uscc_check_char(body)


def id_number(body: str = "53010219800101123") -> str:
    """A resident ID number with its check character (GB 11643)."""
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


ID_NUMBER = id_number()


def application_data(*, uscc: str | None = None, scan_id: int | None = None, **overrides: object) -> ApplicationData:
    uscc = uscc or uscc_new()
    fields: dict[str, object] = {
        "company_name": "昆明滇味茶叶有限公司",
        "uscc": uscc,
        "legal_rep_name": "李四",
        "legal_rep_id_number": ID_NUMBER,
        "contact_phone": "13800001111",
        "categories": ("tea",),
        "qualifications": (
            QualificationData(
                kind="business_licence",
                number=uscc,
                holder_name="昆明滇味茶叶有限公司",
                holder_uscc=uscc,
                issuer="昆明市五华区市场监督管理局",
                scan_id=scan_id,
            ),
            QualificationData(
                kind="food_business",
                number="JY15301020000001",
                holder_name="昆明滇味茶叶有限公司",
                holder_uscc=uscc,
                issuer="昆明市五华区市场监督管理局",
                scope=("tea",),
                scan_id=scan_id,
            ),
        ),
    }
    fields.update(overrides)
    return ApplicationData(**fields)  # type: ignore[arg-type]


def draft_for(user: User, **overrides: object) -> MerchantApplication:
    scan = application_scan_upload(user=user, content=png(), filename="jy.png")
    return application_create(user=user, data=application_data(scan_id=scan.pk, **overrides))


def submitted_for(user: User) -> MerchantApplication:
    """A draft submitted for review (its checks pass)."""
    from xinren.governance.services.applications import application_submit

    draft = draft_for(user)
    return application_submit(user=user, public_id=draft.public_id, legal_rep_id_number=ID_NUMBER)
