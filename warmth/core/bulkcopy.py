"""Bulk loading with PostgreSQL ``COPY`` (demo and national-scale data).

``allocate_ids`` takes ids from the table's own identity sequence up front, so rows that reference each
other (a parent and its children) can be written in one ``COPY`` stream; foreign keys are checked at commit
(Django creates them ``DEFERRABLE INITIALLY DEFERRED``). Values must already be in database form: callers
prepare encrypted fields, datetimes and JSON themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection


def can_copy() -> bool:
    return connection.vendor == "postgresql"


def allocate_ids(model, n: int) -> list[int]:
    if n <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, model._meta.pk.column, n])
        return [row[0] for row in cur.fetchall()]


def copy_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """``COPY table (columns) FROM STDIN`` with the given rows; returns the number written."""
    qn = connection.ops.quote_name
    sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    count = 0
    with connection.cursor() as cur, cur.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
