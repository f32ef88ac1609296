"""One settings module, driven by environment variables.

Every value has a typed default that serves a laptop (SQLite under ``var/``, no Redis,
emails printed to the console). Production sets the variables listed in README; a bad
value fails loudly at start-up rather than being guessed at.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from members import phone_crypto

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

# Secure by default: a server started without DEBUG set is a production server.
# `make run` and the test settings turn it on for the laptop.
DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. On a laptop, run with DEBUG=true "
            "(make run does); in production set SECRET_KEY (README, Going live)."
        )
    # A development-only key: never used with DEBUG off (the check above).
    SECRET_KEY = "dev-only-insecure-key-" + "x" * 40

# Constituents' phone numbers are sealed with SM4 under this key (members.phone_crypto): 16
# random bytes as 32 hex digits or base64. PHONE_KEY_OLD is the previous key while
# `manage.py rotate_phone_key` re-seals the rows (docs/OPERATIONS.md, Phone key). Keep it out
# of the database and its backups: a dump without the key does not reveal a number.
PHONE_KEY = env.str("PHONE_KEY", default="")
PHONE_KEY_OLD = env.str("PHONE_KEY_OLD", default="")
if not PHONE_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PHONE_KEY must be set when DEBUG is off: 32 hex digits, e.g. from python3 -c "
            "\"import secrets; print(secrets.token_hex(16))\" (README, Going live)."
        )
    # The laptop's and the demo's fixed key: never used with DEBUG off (the check above).
    PHONE_KEY = phone_crypto.DEV_KEY
# A malformed key fails here, at start-up, not at the first constituent read.
phone_crypto.check_keys(PHONE_KEY, PHONE_KEY_OLD)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the stock widget templates, for FORM_RENDERER below
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "csp",
    "django_sendfile",
    "dbbackup",
    "health_check",
    "members",
    "proposals",
    "activities",
    "liaison",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "liaison.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "liaison.urls"
WSGI_APPLICATION = "liaison.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "liaison.context_processors.portal",
            ],
        },
    },
]

# Widgets render through the project's templates, so templates/django/forms/ can replace a
# stock widget template (the select writes its options in place: several times faster).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://user:pass@127.0.0.1:5432/liaison (psycopg 3).
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'liaison.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent, health-checked connections: ~3x the requests per second of
    # one connection per request (see DESIGN.md).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
# The stock backend, loading the user with its member row (members/backends.py).
AUTHENTICATION_BACKENDS = ["members.backends.PortalBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# whitenoise serves from STATIC_ROOT once collected; before that it warns if it is missing.
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
# Photos: images only, checked by content; this is the size limit per file.
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=8 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The portal decides who may fetch an uploaded file (liaison.views.media); who sends the
# bytes is the backend's business. Laptop: Django itself ("simple"). Production behind nginx:
# "django_sendfile.backends.nginx" answers with X-Accel-Redirect to SENDFILE_URL, an
# internal-only nginx location over MEDIA_ROOT (README has the snippet).
SENDFILE_BACKEND = env.str("SENDFILE_BACKEND", default="django_sendfile.backends.simple")
SENDFILE_ROOT = MEDIA_ROOT
SENDFILE_URL = env.str("SENDFILE_URL", default="/protected-media")

# --- Forms ----------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ----------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:pass@mail.example.gov.cn:587 ; default prints to console.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# A mail server that accepts the connection and then hangs must not hold a worker forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="政协联络门户 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache ----------------------------------------------------------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://liaison")}
if CACHES["default"]["BACKEND"].endswith(".RedisCache"):
    # django-redis, because it can treat a Redis outage as a cache miss (IGNORE_EXCEPTIONS):
    # pages get slower, never a 500. Short socket timeouts keep a dead server from stalling
    # every request; /health/ reports the outage.
    CACHES["default"] = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": env.str("CACHE_URL"),
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": env.float("CACHE_CONNECT_TIMEOUT", default=0.5),
            "SOCKET_TIMEOUT": env.float("CACHE_TIMEOUT", default=0.5),
        },
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker the same tasks run eagerly, in-process (laptop, `make run`, `make test`);
# the in-memory transport keeps Celery from looking for a default AMQP server meanwhile.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for the next one
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request never waits for a broker that is down: enqueueing tries one connection with a
# short timeout and no retry (members.tasks.enqueue_on_commit), logs the failure, and the
# periodic catch-up jobs do the work later.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
# With acks_late, a message taken by a worker that dies whole (main process and pool) stays
# unacknowledged in Redis and is handed to another worker once this many seconds have passed.
# It must exceed the longest task, or a task still running would be started a second time:
# the longest (the province-wide must-visit sweep, the rollup rebuild) take a few minutes, so
# 15 minutes. Re-delivery is safe: every task is idempotent.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=15 * 60)
# No task may run longer than the visibility timeout, or its message would be handed to a
# second worker while the first still works on it: a hard limit under it (prefork pool).
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=10 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": 5,
    # One connection attempt per publish: a web request must not sit in retries. Workers
    # reconnect on their own terms (broker_connection_retry), and tasks that publish from a
    # worker keep Celery's publish retry policy.
    "max_retries": 0,
}

# --- Security -------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Monitoring probes the app server directly, over plain HTTP on the internal network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE  # the language switcher's cookie, HTTPS only too
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)

# Content Security Policy: everything from the portal itself; no inline scripts at all.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Portal settings ------------------------------------------------------------------
# Staff are told of members' reminders overdue by more than this many days (weekly).
ESCALATE_OVERDUE_DAYS = env.int("ESCALATE_OVERDUE_DAYS", default=7)
# A proposal assignment is "due soon" this many days before its deadline.
PROPOSAL_DUE_SOON_DAYS = env.int("PROPOSAL_DUE_SOON_DAYS", default=7)
# Dashboard figures may be cached this many seconds (0 turns the cache off).
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=120)
# A notice whose e-mail fails is tried again after 1, 2, 4 … minutes (at most
# NOTICE_EMAIL_RETRY_MAX_MINUTES apart), NOTICE_EMAIL_MAX_ATTEMPTS times in all; after that
# it is listed as failed in the admin (Notifications → e-mail failed) for someone to look at.
NOTICE_EMAIL_MAX_ATTEMPTS = env.int("NOTICE_EMAIL_MAX_ATTEMPTS", default=8)
NOTICE_EMAIL_RETRY_MAX_MINUTES = env.int("NOTICE_EMAIL_RETRY_MAX_MINUTES", default=120)
# An Excel import whose archive unpacks to more than this is refused (a zip bomb).
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=50 * 2**20)

# --- Backups (manage.py portal_backup / portal_restore; docs/OPERATIONS.md) -------------
STORAGES["dbbackup"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(env.path("BACKUP_DIR", default=VAR_DIR / "backups"))},
}
DBBACKUP_SEND_EMAIL = False
# Kept by `portal_backup --clean`: this many database and upload backups.
DBBACKUP_CLEANUP_KEEP = env.int("BACKUP_KEEP", default=14)
DBBACKUP_CLEANUP_KEEP_MEDIA = env.int("BACKUP_KEEP_MEDIA", default=14)

# --- Security audit (安全审计; README, Security controls) --------------------------------
# Audit entries are kept in the database this many days (at least 180: the Cybersecurity
# Law's six months of network logs), then moved nightly to gzip JSON-lines files in
# AUDIT_ARCHIVE_DIR (members.audit_archive) — back that directory up with the database.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)
if AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS is {AUDIT_RETENTION_DAYS}: the security audit must be kept at "
        "least 180 days."
    )
STORAGES["audit_archive"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(env.path("AUDIT_ARCHIVE_DIR", default=VAR_DIR / "audit-archive"))},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    # dbbackup prints through a handler of its own; without this every line shows twice.
    "loggers": {"dbbackup": {"propagate": False}},
}

# Absolute address of the portal, for links in e-mails.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
