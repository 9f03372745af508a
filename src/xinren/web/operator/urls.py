"""The operator's pages, mounted at /operator/ (platform members; not the Django admin). docs/governance.md."""

from django.urls import path

from . import applications, blacklist, dashboard, probation, rings, risk, trust_appeals

app_name = "operator"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("export/<slug:panel>.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("risk/", risk.risk_overview, name="risk_overview"),
    path("risk/evaluations/<int:evaluation_id>/", risk.risk_evaluation, name="risk_evaluation"),
    path("risk/rule-sets/", risk.risk_rule_set_draft, name="risk_rule_set_draft"),
    path("risk/rule-sets/<int:version>/", risk.risk_rule_set, name="risk_rule_set"),
    path("risk/rule-sets/<int:version>/promote/", risk.risk_rule_set_promote, name="risk_rule_set_promote"),
    path("risk/actions/<int:action_id>/suspension/", risk.risk_suspension_decide, name="risk_suspension_decide"),
    path("risk/appeals/<int:appeal_id>/", risk.risk_appeal_decide, name="risk_appeal_decide"),
    path("applications/", applications.application_queue, name="applications"),
    path("applications/<slug:public_id>/", applications.application_detail, name="application_detail"),
    path("blacklist/", blacklist.blacklist_list, name="blacklist"),
    path("blacklist/import/", blacklist.blacklist_import, name="blacklist_import"),
    path("blacklist/<int:entry_id>/lift/", blacklist.blacklist_lift, name="blacklist_lift"),
    path("interceptions/", blacklist.interceptions, name="interceptions"),
    path("probation/", probation.probation_list, name="probation_list"),
    path("probation/<int:probation_id>/extend/", probation.probation_extend_view, name="probation_extend"),
    path("rings/", rings.ring_list, name="rings"),
    path("rings/<int:ring_id>/", rings.ring_decide, name="ring_decide"),
    path("trust-appeals/", trust_appeals.trust_appeal_queue, name="trust_appeals"),
    path("trust-appeals/<int:appeal_id>/", trust_appeals.trust_appeal_detail, name="trust_appeal_detail"),
    path("trust-appeals/<int:appeal_id>/decide/", trust_appeals.trust_appeal_decide, name="trust_appeal_decide"),
]
# 主动关怀 across merchants (xinren.care).
from xinren.web.care import console as care_views  # noqa: E402

urlpatterns += [
    path("care/", care_views.operator_care, name="care"),
    path("care/tickets/<int:ticket_id>/", care_views.operator_care_ticket, name="care_ticket"),
]
