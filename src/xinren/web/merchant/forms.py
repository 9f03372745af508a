"""Console forms. They only parse and shape input; the services decide what is allowed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinren.accounts.choices import Role
from xinren.catalog import errors as catalog_errors
from xinren.catalog.choices import LabelSheetFormat, NetContentUnit, ProductCategory
from xinren.catalog.gs1 import DigitalLink, ai_value_validate
from xinren.catalog.models import Batch
from xinren.coldchain.readings import READING_UNITS
from xinren.core.errors import DomainError
from xinren.trace import errors as trace_errors
from xinren.trace.choices import Action, BizStep, Disposition, EventType
from xinren.trace.models import Place

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DEFAULT_TIME_ZONE = "Asia/Shanghai"
TIME_ZONES = [
    ("Asia/Shanghai", _("北京时间 (Asia/Shanghai)")),
    ("Asia/Hong_Kong", "Asia/Hong_Kong"),
    ("Asia/Taipei", "Asia/Taipei"),
    ("Asia/Singapore", "Asia/Singapore"),
    ("Asia/Bangkok", "Asia/Bangkok"),
    ("Asia/Tokyo", "Asia/Tokyo"),
    ("Asia/Dubai", "Asia/Dubai"),
    ("Europe/Berlin", "Europe/Berlin"),
    ("Europe/London", "Europe/London"),
    ("America/New_York", "America/New_York"),
    ("America/Los_Angeles", "America/Los_Angeles"),
    ("UTC", "UTC"),
]
# UN/CEFACT Recommendation 20 codes, as EPCIS quantities and sensor reports expect.
UNITS = [
    ("", "—"),
    ("KGM", _("千克 (KGM)")),
    ("GRM", _("克 (GRM)")),
    ("TNE", _("吨 (TNE)")),
    ("LTR", _("升 (LTR)")),
    ("H87", _("件 (H87)")),
]
SENSOR_TYPES = [("Temperature", _("温度 (°C)")), ("RelativeHumidity", _("相对湿度 (%)"))]
RECORDABLE_EVENT_TYPES = [
    (EventType.OBJECT.value, EventType.OBJECT.label),
    (EventType.AGGREGATION.value, EventType.AGGREGATION.label),
    (EventType.TRANSFORMATION.value, EventType.TRANSFORMATION.label),
]
_IDENTIFIER_PREFIXES = ("http://", "https://", "urn:", "/01/")


class DomainErrorFields:
    """Maps a service's error codes to the form field they concern, so the message shows beside it."""

    domain_error_fields: dict[str, str] = {}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ProductEditForm(DomainErrorFields, forms.Form):
    name = forms.CharField(label=_("商品名称"), max_length=128)
    category = forms.ChoiceField(label=_("品类"), choices=ProductCategory.choices)
    origin_region = forms.CharField(
        label=_("产地"), max_length=128, help_text=_("例如：云南省楚雄州南华县")
    )
    origin_place = forms.CharField(
        label=_("产地地点"), max_length=128, required=False, help_text=_("乡镇、村或基地，例如：五街镇野生菌采集点")
    )
    origin_latitude = forms.DecimalField(
        label=_("产地纬度"), required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    origin_longitude = forms.DecimalField(
        label=_("产地经度"), required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    net_content_amount = forms.DecimalField(
        label=_("净含量"), required=False, max_digits=12, decimal_places=3,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )
    net_content_unit = forms.ChoiceField(
        label=_("净含量单位"), required=False, choices=[("", "—"), *NetContentUnit.choices]
    )
    shelf_life_days = forms.IntegerField(
        label=_("保质期（天）"), required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    ingredients = forms.CharField(label=_("配料"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(label=_("描述"), required=False, widget=forms.Textarea(attrs={"rows": 5}))

    domain_error_fields = {
        "product.category_invalid": "category",
        "product.latitude_invalid": "origin_latitude",
        "product.longitude_invalid": "origin_longitude",
    }

    def facts(self) -> dict[str, Any]:
        """The product's facts as the catalog services take them."""
        return {
            name: self.cleaned_data[name]
            for name in ("name", "category", "origin_region", "origin_place", "origin_latitude", "origin_longitude",
                         "net_content_amount", "net_content_unit", "shelf_life_days", "ingredients", "description")
        }


class ProductCreateForm(ProductEditForm):
    gtin = forms.CharField(
        label=_("GTIN 商品条码"),
        max_length=14,
        help_text=_("8、12、13 或 14 位数字，含校验位"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    field_order = ["gtin", "name", "category", "origin_region", "origin_place", "origin_latitude", "origin_longitude",
                   "net_content_amount", "net_content_unit", "shelf_life_days", "ingredients", "description"]
    domain_error_fields = {
        **ProductEditForm.domain_error_fields,
        "gtin.format": "gtin",
        "gtin.check_digit": "gtin",
        catalog_errors.PRODUCT_GTIN_TAKEN: "gtin",
    }


class ImageUploadForm(DomainErrorFields, forms.Form):
    image = forms.FileField(
        label=_("商品图片"),
        help_text=_("JPEG、PNG 或 WebP；上传后会去除 EXIF/GPS 等元数据"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    domain_error_fields = {catalog_errors.IMAGE_INVALID: "image", catalog_errors.IMAGE_TOO_MANY_PIXELS: "image"}

    def clean_image(self) -> Any:
        upload = self.cleaned_data["image"]
        # Refuse before reading: the service checks again, but only after the bytes are in memory.
        if upload.size > settings.XINREN_MAX_IMAGE_BYTES:
            raise forms.ValidationError(_("图片过大"), code="too_large")
        return upload


class BatchForm(DomainErrorFields, forms.Form):
    lot = forms.CharField(label=_("批号"), max_length=20, help_text=_("1–20 位字母、数字或 GS1 允许的符号"))
    production_date = forms.DateField(label=_("生产日期"), widget=_date_input())
    expiry_date = forms.DateField(label=_("保质期至"), required=False, widget=_date_input())
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=10_000_000)

    domain_error_fields = {
        "lot.format": "lot",
        catalog_errors.BATCH_LOT_TAKEN: "lot",
        "batch.quantity_invalid": "quantity",
    }


class ItemsGenerateForm(DomainErrorFields, forms.Form):
    count = forms.IntegerField(label=_("生成数量"), min_value=1, max_value=5000)

    domain_error_fields = {catalog_errors.ITEMS_COUNT: "count"}


class PlaceForm(DomainErrorFields, forms.Form):
    name = forms.CharField(label=_("地点名称"), max_length=128)
    latitude = forms.DecimalField(
        label=_("纬度"), required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("经度"), required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    gln = forms.CharField(
        label=_("GLN 全球位置码"), max_length=13, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("地址"), max_length=256, required=False)

    domain_error_fields = {
        trace_errors.PLACE_INVALID: "name",
        trace_errors.PLACE_GLN_INVALID: "gln",
        trace_errors.PLACE_GLN_TAKEN: "gln",
    }


class BatchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.product.name} · {obj.lot}"


class EventForm(DomainErrorFields, forms.Form):
    """One trace event. The items are a whole lot (optionally with a quantity) or pasted identifiers."""

    event_type = forms.ChoiceField(label=_("事件类型"), choices=RECORDABLE_EVENT_TYPES, initial=EventType.OBJECT)
    action = forms.ChoiceField(label=_("动作"), choices=Action.choices, initial=Action.OBSERVE)
    biz_step = forms.ChoiceField(label=_("业务步骤"), choices=BizStep.choices)
    disposition = forms.ChoiceField(
        label=_("状态"), choices=[("", "—"), *Disposition.choices], required=False
    )
    event_time = forms.DateTimeField(label=_("发生时间"), widget=_datetime_input())
    time_zone = forms.ChoiceField(label=_("时区"), choices=TIME_ZONES, initial=DEFAULT_TIME_ZONE)
    place = forms.ModelChoiceField(label=_("地点"), queryset=Place.objects.none(), required=False)
    batch = BatchChoiceField(
        label=_("批次"),
        queryset=Batch.objects.none(),
        required=False,
        help_text=_("不填序列号时记录整个批次"),
    )
    quantity = forms.DecimalField(
        label=_("数量"), required=False, max_digits=14, decimal_places=3, min_value=0,
        help_text=_("仅用于整个批次"),
    )
    uom = forms.ChoiceField(label=_("单位"), choices=UNITS, required=False)
    identifiers = forms.CharField(
        label=_("序列号或数字链接"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("每行一个：所选批次的序列号，或完整的 GS1 数字链接 / EPC URN"),
    )
    parent = forms.CharField(
        label=_("容器标识（聚合事件）"), required=False, max_length=512,
        help_text=_("例如托盘的 SSCC 或数字链接"),
    )
    outputs = forms.CharField(
        label=_("产出（转化事件）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text=_("每行一个数字链接"),
    )

    domain_error_fields = {
        trace_errors.IDENTIFIER_INVALID: "identifiers",
        trace_errors.IDENTIFIER_CHECK_DIGIT: "identifiers",
        trace_errors.IDENTIFIER_LOT_MISMATCH: "identifiers",
        trace_errors.IDENTIFIER_DUPLICATE: "identifiers",
        trace_errors.IDENTIFIER_FORBIDDEN: "identifiers",
        trace_errors.QUANTITY_INVALID: "quantity",
        trace_errors.TIME_INVALID: "event_time",
        trace_errors.TIME_ZONE_OFFSET_INVALID: "time_zone",
        trace_errors.ACTION_INVALID: "action",
        trace_errors.PLACE_NOT_FOUND: "place",
    }

    def __init__(
        self,
        *args: Any,
        places: QuerySet[Place],
        batches: QuerySet[Batch],
        resolver: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.resolver = resolver
        place_field = self.fields["place"]
        batch_field = self.fields["batch"]
        assert isinstance(place_field, forms.ModelChoiceField)
        assert isinstance(batch_field, forms.ModelChoiceField)
        place_field.queryset = places
        batch_field.queryset = batches

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        when = data.get("event_time")
        zone = data.get("time_zone")
        if when is not None and zone:
            # The browser sends wall-clock time; it belongs to the chosen zone, not the server's.
            data["event_time"] = timezone.make_naive(when).replace(tzinfo=ZoneInfo(zone))
        data["identifier_list"] = self._identifiers(data)
        data["output_list"] = _lines(data.get("outputs", ""))
        return data

    def _identifiers(self, data: dict[str, Any]) -> list[str]:
        batch: Batch | None = data.get("batch")
        lines = _lines(data.get("identifiers", ""))
        quantity, uom = data.get("quantity"), data.get("uom")
        if (quantity is None) != (not uom):
            self.add_error("uom" if quantity is not None else "quantity", _("数量和单位需要一起填写"))
        if not lines:
            if batch is None:
                self.add_error("batch", _("请选择一个批次，或填写序列号/数字链接"))
                return []
            return [batch.digital_link.uri(self.resolver)]
        if quantity is not None:
            self.add_error("quantity", _("数量只用于整个批次；逐个单品时请留空"))
        identifiers = []
        for line in lines:
            if line.startswith(_IDENTIFIER_PREFIXES):
                identifiers.append(line)
                continue
            if batch is None:
                self.add_error("identifiers", _("填写序列号时请先选择批次：%(serial)s") % {"serial": line})
                continue
            try:
                serial = ai_value_validate(line, field="serial")
            except DomainError as exc:
                self.add_error("identifiers", f"{line}: {exc.message}")
                continue
            link = DigitalLink(gtin=batch.product.gtin, lot=batch.lot, serial=serial)
            identifiers.append(link.uri(self.resolver))
        return identifiers


class SensorReadingForm(forms.Form):
    """One row of sensor data; empty rows are ignored."""

    type = forms.ChoiceField(label=_("类型"), choices=SENSOR_TYPES)
    value = forms.DecimalField(label=_("读数"), max_digits=8, decimal_places=2)
    time = forms.DateTimeField(label=_("读数时间"), required=False, widget=_datetime_input())

    def has_changed(self) -> bool:
        # The type select always has a value; a row counts as filled only when a reading is entered.
        return bool(self["value"].value()) or bool(self["time"].value())


SensorReadingFormSet = forms.formset_factory(SensorReadingForm, extra=3, max_num=20, absolute_max=20)


def sensor_readings(formset: forms.BaseFormSet, *, zone: str) -> list[dict[str, Any]]:
    """The filled rows as event_record expects them, times in the event's zone."""
    readings = []
    for row in formset.cleaned_data:
        if not row:
            continue
        when: datetime | None = row.get("time")
        readings.append(
            {
                "type": row["type"],
                "value": float(row["value"]),
                "uom": READING_UNITS[row["type"]],
                "time": timezone.make_naive(when).replace(tzinfo=ZoneInfo(zone)) if when else None,
            }
        )
    return readings


class PartnerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("查找合作机构"),
        max_length=64,
        help_text=_("输入机构名称中的至少 2 个字，或完整的统一社会信用代码"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class PartnerGrantForm(DomainErrorFields, forms.Form):
    """Which products or lots the chosen partner may record events about, and until when (ADR 0039)."""

    partner = forms.CharField(widget=forms.HiddenInput)
    products = forms.TypedMultipleChoiceField(
        label=_("整个商品（含其全部批次）"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    batches = forms.TypedMultipleChoiceField(
        label=_("单个批次"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    ends_on = forms.DateField(label=_("截止日期（含当天）"), widget=_date_input(), required=False)

    domain_error_fields = {
        "partner.not_found": "partner",
        "grant.self": "partner",
        "grant.scope_invalid": "products",
        "grant.duplicate": "products",
        "grant.ends_on_invalid": "ends_on",
    }

    def __init__(
        self, *args: Any, products: Iterable[Any], batches: Iterable[Batch], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        product_field = self.fields["products"]
        batch_field = self.fields["batches"]
        assert isinstance(product_field, forms.ChoiceField) and isinstance(batch_field, forms.ChoiceField)
        product_field.choices = [(p.pk, f"{p.name}（{p.gtin}）") for p in products]
        batch_field.choices = [(b.pk, f"{b.product.name} · {b.lot}") for b in batches]


class ApiKeyForm(DomainErrorFields, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=64, help_text=_("例如：仓库扫码枪、ERP 对接"))
    role = forms.ChoiceField(
        label=_("权限"),
        choices=[(Role.STAFF.value, Role.STAFF.label), (Role.VIEWER.value, Role.VIEWER.label)],
        initial=Role.STAFF,
    )

    domain_error_fields = {"api_key.role_invalid": "role"}


def event_form_initial(*, now: datetime) -> dict[str, Any]:
    """The event form's defaults: now, to the minute, in Beijing time."""
    local = now.astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).replace(tzinfo=None)
    return {"event_time": local.strftime(DATETIME_LOCAL), "time_zone": DEFAULT_TIME_ZONE}


class LabelSheetForm(DomainErrorFields, forms.Form):
    """Ask for a lot's labels as a file drawn in the background: a format and, optionally, a page range."""

    format = forms.ChoiceField(label=_("格式"), choices=LabelSheetFormat.choices, initial=LabelSheetFormat.PDF)
    first_page = forms.IntegerField(label=_("从第几页"), min_value=1, required=False)
    last_page = forms.IntegerField(label=_("到第几页"), min_value=1, required=False,
                                   help_text=_("留空则打印全部页；每页 24 个标签"))

    domain_error_fields = {catalog_errors.LABELS_PAGES: "first_page", catalog_errors.LABELS_FORMAT: "format"}
