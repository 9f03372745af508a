"""What a web worker would otherwise build during its first requests, built once in gunicorn's master before it forks
(`preload_app`, deploy/gunicorn.conf.py): every view and the modules they import, the models' field caches, the
statement types' compiled validators and the translation catalogues. A worker forked after this answers its first
request as fast as its thousandth, and the pages stay shared between the workers."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.urls import get_resolver
from django.utils import translation

from xinren.attest.registry import statement_types_compile


def warm_up() -> None:
    """Import, compile and load what requests would otherwise build one worker at a time (about half a second)."""
    get_resolver().url_patterns  # noqa: B018 — the URLconf imports every view, the API and their services
    for model in apps.get_models():
        model._meta.get_fields()  # the field caches the ORM builds at a model's first query
    statement_types_compile()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("")  # loads the catalogue of this language (cached for the process)
