"""Warming up gunicorn's master before it forks (xinren/warm.py): what a worker's first request would build is built."""

from __future__ import annotations

import importlib

from django.utils.translation import trans_real

from xinren.attest import registry
from xinren.attest.registry import statement_types


def test_warm_up_compiles_every_statement_type_and_loads_the_catalogues() -> None:
    from xinren.warm import warm_up

    registry._fast_for.cache_clear()
    warm_up()
    assert registry._fast_for.cache_info().currsize == len(statement_types())
    assert {"zh-hans", "en"} <= set(trans_real._translations)


def test_the_wsgi_module_serves_a_warmed_application() -> None:
    from xinren import wsgi

    registry._fast_for.cache_clear()
    importlib.reload(wsgi)  # what gunicorn's master runs once, before it forks
    assert callable(wsgi.application)
    assert registry._fast_for.cache_info().currsize == len(statement_types())
