"""Sealing the phone numbers already in the database, in batches (``members.phone_crypto``).

One routine for the migration that seals the numbers stored in clear
(``0012_constituent_phone_sealed``) and for ``manage.py rotate_phone_key``, which re-seals
those sealed under ``PHONE_KEY_OLD``: it walks a table by primary key, ``batch_size`` rows
at a time, and rewrites only the rows that are not yet sealed under the current key — so it
is idempotent, and a run stopped half-way is resumed by running it again. Raw SQL: the
historical models of a migration do not know the fields' Python side, and a million rows
through the ORM would take too long (one ``UPDATE … FROM (VALUES …)`` per batch on
PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from members import phone_crypto

# (table, primary key column, whether it has the hash columns)
TABLES = (
    ("members_constituent", "id", True),
    # simple-history's copies: sealed too, no hashes (nothing looks them up).
    ("members_historicalconstituent", "history_id", False),
)
BATCH_SIZE = 5000


@dataclass
class Progress:
    table: str
    read: int = 0
    written: int = 0


def _new_values(value: str, current: phone_crypto.PhoneKey) -> str | None:
    """The number to seal again, or ``None`` if the value is sealed under the current key."""
    if value.isdigit():
        return value
    if phone_crypto.key_id_of(value) == current.id:
        return None
    return phone_crypto.unseal(value)


def _batches(cursor, table: str, pk: str, batch_size: int):
    """The (primary key, phone column) of every row with a number, ``batch_size`` at a time in
    key order (each batch an index range read, however big the table)."""
    last = None
    while True:
        after = "" if last is None else f'AND "{pk}" > %s '
        cursor.execute(
            f'SELECT "{pk}", "phone" FROM "{table}" WHERE "phone" <> \'\' {after}'
            f'ORDER BY "{pk}" LIMIT %s',
            ([] if last is None else [last]) + [batch_size],
        )
        rows = cursor.fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def seal_table(connection, table: str, pk: str, hashes: bool, *, batch_size: int = BATCH_SIZE,
               report: Callable[[Progress], None] | None = None) -> Progress:
    """Seal (or re-seal under the current key) every number of ``table``."""
    current = phone_crypto.keyring().current
    progress = Progress(table)
    with connection.cursor() as cursor:
        for rows in _batches(cursor, table, pk, batch_size):
            progress.read += len(rows)
            changed = []
            for row_id, value in rows:
                phone = _new_values(value, current)
                if phone is None:
                    continue
                sealed = current.seal(phone)
                changed.append(
                    (row_id, value, sealed, current.digest(phone), current.tail_digest(phone))
                    if hashes else (row_id, value, sealed)
                )
            _write(connection, cursor, table, pk, hashes, changed)
            progress.written += len(changed)
            if report is not None:
                report(progress)
    return progress


def unseal_table(connection, table: str, pk: str, hashes: bool, *,
                 batch_size: int = BATCH_SIZE) -> None:
    """Back to numbers in clear (the migration's reverse; needs the key)."""
    with connection.cursor() as cursor:
        for rows in _batches(cursor, table, pk, batch_size):
            changed = [
                ((row_id, value, phone_crypto.unseal(value), "", "") if hashes
                 else (row_id, value, phone_crypto.unseal(value)))
                for row_id, value in rows if not value.isdigit()
            ]
            _write(connection, cursor, table, pk, hashes, changed)


def stale_count(connection, table: str, pk: str) -> int:
    """How many numbers of ``table`` are not sealed under the current key (in clear, or under
    another key): what ``rotate_phone_key --check`` reports."""
    current = phone_crypto.keyring().current
    with connection.cursor() as cursor:
        return sum(
            1
            for rows in _batches(cursor, table, pk, BATCH_SIZE)
            for _id, value in rows
            if _new_values(value, current) is not None
        )


def _write(connection, cursor, table, pk, hashes, changed) -> None:
    """``changed``: (row id, the value read, the new columns…). A row only if it still holds
    the value read: a number changed meanwhile through the portal (sealed under the current
    key already) is left as it is, not overwritten with the one read before."""
    if not changed:
        return
    columns = ["phone", "phone_hash", "phone_tail"] if hashes else ["phone"]
    if connection.vendor == "postgresql":
        row = "(%s::bigint, %s" + ", %s" * len(columns) + ")"
        sets = ", ".join(f'"{c}" = v."{c}"' for c in columns)
        names = ", ".join(f'"{c}"' for c in ["row_id", "was", *columns])
        # The parameters one statement may bind (the portal's backend knows PostgreSQL's
        # 65,535 when the server binds them): a bigger batch takes several statements.
        limit = connection.features.max_query_params
        rows_per_statement = limit // (2 + len(columns)) if limit else len(changed)
        for start in range(0, len(changed), rows_per_statement):
            part = changed[start:start + rows_per_statement]
            cursor.execute(
                f'UPDATE "{table}" AS t SET {sets} '
                f'FROM (VALUES {", ".join([row] * len(part))}) AS v({names}) '
                f'WHERE t."{pk}" = v."row_id" AND t."phone" = v."was"',
                [value for row in part for value in row],
            )
    else:
        sets = ", ".join(f'"{c}" = %s' for c in columns)
        cursor.executemany(
            f'UPDATE "{table}" SET {sets} WHERE "{pk}" = %s AND "phone" = %s',
            [(*row[2:], row[0], row[1]) for row in changed],
        )


def seal_all(connection, **kwargs) -> list[Progress]:
    return [seal_table(connection, table, pk, hashes, **kwargs) for table, pk, hashes in TABLES]


def unseal_all(connection, **kwargs) -> None:
    for table, pk, hashes in TABLES:
        unseal_table(connection, table, pk, hashes, **kwargs)
