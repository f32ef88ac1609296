"""``{{ pk|address:"app:view" }}``: a row's address without a ``reverse`` per row, and
``{% address_of_view "app:view" %}``: a page's link to a view without arguments, reversed once
per process (``members.common.urls``). For the pages a member opens most and the frame of
every page, where each ``{% url %}`` (a ``reverse``, ~20 µs) added up to a tenth of a page's
own work."""

from django import template

from members.common.urls import address as fixed_address
from members.common.urls import address_of

register = template.Library()


@register.filter
def address(pk, viewname: str) -> str:
    """``reverse(viewname, args=[pk])``, from the pattern reversed once."""
    return address_of(viewname)(pk)


@register.simple_tag
def address_of_view(viewname: str) -> str:
    """``{% url viewname %}`` for a view without arguments."""
    return fixed_address(viewname)
