"""The log-contact form's roster boxes, written by ``roster_boxes``, are the markup the
template's loop wrote; the page still ticks, names and filters the people."""

import re

import pytest
from django.template import engines
from django.urls import reverse

from tests.factories import ConstituentFactory

pytestmark = pytest.mark.django_db

# The loop the template had, kept here as the reference.
TEMPLATE_LOOP = engines["django"].from_string("""
{% for person, ticked in roster %}
  <label class="list-group-item d-flex gap-2 align-items-center"
         data-search="{{ person.name }} {{ person.unit }} {{ person.community }}">
    <input type="checkbox"
           name="{{ name }}"
           value="{{ person.pk }}"
           class="form-check-input"
           id="id_constituents_{{ forloop.counter0 }}"
           {% if ticked %}checked{% endif %}>
    <span class="min-w-0">
      <span class="d-block">{{ person.name }}</span>
      <small class="text-secondary d-block text-truncate">
        {{ person.unit|default:"" }}
        {% if person.community %}· {{ person.community }}{% endif %}
      </small>
    </span>
  </label>
{% endfor %}""")
OURS = engines["django"].from_string("{% load contact_form %}{{ roster|roster_boxes:name }}")


def markup(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\s*(<[^>]+>)\s*", r"\1", str(html))).replace(" >", ">").strip()


def test_roster_boxes_are_the_loops_markup(member_a):
    people = [
        ConstituentFactory(member=member_a, name="赵一", unit="七台河供电", community="新华社区"),
        ConstituentFactory(member=member_a, name="钱二", unit="", community="兴北社区"),
        ConstituentFactory(member=member_a, name="孙<三>", unit="A&B 公司", community=""),
    ]
    roster = [(people[0], False), (people[1], True), (people[2], False)]
    context = {"roster": roster, "name": "constituents"}
    ours = markup(OURS.render(context))
    assert ours == markup(TEMPLATE_LOOP.render(context))
    assert f'value="{people[1].pk}" class="form-check-input" id="id_constituents_1" checked>' in ours
    assert 'data-search="孙&lt;三&gt; A&amp;B 公司 "' in ours


def test_the_form_ticks_the_person_asked_for(client_for, member_a):
    people = ConstituentFactory.create_batch(3, member=member_a)
    html = client_for(member_a).get(
        reverse("activities:contactlog-create"), {"constituent": people[1].pk}
    ).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="constituents" value="(\d+)"[^>]*?( checked)?>', html)
    assert sorted(int(pk) for pk, _ in boxes) == sorted(p.pk for p in people)
    assert [int(pk) for pk, ticked in boxes if ticked] == [people[1].pk]
