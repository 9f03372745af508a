"""WSGI entry point for gunicorn (loaded once in the master, preload_app: warmed up before the workers fork)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
application = get_wsgi_application()

from xinren.warm import warm_up  # noqa: E402 — after Django is set up

warm_up()
