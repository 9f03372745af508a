"""A consumer's address book: saved delivery addresses, one of them the default. Deleting marks the row; orders
keep their own copy of the address (Order.recipient_*), so old orders never change."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.consumers import consumer_require, phone_normalize
from xinren.accounts.models import User
from xinren.core import clock
from xinren.core.errors import DomainError, InvalidInput, NotFound
from xinren.orders import errors
from xinren.orders.models import Address

from .orders import _clean_text, consumer_lock

# Saved addresses per consumer (as the big shops allow: JD 20, Taobao 25).
MAX_ADDRESSES = 20


def _clean(
    *, recipient_name: str, recipient_phone: str, region: str, detail: str
) -> tuple[str, str, str, str]:
    name = _clean_text(
        recipient_name, field="recipient_name", minimum=1, maximum=32, message=_("请填写收货人（不超过 32 字）")
    )
    try:
        phone = phone_normalize(recipient_phone)
    except InvalidInput as exc:
        raise InvalidInput(errors.ADDRESS_INVALID, exc.message, details={"field": "recipient_phone"}) from exc
    region = _clean_text(region, field="region", minimum=2, maximum=64, message=_("请填写所在地区（省市区，2–64 字）"))
    detail = _clean_text(detail, field="detail", minimum=3, maximum=120, message=_("请填写详细地址（3–120 字）"))
    return name, phone, region, detail


def address_get(*, consumer: User, address_id: int) -> Address:
    """One of the consumer's addresses that is not deleted (deleted or another's: not found)."""
    address = Address.objects.filter(pk=address_id, consumer=consumer, deleted_at__isnull=True).first()
    if address is None:
        raise NotFound(
            errors.ADDRESS_NOT_FOUND, _("该收货地址不存在或已删除，请重新选择"), details={"field": "address"}
        )
    return address


def _default_set(*, consumer: User, address: Address) -> None:
    Address.objects.filter(consumer=consumer, is_default=True).exclude(pk=address.pk).update(is_default=False)
    if not address.is_default:
        address.is_default = True
        address.save(update_fields=["is_default", "updated_at"])


@transaction.atomic
def address_create(
    *, consumer: User, recipient_name: str, recipient_phone: str, region: str, detail: str, is_default: bool = False
) -> Address:
    """Save a new address; the first one becomes the default. At most MAX_ADDRESSES per consumer."""
    consumer = consumer_require(consumer)
    name, phone, region, detail = _clean(
        recipient_name=recipient_name, recipient_phone=recipient_phone, region=region, detail=detail
    )
    consumer_lock(consumer=consumer)
    live = Address.objects.filter(consumer=consumer, deleted_at__isnull=True)
    count = live.count()
    if count >= MAX_ADDRESSES:
        raise DomainError(
            errors.ADDRESS_LIMIT,
            _("最多保存 %(limit)d 个收货地址，请先删除不用的地址") % {"limit": MAX_ADDRESSES},
            details={"limit": MAX_ADDRESSES},
            status=409,
        )
    address = Address.objects.create(
        consumer=consumer, recipient_name=name, recipient_phone=phone, region=region, detail=detail
    )
    if is_default or count == 0:
        _default_set(consumer=consumer, address=address)
    return address


@transaction.atomic
def address_update(
    *,
    consumer: User,
    address_id: int,
    recipient_name: str,
    recipient_phone: str,
    region: str,
    detail: str,
    is_default: bool = False,
) -> Address:
    """Change a saved address (orders already placed keep the address they were placed with)."""
    consumer = consumer_require(consumer)
    name, phone, region, detail = _clean(
        recipient_name=recipient_name, recipient_phone=recipient_phone, region=region, detail=detail
    )
    consumer_lock(consumer=consumer)
    address = address_get(consumer=consumer, address_id=address_id)
    address.recipient_name, address.recipient_phone, address.region, address.detail = name, phone, region, detail
    address.save()
    if is_default:
        _default_set(consumer=consumer, address=address)
    return address


@transaction.atomic
def address_default_set(*, consumer: User, address_id: int) -> Address:
    consumer = consumer_require(consumer)
    consumer_lock(consumer=consumer)
    address = address_get(consumer=consumer, address_id=address_id)
    _default_set(consumer=consumer, address=address)
    return address


@transaction.atomic
def address_delete(*, consumer: User, address_id: int) -> None:
    """Delete (mark) an address; if it was the default, the most recently used remaining one becomes default."""
    consumer = consumer_require(consumer)
    consumer_lock(consumer=consumer)
    address = address_get(consumer=consumer, address_id=address_id)
    address.deleted_at = clock.now()
    was_default = address.is_default
    address.is_default = False
    address.save(update_fields=["deleted_at", "is_default", "updated_at"])
    if was_default:
        following = Address.objects.filter(consumer=consumer, deleted_at__isnull=True).order_by("-updated_at", "-id")
        nxt = following.first()
        if nxt is not None:
            _default_set(consumer=consumer, address=nxt)
