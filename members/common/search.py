"""Free-text search over a few columns, in the shape the indexes serve.

On PostgreSQL the searched columns carry trigram (``pg_trgm``) GIN indexes on
``UPPER(column::text)`` — the expression Django's ``icontains``/``istartswith`` compare — so a
search reads a few index pages instead of every row. A trigram index finds ``%term%`` only
when the term has three characters or more (two characters make no whole trigram), and most
Chinese names have two or three: a shorter word therefore matches the *start* of a column
(``张伟`` finds 张伟 and 张伟明), which the same index serves through its start-of-word
trigrams. A longer word matches anywhere (``伟明华``, ``5678``, ``人民医院``).
SQLite (the laptop) runs the same lookups without the indexes.

On PostgreSQL the pattern of every ``icontains`` and ``istartswith`` on a text column is
written into the statement, quoted, rather than bound as a parameter (``pattern_in_sql``):
the portal's connections prepare a query they have run five times, and PostgreSQL may then
keep a generic plan, made without the parameters' values. A search's plan depends on its
word (which index, how many rows): with the pattern unknown, the constituents' name search
took 0.7-1.1 s instead of 20-30 ms on the province's data (bench/province/prepared.py). A
statement that holds its pattern is planned for it, and is prepared only when the same word
is searched again.
"""

from __future__ import annotations

from django.db import NotSupportedError
from django.db.models import BooleanField, CharField, F, Func, Q, TextField
from django.db.models.lookups import IContains, IStartsWith
from psycopg import sql

# The shortest word searched anywhere in a column; shorter ones match its start.
MIN_INFIX = 3
# A word of this many characters is one pair: ``Bigram`` finds it anywhere, by index.
BIGRAM = 2
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


class _PatternInSql:
    """A ``LIKE`` lookup whose pattern PostgreSQL reads in the statement, not as a bound
    parameter (the module's docstring says why). Other databases and other right-hand sides
    (a column, an expression) as Django builds them."""

    def process_rhs(self, compiler, connection):
        rhs, params = super().process_rhs(compiler, connection)
        if connection.vendor != "postgresql" or rhs != "%s" or len(params) != 1:
            return rhs, params
        pattern = params[0]
        if not isinstance(pattern, str) or not self.rhs_is_direct_value():
            return rhs, params
        # Quoted by psycopg (quotes and backslashes escaped); a % doubled, as the statement
        # still goes through the parameter placeholders' formatting.
        return sql.quote(pattern).replace("%", "%%"), []


class IContainsInSql(_PatternInSql, IContains):
    pass


class IStartsWithInSql(_PatternInSql, IStartsWith):
    pass


def pattern_in_sql() -> None:
    """Register the lookups on the text columns (``MembersConfig.ready``), for every search
    of the portal, the pickers' and the admin's."""
    for field in (CharField, TextField):
        field.register_lookup(IContainsInSql)
        field.register_lookup(IStartsWithInSql)


class Bigram(Func):
    """``word``, of two characters, anywhere in ``field``: the rows ``icontains`` finds, read on
    PostgreSQL from the column's index of character pairs (``members`` migration 0017:
    ``portal_bigrams(UPPER(column::text))``). The word is written into the statement, as the
    patterns are (the module's docstring), and upper-cased by the database, as ``icontains``
    does. PostgreSQL only: elsewhere search with ``icontains``."""

    output_field = BooleanField()

    def __init__(self, field: str, word: str):
        if len(word) != BIGRAM:
            raise ValueError(f"a bigram is {BIGRAM} characters: {word!r}")
        super().__init__(F(field))
        self.word = word

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            raise NotSupportedError("Bigram needs PostgreSQL's portal_bigrams(); use icontains")
        column, params = compiler.compile(self.source_expressions[0])
        word = sql.quote(self.word).replace("%", "%%")
        return f"portal_bigrams(UPPER({column}::text)) @> ARRAY[UPPER({word})]", params
