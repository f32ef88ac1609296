"""Browser journeys: Playwright driving Debian's Chromium (no browser download here).

Journeys run against pytest-django's ``live_server`` with the real static files. Each test
gets a fresh browser context; ``phone`` is 375×812 for member pages, ``desktop`` 1366×900.
Screenshots of failures land in ``var/e2e/``.
"""

import base64
import os
import shutil
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "e2e"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


def _context(browser, request, **kwargs):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **kwargs)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.console_errors = errors  # a journey that cuts the connection drops what it caused
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    # A page that breaks the CSP or throws shows it here.
    assert errors == [], errors


@pytest.fixture
def phone(browser, request, live_server):
    yield from _context(browser, request, viewport={"width": 375, "height": 812},
                        is_mobile=True, has_touch=True)


@pytest.fixture
def desktop(browser, request, live_server):
    yield from _context(browser, request, viewport={"width": 1366, "height": 900})


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def log_in(page, live_server, username, password="pass-word-1"):
    """Through the login form, and past the second factor where the role needs one: the
    first time by enrolling an authenticator on the page (its key read from the page, as a
    phone would scan it), later with a code from that key."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/otp/enrol/" in page.url:
        secret = page.locator(".js-otp-secret").inner_text().replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        _last_step.pop(username, None)  # a new device: no code used yet
        _give_code(page, username, key)
        page.click("text=我已保存")  # the recovery codes, shown once
        page.wait_for_load_state()
    elif "/accounts/otp/verify/" in page.url:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        _give_code(page, username, device.bin_key)


_last_step: dict[str, int] = {}


def _give_code(page, username, key: bytes) -> None:
    """The TOTP code of the current 30-second step, or of the next one (within the drift
    the portal allows) when this login already used the current one."""
    from django_otp.oath import hotp

    step = max(int(time.time()) // 30, _last_step.get(username, -1) + 1)
    _last_step[username] = step
    page.fill("input[name=token]", f"{hotp(key, step):06d}")
    page.click("form:has(input[name=token]) button[type=submit]")
    page.wait_for_load_state()
