"""``{{ pk|address:"app:view" }}``: a row's address without a ``reverse`` per row
(``members.common.urls``)."""

from django import template

from members.common.urls import address_of

register = template.Library()


@register.filter
def address(pk, viewname: str) -> str:
    """``reverse(viewname, args=[pk])``, from the pattern reversed once."""
    return address_of(viewname)(pk)
