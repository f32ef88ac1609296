"""Constituents' phone numbers sealed at rest (SM4-GCM) with keyed SM3 hashes for lookups
(个人信息保护, GB/T 22239-2019 8.1.4.8 / 8.1.4.11): a database dump alone does not reveal a
number; every use of ``Constituent.phone`` keeps working."""

import base64

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from members import phone_crypto, phone_rows, services
from members.models import Constituent
from tests.factories import ConstituentFactory

NUMBER = "13812345678"
OTHER_KEY = "ffeeddccbbaa99887766554433221100"


def raw(table: str, pk_column: str, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "phone" FROM "{table}" WHERE "{pk_column}" = %s', [pk])
        return cursor.fetchone()[0]


def raw_phone(constituent) -> str:
    return raw("members_constituent", "id", constituent.pk)


def test_the_raw_table_holds_no_number(member_a):
    person = services.constituent_create(by=member_a.user, member=member_a, name="王群众",
                                         phone="138 1234 5678")
    stored = raw_phone(person)
    assert NUMBER not in stored
    assert "5678" not in stored
    assert base64.b64decode(stored)[0] == phone_crypto.keyring().current.id  # the key id byte
    # Nor the history simple-history keeps of every change.
    history_id = person.history.latest().history_id
    assert NUMBER not in raw("members_historicalconstituent", "history_id", history_id)
    # Read through the model, it is the number.
    assert Constituent.objects.get(pk=person.pk).phone == NUMBER
    assert person.history.latest().phone == NUMBER
    assert Constituent.objects.filter(pk=person.pk).values_list("phone", flat=True)[0] == NUMBER


def test_the_same_number_seals_differently_each_time(member_a, member_b):
    """A fresh nonce per value: equal numbers cannot be spotted in a dump; the hash matches."""
    one = ConstituentFactory(member=member_a, phone=NUMBER)
    two = ConstituentFactory(member=member_b, phone=NUMBER)
    assert raw_phone(one) != raw_phone(two)
    assert one.phone_hash == two.phone_hash != ""
    assert NUMBER not in one.phone_hash


def test_no_number_stays_blank(member_a):
    person = ConstituentFactory(member=member_a, phone="")
    assert raw_phone(person) == ""
    assert (person.phone_hash, person.phone_tail) == ("", "")
    assert Constituent.objects.filter(phone="").filter(pk=person.pk).exists()


def test_one_phone_per_roster_still_holds(member_a, member_b):
    ConstituentFactory(member=member_a, name="王群众", phone=NUMBER)
    with pytest.raises(ValidationError) as refused:
        services.constituent_create(by=member_a.user, member=member_a, name="王二",
                                    phone="+86 138-1234-5678")
    assert "王群众" in str(refused.value.message_dict["phone"])
    # The database says so too (the unique constraint is on the keyed hash; it holds the
    # council too since members.0015, which the member implies: as strict as before).
    with pytest.raises(IntegrityError), transaction.atomic():
        Constituent.objects.create(member=member_a, council=member_a.council,
                                   sector=member_a.sector, name="王三", phone=NUMBER)
    # Another member may know the same person.
    ConstituentFactory(member=member_b, phone=NUMBER)
    assert Constituent.objects.with_phone(NUMBER).count() == 2


def test_a_sealed_number_cannot_be_compared_in_sql(member_a):
    """A comparison on the ciphertext would silently match nothing: it raises instead."""
    with pytest.raises(FieldError):
        list(Constituent.objects.filter(phone=NUMBER))
    with pytest.raises(FieldError):
        list(Constituent.objects.filter(phone__icontains="5678"))


def test_a_changed_number_changes_its_hashes(member_a):
    person = ConstituentFactory(member=member_a, phone=NUMBER)
    services.constituent_update(by=member_a.user, constituent=person, phone="13900001111")
    person.refresh_from_db()
    assert person.phone == "13900001111"
    assert list(Constituent.objects.with_phone("13900001111")) == [person]
    assert not Constituent.objects.with_phone(NUMBER).exists()


def test_an_altered_value_is_refused_not_misread(member_a):
    person = ConstituentFactory(member=member_a, phone=NUMBER)
    sealed = bytearray(base64.b64decode(raw_phone(person)))
    sealed[20] ^= 1
    with connection.cursor() as cursor:
        cursor.execute('UPDATE "members_constituent" SET "phone" = %s WHERE "id" = %s',
                       [base64.b64encode(bytes(sealed)).decode(), person.pk])
    with pytest.raises(ImproperlyConfigured):
        Constituent.objects.get(pk=person.pk)


def test_a_value_of_an_unknown_key_says_so(member_a, settings):
    person = ConstituentFactory(member=member_a, phone=NUMBER)
    settings.PHONE_KEY = OTHER_KEY
    with pytest.raises(ImproperlyConfigured, match="neither PHONE_KEY nor"):
        Constituent.objects.get(pk=person.pk)


@pytest.mark.parametrize("text", ["", "abc", "00112233", "g" * 32, base64.b64encode(b"x" * 15).decode()])
def test_keys_must_be_sixteen_bytes(text):
    with pytest.raises(ValueError, match="16 random bytes"):
        phone_crypto.parse_key(text)


def test_keys_in_hex_or_base64():
    secret = bytes(range(16))
    assert phone_crypto.parse_key(secret.hex()) == secret
    assert phone_crypto.parse_key(base64.b64encode(secret).decode()) == secret


def test_masking_and_the_pages_read_the_number(client_for, staff, leader, member_a):
    person = ConstituentFactory(member=member_a, name="王群众", phone=NUMBER)
    url = reverse("members:constituent-detail", args=[person.pk])
    assert NUMBER in client_for(staff).get(url).content.decode()
    page = client_for(leader).get(url).content.decode()
    assert "138****5678" in page
    assert NUMBER not in page


def test_the_staff_search_finds_a_whole_number_or_its_last_four(client_for, staff, member_a):
    ConstituentFactory(member=member_a, name="王群众", phone=NUMBER)
    ConstituentFactory(member=member_a, name="李群众", phone="13900005678")
    ConstituentFactory(member=member_a, name="赵群众", phone="04641234567")
    ConstituentFactory(member=member_a, name="钱群众", phone="13700000000", unit="5678厂")

    def names(q):
        response = client_for(staff).get(reverse("members:constituent-list"), {"q": q})
        return sorted(c.name for c in response.context["page"])

    assert names("5678") == ["李群众", "王群众"]
    assert names("１３８１２３４５６７８") == ["王群众"]  # as people type it
    assert names("138-1234-5678") == ["王群众"]
    assert names("0464-1234567") == ["赵群众"]
    assert names("4567") == ["赵群众"]
    assert names("123") == []
    # A phone-shaped word searches the phone alone (an index lookup); a unit with digits is
    # found by more of its name.
    assert names("5678厂") == ["钱群众"]


def test_the_admin_search_finds_a_number(client_for, admin_user, member_a):
    ConstituentFactory(member=member_a, name="王群众", phone=NUMBER)
    ConstituentFactory(member=member_a, name="李群众", phone="13900001111")
    client = client_for(admin_user)
    url = reverse("admin:members_constituent_changelist")
    for q in (NUMBER, "5678", "王群众"):
        response = client.get(url, {"q": q})
        assert response.status_code == 200
        assert [c.name for c in response.context["cl"].result_list] == ["王群众"], q


# ---------------------------------------------------------------- the rows already there


def _put_in_clear(person, number):
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "members_constituent" SET "phone" = %s, "phone_hash" = \'\', '
            '"phone_tail" = \'\' WHERE "id" = %s', [number, person.pk],
        )
        cursor.execute(
            'UPDATE "members_historicalconstituent" SET "phone" = %s WHERE "id" = %s',
            [number, person.pk],
        )


def test_the_migration_seals_the_numbers_in_clear_and_its_reverse_opens_them(member_a):
    people = [ConstituentFactory(member=member_a, phone=f"1380000{i:04d}") for i in range(7)]
    blank = ConstituentFactory(member=member_a, phone="")
    for person in people:
        _put_in_clear(person, person.phone)
    progress = phone_rows.seal_all(connection, batch_size=3)
    assert [p.written for p in progress] == [7, 7]
    for person in people:
        assert person.phone not in raw_phone(person)
        stored = Constituent.objects.get(pk=person.pk)
        assert (stored.phone, stored.phone_hash) == (person.phone, person.phone_hash)
        assert stored.history.latest().phone == person.phone
    assert raw_phone(blank) == ""
    # Idempotent: a second run (a resumed one) writes nothing.
    assert [p.written for p in phone_rows.seal_all(connection, batch_size=3)] == [0, 0]

    phone_rows.unseal_all(connection, batch_size=3)
    assert [raw_phone(person) for person in people] == [person.phone for person in people]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_trigram_index_on_the_phone_is_gone():
    """A sealed value has nothing to search by trigram; the hashes have their own indexes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'members_constituent'")
        names = {row[0] for row in cursor.fetchall()}
    assert "constituent_phone_trgm" not in names
    assert {"constituent_phone_hash_idx", "constituent_phone_tail_idx"} <= names


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_batch_bigger_than_one_statement_is_written_in_several(member_a):
    """``rotate_phone_key --batch-size 20000`` writes five parameters a row: more than the
    65,535 PostgreSQL binds in one statement, so the batch is split."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL limit")
    person = ConstituentFactory(member=member_a, phone="")
    Constituent.objects.filter(pk=person.pk).update(phone=NUMBER)  # in clear, as before sealing
    current = phone_crypto.keyring().current
    changed = [(10**12 + n, NUMBER, "x", "y", "z") for n in range(14000)]  # no such rows
    changed.append((person.pk, NUMBER, current.seal(NUMBER), current.digest(NUMBER),
                    current.tail_digest(NUMBER)))
    with connection.cursor() as cursor:
        phone_rows._write(connection, cursor, "members_constituent", "id", True, changed)
    assert phone_crypto.unseal(raw_phone(person)) == NUMBER
