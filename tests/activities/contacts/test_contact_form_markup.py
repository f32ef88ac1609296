"""The log-contact form's roster boxes, written by ``roster_boxes``, and its mode's buttons,
written by ``mode_buttons``, are the markup the template's loops wrote; the page still ticks,
names and filters the people. A blank form's fixed fields are written once per process."""

import re

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from activities.contacts.forms import ContactLogEditForm, ContactLogForm
from activities.contacts.models import Channel, ContactLog
from activities.tags.models import LinkTag
from activities.templatetags import contact_form
from members.templatetags import portal_forms
from tests.factories import ConstituentFactory, ContactLogFactory
from tests.proposals.factories import ProposalFactory

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


# The mode's buttons as the template's loop drew them, kept here as the reference.
MODE_LOOP = engines["django"].from_string("""
<fieldset class="mb-3">
  <legend class="form-label fs-6 mb-2">{{ field.label }}*</legend>
  <div class="btn-group w-100" role="group">
    {% for radio in field %}
      <input type="radio"
             class="btn-check js-mode"
             name="{{ field.html_name }}"
             id="{{ radio.id_for_label }}"
             value="{{ radio.data.value }}"
             autocomplete="off"
             {% if radio.data.selected %}checked{% endif %}>
      <label class="btn btn-outline-secondary px-1" for="{{ radio.id_for_label }}">{{ radio.choice_label }}</label>
    {% endfor %}
  </div>
  {% for error in field.errors %}<div class="invalid-feedback d-block">{{ error }}</div>{% endfor %}
</fieldset>""")
MODE_OURS = engines["django"].from_string("{% load contact_form %}{{ field|mode_buttons }}")


@pytest.mark.parametrize("data", [None, {"mode": "phone"}, {"mode": "飞鸽"}],
                         ids=["blank", "chosen", "refused"])
def test_mode_buttons_are_the_loops_markup(member_a, data):
    form = ContactLogForm(data, member=member_a, user=member_a.user)
    if data is not None:
        form.is_valid()
    ours = markup(MODE_OURS.render({"field": form["mode"]}))
    assert ours == markup(MODE_LOOP.render({"field": form["mode"]}))
    assert ours.count('type="radio"') == len(ContactLog.Mode.choices)
    assert ('invalid-feedback' in ours) == (data == {"mode": "飞鸽"})


def blank_fields(form) -> dict[str, str]:
    """The form's fixed fields, each as its filter writes it."""
    return {name: (contact_form.mode_buttons if name == "mode" else portal_forms.bootstrap_field)(form[name])
            for name in ContactLogForm.same_when_blank}


def written_fresh(form) -> dict[str, str]:
    return {name: (contact_form._mode_buttons if name == "mode" else portal_forms._bootstrap_field)(form[name])
            for name in ContactLogForm.same_when_blank}


def test_a_blank_forms_fixed_fields_are_written_once_and_as_written_fresh(member_a):
    portal_forms._BLANK.clear()
    first = blank_fields(ContactLogForm(member=member_a, user=member_a.user))
    assert {key[1] for key in portal_forms._BLANK} == set(ContactLogForm.same_when_blank)

    # A second blank form shows what the first wrote (the same strings, not written again),
    # and that is what it would have written itself.
    second = ContactLogForm(member=member_a, user=member_a.user)
    kept = blank_fields(second)
    assert all(kept[name] is first[name] for name in first)
    assert written_fresh(second) == first

    # In English, the English labels.
    with translation.override("en"):
        english = blank_fields(ContactLogForm(member=member_a, user=member_a.user))
    assert "What was said" in english["summary"]
    assert "What was said" not in first["summary"]
    assert len(portal_forms._BLANK) == 2 * len(first)


def test_a_submitted_form_or_one_given_values_is_written_each_time(member_a):
    log = ContactLogFactory(member=member_a, summary="修路的事", channel=Channel.FORUM)
    blank_fields(ContactLogForm(member=member_a, user=member_a.user))  # the blank ones kept
    bound = ContactLogForm({"summary": "", "mode": "飞鸽", "difficulty": "on"},
                           member=member_a, user=member_a.user)
    bound.is_valid()
    written = blank_fields(bound)
    assert "invalid-feedback" in written["summary"]
    assert "invalid-feedback" in written["mode"]
    assert "is-invalid" in written["difficulty_kind"]
    edited = blank_fields(ContactLogEditForm(log=log, user=member_a.user))
    assert "修路的事" in edited["summary"]
    assert f'value="{Channel.FORUM}" selected' in edited["channel"]
    given = ContactLogForm(member=member_a, user=member_a.user, initial={"summary": "来电反映"})
    assert "来电反映" in blank_fields(given)["summary"]


# The tags as the template's loop drew them, kept here as the reference.
TAGS_LOOP = engines["django"].from_string("""{% load portal_forms %}
{% with tag_choices=field.subwidgets %}
  {% if tag_choices %}
    <fieldset class="mb-3" data-testid="tags">
      <legend class="form-label fs-6 mb-1">{{ field.label }}</legend>
      {% for choice in tag_choices %}
        <div class="form-check form-check-inline">
          {{ choice|option_input }}
          <label class="form-check-label" for="{{ choice.id_for_label }}">{{ choice.choice_label }}</label>
        </div>
      {% endfor %}
      <div class="form-text">{{ field.help_text }}</div>
      {% for error in field.errors %}<div class="invalid-feedback d-block">{{ error }}</div>{% endfor %}
    </fieldset>
  {% endif %}
{% endwith %}""")
TAGS_OURS = engines["django"].from_string("{% load contact_form %}{{ field|tag_boxes }}")


@pytest.mark.parametrize("data", [None, {"tags": ["0"]}], ids=["blank", "refused"])
@pytest.mark.parametrize("tags", [0, 3], ids=["no-tags", "tags"])
def test_tag_boxes_are_the_loops_markup(member_a, data, tags):
    LinkTag.objects.filter(council=member_a.council).delete()  # a council's default tags
    for number in range(tags):
        LinkTag.objects.create(council=member_a.council, name=f"联系<{number}>", kind="link", order=number)
    form = ContactLogForm(data, member=member_a, user=member_a.user)
    if data is not None:
        form.is_valid()
    ours = markup(TAGS_OURS.render({"field": form["tags"]}))
    assert ours == markup(TAGS_LOOP.render({"field": form["tags"]}))
    assert ours.count('type="checkbox"') == tags
    assert (ours == "") == (tags == 0)
    if tags:
        assert "联系&lt;0&gt;" in ours


def test_lists_read_in_sql_are_kept_by_their_rows(member_a, other_member):
    """Another council's member's blank form shows that council's tags, and a proposal made
    since shows at once: the rows are part of what is kept."""
    LinkTag.objects.create(council=member_a.council, name="联系群众", kind="link", order=1)
    portal_forms._BLANK.clear()
    mine = ContactLogForm(member=member_a, user=member_a.user)
    first = portal_forms.bootstrap_field(mine["proposal"]), contact_form.tag_boxes(mine["tags"])
    assert "联系群众" in first[1]
    others = ContactLogForm(member=other_member, user=other_member.user)
    assert "联系群众" not in contact_form.tag_boxes(others["tags"])

    again = ContactLogForm(member=member_a, user=member_a.user)
    assert portal_forms.bootstrap_field(again["proposal"]) is first[0]
    proposal = ProposalFactory(proposer=member_a, title="关于老旧小区加装电梯的建议")
    after = ContactLogForm(member=member_a, user=member_a.user)
    assert proposal.title in portal_forms.bootstrap_field(after["proposal"])


def test_lists_from_querysets_are_written_each_time(member_a, staff):
    """Staff logging for a member: the lists are scoped querysets, whose rows would have to
    be read to be a key; they are written afresh."""
    LinkTag.objects.create(council=member_a.council, name="联系群众", kind="link", order=1)
    form = ContactLogForm(member=member_a, user=staff)
    portal_forms._BLANK.clear()
    portal_forms.bootstrap_field(form["platform"])
    contact_form.tag_boxes(form["tags"])
    assert portal_forms._BLANK == {}
