"""Demo trust world: two regional alliances with their programmes and badges, registries an operator imported,
and the demo merchants' credentials submitted and verified.

Called by the demo loader after the other loaders (labels are evaluated on read, so the order only matters
for what the console shows at once). Does nothing when the alliances exist. The registries are marked as
demo exports: they are not real certification-body data.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.models import Membership, Organization, User
from xinren.accounts.services import organization_create
from xinren.accounts.uscc import uscc_check_char
from xinren.evidence.choices import Purpose
from xinren.evidence.models import Evidence
from xinren.verification.choices import CredentialKind
from xinren.verification.services import credential_submit, registry_import

from .choices import ProgrammeStatus
from .services import alliance_regions_declare, programme_create, programme_set_status

BADGES = Path(__file__).resolve().parent / "badges"
DEMO_PASSWORD = "xinren-demo-2026"
TEA_CERTIFICATE_NUMBER = "CN-ORG-2026-000123"
TEA_GI_NUMBER = "GI-530800-2026-0008"
CSV_HEADER = "number,holder_name,holder_uscc,scope,region,valid_from,valid_until,status\n"

# (slug, name, uscc body, region, description, username, display name)
ALLIANCES = [
    (
        "kunming-alliance",
        "昆明市农产品溯源联盟",
        "51530100MJ0T2K6X3",
        "云南省昆明市",
        "昆明市农业企业、合作社与检测机构组成的行业联盟，推动本地农产品全程可溯源。",
        "alliance-km",
        "昆明溯源联盟 杨秘书长",
    ),
    (
        "puer-tea-alliance",
        "普洱茶产业联盟",
        "51530800MJ0U3P7Y4",
        "云南省普洱市",
        "普洱市茶农合作社、初制所与茶企的产业联盟，守护古树茶的产地与品质。",
        "alliance-pe",
        "普洱茶联盟 李会长",
    ),
]
# (alliance slug, code, name, region code (GB/T 2260), description, required labels, minimum lab stars, badge file)
PROGRAMMES = [
    (
        "kunming-alliance",
        "kunming-trace",
        "昆明溯源",
        "530100",
        "昆明出产、手工制作、24 小时内从工坊直达仓库的好物。",
        ["handmade", "direct_24h"],
        None,
        "kunming-dongba.svg",
    ),
    (
        "puer-tea-alliance",
        "puer-tea-mountain",
        "普洱茶山",
        "530800",
        "茶农本人在普洱茶山采摘记录、持有效有机认证的茶。",
        ["origin_direct", "organic"],
        None,
        "puer-yi.svg",
    ),
]


def _owner(organization: Organization) -> Actor:
    membership = (
        Membership.objects.select_related("user")
        .filter(organization=organization, role=Role.OWNER)
        .order_by("id")
        .first()
    )
    assert membership is not None, organization.slug
    return Actor(organization=organization, role=Role.OWNER, user=membership.user)


def _registries(tea: Organization, merchants: list[Organization]) -> None:
    organic = [
        f"{TEA_CERTIFICATE_NUMBER},{tea.name},{tea.uscc},茶叶；普洱茶,云南省普洱市,2026-03-01,2029-02-28,valid\n",
        "CN-ORG-2025-004411,西双版纳某茶叶专业合作社,,茶叶,云南省西双版纳州,2025-05-10,2028-05-09,valid\n",
        "CN-ORG-2024-000987,某生态农业有限公司,,蔬菜,云南省曲靖市,2024-01-15,2027-01-14,revoked\n",
    ]
    registry_import(
        kind=CredentialKind.ORGANIC,
        source="国家认监委有机产品认证名录 2026-11 导出（演示数据）",
        data=(CSV_HEADER + "".join(organic)).encode("utf-8"),
        filename="organic-demo.csv",
        imported_by="demo",
    )
    gi = f"{TEA_GI_NUMBER},{tea.name},{tea.uscc},普洱茶；茶叶,云南省普洱市,2026-01-01,2030-12-31,valid\n"
    registry_import(
        kind=CredentialKind.GEO_INDICATION,
        source="地理标志专用标志核准使用名录 2026-11（演示数据）",
        data=(CSV_HEADER + gi).encode("utf-8"),
        filename="gi-demo.csv",
        imported_by="demo",
    )
    credit = "".join(f"{m.uscc},{m.name},{m.uscc},,{m.region},2020-01-01,,valid\n" for m in merchants if m.uscc)
    registry_import(
        kind=CredentialKind.BUSINESS_CREDIT,
        source="企业信用信息公示名录 2026-11（演示数据）",
        data=(CSV_HEADER + credit).encode("utf-8"),
        filename="credit-demo.csv",
        imported_by="demo",
    )


@transaction.atomic
def demo_trust_load() -> int:
    """Create the demo alliances, programmes, registries and credentials; returns how many programmes."""
    if Organization.objects.filter(slug__in=[row[0] for row in ALLIANCES]).exists():
        return 0
    merchants = list(Organization.objects.filter(kind=OrganizationKind.MERCHANT).order_by("pk"))
    tea = next((m for m in merchants if m.slug == "jingmai-tea"), None)
    if tea is None:
        return 0
    alliances: dict[str, Actor] = {}
    for slug, name, body, region, description, username, display_name in ALLIANCES:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, display_name=display_name)
        organization = organization_create(
            name=name,
            kind=OrganizationKind.ALLIANCE,
            uscc=body + uscc_check_char(body),
            slug=slug,
            region=region,
            description=description,
            owner=user,
        )
        alliances[slug] = Actor(organization=organization, role=Role.OWNER, user=user)
    for slug, actor in alliances.items():
        alliance_regions_declare(actor=actor, codes=[row[3] for row in PROGRAMMES if row[0] == slug])
    for slug, code, name, region_code, description, labels, stars, badge in PROGRAMMES:
        actor = alliances[slug]
        programme = programme_create(
            actor=actor,
            code=code,
            name=name,
            region_code=region_code,
            description=description,
            required_labels=labels,
            min_lab_stars=stars,
            badge_svg=(BADGES / badge).read_bytes(),
        )
        programme_set_status(actor=actor, programme_id=programme.pk, status=ProgrammeStatus.ACTIVE)
    _registries(tea, merchants)
    tea_actor = _owner(tea)
    scan = Evidence.objects.filter(organization=tea, purpose=Purpose.CERTIFICATE).order_by("id").first()
    credential_submit(
        actor=tea_actor,
        kind=CredentialKind.ORGANIC,
        number=TEA_CERTIFICATE_NUMBER,
        evidence_id=scan.pk if scan is not None else None,
    )
    credential_submit(actor=tea_actor, kind=CredentialKind.GEO_INDICATION, number=TEA_GI_NUMBER)
    for merchant in merchants:
        if merchant.uscc and merchant.slug in ("shanye-mushroom", "jingmai-tea", "dianwei-bakery"):
            credential_submit(actor=_owner(merchant), kind=CredentialKind.BUSINESS_CREDIT, number=merchant.uscc)
    return len(PROGRAMMES)
