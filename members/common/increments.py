"""Adding to rollup rows: one ``INSERT … ON CONFLICT (grain) DO UPDATE SET n = n + excluded.n``
for many rows (PostgreSQL and SQLite share the syntax). The rollups of every app use it, so
that a count changes by an increment in the database and never by a read-modify-write in
Python. And putting a derived column (a counter, a bound) right from a recount
(``column_put_right``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection


def add_to_rows(model, grain: Sequence[str], counts: Sequence[str], values: list[tuple]) -> None:
    """Add each of ``values`` (the grain's columns, then the counts to add) to ``model``'s row
    of that grain, inserting the rows that are missing. Rows are written in grain order, so
    that two writers lock them in the same order (no deadlock); ``grain`` must be a unique
    constraint of the table."""
    if not values:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    row = f"({', '.join(['%s'] * (len(grain) + len(counts)))})"
    add = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counts)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join([*grain, *counts])}) "
            f"VALUES {', '.join([row] * len(values))} "
            f"ON CONFLICT ({', '.join(grain)}) DO UPDATE SET {add}",
            [v for value in sorted(values) for v in value],
        )


def column_put_right(rows, field: str, values: dict, missing=0) -> int:
    """Set ``field`` of each of ``rows`` (a queryset) to its value in ``values`` (by primary
    key; ``missing`` if absent), writing only the rows whose stored value differs. The caller
    holds the locks that keep the values true meanwhile. Returns the rows written."""
    model = rows.model
    wrong = [
        model(pk=pk, **{field: values.get(pk, missing)})
        for pk, stored in rows.values_list("pk", field).iterator(chunk_size=5000)
        if stored != values.get(pk, missing)
    ]
    model.objects.bulk_update(wrong, [field], batch_size=1000)
    return len(wrong)
