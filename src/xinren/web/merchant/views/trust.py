"""Trust labels in the console: merchants see their labels and what is missing and submit credentials;
alliances define regional programmes, upload badge artwork and see which lots qualify."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.catalog import selectors as catalog_selectors
from xinren.core.errors import DomainError
from xinren.evidence.choices import EvidenceStatus, Purpose
from xinren.evidence.models import Evidence
from xinren.trust import selectors as trust_selectors
from xinren.trust import services as trust_services
from xinren.trust.choices import PROGRAMME_TRANSITIONS, ProgrammeStatus
from xinren.trust.labels.catalogue import LABELS
from xinren.trust.svg import MAX_BYTES
from xinren.verification import selectors as verification_selectors
from xinren.verification import services as verification_services
from xinren.verification.choices import CredentialKind

from ..console import console_view, form_error, render_console

ALLIANCE = [OrganizationKind.ALLIANCE]
LOTS_SHOWN = 30


class CredentialForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("证照类型"), choices=CredentialKind.choices)
    number = forms.CharField(label=gettext_lazy("证书编号"), max_length=64)
    holder_name = forms.CharField(
        label=gettext_lazy("持有人名称"),
        max_length=128,
        required=False,
        help_text=gettext_lazy("留空则使用本组织名称"),
    )
    evidence_id = forms.TypedChoiceField(
        label=gettext_lazy("证书扫描件"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=gettext_lazy("先在商品的溯源相册上传用途为“证书”的文件"),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scans = Evidence.objects.filter(
            organization=actor.organization, purpose=Purpose.CERTIFICATE, status=EvidenceStatus.ACTIVE
        ).order_by("-created_at")[:100]
        self.fields["evidence_id"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (e.pk, e.caption or f"#{e.pk}") for e in scans
        ]


class ProgrammeForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("代码"), max_length=48, help_text=gettext_lazy("如 kunming-trace"))
    name = forms.CharField(label=gettext_lazy("名称"), max_length=64)
    region_code = forms.ChoiceField(
        label=gettext_lazy("地区"),
        help_text=gettext_lazy("只能选本联盟声明的地区或其下辖地区（GB/T 2260 代码）"),
    )
    description = forms.CharField(
        label=gettext_lazy("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    required_labels = forms.MultipleChoiceField(
        label=gettext_lazy("要求的标签"),
        widget=forms.CheckboxSelectMultiple,
        choices=[(label.code, label.name) for label in LABELS],
    )
    min_lab_stars = forms.TypedChoiceField(
        label=gettext_lazy("最低检测星级"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—")] + [(n, f"{n} ★") for n in range(1, 6)],
    )
    badge = forms.FileField(
        label=gettext_lazy("徽章 SVG"),
        required=False,
        help_text=gettext_lazy("SVG 文件，不超过 64 KiB；不能含脚本、外部链接或事件属性"),
    )
    domain_error_fields = {
        "programme.badge_svg_invalid": "badge",
        "programme.code_taken": "code",
        "programme.region_unknown": "region_code",
        "programme.region_outside_alliance": "region_code",
    }

    def __init__(self, *args: Any, region_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = region_choices  # type: ignore[attr-defined]

    def badge_bytes(self) -> bytes | None:
        upload = self.cleaned_data.get("badge")
        if not upload:
            return None
        return bytes(upload.read(MAX_BYTES + 1))


class AllianceRegionsForm(forms.Form):
    codes = forms.MultipleChoiceField(
        label=gettext_lazy("本联盟代表的地区"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("只能在平台登记的本联盟所在地区之内；计划和徽章都限于这些地区"),
    )
    domain_error_fields = {"alliance.regions_invalid": "codes", "alliance.region_in_use": "codes"}

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = choices  # type: ignore[attr-defined]


@console_view()
def trust_home(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Merchants: labels per lot and credentials. Alliances: their programmes."""
    if actor.organization.kind == OrganizationKind.ALLIANCE:
        return redirect("merchant:programme_list")
    actor.require(role=Role.VIEWER, kinds=CATALOG_KINDS)
    form = CredentialForm(request.POST or None, actor=actor)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                credential = verification_services.credential_submit(actor=actor, **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                if credential.status == "verified":
                    messages.success(request, _("证书核验通过，结果已签名上链"))
                else:
                    messages.warning(request, _("证书未通过核验，详见下方核验记录"))
                return redirect("merchant:trust_home")
    lots = []
    for batch in catalog_selectors.batch_list(actor=actor).select_related("product")[:LOTS_SHOWN]:
        evaluation = trust_selectors.labels_evaluate(product=batch.product, batch=batch)
        lots.append(
            {
                "batch": batch,
                "earned": [label for label, o in evaluation.outcomes if o.earned],
                "missing": len([1 for _label, o in evaluation.outcomes if not o.earned]),
            }
        )
    context = {
        "form": form,
        "lots": lots,
        "credentials": verification_selectors.credential_list(actor=actor)[:100],
        "checks": verification_selectors.check_list(actor=actor)[:20],
    }
    return render_console(request, actor, "merchant/trust_home.html", context, status=status)


@console_view(kinds=CATALOG_KINDS)
def trust_lot(request: HttpRequest, actor: Actor, batch_id: int) -> HttpResponse:
    """Every label for one lot: earned with its evidence, or what is missing; each regional programme's verdict."""
    batch = catalog_selectors.batch_get(actor=actor, batch_id=batch_id)
    detail = trust_selectors.labels_console_for(actor=actor, product=batch.product, batch=batch)
    return render_console(request, actor, "merchant/trust_lot.html", {"batch": batch, "detail": detail})


@require_POST
@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def credential_recheck(request: HttpRequest, actor: Actor, credential_id: int) -> HttpResponse:
    check = verification_services.credential_recheck(actor=actor, credential_id=credential_id)
    messages.info(request, _("已重新核验：%(status)s") % {"status": check.get_status_display()})
    return redirect("merchant:trust_home")


@require_POST
@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def credential_withdraw(request: HttpRequest, actor: Actor, credential_id: int) -> HttpResponse:
    verification_services.credential_withdraw(actor=actor, credential_id=credential_id)
    messages.success(request, _("证书已撤回，依赖它的标签将不再显示"))
    return redirect("merchant:trust_home")


def _regions_form(actor: Actor, data: Any = None) -> AllianceRegionsForm:
    declared = [row["code"] for row in trust_selectors.alliance_regions_list(actor=actor)]
    return AllianceRegionsForm(
        data, choices=trust_selectors.alliance_home_choices(actor=actor), initial={"codes": declared}
    )


def _programmes_page(
    request: HttpRequest, actor: Actor, *, form: ProgrammeForm, regions_form: AllianceRegionsForm, status: int
) -> HttpResponse:
    context = {
        "form": form,
        "regions_form": regions_form,
        "regions": trust_selectors.alliance_regions_list(actor=actor),
        "home": actor.organization.region,
        "programmes": trust_selectors.programme_list(actor=actor),
    }
    return render_console(request, actor, "merchant/trust_programmes.html", context, status=status)


@console_view(role=Role.ADMIN, kinds=ALLIANCE)
def alliance_regions(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The alliance declares the regions it speaks for (GB/T 2260 codes inside its registered region)."""
    if request.method != "POST":
        return redirect("merchant:programme_list")
    regions_form = _regions_form(actor, request.POST)
    status = 422
    if regions_form.is_valid():
        try:
            trust_services.alliance_regions_declare(actor=actor, codes=regions_form.cleaned_data["codes"])
        except DomainError as exc:
            status = form_error(regions_form, exc, regions_form.domain_error_fields)
        else:
            messages.success(request, _("本联盟的地区已更新"))
            return redirect("merchant:programme_list")
    form = ProgrammeForm(region_choices=trust_selectors.alliance_region_choices(actor=actor))
    return _programmes_page(request, actor, form=form, regions_form=regions_form, status=status)


@console_view(kinds=ALLIANCE)
def programme_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ProgrammeForm(
        request.POST or None, request.FILES or None,
        region_choices=trust_selectors.alliance_region_choices(actor=actor),
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                programme = trust_services.programme_create(
                    actor=actor,
                    code=data["code"],
                    name=data["name"],
                    region_code=data["region_code"],
                    description=data["description"],
                    required_labels=data["required_labels"],
                    min_lab_stars=data["min_lab_stars"],
                    badge_svg=form.badge_bytes(),
                )
            except DomainError as exc:
                status = form_error(form, exc, form.domain_error_fields)
            else:
                messages.success(request, _("计划已保存为草稿"))
                return redirect("merchant:programme_detail", programme_id=programme.pk)
    return _programmes_page(request, actor, form=form, regions_form=_regions_form(actor), status=status)


@console_view(kinds=ALLIANCE)
def programme_detail(request: HttpRequest, actor: Actor, programme_id: int) -> HttpResponse:
    programme = trust_selectors.programme_get(actor=actor, programme_id=programme_id)
    initial = {
        "code": programme.code,
        "name": programme.name,
        "region_code": programme.region_code,
        "description": programme.description,
        "required_labels": programme.required_labels,
        "min_lab_stars": programme.min_lab_stars,
    }
    form = ProgrammeForm(
        request.POST or None, request.FILES or None, initial=initial,
        region_choices=trust_selectors.alliance_region_choices(actor=actor),
    )
    form.fields["code"].disabled = True
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                trust_services.programme_update(
                    actor=actor,
                    programme_id=programme.pk,
                    name=data["name"],
                    region_code=data["region_code"],
                    description=data["description"],
                    required_labels=data["required_labels"],
                    min_lab_stars=data["min_lab_stars"],
                    badge_svg=form.badge_bytes(),
                )
            except DomainError as exc:
                status = form_error(form, exc, form.domain_error_fields)
            else:
                messages.success(request, _("计划已更新"))
                return redirect("merchant:programme_detail", programme_id=programme.pk)
    context = {
        "programme": programme,
        "form": form,
        "badge_uri": trust_selectors.badge_data_uri(programme) if programme.badge_svg else "",
        "moves": sorted(PROGRAMME_TRANSITIONS[programme.status]),
        "status_labels": dict(ProgrammeStatus.choices),
        "qualifiers": trust_selectors.programme_qualifiers(actor=actor, programme_id=programme.pk),
        "changes": programme.status_changes.select_related("actor").order_by("-at", "-id"),
    }
    return render_console(request, actor, "merchant/trust_programme_detail.html", context, status=status)


@require_POST
@console_view(role=Role.ADMIN, kinds=ALLIANCE)
def programme_status(request: HttpRequest, actor: Actor, programme_id: int) -> HttpResponse:
    try:
        programme = trust_services.programme_set_status(
            actor=actor, programme_id=programme_id, status=request.POST.get("status", "")
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("计划状态：%(status)s") % {"status": programme.get_status_display()})
    return redirect("merchant:programme_detail", programme_id=programme_id)
