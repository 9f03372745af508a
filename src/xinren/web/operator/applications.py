"""Reviewers' queue of applications to sell (/operator/applications/) and the decision page."""

from __future__ import annotations

from django import forms
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.consumers import phone_mask
from xinren.core.errors import DomainError
from xinren.governance.choices import ApplicationDecisionKind, ApplicationStatus, ReviewReason
from xinren.governance.selectors import applications as selectors
from xinren.governance.services import applications as services
from xinren.web.merchant.console import console_view, form_error, render_console

from .dashboard import OPERATOR


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("决定"), choices=ApplicationDecisionKind.choices, widget=forms.RadioSelect)
    reasons = forms.MultipleChoiceField(label=_("理由"), required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, rules: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["reasons"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [*ReviewReason.choices, *rules]


@console_view(**OPERATOR)  # type: ignore[arg-type]
def application_queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    entries = selectors.application_queue(actor=actor)
    return render_console(
        request,
        actor,
        "operator/applications/queue.html",
        {"entries": entries, "limit_hours": selectors.review_hours()},
    )


@console_view(**OPERATOR)  # type: ignore[arg-type]
def application_detail(request: HttpRequest, actor: Actor, public_id: str) -> HttpResponse:
    application = selectors.application_get_for_reviewer(actor=actor, public_id=public_id)
    # The rule ids of this application's checks, labelled with what the check said (the not-passed ones first).
    labelled: dict[str, str] = {}
    for check in sorted(application.checks.all(), key=lambda c: c.outcome == "pass"):
        labelled.setdefault(check.rule, f"{check.rule} — {check.message}")
    rules = list(labelled.items())
    form = DecisionForm(request.POST or None, rules=rules)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.application_decide(actor=actor, public_id=public_id, **form.cleaned_data)
            return redirect("operator:applications")
        except DomainError as error:
            status = form_error(form, error)
    qualifications = [
        (q, default_storage.url(q.scan.media.original) if q.scan else "")
        for q in application.qualifications.select_related("scan__media")
    ]
    return render_console(request, actor, "operator/applications/detail.html", {
        "application": application, "form": form, "qualifications": qualifications,
        "checks": application.checks.all(), "phone": phone_mask(application.contact_phone),
        "decidable": application.status == ApplicationStatus.SUBMITTED,
    }, status=status)  # fmt: skip
