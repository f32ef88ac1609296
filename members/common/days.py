"""A day as the active language writes it (``DATE_FORMAT``), escaped, written once per process.

Formatting a date costs ~25 µs; a member's roster and home list up to thirty, and their days
(last contacts, due dates) are the same few hundred across requests."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from html import escape

from django.utils import dateformat, formats
from django.utils.translation import get_language


def day_html(day: date) -> str:
    """``{{ day|date:"DATE_FORMAT" }}``, escaped, in the active language."""
    return _written(day, formats.get_format("DATE_FORMAT"), get_language())


@lru_cache(maxsize=4096)
def _written(day: date, date_format: str, language: str) -> str:
    # language is part of the key: a format's names of months and days are translated.
    return escape(dateformat.format(day, date_format))
