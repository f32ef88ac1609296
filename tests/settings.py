"""The test suite runs the portal's one settings module with the laptop's defaults.

``DEBUG`` defaults to off (a server started without it is a production server), so the
suite asks for the development defaults here, before the settings are read. pytest-django
turns ``DEBUG`` off again while tests run, as Django's own runner does; tests of production
behaviour set what they need (tests/test_production.py).
"""

import os

os.environ.setdefault("DEBUG", "true")

from liaison.settings import *  # noqa: F403

# Django's test runner empties every table with TRUNCATE between transactional tests; the
# audit table's trigger lets that through only in a session that asks (members migration 0011).
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c audit.test_flush=on".strip()
