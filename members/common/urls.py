"""Addresses of many rows at the cost of one ``reverse``.

A list page links each of its rows to the row's own page; ``reverse`` costs ~20 µs, and a
page of 30 rows with two links each spent more on reversing than on its query. The pattern
is reversed once, with a marker for the id, and each row's address is the marker replaced.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

# An id no row has: it only marks where the id goes in the reversed address.
_MARKER = 2_147_483_647


def address_of(viewname: str) -> Callable[[int], str]:
    """A function giving ``reverse(viewname, args=[pk])`` for any ``pk``: one reverse now."""
    head, tail = reverse(viewname, args=[_MARKER]).split(str(_MARKER), 1)
    return lambda pk: f"{head}{pk}{tail}"
