"""``{% figure_cards figures %}`` and ``{% breakdown_rows rows "sectors" %}``: the dashboard's
number cards and the rows of its tables by sector, committee and platform.

Rendered as template nodes — a card of a dozen nodes for each of some fifty numbers, a row of
twenty for each sector and platform — they took a third of a province dashboard's template
time, cached figures or not (``bench/province/dashboard_profile.py``). Built here in Python,
each value escaped and localised as the template did it (``conditional_escape``,
``localize``)."""

from __future__ import annotations

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext

from members.common.urls import address_of

register = template.Library()


def _text(value) -> str:
    """A value as ``{{ value }}`` writes it: localised, then escaped unless already safe."""
    return str(conditional_escape(localize(value)))


CARD = (
    '<div class="col-6 col-md-4 col-xl-3">'
    "<{tag} {link}data-testid=\"fig-{key}\">"
    '<div class="card-body"><div class="stat">{value}</div>'
    '<div class="stat-label">{label}</div></div>'
    "</{tag}></div>"
)


@register.simple_tag
def figure_cards(figures) -> str:
    """A card per ``Figure``: its value (a dash when there is none) and suffix, its label,
    and the link to the list behind it when it has one."""

    def card(f) -> str:
        value = "—" if f.value is None else _text(f.value) + _text(f.suffix)
        if f.url:
            tag = "a"
            link = f'class="card h-100 text-decoration-none dash-figure" href="{_text(f.url)}" '
        else:
            tag, link = "div", 'class="card h-100 dash-figure" '
        return CARD.format(tag=tag, link=link, key=_text(f.key), value=value,
                           label=_text(f.label))

    return mark_safe("\n".join(card(f) for f in figures))  # every value escaped above


# The linked numbers of each table's rows: (the row's count, the row's list), in column order.
COLUMNS = {
    "sectors": [("n_members", "members_url"), ("n_constituents", "constituents_url"),
                ("n_contacts", "contacts_url"), ("n_proposals_filed", "proposals_url")],
    "committees": [("n_members", "members_url"), ("n_constituents", "constituents_url"),
                   ("n_contacts", "contacts_url"), ("n_activities", "activities_url")],
    "platforms": [("n_contacts", "contacts_url"), ("n_activities", "activities_url"),
                  ("n_consultations", "consultations_url")],
}
COUNCIL = '<span class="d-block small{bold} text-body-secondary">{name}</span>'


@register.simple_tag
def breakdown_rows(rows, table: str) -> str:
    """A ``<tr>`` per row of the ``table`` ("sectors", "committees" or "platforms"): its name
    (a platform's linking to the platform; a key sector's badge; a closed platform's), the
    council it belongs to on a roll-up, a platform's kind, and each count linking to its
    list."""
    # (Translated outside the f-strings, where makemessages would not find them.)
    key_sector, closed = _text(gettext("key sector")), _text(pgettext("platform", "closed"))
    key_sector = f'<span class="badge text-bg-light">{key_sector}</span>'
    closed = f'<span class="badge text-bg-secondary">{closed}</span>'
    platform_url = address_of("members:platform-detail")
    bold = "" if table == "platforms" else " fw-normal"

    def row(r) -> str:
        name = _text(r["name"])
        # A space before each badge and the council, as the template's line breaks wrote:
        # between inline elements it shows.
        if table == "platforms":
            name = f'<a href="{_text(platform_url(r["pk"]))}">{name}</a>'
            if not r["active"]:
                name += " " + closed
        elif table == "sectors" and r["is_key"]:
            name += " " + key_sector
        if r.get("council_name"):
            name += " " + COUNCIL.format(bold=bold, name=_text(r["council_name"]))
        cells = "".join(
            f'<td class="text-end"><a href="{_text(r[url])}">{_text(r[count])}</a></td>'
            for count, url in COLUMNS[table])
        kind = f'<td>{_text(r["kind_label"])}</td>' if table == "platforms" else ""
        return f'<tr><th scope="row">{name}</th>{kind}{cells}</tr>'

    return mark_safe("\n".join(row(r) for r in rows))  # every value escaped above
