"""``{{ roster|roster_boxes:form.constituents.html_name }}``: the log-contact form's people to
tick, one box each (``ContactLogForm.roster()``: the person and whether it is ticked).

A member keeps up to ~140 people; drawn by the template, a dozen template nodes per person
cost more than the rest of the form. Written here with one ``format_html`` each, the same
markup (``tests/activities/contacts/test_contact_form_markup.py``). Escaped with the standard
library's ``html.escape``, which is what Django's ``escape`` calls, without its lazy-string
wrapper (a hundred people, ten values each)."""

from __future__ import annotations

from html import escape

from django import forms, template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from members.templatetags.portal_forms import once_when_blank, option_input

register = template.Library()


@register.filter
def roster_boxes(roster, name: str) -> SafeString:
    name = escape(str(name))
    boxes = []
    for index, (person, ticked) in enumerate(roster):
        who, unit, community = escape(str(person.name)), escape(str(person.unit)), escape(str(person.community))
        shown = (unit if person.unit else "") + (f" · {community}" if person.community else "")
        boxes.append(
            f'<label class="list-group-item d-flex gap-2 align-items-center" data-search="{who} {unit} {community}">'
            f'<input type="checkbox" name="{name}" value="{person.pk}" class="form-check-input" '
            f'id="id_constituents_{index}"{" checked" if ticked else ""}>'
            f'<span class="min-w-0"><span class="d-block">{who}</span>'
            f'<small class="text-secondary d-block text-truncate">{shown}</small></span></label>'
        )
    return mark_safe("".join(boxes))  # every value above is escaped


@register.filter
def mode_buttons(field: forms.BoundField) -> SafeString:
    """The contact's mode as a row of buttons (radios drawn as Bootstrap's button group), with
    its label and errors: written once per process while the form is blank."""
    return once_when_blank(field, _mode_buttons)


def _mode_buttons(field: forms.BoundField) -> SafeString:
    name = escape(field.html_name)
    out = [f'<fieldset class="mb-3"><legend class="form-label fs-6 mb-2">{conditional_escape(field.label)}*</legend>'
           '<div class="btn-group w-100" role="group">']
    for radio in field:
        ident = escape(radio.id_for_label)
        out.append(
            f'<input type="radio" class="btn-check js-mode" name="{name}" id="{ident}" '
            f'value="{escape(str(radio.data["value"]))}" autocomplete="off"'
            f'{" checked" if radio.data["selected"] else ""}>'
            f'<label class="btn btn-outline-secondary px-1" for="{ident}">{conditional_escape(radio.choice_label)}</label>'
        )
    out.append("</div>")
    out.extend(f'<div class="invalid-feedback d-block">{conditional_escape(error)}</div>' for error in field.errors)
    out.append("</fieldset>")
    return mark_safe("".join(out))  # every value above is escaped


@register.filter
def tag_boxes(field: forms.BoundField) -> SafeString:
    """The link-and-help tags to tick, in a fieldset with the field's label, help text and
    errors; nothing when the council has none. Written once per process for the same tags
    while the form is blank."""
    return once_when_blank(field, _tag_boxes)


def _tag_boxes(field: forms.BoundField) -> SafeString:
    boxes = [
        f'<div class="form-check form-check-inline">{option_input(choice)}'
        f'<label class="form-check-label" for="{escape(choice.id_for_label)}">{conditional_escape(choice.choice_label)}</label></div>'
        for choice in field.subwidgets
    ]
    if not boxes:
        return mark_safe("")
    errors = "".join(f'<div class="invalid-feedback d-block">{conditional_escape(error)}</div>' for error in field.errors)
    return mark_safe(
        f'<fieldset class="mb-3" data-testid="tags"><legend class="form-label fs-6 mb-1">{conditional_escape(field.label)}</legend>'
        f'{"".join(boxes)}<div class="form-text">{conditional_escape(field.help_text)}</div>{errors}</fieldset>'
    )  # every value above is escaped
