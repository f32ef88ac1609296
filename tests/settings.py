"""The test suite runs the portal's one settings module with the laptop's defaults.

``DEBUG`` defaults to off (a server started without it is a production server), so the
suite asks for the development defaults here, before the settings are read. pytest-django
turns ``DEBUG`` off again while tests run, as Django's own runner does; tests of production
behaviour set what they need (tests/test_production.py).
"""

import os

os.environ.setdefault("DEBUG", "true")

from liaison.settings import *  # noqa: F403
