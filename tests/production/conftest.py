"""Browser journeys against the portal as production runs it (``.ci/production start``):
DEBUG off, nginx with TLS in front of gunicorn, PostgreSQL, Redis, a Celery worker, the demo.

``PRODUCTION_URL`` names that server (``https://127.0.0.1:8443``); these tests never start
one and never touch its database, they only use its pages as people do. Selected on purpose
(``-m production``, or this folder named) without ``PRODUCTION_URL``, they fail at once and
say why. A broad run (``make test``, ``pytest -n 2``) leaves them out.

Every page a journey opens is checked the same way (``Visitor.check``): status 200 over
HTTPS, HSTS and the CSP present, no console error and no CSP violation, and every static
file it uses has a hashed name and far-future caching. Screenshots land in
``var/production/``.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the shared fixtures of
# tests/conftest.py still touch Django's cache between tests, which is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).resolve().parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = HERE.parents[1] / "var" / "production"
# The demo's published password is refused with DEBUG off: `.ci/production start` gives the
# journeys' logins a strong password of their own and, where the role needs two factors,
# an authenticator with a key of its own (manage.py set_password / otp_enrol), and writes
# both to journeys.env in its directory (readable by its user only); PRODUCTION_PASSWORD
# and PRODUCTION_OTP_KEY override.
JOURNEYS_ENV = Path(os.environ.get("PRODUCTION_DIR") or Path(os.environ.get("TMPDIR", "/tmp")) / "liaison-production") / "journeys.env"
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
YEAR = 365 * 24 * 3600

# Collects CSP violations in the page itself: Playwright injects this before any of the
# page's own scripts, and the page's CSP does not apply to it.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def _asked_for(config) -> bool:
    """True when the run selects these tests on purpose rather than by sweeping everything."""
    markexpr = config.getoption("markexpr") or ""
    if re.search(r"(?<!not )\bproduction\b", markexpr):
        return True
    return any(_in_this_folder(arg.split("::")[0]) for arg in config.args)


def _in_this_folder(arg: str) -> bool:
    path = Path(arg).resolve()
    return path == HERE or HERE in path.parents


def _max_age(cache_header: str | None) -> int:
    match = re.search(r"max-age=(\d+)", cache_header or "")
    return int(match.group(1)) if match else 0


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    ours = [item for item in items if HERE in Path(str(item.fspath)).resolve().parents]
    for item in ours:
        item.add_marker(pytest.mark.production)
    if ours and not _asked_for(config):
        # They need a server that a broad run did not start; CI runs them on their own.
        config.hook.pytest_deselected(items=ours)
        items[:] = [item for item in items if item not in ours]


@pytest.fixture(scope="session")
def production_url() -> str:
    url = os.environ.get("PRODUCTION_URL", "").rstrip("/")
    if not url:
        pytest.fail(
            "PRODUCTION_URL is not set. These journeys drive a running production server: "
            "start one with `bash .ci/production start`, then run "
            "`PRODUCTION_URL=https://127.0.0.1:8443 .venv/bin/pytest -m production tests/production -p no:xdist`.",
            pytrace=False,
        )
    return url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed (apt-get install chromium fonts-noto-cjk)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # The run's certificate is self-signed: the contexts ignore it for pages, and the flag
        # does for the member app's service worker, whose script Chromium otherwise refuses
        # to fetch from an untrusted certificate (a deployment's certificate is trusted).
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--ignore-certificate-errors"],
        )
        yield browser
        browser.close()


_LAST_STEP: dict[str, int] = {}


def journey_secret(name: str) -> str:
    value = os.environ.get(name, "")
    if not value and JOURNEYS_ENV.is_file():
        for line in JOURNEYS_ENV.read_text().splitlines():
            key, _, rest = line.partition("=")
            if key == name:
                value = rest
    if not value:
        pytest.fail(f"{name} is not set and {JOURNEYS_ENV} does not have it: run `bash .ci/production start` first.",
                    pytrace=False)
    return value


class Visitor:
    """One person in their own browser context, logged in through the login form."""

    def __init__(self, context, base_url: str, name: str):
        self.context = context
        self.base_url = base_url
        self.name = name
        self.errors: list[str] = []
        self.static: dict[str, object] = {}
        context.add_init_script(CSP_WATCH)
        context.on("response", self._record_static)
        self.page = context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(f"{self.page.url}: {error}"))
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"{self.page.url}: {message.text}")

    def _record_static(self, response) -> None:
        if response.url.startswith(f"{self.base_url}/static/"):
            self.static.setdefault(response.url, response)

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}{path}"

    def goto(self, path: str):
        response = self.page.goto(self.url(path))
        self.check(response)
        return response

    def follow(self, locator):
        """Click a link or a submit button and check the page it leads to."""
        with self.page.expect_navigation() as navigation:
            locator.click()
        response = navigation.value
        self.check(response)
        return response

    def log_in(self, username: str, password: str | None = None):
        self.goto("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password or journey_secret("PRODUCTION_PASSWORD"))
        response = self.follow(self.page.locator("form button[type=submit]"))
        assert "/accounts/login/" not in self.page.url, f"{username} could not log in"
        if "/accounts/otp/verify/" in self.page.url:
            response = self.pass_second_factor(username)
        cookies = {c["name"]: c for c in self.context.cookies()}
        # Production cookies: only over HTTPS; the session out of scripts' reach.
        assert cookies["sessionid"]["secure"]
        assert cookies["sessionid"]["httpOnly"]
        assert cookies["csrftoken"]["secure"]
        return response

    def pass_second_factor(self, username: str):
        """The code the login's authenticator shows now (the next step's when this login
        used the current one: a code is good once, and the portal allows one step of drift)."""
        from django_otp.oath import hotp

        key = bytes.fromhex(journey_secret("PRODUCTION_OTP_KEY"))
        step = max(int(time.time()) // 30, _LAST_STEP.get(username, -1) + 1)
        _LAST_STEP[username] = step
        self.page.fill("input[name=token]", f"{hotp(key, step):06d}")
        response = self.follow(self.page.locator("form:has(input[name=token]) button[type=submit]"))
        assert "/accounts/otp/" not in self.page.url, f"{username}: the code was refused"
        return response

    def check(self, response) -> None:
        """What every production page must be."""
        page = self.page
        assert response is not None, f"no response for {page.url}"
        assert response.status == 200, f"{response.status} for {response.url}"
        assert response.url.startswith("https://")
        headers = response.headers
        assert _max_age(headers.get("strict-transport-security")) >= YEAR, headers
        csp = headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp, csp
        assert "unsafe-inline" not in csp, csp
        assert headers.get("x-content-type-options") == "nosniff"
        page.wait_for_load_state("load")
        self._check_static_files()
        violations = page.evaluate("window.__cspViolations || []")
        assert violations == [], f"CSP violations on {page.url}: {violations}"
        assert self.errors == [], self.errors

    def _check_static_files(self) -> None:
        """Each static file the page uses (scripts, styles, icons, and what they load, such as
        fonts) has a hashed name and is cached for a year."""
        used = self.page.evaluate(
            """() => [
                ...Array.from(document.querySelectorAll("script[src]"), (e) => e.src),
                ...Array.from(document.querySelectorAll("link[href]"), (e) => e.href),
                ...performance.getEntriesByType("resource").map((e) => e.name),
            ]"""
        )
        static = sorted({url for url in used if url.startswith(f"{self.base_url}/static/")})
        assert static, f"{self.page.url} uses no static file"
        for url in static:
            assert HASHED.search(url.split("?")[0]), f"{url} has no hashed name"
            response = self.static.get(url) or self.context.request.get(url)
            assert response.status == 200, f"{response.status} for {url}"
            cache = response.headers.get("cache-control")
            assert _max_age(cache) >= YEAR, f"{url}: Cache-Control {cache!r}"

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def visit(browser, production_url, request):
    """``visit("member", phone=True)``: a logged-in Visitor in a fresh browser context."""
    visitors: list[Visitor] = []

    def open_as(username: str | None, *, phone: bool = False) -> Visitor:
        context = browser.new_context(
            ignore_https_errors=True, locale="zh-CN", timezone_id="Asia/Shanghai",
            accept_downloads=True, **(PHONE if phone else DESKTOP),
        )
        context.set_default_timeout(20_000)
        visitor = Visitor(context, production_url, username or "anonymous")
        visitors.append(visitor)
        if username:
            visitor.log_in(username)
        return visitor

    yield open_as
    failed = getattr(request.node, "rep_call", None)
    for visitor in visitors:
        if failed is not None and failed.failed:
            visitor.screenshot(f"{request.node.name}-{visitor.name}-failed")
        visitor.context.close()
    # Errors that came after the last check (a script failing late) still fail the test.
    for visitor in visitors:
        assert visitor.errors == [], visitor.errors


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
