"""``{{ field|filter_field }}``: one field of a list page's filter bar, in the markup crispy-forms'
Bootstrap 5 pack gives it (``|as_crispy_field``), written directly for the plain fields a
filter bar holds: a select or a one-line input, optional, without help text.

Crispy renders every field through a dozen nested templates, about 1 ms a field; a province
list's filter bar has a dozen fields, which made it a third of the page's time. The markup is
the same, byte for byte once whitespace is set aside (``tests/test_filter_fields.py`` compares
the two for every filter of the portal, with and without errors); any other field — a date
range, a checkbox, a required or helped field — still goes through crispy. The plain ones are
written by ``portal_forms.bootstrap_field``, which the member's log-contact form uses for all
of its fields.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.utils.safestring import SafeString

from members.templatetags.portal_forms import bootstrap_field

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


@register.filter
def filter_field(bound_field) -> SafeString:
    """A plain field by ``bootstrap_field`` (the markup written in Python), any other by crispy."""
    return bootstrap_field(bound_field) if is_plain(bound_field) else as_crispy_field(bound_field)
