"""Records that only services write are read-only in the admin, through the one mixin in core."""

from __future__ import annotations

from django.contrib import admin
from django.test import RequestFactory

from xinren.core.admin import ReadOnlyAdminMixin
from xinren.ledger.store.models import KeyRecord, LogEntry


def test_no_admin_writes_its_own_read_only_permissions():
    # given every admin class the project registers, and the inline classes they hold
    classes = {type(model_admin) for model_admin in admin.site._registry.values()}
    classes |= {inline for model_admin in admin.site._registry.values() for inline in model_admin.inlines}
    # then only the core mixin refuses add, change and delete
    own = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for klass in classes
        for cls in klass.__mro__
        if cls.__module__.startswith("xinren.") and cls is not ReadOnlyAdminMixin
        and {"has_add_permission", "has_change_permission", "has_delete_permission"} & set(vars(cls))
    )
    assert own == []


def test_every_log_admin_is_read_only():
    # given
    request = RequestFactory().get("/admin/")
    log_admins = [a for m, a in admin.site._registry.items() if m._meta.app_label == LogEntry._meta.app_label]
    # then
    assert {type(a).__name__ for a in log_admins} >= {"LogEntryAdmin", "KeyRecordAdmin"}
    assert admin.site._registry[KeyRecord] in log_admins
    for model_admin in log_admins:
        assert isinstance(model_admin, ReadOnlyAdminMixin)
        assert (
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
        ) == (False, False, False)


def test_signed_records_and_what_they_name_are_read_only_in_the_admin():
    # given every signed record (attest.records), its child rows, and the catalog rows and keys statements name
    from xinren.accounts.models import ApiKey
    from xinren.attest.models import SigningKey
    from xinren.attest.records import signed_records
    from xinren.catalog.models import Batch, Item, Product

    request = RequestFactory().get("/admin/")
    models = {r.model for r in signed_records()} | {c for r in signed_records() for c in r.children}
    models |= {Product, Batch, Item, ApiKey, SigningKey}
    registered = [m for m in models if m in admin.site._registry]
    # then
    assert {Product, Batch, Item, ApiKey, SigningKey} <= set(registered)
    for model in registered:
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, ReadOnlyAdminMixin), model
        assert not model_admin.has_change_permission(request) and not model_admin.has_delete_permission(request)
        for inline in model_admin.inlines:
            assert issubclass(inline, ReadOnlyAdminMixin), inline
