"""The filter bars' fields written without crispy-forms keep crispy's markup exactly."""

from __future__ import annotations

import re

import django_filters
import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.test import RequestFactory
from django.utils import translation

from members.templatetags.filter_fields import filter_field, is_plain
from tests.factories import SectorFactory


def _filtersets():
    # Every FilterSet the portal defines (importing the apps' filter modules registers them).
    import activities.contacts.filters
    import activities.events.filters  # noqa: F401
    import liaison.intake.filters  # noqa: F401
    import members.filters  # noqa: F401
    import proposals.filters  # noqa: F401

    seen, todo = [], list(django_filters.FilterSet.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in {"activities", "liaison", "members", "proposals"} \
                and cls._meta.model is not None:
            seen.append(cls)
    return seen


def _normal(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\s*([<>])\s*", r"\1", str(html))).strip()


# Values no field accepts: each field shows an error (an unknown choice, a word for a number).
BAD = "not-a-valid-value-xyz"


@pytest.mark.parametrize("with_errors", [False, True])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_plain_fields_of_every_filter_bar_keep_crispys_markup(staff, sector, with_errors, language):
    SectorFactory(council=staff.council)
    request = RequestFactory().get("/")
    request.user = staff
    plain = errored = 0
    filtersets = _filtersets()
    assert len(filtersets) >= 6
    with translation.override(language):
        for cls in filtersets:
            data = dict.fromkeys(cls.base_filters, BAD) if with_errors else {}
            ours = cls(data, queryset=cls._meta.model.objects.none(), request=request)
            theirs = cls(data, queryset=cls._meta.model.objects.none(), request=request)
            ours.is_valid()
            theirs.is_valid()
            for name in ours.form.fields:
                if not is_plain(ours.form[name]):
                    continue
                plain += 1
                errored += bool(ours.form[name].errors)
                assert _normal(filter_field(ours.form[name])) == _normal(as_crispy_field(theirs.form[name])), \
                    f"{cls.__name__}.{name}"
    assert plain >= 20  # the selects and searches of the staff lists go the fast way
    # Searches take any text; the choices and numbers refuse the bad value and show why.
    assert (errored >= 15) if with_errors else (errored == 0)


def test_other_fields_still_go_through_crispy(staff):
    from activities.contacts.filters import ContactLogFilter
    from activities.models import ContactLog

    request = RequestFactory().get("/")
    request.user = staff
    form = ContactLogFilter({}, queryset=ContactLog.objects.none(), request=request).form
    assert not is_plain(form["period"])  # a date range: two inputs
    assert _normal(filter_field(form["period"])) == _normal(as_crispy_field(
        ContactLogFilter({}, queryset=ContactLog.objects.none(), request=request).form["period"]))


def test_the_list_pages_filter_bar_uses_it(client_for, staff):
    client = client_for(staff)
    page = client.get("/activities/contacts/all/?channel=" + BAD)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="select form-select is-invalid"' in html
    assert re.search(r'<div id="id_channel_error" class="invalid-feedback"><p id="error_1_id_channel">', html)
    # Crispy lays out the date range alone (its field template once), not the dozen others.
    crispy_fields = [t for t in page.templates if t.name == "bootstrap5/field.html"]
    assert len(crispy_fields) == 1
