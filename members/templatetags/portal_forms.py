"""``{{ form.field|bootstrap_field }}``: a form field as crispy-forms' Bootstrap 5 pack writes it
(``{{ form.field|as_crispy_field }}``), the same markup, written in Python.

crispy's field template is a tree of a dozen includes and conditions, rendered once per field;
on the member's log-contact form (ten fields, opened on every contact logged) it cost more than
the rest of the page together. This writes the same wrapper, label, required marker, widget
classes, error block and help text directly; the widget itself is still Django's (its
context and ``build_widget_attrs``' ``required``, ``aria-invalid`` and ``aria-describedby``),
and so is its markup: inputs, textareas and selects are written here as their templates write
them (``templates/django/forms/widgets/select.html`` for selects), other widgets by their
templates. ``tests/members/test_portal_forms.py`` checks the output against crispy's own,
field by field, with and without errors.

Plain inputs, selects, textareas, a checkbox and a file input are written here; anything else
(choice lists drawn as boxes, fieldsets, a clearable file with its current file) is handed to
crispy, so the filter is correct for every field and fast for the common ones.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.filter
def bootstrap_field(field: forms.BoundField) -> SafeString:
    return once_when_blank(field, _bootstrap_field)


# A form names in ``same_when_blank`` the fields whose blank rendering is the same for every
# instance of the form's class: choices, label, help text and initial value fixed by the
# class, not by ``__init__``'s arguments. Blank (unbound, no initial value given), such a
# field renders once per process, language and prefix; bound, or given an initial value, it
# renders each time. (The log-contact form, opened before every contact logged: its
# channel, texts and difficulty written each time cost a quarter of the page.)
#
# In ``same_given_choices`` it names the fields whose blank rendering depends on their
# choices besides: choices the form set as a list of rows (``field.choices = rows``), the
# council's platforms or tags, the member's proposals. Those are kept by their choices too,
# and only while they are a list (a queryset's choices would be read to make the key).
_BLANK: dict[tuple, SafeString] = {}
# Choices make many keys (a member's proposals): past this many, the kept ones are dropped.
BLANK_KEPT = 2000


def once_when_blank(field: forms.BoundField, render: Callable[[forms.BoundField], SafeString]) -> SafeString:
    """``render(field)``, kept for the next blank form of the class when the field is one of
    its ``same_when_blank`` or ``same_given_choices``."""
    form, name = field.form, field.name
    fixed = name in getattr(form, "same_when_blank", ())
    by_rows = not fixed and name in getattr(form, "same_given_choices", ())
    if not (fixed or by_rows) or form.is_bound or name in form.initial or settings.DEBUG:
        return render(field)
    key = (type(form), name, render, form.prefix, form.auto_id, get_language())
    if by_rows:
        # A ModelChoiceField's choices are its queryset's iterator until a list is set.
        choices = field.field.choices
        if not isinstance(choices, list):
            return render(field)
        key = (*key, tuple(choices))
    html = _BLANK.get(key)
    if html is None:
        if len(_BLANK) >= BLANK_KEPT:
            _BLANK.clear()
        html = _BLANK[key] = render(field)
    return html


@receiver(setting_changed)
def _forget_blank(**kwargs) -> None:
    """A changed setting (languages, the widget templates: tests) may change the markup."""
    _BLANK.clear()


def _bootstrap_field(field: forms.BoundField) -> SafeString:
    widget = field.field.widget
    if widget.is_hidden:
        return mark_safe(str(field))
    if _handed_to_crispy(field, widget):
        return as_crispy_field(field)
    if isinstance(widget, forms.CheckboxInput):
        return _checkbox(field, widget)
    wrapper = _wrapper_classes(field, "mb-3")
    if isinstance(widget, forms.FileInput):
        body = _file_input(field)
    else:
        kind = "form-select" if isinstance(widget, forms.Select) else "form-control"
        body = _widget(field, {"class": _widget_class(field, widget, kind)}) + _help_and_errors(field)
    return format_html('<div id="div_{}" class="{}">{}{}</div>', field.auto_id, wrapper, _label(field), body)


def _handed_to_crispy(field: forms.BoundField, widget: forms.Widget) -> bool:
    return (
        isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.MultiWidget)
        or hasattr(widget, "widget")  # wrappers such as the admin's related-field widget
        or field.use_fieldset
        or (isinstance(widget, forms.ClearableFileInput) and widget.is_initial(field.value()))
    )


def _wrapper_classes(field: forms.BoundField, base: str) -> str:
    extra = field.css_classes()
    return f"{base} {extra}" if extra else base


def _widget_class(field: forms.BoundField, widget: forms.Widget, kind: str) -> str:
    """crispy's ``crispy_field``: the widget's own classes, its class name, then Bootstrap's."""
    css = widget.attrs.get("class", "")
    name = widget.__class__.__name__.lower()
    name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(name, name)
    if not css:
        css = name
    elif css.find(name) == -1:
        css += f" {name}"
    for extra in (kind, "is-invalid") if field.errors else (kind,):
        if extra not in css.split():
            css += f" {extra}"
    return css


def _required(field: forms.BoundField) -> tuple[str, SafeString]:
    if field.field.required:
        return " requiredField", mark_safe('<span class="asteriskField">*</span>')
    return "", mark_safe("")


def _label(field: forms.BoundField) -> SafeString:
    if not field.label:
        return mark_safe("")
    required, marker = _required(field)
    target = format_html(' for="{}"', field.id_for_label) if field.id_for_label else ""
    return format_html('<label{} class="form-label{}">{}{}</label>', target, required, field.label, marker)


def _help_and_errors(field: forms.BoundField) -> SafeString:
    """The error block (``<p>`` per error), then the help text, as crispy's pack orders them."""
    parts = []
    if field.errors:
        parts.append(format_html('<div id="{}_error" class="invalid-feedback">', getattr(field.errors, "field_id", "") or ""))
        for number, error in enumerate(field.errors, 1):
            parts.append(format_html('<p id="error_{}_{}"><strong>{}</strong></p>', number, field.auto_id, error))
        parts.append("</div>")
    if field.help_text:
        ident = format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else ""
        # crispy writes help texts unescaped (|safe): they are the form's own strings.
        parts.append(format_html('<div {}class="form-text">{}</div>', ident, mark_safe(field.help_text)))
    return mark_safe("".join(parts))


def _attrs(attrs: dict, skip: tuple[str, ...] = ()) -> str:
    """Django's ``attrs.html``: `` name="value"``, a bare name for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False or name in skip:
            continue
        out.append(f" {conditional_escape(name)}" if value is True
                   else f' {conditional_escape(name)}="{escape(str(value))}"')
    return mark_safe("".join(out))


WIDGETS = "django/forms/widgets/"
INPUTS = {f"{WIDGETS}{name}.html" for name in (
    "input", "text", "number", "email", "url", "password", "search", "tel", "date", "datetime",
    "time", "checkbox",
)}


def _widget(field: forms.BoundField, attrs: dict) -> SafeString:
    """``field.as_widget(attrs=attrs)``: the same context, the markup written here for inputs,
    textareas and selects (each a template and an include, options looped, otherwise)."""
    widget = field.field.widget
    template = widget.template_name
    if (
        template not in INPUTS and template not in (f"{WIDGETS}textarea.html", f"{WIDGETS}select.html")
    ) or type(widget).render is not forms.Widget.render:  # a widget that writes itself (QuickSelect)
        return field.as_widget(attrs=attrs)
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    data = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    name, own = escape(data["name"]), _attrs(data["attrs"])
    if template in INPUTS:
        value = "" if data["value"] is None else f' value="{escape(str(data["value"]))}"'
        return mark_safe(f'<input type="{escape(data["type"])}" name="{name}"{value}{own}>')
    if template.endswith("textarea.html"):
        value = conditional_escape(data["value"]) if data["value"] else ""
        return mark_safe(f"<textarea name=\"{name}\"{own}>\n{value}</textarea>")
    out = [f'<select name="{name}"{own}>']
    for group, options, _index in data["optgroups"]:
        if group:
            out.append(f'<optgroup label="{conditional_escape(group)}">')
        out.extend(f'<option value="{escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                   f'{conditional_escape(option["label"])}</option>' for option in options)
        if group:
            out.append("</optgroup>")
    out.append("</select>")
    return mark_safe("".join(out))


def _checkbox(field: forms.BoundField, widget: forms.CheckboxInput) -> SafeString:
    required, marker = _required(field)
    box = _widget(field, {"class": _widget_class(field, widget, "form-check-input")})
    return format_html(
        '<div class="mb-3"><div id="div_{}" class="{}">{}<label for="{}" class="form-check-label{}">{}{}</label>{}</div></div>',
        field.auto_id, _wrapper_classes(field, "form-check"), box, field.id_for_label, required,
        field.label, marker, _help_and_errors(field),
    )


def _file_input(field: forms.BoundField) -> SafeString:
    """crispy's ``field_file.html``: its own ``<input>``, with the widget's attributes."""
    parts = []
    invalid = " is-invalid" if field.errors else ""
    for sub in field.subwidgets:
        data = sub.data
        own = data["attrs"].get("class")
        parts.append(format_html(
            '<div{}><input type="{}" name="{}" class="form-control{}{}"{}{}>{}</div>',
            mark_safe(' class="is-invalid"') if field.errors else "", data["type"], data["name"],
            f" {own}" if own else "", invalid, mark_safe(" disabled") if field.field.disabled else "",
            _attrs(data["attrs"], skip=("class",)), _help_and_errors(field),
        ))
    return mark_safe("".join(parts))


@register.filter
def option_input(choice) -> SafeString:
    """One box or radio of a choice field (``{% for choice in form.tags %}``), as ``{{ choice.tag }}``
    writes it (Django's ``input.html``), without its three nested templates."""
    data = choice.data
    value = "" if data.get("value") is None else format_html(' value="{}"', str(data["value"]))
    return format_html('<input type="{}" name="{}"{}{}>', data["type"], data["name"], value, _attrs(data["attrs"]))
