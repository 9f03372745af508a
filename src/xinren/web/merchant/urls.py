"""Merchant console routes, mounted at /merchant/."""

from django.urls import path

from .views import batches, events, home, labels, organization, products

app_name = "merchant"

urlpatterns = [
    path("", home.dashboard, name="dashboard"),
    path("organization/", home.organization_switch, name="organization_switch"),
    path("products/", products.product_list, name="product_list"),
    path("products/new/", products.product_create, name="product_create"),
    path("products/<int:product_id>/", products.product_detail, name="product_detail"),
    path("products/<int:product_id>/edit/", products.product_edit, name="product_edit"),
    path("products/<int:product_id>/status/", products.product_status, name="product_status"),
    path("products/<int:product_id>/images/", products.product_image_add, name="product_image_add"),
    path("products/<int:product_id>/batches/new/", batches.batch_create, name="batch_create"),
    path("batches/", batches.batch_list, name="batch_list"),
    path("batches/<int:batch_id>/", batches.batch_detail, name="batch_detail"),
    path("batches/<int:batch_id>/items/", batches.items_generate, name="items_generate"),
    path("batches/<int:batch_id>/labels.svg", batches.batch_labels, {"extension": "svg"}, name="labels_svg"),
    path("batches/<int:batch_id>/labels.pdf", batches.batch_labels, {"extension": "pdf"}, name="labels_pdf"),
    path("batches/<int:batch_id>/labels/", labels.label_sheets, name="label_sheets"),
    path("label-sheets/<int:sheet_id>/download/", labels.label_sheet_download, name="label_sheet_download"),
    path("events/", events.event_list, name="event_list"),
    path("events/new/", events.event_create, name="event_create"),
    path("places/", events.place_list, name="place_list"),
    path("partners/", organization.partner_list, name="partner_list"),
    path("partners/grants/<int:grant_id>/revoke/", organization.partner_grant_revoke, name="partner_grant_revoke"),
    path("partners/received/", organization.grants_received, name="grants_received"),
    path("api-keys/", organization.api_key_list, name="api_key_list"),
    path("api-keys/<int:key_id>/revoke/", organization.api_key_revoke, name="api_key_revoke"),
]

# Selling: offers, orders and shipping (merchants), deliveries (logistics organizations).
from .views import orders as order_views  # noqa: E402

urlpatterns += [
    path("offers/", order_views.offer_list, name="offer_list"),
    path("offers/<int:product_id>/", order_views.offer_edit, name="offer_edit"),
    path("orders/", order_views.order_list, name="order_list"),
    path("orders/<slug:number>/", order_views.order_detail, name="order_detail"),
    path("orders/<slug:number>/ship/", order_views.order_ship, name="order_ship"),
    path("orders/<slug:number>/cancel/", order_views.order_cancel, name="order_cancel"),
    path("orders/<slug:number>/refund/", order_views.order_refund, name="order_refund"),
    path("deliveries/", order_views.delivery_list, name="delivery_list"),
    path("deliveries/<int:shipment_id>/confirm/", order_views.delivery_confirm, name="delivery_confirm"),
]

# Reviews of the merchant's products: read and reply (xinren.reviews).
from .views import reviews as review_views  # noqa: E402

urlpatterns += [
    path("reviews/", review_views.review_list, name="review_list"),
    path("reviews/<int:review_id>/reply/", review_views.review_reply, name="review_reply"),
]

# Trace album (溯源相册): evidence photos, videos and certificates of a product or lot (xinren.evidence).
from .views import evidence as evidence_views  # noqa: E402

urlpatterns += [
    path("products/<int:product_id>/album/", evidence_views.product_album, name="product_album"),
    path("batches/<int:batch_id>/album/", evidence_views.batch_album, name="batch_album"),
    path("evidence/<int:evidence_id>/withdraw/", evidence_views.evidence_withdraw, name="evidence_withdraw"),
]

# A lab's reports: the list, and issuing one with the lab's own PDF (xinren.lab).
from .views import lab_reports as lab_report_views  # noqa: E402

urlpatterns += [
    path("lab-reports/", lab_report_views.lab_report_list, name="lab_report_list"),
]

# Why an item's code is flagged as possibly copied: the networks that scanned it (xinren.trace.scans).
from .views import scans as scan_views  # noqa: E402

urlpatterns += [
    path("items/<int:item_id>/scans/", scan_views.item_scans, name="item_scans"),
]

# Trust labels, credentials and regional programmes (xinren.trust, xinren.verification).
from .views import trust as trust_views  # noqa: E402

urlpatterns += [
    path("trust/", trust_views.trust_home, name="trust_home"),
    path("trust/batches/<int:batch_id>/", trust_views.trust_lot, name="trust_lot"),
    path("trust/credentials/<int:credential_id>/recheck/", trust_views.credential_recheck, name="credential_recheck"),
    path(
        "trust/credentials/<int:credential_id>/withdraw/", trust_views.credential_withdraw, name="credential_withdraw"
    ),
    path("programmes/", trust_views.programme_list, name="programme_list"),
    path("programmes/regions/", trust_views.alliance_regions, name="alliance_regions"),
    path("programmes/<int:programme_id>/", trust_views.programme_detail, name="programme_detail"),
    path("programmes/<int:programme_id>/status/", trust_views.programme_status, name="programme_status"),
]

# Cold chain: a product's allowed temperature range and delivery promise (xinren.coldchain).
from .views import coldchain as coldchain_views  # noqa: E402

urlpatterns += [
    path("products/<int:product_id>/coldchain/", coldchain_views.product_coldchain, name="product_coldchain"),
]

# 联系商家: the inbox of consumers' questions, threads and replies (xinren.support).
from .views import support as support_views  # noqa: E402

urlpatterns += [
    path("support/", support_views.support_inbox, name="support_inbox"),
    path("support/<int:conversation_id>/", support_views.support_thread, name="support_thread"),
    path("support/<int:conversation_id>/close/", support_views.support_close, name="support_close"),
]

# 召回: issue a recall, the list with its reach, one recall (xinren.aftersales.recalls).
from .views import recalls as recall_views  # noqa: E402

urlpatterns += [
    path("recalls/", recall_views.recall_list, name="recall_list"),
    path("recalls/new/", recall_views.recall_new, name="recall_new"),
    path("recalls/<int:recall_id>/", recall_views.recall_detail, name="recall_detail"),
]

# 售后: after-sale requests and claims, and operators' disputes (xinren.aftersales).
from .views import aftersales as aftersale_views  # noqa: E402
from .views import evidence_requests as evidence_request_views  # noqa: E402
from .views import nps as nps_views  # noqa: E402
from .views import pickups as pickup_views  # noqa: E402

urlpatterns += [
    path("aftersales/", aftersale_views.aftersale_queue, name="aftersale_queue"),
    path("aftersales/disputes/", aftersale_views.dispute_list, name="dispute_list"),
    path("aftersales/nps/", nps_views.nps_overview, name="nps_overview"),  # before <reference>: "nps" is a slug
    path("aftersales/disputes/<slug:reference>/", aftersale_views.dispute_detail, name="dispute_detail"),
    path("aftersales/<slug:reference>/", aftersale_views.aftersale_detail, name="aftersale_detail"),
    path("aftersales/<slug:reference>/agree/", aftersale_views.aftersale_agree, name="aftersale_agree"),
    path("aftersales/<slug:reference>/refuse/", aftersale_views.aftersale_refuse, name="aftersale_refuse"),
    path("aftersales/<slug:reference>/propose/", aftersale_views.aftersale_propose, name="aftersale_propose"),
    path("aftersales/<slug:reference>/receive/", aftersale_views.aftersale_receive, name="aftersale_receive"),
    path("aftersales/<slug:reference>/inspect/", aftersale_views.aftersale_inspect, name="aftersale_inspect"),
    path("aftersales/<slug:reference>/evidence/", evidence_request_views.evidence_ask,
         name="aftersale_evidence_ask"),
    path("pickups/", pickup_views.pickup_list, name="pickup_list"),
    path("pickups/<int:pickup_id>/picked-up/", pickup_views.pickup_collect, name="pickup_collect"),
]

# 先行赔付基金: operators' balances, flows, chart and reconciliation; a merchant's deposit (xinren.aftersales.fund).
from .views import fund as fund_views  # noqa: E402

urlpatterns += [
    path("fund/", fund_views.fund_home, name="fund_home"),
    path("fund/money-in/", fund_views.fund_money_in, name="fund_money_in"),
    path("fund/journals/", fund_views.fund_journals, name="fund_journals"),
    path("fund/reconcile/", fund_views.fund_reconcile_run, name="fund_reconcile_run"),
]
urlpatterns += [
    path("insurance/", fund_views.insurance_home, name="insurance_home"),
    path("insurance/policies/", fund_views.insurance_policy_publish, name="insurance_policy_publish"),
    path("insurance/fund/", fund_views.insurance_fund, name="insurance_fund"),
    path("insurance/policies/<int:policy_id>/subscribe/", fund_views.insurance_subscribe, name="insurance_subscribe"),
]

# 保障计划 (信任购, 菌无忧): operators publish and edit, merchants join and leave (xinren.aftersales.programmes).
from .views import guarantee_programmes as guarantee_views  # noqa: E402

urlpatterns += [
    path("guarantee-programmes/", guarantee_views.programme_list, name="guarantee_programme_list"),
    path("guarantee-programmes/new/", guarantee_views.programme_new, name="guarantee_programme_new"),
    path("guarantee-programmes/<int:programme_id>/", guarantee_views.programme_detail,
         name="guarantee_programme_detail"),
    path("guarantee-programmes/<int:programme_id>/edit/", guarantee_views.programme_edit,
         name="guarantee_programme_edit"),
    path("guarantee-programmes/<int:programme_id>/join/", guarantee_views.programme_join,
         name="guarantee_programme_join"),
    path("guarantee-programmes/<int:programme_id>/leave/", guarantee_views.programme_leave,
         name="guarantee_programme_leave"),
]

# Who pays: an insurer's claims, the operators' 假一赔N decisions and payout retries (aftersales/services/payers.py).
from .views import insurance_claims as claim_views  # noqa: E402

urlpatterns += [
    path("insurance/claims/", claim_views.insurer_claims, name="insurer_claims"),
    path("insurance/claims/<slug:reference>/pay/", claim_views.insurer_claim_pay, name="insurer_claim_pay"),
    path("aftersales/disputes/<slug:reference>/counterfeit/", claim_views.counterfeit_decide,
         name="counterfeit_decide"),
    path("aftersales/disputes/<slug:reference>/retry/", claim_views.payout_retry, name="payout_retry"),
]

# 成本透明: breakdowns against the price now, re-publishing stale ones (xinren.costs, ADR 0035).
from .views import costs as cost_views  # noqa: E402

urlpatterns += [
    path("costs/", cost_views.cost_list, name="cost_list"),
    path("products/<int:product_id>/costs/", cost_views.product_costs, name="product_costs"),
]

# The merchant's own risk score and appeals (xinren.governance.risk, docs/governance.md).
from .views import risk as risk_views  # noqa: E402

urlpatterns += [
    path("risk/", risk_views.risk_home, name="risk_home"),
    path("risk/actions/<int:action_id>/appeal/", risk_views.risk_appeal, name="risk_appeal"),
]

# Applying to sell (xinren.governance): any signed-in person, no organization needed.
from .views import apply as apply_views  # noqa: E402

urlpatterns += [
    path("apply/", apply_views.apply_home, name="apply"),
    path("apply/new/", apply_views.apply_edit, name="apply_new"),
    path("apply/<slug:public_id>/", apply_views.apply_edit, name="apply_edit"),
]
# Qualifications (资质): validity, expiry warnings and renewals (xinren.governance.watch).
from .views import qualifications as qualification_views  # noqa: E402

urlpatterns += [path("qualifications/", qualification_views.qualifications, name="qualifications")]
# Governance as the merchant sees it: its probation (新手期) and its payouts (结算).
from .views import probation as probation_views  # noqa: E402

urlpatterns += [
    path("probation/", probation_views.probation_page, name="probation"),
    path("payouts/", probation_views.payouts_page, name="payouts"),
]

# 嵌入徽章: embeddable badges with copyable snippets (docs/badges.md).
from .views import badges as badge_views  # noqa: E402

urlpatterns += [path("badges/", badge_views.badge_list, name="badge_list")]
# 主动关怀 (xinren.care): hurt customers' tickets, proactive offers and complaint trends.
from xinren.web.care import console as care_views  # noqa: E402

urlpatterns += [
    path("care/", care_views.merchant_care, name="care"),
    path("care/tickets/<int:ticket_id>/", care_views.merchant_care_ticket, name="care_ticket"),
]

# Trust scores, delisting at 95 % confidence and appeals (xinren.trust.delisting, ADR 0052).
from .views import trust_scores as trust_score_views  # noqa: E402

urlpatterns += [
    path("trust-scores/", trust_score_views.trust_scores, name="trust_scores"),
    path("trust-scores/delistings/<int:delisting_id>/appeal/", trust_score_views.trust_delisting_appeal,
         name="trust_delisting_appeal"),
]
