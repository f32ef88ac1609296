"""Accessibility: axe-core finds no serious or critical violation on any page a role reaches.

On the demo council, each role logs in (past the second factor where it needs one) and the
crawl walks breadth-first from its menu: the menu's pages, then the links on them, one page
of each kind (a path with its numbers taken for placeholders; the query string ignored), at
most ``MAX_PAGES`` per role; past its menu, a role skips the kinds an earlier role of its
family (``FAMILY``) checked. Every page is checked at a phone's width and a laptop's.
axe-core is vendored (static/vendor/VERSIONS.md) and injected by the test; no page template
loads it. The full report (and what axe finds but this test does not enforce) is written to
var/e2e/accessibility.txt.
"""

import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
AXE = next((ROOT / "static" / "vendor").glob("axe-core-*/axe.min.js"))
WIDTHS = [{"width": 1280, "height": 800}, {"width": 375, "height": 812}]
MAX_PAGES = 40
PASSWORD = "pass-word-1"
# The demo's logins, one per role (city: a leader of a council with a subtree).
ROLES = ["member", "staff", "leader", "unit", "admin", "city", "security", "audit"]
# Roles that see the council's pages much alike share the kinds checked past their menus; a
# member's or a unit's proposal page is another page than staff's (other parts, other buttons).
FAMILY = {"staff": "council", "admin": "council", "leader": "council", "city": "council"}
# Not pages: downloads, the Django admin (its own accessibility), logout and the language
# switch (forms), uploaded files.
NOT_A_PAGE = re.compile(
    r"^/(admin|media|protected-media|static|i18n)/|/accounts/logout/|/export/|\.xlsx$"
    r"|/import/template/$"
)
# label-content-name-mismatch is "experimental" in axe (off by default): a control whose
# accessible name does not hold its visible text is what speech users stumble on.
AXE_RUN = """async () => {
  const result = await axe.run(document, {
    resultTypes: ['violations'],
    rules: {'label-content-name-mismatch': {enabled: true}},
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '),
                              summary: (n.failureSummary || '').split('\\n').slice(1, 2).join('').trim()})),
  }));
}"""
# What fails: every serious or critical violation, and a page without an <h1> (axe calls it
# moderate; a screen reader's "next heading" starts there). The rest is listed in the report.
ENFORCED_IMPACTS = {"serious", "critical"}
ENFORCED_RULES = {"page-has-heading-one"}


@pytest.fixture
def demo_logins(db):
    from liaison import demo
    from members.models import User

    demo.build()
    logins = User.objects.filter(username__in=ROLES)
    assert sorted(logins.values_list("username", flat=True)) == sorted(ROLES)
    for user in logins:
        # The demo's published password is refused when DEBUG is off, as in tests.
        user.set_password(PASSWORD)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
    return ROLES


def _kind(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/<n>", path)


def _links(page, origin: str, within: str = "body") -> list[str]:
    hrefs = page.eval_on_selector_all(
        f"{within} a[href]:not([download])", "links => links.map(a => a.href)"
    )
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or NOT_A_PAGE.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _crawl(page, origin: str, role: str, found: dict, checked: set, broken: list) -> list[str]:
    """Breadth-first from the page the login lands on and the menu; returns the pages checked.

    The menu's pages are checked for every role; past them, a kind of page an earlier role
    had checked is only read for its links, so that the bound goes to kinds not seen yet.
    """
    landing = urlsplit(page.url).path
    menu = {landing, *_links(page, origin, "nav.navbar")}
    queue, kinds, seen, visits = [landing, *_links(page, origin)], set(), [], 0
    while queue and len(seen) < MAX_PAGES and visits < 2 * MAX_PAGES:
        url = queue.pop(0)
        if _kind(urlsplit(url).path) in kinds:
            continue
        kinds.add(_kind(urlsplit(url).path))
        page.set_viewport_size(WIDTHS[0])
        response = page.goto(origin + url)
        visits += 1
        if response is None or response.status >= 400:
            broken.append(f"{role}: {url} → {response and response.status}")
            continue
        # A link that redirects (home, a notice) lands on a page of a kind maybe seen already.
        kind = _kind(urlsplit(page.url).path)
        if kind != _kind(urlsplit(url).path):
            if kind in kinds:
                continue
            kinds.add(kind)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        queue.extend(link for link in _links(page, origin) if _kind(urlsplit(link).path) not in kinds)
        if url not in menu and kind in checked:
            continue
        checked.add(kind)
        seen.append(url)
        _check(page, url, kind, role, found)
    return seen


def _check(page, url: str, kind: str, role: str, found: dict) -> None:
    page.add_script_tag(path=str(AXE))
    for size in WIDTHS:
        page.set_viewport_size(size)
        for violation in page.evaluate(AXE_RUN):
            for node in violation["nodes"]:
                entry = found[(violation["id"], violation["impact"], kind, node["target"])]
                entry["widths"].add(size["width"])
                entry["roles"].add(role)
                entry["summary"] = node["summary"] or violation["help"]
                entry.setdefault("url", url)


def _check_before_login(browser, origin: str, found: dict) -> list[str]:
    """The login page, the password reset page, and the second factor's page (staff, whose
    authenticator the crawl enrolled)."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport=WIDTHS[0], bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    seen = []
    try:
        for url in ("/accounts/login/", "/accounts/password/reset/"):
            page.set_viewport_size(WIDTHS[0])
            assert page.goto(origin + url).status == 200, url
            _check(page, url, url, "anonymous", found)
            seen.append(url)
        page.set_viewport_size(WIDTHS[0])
        page.goto(origin + "/accounts/login/")
        page.fill("input[name=username]", "staff")
        page.fill("input[name=password]", PASSWORD)
        page.click("form:has(input[name=username]) button[type=submit]")
        page.wait_for_url("**/accounts/otp/verify/**")
        url = urlsplit(page.url).path
        _check(page, url, url, "staff", found)
        seen.append(url)
    finally:
        context.close()
    return seen


def _line(key, entry) -> str:
    rule, impact, _kind_, target = key
    return (f"{rule} ({impact}) on {entry['url']} [{', '.join(sorted(entry['roles']))}; "
            f"{'/'.join(str(w) for w in sorted(entry['widths']))} px]: {target} — {entry['summary']}")


def test_no_serious_or_critical_violation_on_any_page_of_any_role(browser, live_server, demo_logins):
    found = defaultdict(lambda: {"widths": set(), "roles": set()})
    broken: list[str] = []
    crawled, checked = {}, {}
    for role in demo_logins:
        # The CSP (no inline script) would refuse the injected axe; the pages' own scripts
        # are checked against it by the other journeys.
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                      viewport=WIDTHS[0], bypass_csp=True)
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            log_in(page, live_server, role, PASSWORD)
            assert "/accounts/" not in page.url, (role, page.url)
            crawled[role] = _crawl(page, live_server.url, role, found,
                                   checked.setdefault(FAMILY.get(role, role), set()), broken)
        finally:
            context.close()
    crawled["before login"] = _check_before_login(browser, live_server.url, found)
    failures = [_line(key, entry) for key, entry in sorted(found.items())
                if key[1] in ENFORCED_IMPACTS or key[0] in ENFORCED_RULES]
    others = [_line(key, entry) for key, entry in sorted(found.items())
              if not (key[1] in ENFORCED_IMPACTS or key[0] in ENFORCED_RULES)]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "accessibility.txt").write_text("\n".join([
        *(f"{role}: {len(pages)} pages: {' '.join(pages)}" for role, pages in crawled.items()),
        "", "Broken links:", *broken, "", "Failures:", *failures, "", "Not enforced:", *others,
    ]) + "\n")
    # Each role's crawl checked its menu and more; all together, well past the menus.
    for role, pages in crawled.items():
        assert len(pages) >= 3, (role, pages)
    # One detail page of each kind, at least.
    for detail in ("/proposals/<n>/", "/members/staff/members/<n>/", "/members/constituents/<n>/",
                   "/activities/contacts/<n>/", "/activities/events/<n>/", "/activities/consultations/<n>/",
                   "/members/staff/platforms/<n>/", "/dashboard/duty/<n>/"):
        assert any(detail in kinds for kinds in checked.values()), (detail, checked)
    assert broken == [], broken
    assert failures == [], "\n".join(failures)
