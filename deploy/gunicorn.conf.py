"""gunicorn for Xinren behind nginx (docs/operations.md). Every value can be overridden from the environment."""

import gc
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


def pre_fork(server, worker):  # type: ignore[no-untyped-def]
    """The app is loaded once, in the master (preload_app): freeze what it built before each fork, so that a
    worker's full garbage collections skip those objects (a pass over the ~250k objects of a loaded Django process
    took ~100 ms, seen as p99 outliers in bench/reviews/browse.py) and leave their memory pages shared."""
    gc.freeze()
