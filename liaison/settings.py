"""One settings module, driven by environment variables.

Every value has a typed default that serves a laptop (SQLite under ``var/``, no Redis,
emails printed to the console). Production sets the variables listed in README; a bad
value fails loudly at start-up rather than being guessed at.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "captcha",  # django-simple-captcha: the QR page's captcha, drawn here (liaison.intake)
    "members",
    "proposals",
    "activities",
    "opinions",
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
    # Identity controls (members.security): expiry, django-otp's middleware (checking the
    # device once a minute), the second factor, the password policy; axes last, to turn a
    # locked-out login into its page.
    "members.security.middleware.SessionLifetimeMiddleware",
    "members.security.middleware.PortalOTPMiddleware",
    "members.security.middleware.SecondFactorMiddleware",
    "members.security.middleware.PasswordPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
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
    # No JIT compilation: the portal's queries read indexes and rollups and run in
    # milliseconds, and compiling one whose estimated cost passes jit_above_cost took
    # 15-30 ms of a 2-40 ms dashboard query at province scale (bench/README.md).
    # DATABASE_JIT=on gives the server's setting back.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    if not env.bool("DATABASE_JIT", default=False):
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    # Parallel workers only for a plan big enough to repay starting them: the pages read
    # rollups and indexes (plans costing a few thousand), where two workers' start-up took
    # ~20 ms of a province dashboard's reads on a busy 2-core machine; the rebuild's and the
    # report's scans of millions of rows cost far more and still go parallel.
    # PostgreSQL's default is 1000.
    parallel_setup_cost = env.int("DATABASE_PARALLEL_SETUP_COST", default=10000)
    options["options"] = f"{options.get('options', '')} -c parallel_setup_cost={parallel_setup_cost}".strip()
    # Parameters bound by the server, so that psycopg prepares a query its connection has
    # run DATABASE_PREPARE_THRESHOLD times, and PostgreSQL plans it once per connection
    # rather than on every run. Planning a query over a table partitioned by month (contact
    # logs, must-visits: 30 partitions of a dozen indexes each) cost 3-6 ms a query, up to
    # ten times its reading: most of the PostgreSQL time of a member's home page
    # (bench/README.md). DATABASE_PREPARE_THRESHOLD=off turns it off: a pooler in
    # transaction mode (PgBouncer before 1.21) cannot keep a connection's prepared queries.
    prepare_threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="5")
    if prepare_threshold.lower() != "off":
        options["server_side_binding"] = True
        options["prepare_threshold"] = int(prepare_threshold)
        # Django's backend, told that such a statement binds at most 65,535 parameters
        # (bulk writes and deletions split under it: liaison/db/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "liaison.db.postgresql"
else:
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Covering indexes (INCLUDE columns, for PostgreSQL's list pages) are plain indexes on
    # SQLite: nothing for `make run` to warn a laptop about on every command.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

# An optional streaming replica of the primary (members.common.replica; README, Read replica).
# Only pages that say they may show data a few seconds old read it; the rest, every write
# and the pages right after a write read the primary, and so does everything while the
# replica is unreachable or more than REPLICA_MAX_LAG_SECONDS behind.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=30.0)
# A browser that sent a write reads the primary this long.
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
# The replica's lag is measured at most this often per process; after it failed to connect
# or failed under a page, it is tried again after REPLICA_RETRY_SECONDS.
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=5.0)
REPLICA_RETRY_SECONDS = env.float("REPLICA_RETRY_SECONDS", default=30.0)
if DATABASE_REPLICA_URL:
    _replica = env.db_url_config(DATABASE_REPLICA_URL)
    if "postgresql" not in DATABASES["default"]["ENGINE"] or "postgresql" not in _replica["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL is a PostgreSQL streaming replica of DATABASE_URL's PostgreSQL."
        )
    _replica["ENGINE"] = DATABASES["default"]["ENGINE"]
    # The primary's connection settings (persistent, health-checked, no JIT), and a short
    # connect timeout (libpq's least is 2 s): a replica that is down is left at once.
    _replica.update(
        CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
        OPTIONS={
            **DATABASES["default"].get("OPTIONS", {}),
            "connect_timeout": env.int("REPLICA_CONNECT_TIMEOUT", default=2),
            **_replica.get("OPTIONS", {}),
        },
        # Under test the replica holds the primary's test database (replicated): none made.
        TEST={"MIRROR": "default"},
    )
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["members.common.replica.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "members.common.replica.PinAfterWriteMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
# django-axes first (it refuses a locked-out login before any password is checked), then
# the stock backend loading the user with its member row (members/backends.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "members.backends.PortalBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Identity (身份鉴别; README, Security controls) --------------------------------------
# Passwords: at least PASSWORD_MIN_LENGTH characters of three kinds (upper, lower, digits,
# symbols), not the login name, not a common password, none of the last PASSWORD_HISTORY.
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=8)
PASSWORD_HISTORY = env.int("PASSWORD_HISTORY", default=5)
# A password older than this many days must be changed at the next request (0: never).
PASSWORD_EXPIRY_DAYS = env.int("PASSWORD_EXPIRY_DAYS", default=0)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "members.security.passwords.NotUsernameValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "members.security.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "members.security.passwords.PublishedPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "members.security.passwords.PasswordHistoryValidator"},
]
# Failed logins (django-axes): AXES_FAILURE_LIMIT failures lock the name typed and, apart,
# the client address for AXES_COOLOFF_MINUTES; an unknown name locks as a real one does.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Failures count for the cool-off whatever happens meanwhile: a success does not clear them
# (axes would clear the address's count too, letting one valid login reset an attack).
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "members.security.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "members.common.client_ip.client_ip"
AXES_VERBOSE = False
# The client's address: REMOTE_ADDR, or behind the proxy (nginx on the same host, README
# "Going live") the header it sets — believed only from these addresses.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="HTTP_X_REAL_IP")
# Password reset by e-mail: at most this many requests per client address and per e-mail
# address in PASSWORD_RESET_RATE_WINDOW seconds; the link works for PASSWORD_RESET_TIMEOUT.
PASSWORD_RESET_RATE_IP = env.int("PASSWORD_RESET_RATE_IP", default=10)
PASSWORD_RESET_RATE_EMAIL = env.int("PASSWORD_RESET_RATE_EMAIL", default=3)
PASSWORD_RESET_RATE_WINDOW = env.int("PASSWORD_RESET_RATE_WINDOW", default=3600)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=2 * 3600)
# Two factors (django-otp, TOTP + recovery codes) for these roles (User.Role; "superuser"
# for Django superusers). Anyone else may opt in on their account page.
OTP_REQUIRED_ROLES = env.list(
    "OTP_REQUIRED_ROLES",
    default=["admin", "staff", "leader", "unit", "security_admin", "audit_admin", "superuser"],
)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="政协联络门户")
# Sessions: logged out after SESSION_IDLE_TIMEOUT seconds without a request, and
# SESSION_COOKIE_AGE (below) after the login whatever the activity; a new login ends the
# user's other sessions unless SESSION_SINGLE_LOGIN is off.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_SINGLE_LOGIN = env.bool("SESSION_SINGLE_LOGIN", default=True)
SESSION_SAVE_EVERY_REQUEST = False

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
# Uploads are written and read through the storage API only (members.common.storage), so
# where they live is a setting: the folder MEDIA_ROOT (one machine, or a volume every web
# machine mounts there), or, for several machines, any Django storage, e.g. S3-compatible
# object storage with django-storages: MEDIA_STORAGE=storages.backends.s3.S3Storage and
# MEDIA_STORAGE_OPTIONS={"bucket_name": ..., "endpoint_url": ..., ...} (README, "Several machines").
STORAGES = {
    "default": {
        "BACKEND": env.str("MEDIA_STORAGE", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("MEDIA_STORAGE_OPTIONS", default={}),
    },
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
# bytes of files kept in MEDIA_ROOT is the backend's business. Laptop: Django itself
# ("simple"). Production behind nginx: "django_sendfile.backends.nginx" answers with
# X-Accel-Redirect to SENDFILE_URL, an internal-only nginx location over MEDIA_ROOT (README
# has the snippet). Files in any other storage are streamed by the portal through it.
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
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://localhost/"  # a host: kombu warns without one
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for the next one
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Named queues (README, "Jobs that fan out"). Each scheduled job runs as a parent that enqueues
# one task per council and waits for none; the per-council tasks go to the job's queue, so
# any number of workers on any number of machines share them, and the morning sweep or the
# nightly recount never queue in front of what users just did (event reminders and e-mails
# stay on the default queue). A worker started without -Q consumes every queue declared here;
# `-Q reminders` (or `-Q rollups`, `-Q celery`) one of them.
CELERY_TASK_DEFAULT_QUEUE = "celery"
QUEUE_REMINDERS = "reminders"  # the must-visit sweep, digests and escalations, per council
QUEUE_ROLLUPS = "rollups"  # the nightly recount of the dashboards' rollups, per council
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name)  # what Celery declares for a bare queue name
    for name in (CELERY_TASK_DEFAULT_QUEUE, QUEUE_REMINDERS, QUEUE_ROLLUPS)
]
CELERY_TASK_ROUTES = {
    "activities.tasks.reminders_sweep_task": {"queue": QUEUE_REMINDERS},
    "activities.tasks.reminders_sweep_council_task": {"queue": QUEUE_REMINDERS},
    "activities.tasks.reminders_digest_task": {"queue": QUEUE_REMINDERS},
    "activities.tasks.reminders_digest_council_task": {"queue": QUEUE_REMINDERS},
    "activities.tasks.reminders_escalate_task": {"queue": QUEUE_REMINDERS},
    "activities.tasks.reminders_escalate_council_task": {"queue": QUEUE_REMINDERS},
    "activities.tasks.rollups_rebuild_task": {"queue": QUEUE_ROLLUPS},
    "activities.tasks.rollups_rebuild_council_task": {"queue": QUEUE_ROLLUPS},
}
# A web request never waits for a broker that is down: enqueueing tries one connection with a
# short timeout and no retry (members.tasks.enqueue_on_commit), logs the failure, and the
# periodic catch-up jobs do the work later.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
# With acks_late, a message taken by a worker that dies whole (main process and pool) stays
# unacknowledged in Redis and is handed to another worker once this many seconds have passed.
# It must exceed the longest task, or a task still running would be started a second time:
# the longest (a province council's must-visit sweep or rollup recount, the jobs run a task per
# council) take a few minutes, so 15 minutes. Re-delivery is safe: every task is idempotent.
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
# The absolute lifetime of a session, counted from its login (members.security).
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
        # The member app's service worker and manifest (liaison/pwa.py), the portal's own.
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Portal settings ------------------------------------------------------------------
# The QR page of every platform (liaison.intake, README "QR codes at the platforms"): a
# client address may send INTAKE_RATE_IP submissions and one phone number INTAKE_RATE_PHONE
# in INTAKE_RATE_WINDOW seconds; a triaged submission's name, phone and text are purged
# INTAKE_RETENTION_DAYS after it was triaged (the privacy notice on the page says so).
INTAKE_RATE_IP = env.int("INTAKE_RATE_IP", default=5)
INTAKE_RATE_PHONE = env.int("INTAKE_RATE_PHONE", default=3)
INTAKE_RATE_WINDOW = env.int("INTAKE_RATE_WINDOW", default=3600)
INTAKE_RETENTION_DAYS = env.int("INTAKE_RETENTION_DAYS", default=180)
if INTAKE_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("INTAKE_RETENTION_DAYS must be at least 1")
# django-simple-captcha: a sum to work out (digits read more easily than letters on a
# phone, and need no Latin script), drawn by Pillow with the font it ships; no sound file
# (that would need the flite program), no outside service.
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.math_challenge"
CAPTCHA_MATH_CHALLENGE_OPERATOR = "+"
CAPTCHA_TIMEOUT = 10  # minutes a challenge stays valid
CAPTCHA_IMAGE_SIZE = (120, 44)
CAPTCHA_FONT_SIZE = 32
CAPTCHA_LETTER_ROTATION = (-20, 20)
CAPTCHA_NOISE_FUNCTIONS = ("captcha.helpers.noise_arcs",)
CAPTCHA_FLITE_PATH = None

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
# dbbackup picks its dump tool by the database ENGINE: the portal's PostgreSQL backend
# (liaison/db/postgresql, with prepared queries) is PostgreSQL's, dumped by pg_dump.
DBBACKUP_CONNECTOR_MAPPING = {"liaison.db.postgresql": "dbbackup.db.postgresql.PgDumpBinaryConnector"}
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
