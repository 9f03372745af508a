"""Demo governance (for the demo loader, after probation): two applications to sell in the reviewer's queue (one
waiting 30 hours, one sent back for a clearer scan), a blacklisted phone that was stopped at checkout three times
this week, and a risk score for every merchant, so that /operator/, /merchant/apply/ and /merchant/risk/ all have
something to show."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image, ImageDraw

from xinren.accounts.actors import Actor
from xinren.accounts.blacklist import screen
from xinren.accounts.choices import Role
from xinren.accounts.models import Membership, Organization, User
from xinren.accounts.selectors import PLATFORM_SLUG
from xinren.accounts.uscc import uscc_check_char
from xinren.core import clock

from .blacklist import blacklist_add
from .choices import ApplicationDecisionKind, ReviewReason
from .risk.services import risk_evaluate_all
from .services.applications import (
    ApplicationData,
    QualificationData,
    application_create,
    application_decide,
    application_scan_upload,
    application_submit,
)


def _id_number(body: str) -> str:
    """A resident ID number (GB 11643) with its check character, for made-up demo people."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


# Made-up legal representatives' ID numbers (valid check characters, never real people's).
APPLICANTS = (
    # phone, company, USCC body, legal representative, ID number, categories, JY number, hours ago, sent back
    (
        "13800000004",
        "普洱古茶坊茶业有限公司",
        "91530802MA6N0C0T1",
        "刘建国",
        _id_number("53080219800101001"),
        ("tea",),
        "JY15308020000011",
        30,
        False,
    ),
    (
        "13800000003",
        "大理乳扇工坊有限公司",
        "91532901MA6K7Q2B3",
        "陈晓燕",
        _id_number("53290119850505002"),
        ("baked_goods",),
        "JY15329010000021",
        52,
        True,
    ),
)
BANNED_PHONE = "13912340000"


def _scan(title: str) -> bytes:
    image = Image.new("RGB", (480, 320), "white")
    ImageDraw.Draw(image).text((24, 24), title, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _platform_actor() -> Actor | None:
    platform = Organization.objects.filter(slug=PLATFORM_SLUG).first()
    owner = Membership.objects.filter(organization=platform).select_related("user").order_by("id").first()
    if platform is None or owner is None:
        return None
    return Actor(organization=platform, role=Role.ADMIN, user=owner.user)


def demo_governance_load(*, now: dt.datetime) -> None:
    operator = _platform_actor()
    if operator is None:
        return
    for phone, company, uscc_body, rep, id_number, categories, jy, hours_ago, sent_back in APPLICANTS:
        user = User.objects.filter(phone=phone).first()
        if user is None:
            continue
        uscc = uscc_body + uscc_check_char(uscc_body)
        with clock.played_at(now - dt.timedelta(hours=hours_ago)):
            licence = application_scan_upload(user=user, content=_scan("BUSINESS LICENCE"), filename="licence.png")
            permit = application_scan_upload(user=user, content=_scan("JY"), filename="jy.png")
            data = ApplicationData(
                company_name=company,
                uscc=uscc,
                legal_rep_name=rep,
                legal_rep_id_number=id_number,
                contact_phone=phone,
                categories=categories,
                qualifications=(
                    QualificationData(
                        kind="business_licence",
                        number=uscc,
                        holder_name=company,
                        holder_uscc=uscc,
                        issuer="市场监督管理局",
                        scan_id=licence.pk,
                    ),
                    QualificationData(
                        kind="food_business",
                        number=jy,
                        holder_name=company,
                        holder_uscc=uscc,
                        issuer="市场监督管理局",
                        scope=categories,
                        valid_until=(now + dt.timedelta(days=900)).date(),
                        scan_id=permit.pk,
                    ),
                ),
            )
            application = application_create(user=user, data=data)
            application_submit(user=user, public_id=application.public_id, legal_rep_id_number=id_number)
        if sent_back:
            with clock.played_at(now - dt.timedelta(hours=hours_ago - 20)):
                application_decide(
                    actor=operator,
                    public_id=application.public_id,
                    decision=ApplicationDecisionKind.REQUEST_CHANGES,
                    reasons=[ReviewReason.SCAN_UNREADABLE],
                    note="食品经营许可证照片反光，请重新拍摄上传",
                )
    blacklist_add(
        actor=operator,
        kind="phone",
        value=BANNED_PHONE,
        reason="多次恶意索赔，已报警处理",
        ends_at=(now + dt.timedelta(days=180)).date(),
    )
    for days_ago in (5, 3, 1):
        with clock.played_at(now - dt.timedelta(days=days_ago)):
            screen(stage="order", entities={"phone": BANNED_PHONE}, subject="demo")
    risk_evaluate_all(at=now)
