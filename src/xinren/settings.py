"""Django settings. Everything that differs between machines comes from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("XINREN_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", False)
# Production (XINREN_PRODUCTION=1) refuses to start without a secret key; elsewhere a fixed
# development key keeps tests and `make run` working out of the box.
PRODUCTION = env_bool("XINREN_PRODUCTION", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when XINREN_PRODUCTION=1")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# The public origin of the GS1 Digital Link resolver: the platform is its own resolver.
XINREN_RESOLVER = os.environ.get("XINREN_RESOLVER", "http://127.0.0.1:8000").rstrip("/")
# The origin this deployment serves (QR codes, links in JSON, texts and printed URLs; core/origin.py): `make run`
# passes its port. Empty: the resolver. Signed statements keep naming subjects by XINREN_RESOLVER.
XINREN_PUBLIC_ORIGIN = os.environ.get("XINREN_PUBLIC_ORIGIN", "").rstrip("/") or XINREN_RESOLVER
# Where pre-rendered consumer pages are written for the web server (see docs/adr/0002).
# Addresses of our own reverse proxies (core/http.py): the client is the rightmost X-Forwarded-For hop that is
# not one of them. "" is a unix-socket peer (gunicorn behind nginx); add the load balancers' addresses if any.
# Outside production nothing proxies on loopback (runserver answers browsers directly), so a loopback peer is the
# client itself and its X-Forwarded-For is not believed unless XINREN_TRUSTED_PROXIES says so.
XINREN_TRUSTED_PROXIES = tuple(
    part.strip()
    for part in os.environ.get("XINREN_TRUSTED_PROXIES", ",127.0.0.1,::1" if PRODUCTION else "").split(",")
)
XINREN_PUBLISH_DIR = Path(os.environ.get("XINREN_PUBLISH_DIR", VAR_DIR / "published"))
XINREN_PUBLISH_ENABLED = env_bool("XINREN_PUBLISH_ENABLED", True)
# The transparency log (docs/ledger.md). The log's Ed25519 signing key in C2SP signed-note form
# ("PRIVATE+KEY+<origin>+<hash>+<base64>"), and the key that encrypts custodial organization keys at rest.
# Development derives both from SECRET_KEY; production must set them (see docs/operations.md).
XINREN_LOG_ORIGIN = os.environ.get("XINREN_LOG_ORIGIN", "xinren.example/log")
XINREN_LOG_SIGNING_KEY = os.environ.get("XINREN_LOG_SIGNING_KEY", "")
XINREN_KEY_ENCRYPTION_KEY = os.environ.get("XINREN_KEY_ENCRYPTION_KEY", "")
if PRODUCTION and not (XINREN_LOG_SIGNING_KEY and XINREN_KEY_ENCRYPTION_KEY):
    raise RuntimeError("XINREN_LOG_SIGNING_KEY and XINREN_KEY_ENCRYPTION_KEY must be set when XINREN_PRODUCTION=1")
# Payments (docs/payments.md): the provider orders use, extra providers by name ("name": "dotted.path.Class"),
# the webhook signing secret(s) (comma-separated for rotation; empty = development default) and its replay window.
XINREN_PAYMENT_PROVIDER = os.environ.get("XINREN_PAYMENT_PROVIDER", "sandbox")
XINREN_PAYMENT_PROVIDERS: dict[str, str] = {}
XINREN_PAYMENT_WEBHOOK_SECRET = os.environ.get("XINREN_PAYMENT_WEBHOOK_SECRET", "")
XINREN_PAYMENT_WEBHOOK_TOLERANCE = int(os.environ.get("XINREN_PAYMENT_WEBHOOK_TOLERANCE", "300"))
XINREN_ORDER_PAYMENT_MINUTES = int(os.environ.get("XINREN_ORDER_PAYMENT_MINUTES", "30"))
XINREN_ORDERS_PER_HOUR = int(os.environ.get("XINREN_ORDERS_PER_HOUR", "10"))
# Screen orders, listings, applications and payouts against the blacklist (accounts/blacklist.py).
XINREN_INTERCEPTION = env_bool("XINREN_INTERCEPTION", True)
# Days after delivery before a merchant is paid for an order (orders/payouts.py; governance may hold longer).
XINREN_PAYOUT_HOLD_DAYS = int(os.environ.get("XINREN_PAYOUT_HOLD_DAYS", "7"))
# Keys the pseudonyms shown for consumers on public pages (defaults to SECRET_KEY).
XINREN_PSEUDONYM_KEY = os.environ.get("XINREN_PSEUDONYM_KEY", "")
# Keys the hashes of ID numbers, phones and bank accounts kept only for matching (accounts/keyed.py).
XINREN_IDENTITY_HASH_KEY = os.environ.get("XINREN_IDENTITY_HASH_KEY", "")
if PRODUCTION and not XINREN_IDENTITY_HASH_KEY:
    raise RuntimeError("XINREN_IDENTITY_HASH_KEY must be set when XINREN_PRODUCTION=1")
if PRODUCTION and not XINREN_PAYMENT_WEBHOOK_SECRET:
    raise RuntimeError("XINREN_PAYMENT_WEBHOOK_SECRET must be set when XINREN_PRODUCTION=1")
# Integrate pooled log entries right after each commit (development); production runs `ledger_integrate --follow`.
XINREN_LOG_INTEGRATE_ON_COMMIT = env_bool("XINREN_LOG_INTEGRATE_ON_COMMIT", DEBUG)
XINREN_WITNESSES = [w.strip() for w in os.environ.get("XINREN_WITNESSES", "").split(",") if w.strip()]
# Witnesses that post their cosignatures to /log/cosignature: comma-separated `<verifier key> <name shown on pages>`
# items (docs/ledger.md, Witnesses). Keys of XINREN_WITNESSES items count as well.
XINREN_WITNESS_KEYS = [w.strip() for w in os.environ.get("XINREN_WITNESS_KEYS", "").split(",") if w.strip()]

# Sign-in limits (ADR 0016, docs/operations.md "Sign-in limits"): sign-up codes and unlock links go out as text
# messages through this provider (dotted path; the sandbox keeps them in the database, admin "沙箱短信"), or by
# e-mail to staff without a phone (Django's mail settings; printed to the console outside production).
XINREN_SMS_PROVIDER = os.environ.get("XINREN_SMS_PROVIDER", "xinren.accounts.sms.SandboxSmsProvider")
# Notifications (docs/notifications.md): the provider of each external channel (dotted paths; the sandboxes send
# nothing), each provider's template id per kind ({"sms": {"order_shipped": "SMS_123"}, "wechat": {…}}), and the
# hours (Asia/Shanghai) in which no SMS goes out (they wait until the end; None: no quiet hours).
XINREN_NOTIFY_PROVIDERS = {
    "sms": os.environ.get("XINREN_NOTIFY_SMS_PROVIDER", "xinren.notify.providers.SandboxSms"),
    "wechat": os.environ.get("XINREN_NOTIFY_WECHAT_PROVIDER", "xinren.notify.providers.SandboxWeChatTemplate"),
}
XINREN_NOTIFY_TEMPLATES: dict[str, dict[str, str]] = {"sms": {}, "wechat": {}}
XINREN_NOTIFY_QUIET_HOURS: tuple[int, int] | None = (22, 8)
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "noreply@xinren.example")

# A serial scanned from more distinct clients than this within a day is flagged as a possible copied code.
XINREN_SUSPICIOUS_SCANS = int(os.environ.get("XINREN_SUSPICIOUS_SCANS", "20"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    # Before xinren.core, whose admin replaces the task-result admin with one that lists failures and their error.
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "xinren.core",
    "xinren.ledger.store",
    "xinren.accounts",
    "xinren.attest",
    "xinren.catalog",
    "xinren.costs",
    "xinren.trace",
    "xinren.lab",
    "xinren.evidence",
    "xinren.coldchain",
    "xinren.orders",
    "xinren.reviews",
    "xinren.support",
    "xinren.community",
    "xinren.aftersales",
    "xinren.verification",
    "xinren.governance",
    "xinren.trust",
    "xinren.notify",
    "xinren.care",
    "xinren.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A NUL character in the path, query or a form is refused before any view sees it (core/http.py).
    "xinren.core.http.NulRefusalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy with a per-request nonce (web/security.py; docs/operations.md "Security headers").
    "xinren.web.security.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "xinren.urls"
WSGI_APPLICATION = "xinren.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if "DATABASE_URL" not in os.environ:
    # The embedded default keeps its SQLite file under var/, which a fresh clone does not have yet.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'xinren.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the scan ingester share the file; a 64 MiB page cache
    # (SQLite's default is 2 MiB) keeps the log's random leaf-hash index warm for the sequencer (ADR 0010).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    # Django's rules with Chinese messages (accounts/passwords.py: Django's zh_Hans lags its 5.2 wording).
    {"NAME": "xinren.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "xinren.accounts.passwords.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/merchant/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("XINREN_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("XINREN_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if env_bool("XINREN_TEST_STATIC", False):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
XINREN_MAX_IMAGE_BYTES = 8 * 1024 * 1024
# Photos are bounded by pixels as well as bytes (a small PNG can claim 40 million pixels): the header is read and
# the upload refused before decoding; Pillow's Image.MAX_IMAGE_PIXELS is set to the same limit.
XINREN_MAX_IMAGE_PIXELS = int(os.environ.get("XINREN_MAX_IMAGE_PIXELS", 24_000_000))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -- Security headers (docs/operations.md, "Security headers") -----------------------------------------------------
# Production alone makes cookies Secure (DJANGO_SECURE_COOKIES=0 turns it off for a plain-http staging host).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HSTS for a year in production. nginx (deploy/nginx.conf.template) sets X-Forwarded-Proto itself, overwriting what
# a client sent, so Django can tell an https request (SecurityMiddleware sends HSTS only on those); nginx also adds
# the header to the files it serves without Django.
SECURE_HSTS_SECONDS = int(os.environ.get("XINREN_HSTS_SECONDS", 31536000 if PRODUCTION else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("XINREN_HSTS_INCLUDE_SUBDOMAINS", False)
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The Content-Security-Policy (xinren/web/security.py) allows media from these origins besides our own (space-
# separated, e.g. "https://media.example.cn"); the S3 custom domain, when set, is added below.
XINREN_CSP_MEDIA_SOURCES = os.environ.get("XINREN_CSP_MEDIA_SOURCES", "").split()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XINREN_LOG_LEVEL", "WARNING")},
}

# -- Background tasks (docs/adr/0013-background-tasks.md, docs/operations.md) --------------------------------------
# Deferred one-off work goes through Django's Tasks API. "database" (the default) keeps the queue in the database:
# enqueueing is a row in the caller's transaction and `manage.py tasks_worker` runs it. "rq" puts the queue in Redis
# (XINREN_REDIS_URL) for several workers on several machines (`manage.py rqworker --job-class django_tasks_rq.Job
# --with-scheduler default`); its enqueue waits for the caller's commit.
XINREN_TASKS_BACKEND = os.environ.get("XINREN_TASKS_BACKEND", "database")
XINREN_REDIS_URL = os.environ.get("XINREN_REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {"database": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
if XINREN_TASKS_BACKEND not in _TASK_BACKENDS:
    raise RuntimeError(f"XINREN_TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[XINREN_TASKS_BACKEND], "QUEUES": ["default"]}}
RQ_QUEUES = {"default": {"URL": XINREN_REDIS_URL, "DEFAULT_TIMEOUT": 900}}
# Seconds before the first retry of a failed task; each later retry waits four times longer (tasks may override).
XINREN_TASKS_RETRY_SECONDS = float(os.environ.get("XINREN_TASKS_RETRY_SECONDS", "10"))

# -- Evidence media (溯源相册; docs/evidence.md) ---------------------------------------------------------------
# Upload limits per kind, in bytes (a refused upload stores nothing).
XINREN_EVIDENCE_MAX_IMAGE_BYTES = int(os.environ.get("XINREN_EVIDENCE_MAX_IMAGE_BYTES", 10 * 1024 * 1024))
XINREN_EVIDENCE_MAX_VIDEO_BYTES = int(os.environ.get("XINREN_EVIDENCE_MAX_VIDEO_BYTES", 50 * 1024 * 1024))
XINREN_EVIDENCE_MAX_PDF_BYTES = int(os.environ.get("XINREN_EVIDENCE_MAX_PDF_BYTES", 10 * 1024 * 1024))
# Media (evidence, product photos) go to a local folder (MEDIA_ROOT, served by nginx at /media/) unless a bucket
# is named: then to S3-compatible object storage through django-storages (`pip install "django-storages[s3]"`).
# Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or an instance role).
# Published pages are static files, so media URLs must not expire: public-read objects, no signed query strings.
if os.environ.get("XINREN_MEDIA_S3_BUCKET"):
    from typing import Any

    _media_s3: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["XINREN_MEDIA_S3_BUCKET"],
            "endpoint_url": os.environ.get("XINREN_MEDIA_S3_ENDPOINT") or None,
            "region_name": os.environ.get("XINREN_MEDIA_S3_REGION") or None,
            "custom_domain": os.environ.get("XINREN_MEDIA_S3_CUSTOM_DOMAIN") or None,
            "location": os.environ.get("XINREN_MEDIA_S3_PREFIX", "media"),
            "querystring_auth": False,
            "file_overwrite": True,  # names are content digests: the same name always holds the same bytes
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    STORAGES["default"] = _media_s3
    if _media_s3["OPTIONS"]["custom_domain"]:
        XINREN_CSP_MEDIA_SOURCES.append(f"https://{_media_s3['OPTIONS']['custom_domain']}")
    elif _media_s3["OPTIONS"]["endpoint_url"]:
        XINREN_CSP_MEDIA_SOURCES.append(_media_s3["OPTIONS"]["endpoint_url"].rstrip("/"))
