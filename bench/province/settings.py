"""Settings of the province benchmark's server: the portal's own (``liaison.settings``, DEBUG
off) with the two floor views added to the URLs, plain HTTP on 127.0.0.1, static files from
the finders (no collectstatic needed), a Redis cache database of its own (the harness
empties it for the uncached dashboards) and no e-mail.

    DJANGO_SETTINGS_MODULE=bench.province.settings SECRET_KEY=… DATABASE_URL=… gunicorn …

``bench/province/measure.py`` starts the server with these; nothing else uses them.
"""

import os

from members.phone_crypto import DEV_KEY

os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)  # never served beyond 127.0.0.1
# The key generate.py sealed the constituents' phones with (it runs with DEBUG on).
os.environ.setdefault("PHONE_KEY", DEV_KEY)

from liaison.settings import *  # noqa: F403
from liaison.settings import env

ROOT_URLCONF = "bench.province.urls"

# Plain HTTP on the loopback: no redirect to HTTPS, cookies sent over HTTP.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# DEBUG is off, but the static files come from the finders (whitenoise), not a manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

BENCH_CACHE_URL = env.str("BENCH_CACHE_URL", default="redis://127.0.0.1:6379/13")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": BENCH_CACHE_URL,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True},
    }
}

EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
