"""Every list page of each role at 375×812, on the demo's data (real titles, names, dates):
the page does not scroll sideways, no cell of a table or card list is narrower than four
characters, and every date is shown whole (not clipped by the page or by a table scrolling
in its wrapper). Overdue and nearly due deadlines carry their label as text.

A new list page is added to LIST_PAGES, nowhere else.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

# (role, path): every page of the role that lists things (the URL confs' list views).
LIST_PAGES = [
    ("member", "/members/me/"),
    ("member", "/members/me/constituents/"),
    ("member", "/activities/contacts/mine/"),
    ("member", "/activities/reminders/"),
    ("member", "/activities/events/upcoming/"),
    ("member", "/activities/events/mine/"),
    ("member", "/proposals/mine/"),
    ("member", "/proposals/filed/"),
    ("member", "/dashboard/duty/me/"),
    ("member", "/opinions/mine/"),
    ("member", "/inbox/"),
    ("unit", "/proposals/unit/"),
    ("unit", "/inbox/"),
    *[
        (role, path)
        for role in ("staff", "leader")
        for path in (
            "/members/staff/",
            "/members/staff/members/",
            "/members/staff/platforms/",
            "/members/staff/constituents/",
            "/members/staff/coverage/",
            "/proposals/staff/",
            "/proposals/staff/register/",
            "/activities/contacts/all/",
            "/activities/events/",
            "/activities/events/calendar/",
            "/activities/consultations/",
            "/activities/problems/",
            "/activities/problems/all/",
            "/activities/reminders/",
            "/activities/reminders/compliance/",
            "/activities/reminders/rules/",
            "/activities/reminders/campaigns/",
            "/dashboard/points/",
            "/opinions/",
            "/inbox/",
        )
    ],
    # Staff only.
    ("staff", "/activities/events/kinds/"),
    ("staff", "/activities/tags/"),
    ("staff", "/dashboard/points/scheme/"),
]

ROLES = sorted({role for role, _path in LIST_PAGES})

# What a page shows wrongly at this width, as sentences; [] when it fits.
MEASURE = r"""() => {
  const problems = [];
  const width = window.innerWidth;
  const page = document.documentElement.scrollWidth;
  if (page > width) problems.push(`the page is ${page}px wide, the window ${width}px`);
  const label = (el) => el.innerText.trim().replace(/\s+/g, " ").slice(0, 30);
  const shown = (box) => box.width > 0 && box.height > 0;
  // Each cell of a table (or of the cards it becomes) and each item of a card list.
  const cells = document.querySelectorAll("main td, main th, main .list-group-item");
  for (const cell of cells) {
    const box = cell.getBoundingClientRect();
    if (!shown(box) || !cell.innerText.trim()) continue;
    const font = parseFloat(getComputedStyle(cell).fontSize);
    if (box.width < 4 * font - 0.5) {
      problems.push(`a cell ${Math.round(box.width)}px wide, under four characters (${4 * font}px): "${label(cell)}"`);
    }
    if (box.left < -0.5 || box.right > width + 0.5) {
      problems.push(`a cell outside the window (${Math.round(box.left)}–${Math.round(box.right)}px): "${label(cell)}"`);
    }
  }
  // Every date in a list is visible whole: inside the window and inside every ancestor
  // that clips (a table wrapper scrolling sideways, a card that hides its overflow).
  const dates = /\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2}|\d{1,2}月\d{1,2}日/;
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const found = dates.exec(node.textContent);
    if (!found || !node.parentElement.closest("td, th, .list-group-item, .card")) continue;
    const range = document.createRange();
    range.setStart(node, found.index);
    range.setEnd(node, found.index + found[0].length);
    const box = range.getBoundingClientRect();
    if (!shown(box)) continue;  // in a part of the page that is hidden (a closed menu)
    let clipped = box.left < -0.5 || box.right > width + 0.5;
    for (let el = node.parentElement; el && !clipped; el = el.parentElement) {
      if (getComputedStyle(el).overflowX === "visible") continue;
      const frame = el.getBoundingClientRect();
      clipped = box.left < frame.left - 0.5 || box.right > frame.right + 0.5;
    }
    if (clipped) problems.push(`the date "${found[0]}" is cut off`);
  }
  return problems;
}"""


def _demo():
    """The demo's council with a password of the suite's for each role's login (the demo's
    published one is refused with DEBUG off)."""
    from liaison import demo
    from members.models import User

    demo.build()
    for user in User.objects.filter(username__in=ROLES):
        user.set_password("pass-word-1")
        user.save(update_fields=["password"])


@pytest.mark.parametrize("role", ROLES)
def test_every_list_of_the_role_fits_a_phone(role, phone, live_server):
    _demo()
    log_in(phone, live_server, role)
    found = {}
    for path in [path for who, path in LIST_PAGES if who == role]:
        response = phone.goto(f"{live_server.url}{path}")
        assert response.status == 200, (path, response.status)
        assert "/accounts/" not in phone.url, (path, phone.url)  # not sent to log in again
        problems = phone.evaluate(MEASURE)
        if problems:
            found[path] = list(dict.fromkeys(problems))[:8]
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = f"phone-{role}{path.replace('/', '-').rstrip('-')}.png"
            phone.screenshot(path=str(ARTIFACTS / name), full_page=True)
    assert not found, "\n".join(f"{path}: {problems}" for path, problems in found.items())


@pytest.fixture
def deadlines(member_a, staff, handling_unit, unit_user, council):
    """Three proposals assigned to the unit: overdue, due in three days, due in sixty."""
    from proposals.models import Assignment, Proposal, State
    from tests.proposals.factories import CategoryFactory, SessionFactory, proposal_in

    today = timezone.localdate()
    session = SessionFactory(council=council, is_current=True)
    category = CategoryFactory(council=council, name="教育")
    made = [
        proposal_in(State.ASSIGNED, proposer=member_a, staff=staff, unit=handling_unit, session=session,
                    category=category, title=f"关于{topic}的提案", deadline=today + timedelta(days=days))
        for topic, days in (("加强学校周边交通安全管理", 1), ("改善农村义务教育学校办学条件", 3),
                            ("推进校园食品安全监管", 60))
    ]
    late = made[0].pk
    Assignment.objects.filter(proposal_id=late).update(deadline=today - timedelta(days=2))
    Proposal.objects.filter(pk=late).update(deadline=today - timedelta(days=2))


@pytest.mark.parametrize("viewport", [{"width": 375, "height": 812}, {"width": 1366, "height": 900}])
def test_overdue_and_due_soon_are_named_at_every_width(viewport, phone, live_server, deadlines):
    """Not by colour alone, and the label not in a column a phone cuts off."""
    phone.set_viewport_size(viewport)
    log_in(phone, live_server, "unit")
    phone.goto(f"{live_server.url}/proposals/unit/")
    for row_class, label in (("table-danger", "超期"), ("table-warning", "临期")):
        rows = phone.locator(f"tr.{row_class}")
        assert rows.count() == 1, row_class
        badge = rows.first.get_by_text(label, exact=True)
        assert badge.is_visible(), row_class
        box = badge.bounding_box()
        assert box["x"] >= 0, (row_class, box)
        assert box["x"] + box["width"] <= viewport["width"], (row_class, box)
