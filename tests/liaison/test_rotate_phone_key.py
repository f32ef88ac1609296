"""``manage.py rotate_phone_key``: every number re-sealed and re-hashed under the new
``PHONE_KEY``, from ``PHONE_KEY_OLD``; reads and lookups work with both meanwhile; batched,
idempotent, resumable (docs/OPERATIONS.md, "Phone key")."""

import base64
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from members import phone_crypto, phone_rows
from members.models import Constituent
from tests.factories import ConstituentFactory

OLD = "00112233445566778899aabbccddeeff"
NEW = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"


def key_ids(table="members_constituent") -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "phone" FROM "{table}" WHERE "phone" <> \'\'')
        return {base64.b64decode(value)[0] for (value,) in cursor.fetchall()}


def rotate(**options) -> str:
    out = StringIO()
    call_command("rotate_phone_key", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def people(settings, member_a, member_b):
    settings.PHONE_KEY, settings.PHONE_KEY_OLD = OLD, ""
    found = [ConstituentFactory(member=member_a, phone=f"1390000{i:04d}") for i in range(5)]
    found.append(ConstituentFactory(member=member_b, phone="04641234567"))
    found.append(ConstituentFactory(member=member_b, phone=""))
    return found


def test_the_new_key_takes_over_every_row(settings, people, client_for, staff):
    old_id = phone_crypto.PhoneKey.from_text(OLD).id
    new_id = phone_crypto.PhoneKey.from_text(NEW).id
    assert key_ids() == {old_id}
    settings.PHONE_KEY, settings.PHONE_KEY_OLD = NEW, OLD

    # During the rotation: the old rows read, and are found by number, under either key.
    assert Constituent.objects.get(pk=people[0].pk).phone == "13900000000"
    assert list(Constituent.objects.with_phone("13900000000")) == [people[0]]
    with pytest.raises(CommandError, match="not sealed under PHONE_KEY"):
        rotate(check=True)

    out = rotate(batch_size=2)
    assert "members_constituent: 6 numbers, 6 re-sealed" in out
    assert "PHONE_KEY_OLD may now be removed" in out
    assert key_ids() == {new_id}
    assert key_ids("members_historicalconstituent") == {new_id}

    # The old key gone: everything reads and is found with the new one alone.
    settings.PHONE_KEY_OLD = ""
    assert [Constituent.objects.get(pk=p.pk).phone for p in people] == [p.phone for p in people]
    assert list(Constituent.objects.with_phone("04641234567")) == [people[5]]
    assert people[0].history.earliest().phone == "13900000000"
    response = client_for(staff).get("/members/staff/constituents/", {"q": "4567"})
    assert [c.pk for c in response.context["page"]] == [people[5].pk]
    assert "Every number is sealed" in rotate(check=True)


def test_a_second_run_writes_nothing(settings, people):
    settings.PHONE_KEY, settings.PHONE_KEY_OLD = NEW, OLD
    rotate()
    assert "members_constituent: 6 numbers, 0 re-sealed" in rotate()


def test_a_run_that_stopped_is_resumed(settings, people):
    settings.PHONE_KEY, settings.PHONE_KEY_OLD = NEW, OLD

    class Stopped(Exception):
        pass

    def stop(progress):
        raise Stopped

    with pytest.raises(Stopped):  # killed after its first batch of two rows
        phone_rows.seal_table(connection, "members_constituent", "id", True, batch_size=2,
                              report=stop)
    assert len(key_ids()) == 2  # half-way: both keys in use, and every row still reads
    assert all(Constituent.objects.get(pk=p.pk).phone == p.phone for p in people)
    assert "members_constituent: 6 numbers, 4 re-sealed" in rotate(batch_size=2)
    assert key_ids() == {phone_crypto.PhoneKey.from_text(NEW).id}


def test_a_number_changed_meanwhile_is_not_overwritten(settings, people):
    """The command read a row, then the portal saved a new number (under the new key): the
    command's write of what it read is skipped."""
    settings.PHONE_KEY, settings.PHONE_KEY_OLD = NEW, OLD
    person = people[0]
    with connection.cursor() as cursor:
        cursor.execute('SELECT "phone" FROM "members_constituent" WHERE "id" = %s', [person.pk])
        (read,) = cursor.fetchone()
    person.phone = "13977778888"
    person.save()
    key = phone_crypto.keyring().current
    with connection.cursor() as cursor:
        phone_rows._write(connection, cursor, "members_constituent", "id", True, [
            (person.pk, read, key.seal("13900000000"), key.digest("13900000000"),
             key.tail_digest("13900000000")),
        ])
    assert Constituent.objects.get(pk=person.pk).phone == "13977778888"


def test_keys_with_the_same_id_are_refused(settings):
    """One chance in 256: the operator is told to generate another key."""
    first = phone_crypto.PhoneKey.from_text(OLD)
    for n in range(2000):
        other = f"{n:032x}"
        if other != OLD and phone_crypto.PhoneKey.from_text(other).id == first.id:
            break
    settings.PHONE_KEY, settings.PHONE_KEY_OLD = other, OLD
    with pytest.raises(CommandError, match="same key id"):
        rotate()


def test_an_unknown_key_is_an_error_not_a_wrong_number(settings, people):
    settings.PHONE_KEY, settings.PHONE_KEY_OLD = NEW, ""  # the old key forgotten
    with pytest.raises(CommandError, match="neither PHONE_KEY nor PHONE_KEY_OLD"):
        rotate()
