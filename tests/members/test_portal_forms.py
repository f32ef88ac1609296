"""``bootstrap_field`` writes what crispy-forms' ``as_crispy_field`` writes (the log-contact
form's fields, with and without errors), and ``option_input`` what ``{{ choice.tag }}`` writes."""

import re

import pytest
from django import forms
from django.template import engines
from django.utils import translation

from activities.contacts.forms import ContactLogEditForm, ContactLogForm
from activities.tags.services import link_tags_install_defaults
from tests.factories import ConstituentFactory, ContactLogFactory, PlatformFactory

pytestmark = pytest.mark.django_db

CRISPY = engines["django"].from_string("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")
OURS = engines["django"].from_string("{% load portal_forms %}{{ field|bootstrap_field }}")
FIELDS = ["channel", "platform", "contacted_at", "summary", "opinions", "difficulty",
          "difficulty_kind", "photos", "proposal", "consultation"]
BAD = {"difficulty": "on", "contacted_at": "昨天", "summary": "", "platform": "999999",
       "channel": "zz", "proposal": "abc", "consultation": "0", "opinions": "<意见> & \"引号\" 的\n第二行"}


def markup(html: str) -> str:
    """The markup with the whitespace a browser ignores taken out: around tags, and runs."""
    return re.sub(r"\s+", " ", re.sub(r"\s*(<[^>]+>)\s*", r"\1", str(html))).strip()


def rendered(template, field) -> str:
    return markup(template.render({"field": field}))


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def forms_of(member_a):
    PlatformFactory.create_batch(2, council=member_a.council)
    people = ConstituentFactory.create_batch(3, member=member_a)
    log = ContactLogFactory(member=member_a, constituents=people[:1])

    def make(data=None):
        made = [ContactLogForm(data, member=member_a, user=member_a.user),
                ContactLogEditForm(data, log=log, user=member_a.user)]
        for form in made:
            if data is not None:
                form.is_valid()
        return made

    return make


@pytest.mark.parametrize("data", [None, {}, BAD], ids=["unbound", "empty", "bad"])
def test_each_field_is_written_as_crispy_writes_it(forms_of, data):
    for form in forms_of(data):
        for name in FIELDS:
            ours, theirs = rendered(OURS, form[name]), rendered(CRISPY, form[name])
            assert ours == theirs, name


def test_errors_sit_next_to_their_field_in_chinese_with_the_required_marker(forms_of):
    form = forms_of(BAD)[0]
    summary = rendered(OURS, form["summary"])
    assert '<label for="id_summary" class="form-label requiredField">' in summary
    assert '<span class="asteriskField">*</span>' in summary
    assert 'class="textarea form-control is-invalid" required aria-invalid="true"' in summary
    assert 'aria-describedby="id_summary_error"' in summary
    assert '<div id="id_summary_error" class="invalid-feedback"><p id="error_1_id_summary"><strong>这个字段是必填项。</strong></p></div>' in summary
    kind = rendered(OURS, form["difficulty_kind"])
    assert "请选择群众遇到的困难类型。" in kind
    assert "asteriskField" not in kind  # optional: no marker
    platform = rendered(OURS, form["platform"])
    assert 'aria-describedby="id_platform_helptext id_platform_error"' in platform
    assert platform.index("id_platform_error") < platform.index('<div id="id_platform_helptext"')


def test_a_label_and_help_text_are_escaped_as_crispy_escapes_them():
    class Form(forms.Form):
        name = forms.CharField(label="<b>名</b>", help_text="<em>帮助</em>")

    field = Form({"name": ""})["name"]
    field.form.is_valid()
    assert rendered(OURS, field) == rendered(CRISPY, field)
    assert "&lt;b&gt;名&lt;/b&gt;" in rendered(OURS, field)


def test_other_widgets_are_left_to_crispy():
    class Form(forms.Form):
        kinds = forms.MultipleChoiceField(choices=[("a", "甲"), ("b", "乙")],
                                          widget=forms.CheckboxSelectMultiple)
        hidden = forms.CharField(widget=forms.HiddenInput, initial="x")

    form = Form()
    for name in ("kinds", "hidden"):
        assert rendered(OURS, form[name]) == rendered(CRISPY, form[name])


def test_option_input_writes_what_the_widget_template_writes(member_a, forms_of):
    link_tags_install_defaults(council=member_a.council)
    for data in (None, {"tags": ["0"]}):
        form = forms_of(data)[0]
        template = engines["django"].from_string(
            "{% load portal_forms %}{% for c in form.tags %}{{ c|option_input }}|{{ c.tag }}\n{% endfor %}"
        )
        lines = [line for line in template.render({"form": form}).splitlines() if line]
        assert len(lines) == 8
        for line in lines:
            ours, theirs = line.split("|")
            assert ours == theirs
