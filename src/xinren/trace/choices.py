"""EPCIS event types, actions, CBV business steps and dispositions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    OBJECT = "ObjectEvent", _("对象事件")
    AGGREGATION = "AggregationEvent", _("聚合事件")
    TRANSFORMATION = "TransformationEvent", _("转化事件")
    ASSOCIATION = "AssociationEvent", _("关联事件")
    TRANSACTION = "TransactionEvent", _("交易事件")


class Action(models.TextChoices):
    ADD = "ADD", "ADD"
    OBSERVE = "OBSERVE", "OBSERVE"
    DELETE = "DELETE", "DELETE"


class BizStep(models.TextChoices):
    """The business steps offered in forms; any CBV or custom URI is accepted through EPCIS.

    All are CBV 2.0 terms except `harvesting` and `out_for_delivery` (派送中, the last mile to the buyer), the
    platform's own steps, which EPCIS documents carry as their URIs (epcis.vocabulary.PLATFORM_BIZ_STEPS) because
    CBV has neither.
    """

    COMMISSIONING = "commissioning", _("赋码/登记")
    HARVESTING = "harvesting", _("采收")
    CREATING_CLASS_INSTANCE = "creating_class_instance", _("生产")
    INSPECTING = "inspecting", _("检验")
    SAMPLING = "sampling", _("抽样")
    PACKING = "packing", _("包装")
    LOADING = "loading", _("装车")
    SHIPPING = "shipping", _("发货")
    DEPARTING = "departing", _("离开")
    TRANSPORTING = "transporting", _("运输中")
    OUT_FOR_DELIVERY = "out_for_delivery", _("派送中")
    ARRIVING = "arriving", _("到达")
    RECEIVING = "receiving", _("收货")
    STORING = "storing", _("仓储")
    SENSOR_REPORTING = "sensor_reporting", _("传感器上报")
    RETAIL_SELLING = "retail_selling", _("售出")
    PICKING = "picking", _("拣货")
    UNPACKING = "unpacking", _("拆包")
    ACCEPTING = "accepting", _("验收")
    DESTROYING = "destroying", _("销毁")


class Disposition(models.TextChoices):
    ACTIVE = "active", _("已激活")
    IN_PROGRESS = "in_progress", _("处理中")
    IN_TRANSIT = "in_transit", _("运输中")
    CONFORMANT = "conformant", _("检验合格")
    NON_CONFORMANT = "non_conformant", _("检验不合格")
    CONTAINER_CLOSED = "container_closed", _("已封箱")
    SELLABLE_ACCESSIBLE = "sellable_accessible", _("可售")
    SELLABLE_NOT_ACCESSIBLE = "sellable_not_accessible", _("在库待售")
    RETAIL_SOLD = "retail_sold", _("已售出")
    RECALLED = "recalled", _("已召回")
    EXPIRED = "expired", _("已过期")
    DESTROYED = "destroyed", _("已销毁")
    DAMAGED = "damaged", _("已损坏")
    RETURNED = "returned", _("退货寄回")


class SubjectRole(models.TextChoices):
    """Where an identifier stands in an event."""

    EPC = "epc", _("对象")
    QUANTITY = "quantity", _("数量对象")
    PARENT = "parent", _("容器")
    CHILD = "child", _("内容物")
    CHILD_QUANTITY = "child_quantity", _("内容物数量")
    INPUT = "input", _("投入")
    INPUT_QUANTITY = "input_quantity", _("投入数量")
    OUTPUT = "output", _("产出")
    OUTPUT_QUANTITY = "output_quantity", _("产出数量")
