"""The dashboard's number cards and breakdown rows are written in Python
(``liaison.templatetags.dashboard_rows``): the same markup as the template loops they
replaced (kept here), each value escaped and localised alike."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from liaison.dashboard.present import Figure

OLD_CARDS = """{% for f in figures %}<div class="col-6 col-md-4 col-xl-3">
  {% if f.url %}
    <a class="card h-100 text-decoration-none dash-figure"
       href="{{ f.url }}"
       data-testid="fig-{{ f.key }}">
      <div class="card-body">
        <div class="stat">
          {% if f.value is None %}
            —
          {% else %}
            {{ f.value }}{{ f.suffix }}
          {% endif %}
        </div>
        <div class="stat-label">{{ f.label }}</div>
      </div>
    </a>
  {% else %}
    <div class="card h-100 dash-figure" data-testid="fig-{{ f.key }}">
      <div class="card-body">
        <div class="stat">
          {% if f.value is None %}
            —
          {% else %}
            {{ f.value }}{{ f.suffix }}
          {% endif %}
        </div>
        <div class="stat-label">{{ f.label }}</div>
      </div>
    </div>
  {% endif %}
</div>{% endfor %}"""

OLD_ROWS = {
    "sectors": """{% load i18n %}{% for row in rows %}
          <tr>
            <th scope="row">
              {{ row.name }}
              {% if row.is_key %}<span class="badge text-bg-light">{% translate "key sector" %}</span>{% endif %}
              {% if row.council_name %}<span class="d-block small fw-normal text-body-secondary">{{ row.council_name }}</span>{% endif %}
            </th>
            <td class="text-end"><a href="{{ row.members_url }}">{{ row.n_members }}</a></td>
            <td class="text-end"><a href="{{ row.constituents_url }}">{{ row.n_constituents }}</a></td>
            <td class="text-end"><a href="{{ row.contacts_url }}">{{ row.n_contacts }}</a></td>
            <td class="text-end"><a href="{{ row.proposals_url }}">{{ row.n_proposals_filed }}</a></td>
          </tr>{% endfor %}""",
    "committees": """{% for row in rows %}
          <tr>
            <th scope="row">
              {{ row.name }}
              {% if row.council_name %}<span class="d-block small fw-normal text-body-secondary">{{ row.council_name }}</span>{% endif %}
            </th>
            <td class="text-end"><a href="{{ row.members_url }}">{{ row.n_members }}</a></td>
            <td class="text-end"><a href="{{ row.constituents_url }}">{{ row.n_constituents }}</a></td>
            <td class="text-end"><a href="{{ row.contacts_url }}">{{ row.n_contacts }}</a></td>
            <td class="text-end"><a href="{{ row.activities_url }}">{{ row.n_activities }}</a></td>
          </tr>{% endfor %}""",
    "platforms": """{% load i18n %}{% for row in rows %}
          <tr>
            <th scope="row">
              <a href="{% url 'members:platform-detail' row.pk %}">{{ row.name }}</a>
              {% if not row.active %}<span class="badge text-bg-secondary">{% translate "closed" context "platform" %}</span>{% endif %}
              {% if row.council_name %}<span class="d-block small text-body-secondary">{{ row.council_name }}</span>{% endif %}
            </th>
            <td>{{ row.kind_label }}</td>
            <td class="text-end"><a href="{{ row.contacts_url }}">{{ row.n_contacts }}</a></td>
            <td class="text-end"><a href="{{ row.activities_url }}">{{ row.n_activities }}</a></td>
            <td class="text-end"><a href="{{ row.consultations_url }}">{{ row.n_consultations }}</a></td>
          </tr>{% endfor %}""",
}


BLOCK = r"(?:tr|th|td|div)"


def _same(html: str) -> str:
    """Markup as the browser lays it out: runs of whitespace as one space, and none next to a
    block's tag (a row, a cell, a card's box), where it never shows. Between inline
    elements, or text and an inline element, a space shows and is kept."""
    html = re.sub(r"\s+", " ", html)
    html = re.sub(rf"\s+(?=</?{BLOCK}\b)", "", html)
    html = re.sub(rf"(</?{BLOCK}\b[^>]*>)\s+", r"\1", html)
    return html.strip()


FIGURES = [
    Figure("members-active", "在职委员", 20110, url="/members/staff/members/?active=1&sector=3"),
    Figure("coverage", "“两个1”覆盖率", 97.5, suffix="%", url="/a/?b=1", base_url="/a/"),
    Figure("triage", "<b>分派</b>", None),
    Figure("closed", "办结", 0, url=None),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_cards_are_the_markup_the_loop_wrote(language):
    with translation.override(language):
        old = Template(OLD_CARDS).render(Context({"figures": FIGURES}))
        new = Template("{% load dashboard_rows %}{% figure_cards figures %}").render(
            Context({"figures": FIGURES}))
    assert _same(new) == _same(old)
    assert "&lt;b&gt;分派&lt;/b&gt;" in new
    assert "<b>" not in new
    assert 'href="/members/staff/members/?active=1&amp;sector=3"' in new


def _row(pk, **extra):
    return {"pk": pk, "name": f"<i>界别{pk}</i>", "council_name": "", "members_url": f"/m/?s={pk}&c=1",
            "constituents_url": "/c/", "contacts_url": "/l/", "proposals_url": "/p/",
            "activities_url": "/a/", "consultations_url": "/k/", "n_members": 1200,
            "n_constituents": 0, "n_contacts": 5, "n_proposals_filed": 3, "n_activities": 2,
            "n_consultations": 1, "is_key": False, "active": True, "kind_label": "委员工作室",
            **extra}


@pytest.mark.parametrize("table", ["sectors", "committees", "platforms"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_breakdown_rows_are_the_markup_the_loop_wrote(table, language):
    rows = [_row(1), _row(2, is_key=True, active=False, council_name="茄子河区政协"),
            _row(3, council_name="<script>")]
    with translation.override(language):
        old = Template(OLD_ROWS[table]).render(Context({"rows": rows}))
        new = Template('{% load dashboard_rows %}{% breakdown_rows rows table %}').render(
            Context({"rows": rows, "table": table}))
    assert _same(new) == _same(old)
    assert "&lt;script&gt;" in new
    assert "<script>" not in new
