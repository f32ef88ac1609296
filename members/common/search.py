"""Free-text search over a few columns, in the shape the indexes serve.

On PostgreSQL the searched columns carry trigram (``pg_trgm``) GIN indexes on
``UPPER(column::text)`` — the expression Django's ``icontains``/``istartswith`` compare — so a
search reads a few index pages instead of every row. A trigram index finds ``%term%`` only
when the term has three characters or more (two characters make no whole trigram), and most
Chinese names have two or three: a shorter word therefore matches the *start* of a column
(``张伟`` finds 张伟 and 张伟明), which the same index serves through its start-of-word
trigrams. A longer word matches anywhere (``伟明华``, ``5678``, ``人民医院``).
SQLite (the laptop) runs the same lookups without the indexes.
"""

from __future__ import annotations

from django.db.models import Q

# The shortest word searched anywhere in a column; shorter ones match its start.
MIN_INFIX = 3
# Longer input is cut: nobody types more, and the pattern stays cheap.
MAX_LENGTH = 50


def words(text: str | None) -> list[str]:
    """The words of a search box (at most ``MAX_LENGTH`` characters of it)."""
    return (text or "")[:MAX_LENGTH].split()


def word_q(word: str, fields: tuple[str, ...] | list[str]) -> Q:
    """``word`` in one of ``fields``: anywhere from ``MIN_INFIX`` characters on, else at the
    start."""
    lookup = "icontains" if len(word) >= MIN_INFIX else "istartswith"
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__{lookup}": word})
    return condition


def is_phone_word(word: str) -> bool:
    """Digits long enough to search phone numbers with (shorter ones match too much)."""
    return len(word) >= MIN_INFIX and word.isdigit()
