"""Deploy checks (``manage.py check --deploy``): settings that would keep what a request
needs inside one process or on one machine's disk (README, "Several machines")."""

from django.conf import settings
from django.core import checks

# Cache backends whose entries other processes or machines never see.
_PRIVATE_CACHES = ("LocMemCache", "DummyCache", "FileBasedCache")


@checks.register(checks.Tags.caches, deploy=True)
def cache_is_shared(app_configs=None, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith(_PRIVATE_CACHES):
        return []
    return [checks.Warning(
        f"The cache ({backend.rsplit('.', 1)[-1]}) is not shared between gunicorn's processes "
        "or machines: a write drops a council's dashboard figures in one process only, and "
        "the password-reset limits count per process.",
        hint="Set CACHE_URL to a Redis every web machine reaches, e.g. redis://10.0.0.5:6379/1.",
        id="liaison.W001",
    )]


@checks.register(deploy=True)
def database_is_a_server(app_configs=None, **kwargs):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return []
    return [checks.Warning(
        "The database is an SQLite file on this machine's disk: no second web machine, worker "
        "or replica can share it.",
        hint="Set DATABASE_URL to PostgreSQL (README, Going live).",
        id="liaison.W002",
    )]
