"""gunicorn for Xinren behind nginx (docs/operations.md). Every value can be overridden from the environment."""

import multiprocessing
import os

wsgi_app = "xinren.wsgi:application"
bind = os.environ.get("XINREN_GUNICORN_BIND", "unix:/run/xinren/gunicorn.sock")
# Sync workers: simple and fast for Django's synchronous views. nginx buffers requests and responses in
# front of them, so a slow phone never holds a worker. Published pages never reach them at all.
worker_class = "sync"
workers = int(os.environ.get("XINREN_GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
graceful_timeout = 30
keepalive = 2
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
preload_app = True
forwarded_allow_ips = "127.0.0.1"
accesslog = None  # nginx keeps the access log
errorlog = "-"
loglevel = os.environ.get("XINREN_GUNICORN_LOGLEVEL", "warning")
