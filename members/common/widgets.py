"""Pickers over big tables: a ``<select>`` that renders only its selected option(s).

A council's members and constituents run into the tens of thousands at province level: a
``ModelChoiceField`` rendering them all made every staff list 825 KiB and 2.5 s. With
``LookupSelect`` the page carries the selected option(s) and an empty one; in the browser
``static/js/lookup-select.js`` (with the vendored Tom Select) turns the select into a
search-as-you-type picker reading a scoped JSON endpoint (``members:member-lookup``,
``members:constituent-lookup``). Without JavaScript the select still submits what it holds.

The field keeps its scoped queryset, which is what validates: any id in the user's reach is
accepted, whether the picker offered it or not, and an id outside it is refused.
"""

from __future__ import annotations

import html

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from members.common.choices import listed_choices

TOM_SELECT = "vendor/tom-select-2.6.2"


def member_label(member) -> str:
    """A member as the pickers name them: 张建华（工商联）. The sector tells namesakes apart."""
    return f"{member.name}（{member.sector.name}）"


class LookupSelect(forms.Select):
    """A single choice of a model field, searched through ``url_name``'s JSON.

    ``params`` narrow what the endpoint offers (e.g. ``{"council": 3}``: the council whose
    members the form accepts); they are for the picker only — the field's queryset is still
    what validates."""

    def __init__(self, url_name: str, attrs=None, params: dict | None = None, placeholder=None):
        super().__init__(attrs)
        self.url_name = url_name
        self.params = dict(params or {})
        self.placeholder = placeholder

    class Media:
        css = {"all": [f"{TOM_SELECT}/css/tom-select.bootstrap5.min.css", "css/lookup-select.css"]}
        js = [f"{TOM_SELECT}/js/tom-select.complete.min.js", "js/lookup-select.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        url = reverse(self.url_name)
        if self.params:
            url = f"{url}?{urlencode(self.params)}"
        context["widget"]["attrs"].update({
            "data-lookup-url": url,
            "data-placeholder": str(self.placeholder or _("Type a name or phone number")),
            "data-no-results": str(_("No match")),
        })
        return context

    def use_required_attribute(self, initial):
        # Select's own check reads the first choice, i.e. would query the whole queryset.
        return forms.Widget.use_required_attribute(self, initial)

    def optgroups(self, name, value, attrs=None):
        """The empty option and the selected object(s) only: one query, by primary key."""
        ids = [str(v) for v in value if str(v).isdigit()]
        options = []
        if not self.allow_multiple_selected:
            options.append(self.create_option(name, "", self._empty_label(), not ids, 0))
        if ids:
            field = self.choices.field
            for obj in self.choices.queryset.filter(pk__in=ids):
                options.append(self.create_option(
                    name, obj.pk, field.label_from_instance(obj), True, len(options)
                ))
        return [(None, options, 0)]

    def _empty_label(self) -> str:
        label = getattr(self.choices.field, "empty_label", None)
        return "---------" if label is None else str(label)


class LookupSelectMultiple(LookupSelect, forms.SelectMultiple):
    """Several choices of a model field (a ``ModelMultipleChoiceField``), searched through
    ``url_name``'s JSON: the page carries the chosen options only, however many the
    queryset holds."""

    allow_multiple_selected = True


class QuickSelect(forms.Select):
    """A plain ``<select>`` of a few hundred options (a province's sectors, committees and
    platforms) rendered in Python: Django renders each option through a template include,
    about 0.3 ms apiece, which made the filter bar of a province's list cost more than its
    queries. Flat choices only (no option groups)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**self.build_attrs(self.attrs, attrs), "name": name}
        chosen = {str(v) for v in self.format_value(value)}
        # Escaped as ``conditional_escape`` would, without its lazy-string wrapper per call:
        # format_html per option was still 15 µs, i.e. 5 ms for a province's 331 sectors.
        options = "".join(
            f'<option value="{_escaped(key)}"{" selected" if str(key) in chosen else ""}>'
            f"{_escaped(label)}</option>"
            for key, label in named_choices(self.choices) or listed_choices(self.choices)
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))


def named_choices(choices) -> list[tuple] | None:
    """A model select's choices read as values when each row is labelled by its ``name``
    (sectors, committees, platforms, units, sessions…): no model instance per option (a
    province's filter bar builds 800), and where the rows come from several councils each
    name says whose it is — a province's eleven "工商联" or "十届四次" are told apart:
    工商联（东城区）. None when the labels are not plain names (the caller reads the rows)."""
    field = getattr(choices, "field", None)
    if not isinstance(choices, ModelChoiceIterator) or field is None:
        return None
    model = choices.queryset.model
    names = {f.name for f in model._meta.concrete_fields}
    if "name" not in names or type(field).label_from_instance is not forms.ModelChoiceField.label_from_instance:
        return None
    per_council = "council" in names
    columns = ("pk", "name", "council_id", "council__short_name", "council__name") if per_council \
        else ("pk", "name")
    rows = list(choices.queryset.values_list(*columns))
    several = per_council and len({row[2] for row in rows}) > 1
    options = []
    if field.empty_label is not None:
        options.append(("", field.empty_label))
    if getattr(field, "null_label", None) is not None:  # django-filter's "none" choice
        options.append((field.null_value, field.null_label))
    for row in rows:
        options.append((row[0], f"{row[1]}（{row[3] or row[4]}）" if several else row[1]))
    return options


def _escaped(value) -> str:
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))
