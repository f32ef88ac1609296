"""``{{ field|filter_field }}``: one field of a list page's filter bar, in the markup crispy-forms'
Bootstrap 5 pack gives it (``|as_crispy_field``), written directly for the plain fields a
filter bar holds: a select or a one-line input, optional, without help text.

Crispy renders every field through a dozen nested templates, about 1 ms a field; a province
list's filter bar has a dozen fields, which made it a third of the page's time. The markup is
the same, byte for byte once whitespace is set aside (``tests/test_filter_fields.py`` compares
the two for every filter of the portal, with and without errors); any other field — a date
range, a checkbox, a required or helped field — still goes through crispy.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

PLAIN = (forms.Select, forms.TextInput, forms.DateInput, forms.NumberInput)
NOT_PLAIN = (forms.MultiWidget, forms.RadioSelect, forms.CheckboxSelectMultiple,
             forms.SelectMultiple, forms.CheckboxInput, forms.FileInput)


def is_plain(bound_field) -> bool:
    field, widget = bound_field.field, bound_field.field.widget
    return (
        isinstance(widget, PLAIN)
        and not isinstance(widget, NOT_PLAIN)
        and not bound_field.is_hidden
        and not field.required
        and not field.help_text
        and not bound_field.css_classes()
        and bool(field.label)
    )


def _add_classes(widget, classes: str) -> None:
    """The widget's ``class`` as crispy's ``crispy_field`` sets it: its own classes, its
    class name in lower case, then the pack's classes, each once."""
    name = widget.__class__.__name__.lower()
    name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(name, name)
    css = widget.attrs.get("class", "")
    css = (css if name in css else f"{css} {name}") if css else name
    present = css.split()
    css += "".join(f" {c}" for c in classes.split() if c not in present)
    widget.attrs["class"] = css


@register.filter
def filter_field(bound_field) -> SafeString:
    if not is_plain(bound_field):
        return as_crispy_field(bound_field)
    errors = bound_field.errors
    kind = "form-select" if isinstance(bound_field.field.widget, forms.Select) else "form-control"
    _add_classes(bound_field.field.widget, f"{kind} is-invalid" if errors else kind)
    auto_id = bound_field.auto_id
    label = format_html('<label for="{}" class="form-label">{}</label>',
                        bound_field.id_for_label, bound_field.label) if bound_field.id_for_label \
        else format_html('<label class="form-label">{}</label>', bound_field.label)
    feedback = ""
    if errors:
        feedback = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>', errors.field_id,
            format_html_join("", '<p id="error_{}_{}"><strong>{}</strong></p>',
                             ((i, auto_id, e) for i, e in enumerate(errors, start=1))),
        )
    return format_html('<div id="div_{}" class="mb-3">{}{}{}</div>',
                       auto_id, label, bound_field.as_widget(), feedback)
