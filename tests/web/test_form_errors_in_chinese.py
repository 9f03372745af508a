"""Every form error on the Chinese pages reads in Chinese (issue 12: "a short password gets an English error").

Each form of the shop, the merchant console and the sign-in pages is found by walking `xinren.web` (so forms added
later are checked too), filled with several kinds of bad input, and its errors must hold no English sentence.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.utils import translation

import xinren.web
from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.catalog.models import Batch
from xinren.trace.models import Place

from ..factories import OrganizationFactory
from ..fixtures.accounts import consumer_with_phone

pytestmark = pytest.mark.django_db

# Three English words in a row: "This field is required", "Enter a whole number", "This password is too short".
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,'-]+[A-Za-z]{2,}){2,}")


def _forms() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for module in pkgutil.walk_packages(xinren.web.__path__, "xinren.web."):
        if ".management" in module.name:
            continue
        for name, value in vars(importlib.import_module(module.name)).items():
            if (
                isinstance(value, type) and issubclass(value, forms.BaseForm)
                and value.__module__.startswith("xinren.") and not name.startswith("_")
            ):
                found[f"{value.__module__}.{name}"] = value
    return [found[key] for key in sorted(found)]


FORMS = _forms()


# What the forms that need more than data are given (by keyword-only parameter name).
_EXTRA: dict[str, Any] = {
    "rules": lambda: [("uscc.checksum", "uscc.checksum")],
    "places": lambda: Place.objects.none(),
    "batches": lambda: Batch.objects.none(),
    "resolver": lambda: "http://127.0.0.1:8000",
    "candidates": lambda: [],
    "item_choices": lambda: [("1", "1")],
    "partners": lambda: [("x", "x")],
    "actor": lambda: Actor(organization=OrganizationFactory(kind=OrganizationKind.LAB), role=Role.STAFF),
    "products": lambda: [],
    "region_choices": lambda: [("530100", "云南省昆明市")],
    "choices": lambda: [("530100", "云南省昆明市")],
}


def _bad_values(field: forms.Field, kind: str) -> Any:
    if kind == "empty":
        return ""
    if kind == "long":
        return "长" * 5000 if not isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField) else (
            "9" * 40
        )
    # "wrong": the wrong type of thing for the field
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return "-1.5e999x"
    if isinstance(field, forms.DateTimeField | forms.DateField | forms.TimeField):
        return "2026-13-45 25:61"
    if isinstance(field, forms.ChoiceField):
        return "无此选项"
    if isinstance(field, forms.EmailField | forms.URLField):
        return "地址@@"
    return "x"


def _build(form_class: type[forms.BaseForm], *, data: dict[str, Any], files: dict[str, Any]) -> forms.BaseForm:
    kwargs: dict[str, Any] = {}
    for name, parameter in inspect.signature(form_class.__init__).parameters.items():
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default is inspect.Parameter.empty:
            assert name in _EXTRA, f"{form_class.__name__} needs {name}=: add how to build it to _EXTRA"
            kwargs[name] = _EXTRA[name]()
    if "request" in inspect.signature(form_class.__init__).parameters:
        request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="203.0.113.5")
        return form_class(request, data=data, **kwargs)  # type: ignore[call-arg]
    return form_class(data=data, files=files, **kwargs)


def _errors(form: forms.BaseForm) -> list[str]:
    return [str(message) for messages in form.errors.values() for message in messages]


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__.rsplit('.', 1)[-1]}.{c.__name__}")
@pytest.mark.parametrize("kind", ["empty", "long", "wrong"])
def test_every_form_error_is_chinese(form_class: type[forms.BaseForm], kind: str):
    # given bad input for every field (an upload that is not an image or a video for file fields)
    translation.activate("zh-hans")
    probe = _build(form_class, data={}, files={})
    data = {name: _bad_values(field, kind) for name, field in probe.fields.items()}
    files = {
        name: SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
        for name, field in probe.fields.items() if isinstance(field, forms.FileField) and kind != "empty"
    }
    # when
    form = _build(form_class, data=data, files=files)
    form.is_valid()
    rendered = str(form)
    # then
    errors = _errors(form)
    english = [error for error in errors if ENGLISH.search(error)]
    assert not english, f"{form_class.__name__}: {english}"
    assert not any(ENGLISH.search(error) for error in re.findall(r'class="errorlist[^>]*>(.*?)</ul>', rendered))


@pytest.mark.parametrize(
    ("path", "session_key", "data"),
    [
        ("/shop/signup/confirm/", "shop_signup_phone", {"code": "12", "password": "abc", "password_again": "abd"}),
        ("/shop/signup/confirm/", "shop_signup_phone", {"code": "123456", "password": "abc", "password_again": "abc"}),
        ("/shop/password/reset/confirm/", "shop_password_reset_phone",
         {"code": "123456", "password": "password", "password_again": "password"}),
        ("/shop/signin/code/verify/", "shop_signin_code_phone", {"code": "abc"}),
        ("/shop/signin/", None, {"phone": "123", "password": "x"}),
        ("/shop/signup/", None, {"phone": "not a phone"}),
        ("/shop/signin/code/", None, {"phone": "12345"}),
        ("/shop/password/reset/", None, {"phone": ""}),
    ],
)
def test_the_account_pages_answer_bad_input_in_chinese(path: str, session_key: str | None, data: dict[str, str]):
    # given
    consumer_with_phone("13812341234")
    client = Client()
    if session_key:
        session = client.session
        session[session_key] = "13812341234"
        session.save()
    # when
    response = client.post(path, data)
    # then
    assert response.status_code in (401, 422)
    html = response.content.decode()
    shown = re.findall(r'<p class="error" role="alert">(.*?)</p>', html) + re.findall(
        r'<div class="notice error" role="alert">(.*?)</div>', html, flags=re.S
    )
    assert shown, html
    assert not [text for text in shown if ENGLISH.search(text)], shown
