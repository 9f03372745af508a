"""The label rules (rule set labels/2026-11), each strict: every fact it uses must verify in the ledger.

A "pending" statement (accepted, not yet covered by a checkpoint) does not count yet, and a "mismatch"
(the stored row no longer says what was signed) never does. docs/trust-labels.md states each rule in words.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.utils.translation import gettext as _

from xinren.accounts.choices import OrganizationKind
from xinren.attest.proofs import VERIFIED
from xinren.evidence.choices import MediaKind, Purpose
from xinren.trace.choices import BizStep
from xinren.trace.models import Place, TraceEvent
from xinren.verification.choices import CredentialKind, VerificationStatus

from .facts import CredentialFacts, LotFacts
from .outcome import EvidenceRef, LabelOutcome

ORIGIN_RADIUS_KM = 30
DIRECT_HOURS = 24
ORIGIN_STEPS = (BizStep.HARVESTING, BizStep.COMMISSIONING)
ARRIVAL_STEPS = (BizStep.RECEIVING, BizStep.ACCEPTING)


def _distance_km(lat1: Decimal, lng1: Decimal, lat2: Decimal, lng2: Decimal) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def place_in_origin(place: Place, facts: LotFacts) -> bool:
    """Inside the origin: within 30 km of the declared origin point, or (without coordinates on either side)
    an address that starts with the declared origin region."""
    product = facts.product
    if None not in (place.latitude, place.longitude, product.origin_latitude, product.origin_longitude):
        assert place.latitude is not None and place.longitude is not None
        assert product.origin_latitude is not None and product.origin_longitude is not None
        distance = _distance_km(place.latitude, place.longitude, product.origin_latitude, product.origin_longitude)
        return distance <= ORIGIN_RADIUS_KM
    return bool(product.origin_region) and place.address.startswith(product.origin_region)


def _event_ref(facts: LotFacts, event: TraceEvent, description: str) -> EvidenceRef:
    return EvidenceRef.of(kind="trace.event", description=description, proof=facts.proof(event))


def _verified(facts: LotFacts, event: TraceEvent) -> bool:
    return facts.proof(event).state == VERIFIED


def _media_refs(facts: LotFacts, purpose: str) -> tuple[list[EvidenceRef], int]:
    """Verified evidence of a purpose, and how many were left out because they do not verify."""
    refs, unverified = [], 0
    for evidence, proof in facts.evidence(purpose):
        if proof.state != VERIFIED:
            unverified += 1
            continue
        description = evidence.caption or str(Purpose(evidence.purpose).label)
        kind_label = str(MediaKind(evidence.media.kind).label)
        refs.append(EvidenceRef.of(kind="evidence.media", description=f"{kind_label}：{description}", proof=proof))
    return refs, unverified


def origin_direct(facts: LotFacts) -> LabelOutcome:
    """产地直采: the merchant itself recorded a harvest or commissioning of the lot at the origin, and photographed
    the origin."""
    outcome = LabelOutcome()
    merchant_id = facts.product.merchant_id
    at_origin = [
        event
        for event in facts.events
        if event.biz_step in ORIGIN_STEPS
        and event.organization_id == merchant_id
        and event.place is not None
        and place_in_origin(event.place, facts)
    ]
    verified = [event for event in at_origin if _verified(facts, event)]
    if not verified:
        outcome.lack(
            _("商家本人在产地记录、且已在日志中验证的采收或赋码事件")
            if not at_origin
            else _("产地采收事件尚未在日志中验证（待上链或内容不符）")
        )
    for event in verified[:2]:
        assert event.place is not None
        outcome.evidence.append(
            _event_ref(
                facts,
                event,
                _("%(step)s · %(place)s") % {"step": str(BizStep(event.biz_step).label), "place": event.place.name},
            )
        )
    photos, unverified = _media_refs(facts, Purpose.ORIGIN)
    if not photos:
        outcome.lack(
            _("至少一张已验证的产地实拍照片") if not unverified else _("产地照片尚未在日志中验证（待上链或内容不符）")
        )
    outcome.evidence.extend(photos[:3])
    outcome.how = _("商家在产地（%(region)s）亲自记录采收，并上传产地实拍") % {"region": facts.product.origin_region}
    return outcome


def handmade(facts: LotFacts) -> LabelOutcome:
    """匠人手作: verified production evidence (a video shows most) on the product or lot."""
    outcome = LabelOutcome()
    refs, unverified = _media_refs(facts, Purpose.PRODUCTION)
    if not refs:
        outcome.lack(
            _("已验证的生产过程视频或照片") if not unverified else _("生产过程证据尚未在日志中验证（待上链或内容不符）")
        )
    # Videos first: a moving picture of the hands at work says more than a still.
    videos = [ref for ref in refs if ref.description.startswith(str(MediaKind.VIDEO.label))]
    outcome.evidence.extend((videos + [ref for ref in refs if ref not in videos])[:3])
    outcome.how = _("有生产过程的实拍视频或照片为证") if not videos else _("有生产过程的实拍视频为证")
    return outcome


def _legs(facts: LotFacts) -> list[tuple[TraceEvent, TraceEvent]]:
    """The lot's completed legs as (shipping event, arrival event).

    The cold-chain legs a logistics firm opened when there are any; otherwise each shipping event of the lot
    paired with the first receiving (or accepting) event after it and before the next shipping, the pairing
    the cold chain uses. A shipping with no arrival (in transit, or a parcel to a consumer) is not a leg, and a
    buyer's confirmation of delivery (signed by the platform) is not an arrival: buyers confirm when they get
    round to it, so it times the buyer, not the delivery.
    """
    if facts.coldchain_legs:
        return [
            (leg.shipping_event, leg.arrival_event) for leg in facts.coldchain_legs if leg.arrival_event is not None
        ]
    shipments = [e for e in facts.events if e.biz_step == BizStep.SHIPPING]
    arrivals = [
        e for e in facts.events
        if e.biz_step in ARRIVAL_STEPS and e.organization.kind != OrganizationKind.PLATFORM
    ]
    legs: list[tuple[TraceEvent, TraceEvent]] = []
    for position, shipping in enumerate(shipments):
        until = shipments[position + 1].event_time if position + 1 < len(shipments) else None
        arrival = next(
            (a for a in arrivals if a.event_time >= shipping.event_time and (until is None or a.event_time <= until)),
            None,
        )
        if arrival is not None:
            legs.append((shipping, arrival))
    return legs


def direct_24h(facts: LotFacts) -> LabelOutcome:
    """24小时直达仓配: at least one completed leg, and every completed leg of the lot took at most 24 hours from its
    shipping event to its receiving event."""
    outcome = LabelOutcome()
    legs = _legs(facts)
    if not legs:
        return outcome.lack(_("至少一段已完成的运输（发货与收货事件）"))
    longest = 0.0
    for shipping, arrival in legs:
        hours = (arrival.event_time - shipping.event_time).total_seconds() / 3600
        longest = max(longest, hours)
        if hours > DIRECT_HOURS:
            outcome.lack(_("有一段运输用时 %(hours)s 小时，超过 24 小时") % {"hours": f"{hours:.1f}"})
        elif not (_verified(facts, shipping) and _verified(facts, arrival)):
            outcome.lack(_("运输事件尚未在日志中验证（待上链或内容不符）"))
        else:
            outcome.evidence.append(_event_ref(facts, shipping, _("发货")))
            outcome.evidence.append(
                _event_ref(facts, arrival, _("收货，用时 %(hours)s 小时") % {"hours": f"{hours:.1f}"})
            )
    outcome.how = _("由发货与收货事件计算：%(legs)s 段运输，最长 %(hours)s 小时") % {
        "legs": len(legs),
        "hours": f"{longest:.1f}",
    }
    return outcome


def coldchain_full(facts: LotFacts) -> LabelOutcome:
    """冷链全程: every leg of the lot carried temperature readings and none left the product's range."""
    outcome = LabelOutcome()
    status = facts.coldchain
    if status is None or status.legs == 0:
        return outcome.lack(_("带温度记录的冷链运输"))
    if status.profile is None:
        outcome.lack(_("商品的冷链温度范围"))
    if status.legs_with_readings < status.legs:
        outcome.lack(
            _("每一段运输都要有温度记录（%(with)s/%(legs)s 段有）")
            % {"with": status.legs_with_readings, "legs": status.legs}
        )
    if status.excursions:
        outcome.lack(_("运输中出现 %(count)s 次温度超限") % {"count": len(status.excursions)})
    proofs = facts.readings_proofs(status.leaf_hashes)
    if not status.leaf_hashes or any(proofs[h].state != VERIFIED for h in status.leaf_hashes if h):
        outcome.lack(_("温度记录尚未在日志中验证（待上链或内容不符）"))
    else:
        outcome.evidence.extend(
            EvidenceRef.of(kind="coldchain.readings", description=_("温度记录"), proof=proofs[h])
            for h in status.leaf_hashes[:3]
        )
    if status.profile is not None:
        outcome.how = _("%(readings)s 条温度读数全部在 %(min)s–%(max)s ℃ 之内") % {
            "readings": status.readings,
            "min": status.profile["temperature_min"],
            "max": status.profile["temperature_max"],
        }
    return outcome


def _scope_covers(facts: LotFacts, scope: str) -> bool:
    """The registry's scope names the product: one of its terms is the product's category or in its name."""
    terms = [t.strip() for t in scope.replace("；", ";").replace("、", ";").replace("，", ";").split(";")]
    return any(t and (t == facts.category_label or t in facts.product.name) for t in terms)


def _credential_outcome(facts: LotFacts, kind: str, *, region_required: bool) -> LabelOutcome:
    outcome = LabelOutcome()
    candidates = facts.credentials(kind)
    if not candidates:
        return outcome.lack(_("已提交并核验通过的%(kind)s证书") % {"kind": str(CredentialKind(kind).label)})
    reasons: list[str] = []
    for item in candidates:
        reason = _credential_problem(facts, item, region_required=region_required)
        if reason is None:
            assert item.proof is not None
            outcome.evidence.append(
                EvidenceRef.of(
                    kind="verification.result",
                    description=_("%(kind)s %(number)s，%(source)s 核验有效，至 %(until)s")
                    % {
                        "kind": str(CredentialKind(kind).label),
                        "number": item.credential.number,
                        "source": item.current.source,
                        "until": item.current.valid_until or "—",
                    },
                    proof=item.proof,
                )
            )
            outcome.how = _("证书编号经平台对照 %(source)s 核验有效") % {"source": item.current.source}
            return outcome
        reasons.append(reason)
    return outcome.lack(reasons[0])


def _credential_problem(facts: LotFacts, item: CredentialFacts, *, region_required: bool) -> str | None:
    merchant = facts.product.merchant
    if not item.current.is_valid:
        return _("证书 %(number)s 当前核验结果：%(status)s") % {
            "number": item.credential.number,
            "status": str(VerificationStatus(item.current.status).label),
        }
    if not merchant.uscc or item.current.details.get("holder_uscc") != merchant.uscc:
        return _("证书持有人的统一社会信用代码与商家不符")
    if not _scope_covers(facts, str(item.current.details.get("scope", ""))):
        return _("证书范围不包含本商品")
    if region_required:
        region = str(item.current.details.get("region", ""))
        if not region or region not in facts.product.origin_region:
            return _("地理标志保护地区与商品产地不符")
    if item.check is None or item.check.status != "valid":
        return _("请在后台重新核验该证书")
    if item.proof is None or item.proof.state != VERIFIED:
        return _("核验结果尚未在日志中验证（待上链或内容不符）")
    return None


def organic(facts: LotFacts) -> LabelOutcome:
    """有机认证: an organic certificate held by this merchant (credit code match) that verifies valid today and
    whose scope covers the product."""
    return _credential_outcome(facts, CredentialKind.ORGANIC, region_required=False)


def geo_indication(facts: LotFacts) -> LabelOutcome:
    """地理标志产品: a GI authorisation held by this merchant for a protected region containing the product's
    origin, verifying valid today."""
    return _credential_outcome(facts, CredentialKind.GEO_INDICATION, region_required=True)
