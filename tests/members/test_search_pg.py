"""Search patterns on PostgreSQL: written into the statement, never a bound parameter, so that
a prepared query's generic plan never serves a search (members.common.search)."""

from __future__ import annotations

import pytest
from django.db import connection

from members.models import Constituent
from tests.factories import ConstituentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_a_search_run_often_is_never_prepared_without_its_word():
    """The connection prepares a query it ran five times; a search's plan depends on its word,
    so the word is part of the statement and a different word is a different statement."""
    for n in range(8):
        list(Constituent.objects.filter(name__icontains=f"无此人{n}").values_list("pk", flat=True))
        list(Constituent.objects.filter(name__istartswith=f"无{n}").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["%LIKE UPPER($%"])
        assert cursor.fetchall() == []


@pytest.mark.parametrize("word", ["100%", "a_b", "O'Brien", "back\\slash", "张三", "'); DROP TABLE x; --"])
def test_every_character_of_a_word_is_searched_for_itself(member_a, word):
    ConstituentFactory(member=member_a, name=f"前{word}后")
    ConstituentFactory(member=member_a, name="前100后")
    ConstituentFactory(member=member_a, name="前axb后")
    found = Constituent.objects.filter(name__icontains=word).values_list("name", flat=True)
    assert list(found) == [f"前{word}后"]
    assert list(Constituent.objects.filter(name__istartswith=f"前{word}").values_list("name", flat=True)) == [
        f"前{word}后"
    ]
