"""Bulk loading with PostgreSQL ``COPY`` (demo and national-scale data).

``allocate_ids`` takes ids from the table's own identity sequence up front, so rows that reference each
other (a parent and its children) can be written in one ``COPY`` stream; foreign keys are checked at commit
(Django creates them ``DEFERRABLE INITIALLY DEFERRED``). Values must already be in database form: callers
prepare encrypted fields, datetimes and JSON themselves.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Max

from warmth.core.fields import EncryptedTextField


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


def reserve_ids(model, n: int) -> range:
    """``n`` consecutive fresh primary keys in one step (the sequence moved past them by ``setval``), for a
    bulk loader that writes millions of rows. Only while nobody else inserts into the table: the national demo
    loader, never the application (which uses ``allocate_ids``)."""
    if n <= 0:
        return range(0)
    if not can_copy():  # SQLite: above the highest id in the table (write those rows before reserving again)
        ids = Table(model, pk=True).ids(n)
        return range(ids[0], ids[-1] + 1)
    with connection.cursor() as cur:
        cur.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
        seq = cur.fetchone()[0]
        cur.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [seq, seq, n])
        last = cur.fetchone()[0]
    return range(last - n + 1, last + 1)


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


class Raw(str):
    """A value already in database form (e.g. a ciphertext read raw from the same table and column): a
    ``Table`` row writes it as it is, without converting it again."""


class Table:
    """Rows of one model written straight to the table: what ``bulk_create`` does, without building a model
    instance per row. Values are converted the way the fields would convert them (encryption, dates, decimals,
    JSON); the caller supplies every value that has no static default, the blind indexes included."""

    def __init__(self, model, *, pk: bool):
        """``pk``: the caller gives each row its id (from ``ids``); else the database numbers the rows."""
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if pk or not f.primary_key]
        self.columns = [f.column for f in self.fields]
        ops = connection.ops
        self.plan = []
        for f in self.fields:
            conv = None
            if isinstance(f, EncryptedTextField):
                conv = f.bulk_prep()
            elif isinstance(f, models.DateTimeField):
                conv = ops.adapt_datetimefield_value
            elif isinstance(f, models.DateField):
                conv = ops.adapt_datefield_value
            elif isinstance(f, models.DecimalField):
                if type(ops).adapt_decimalfield_value is not BaseDatabaseOperations.adapt_decimalfield_value:
                    conv = functools.partial(ops.adapt_decimalfield_value, max_digits=f.max_digits,
                                             decimal_places=f.decimal_places)
            elif isinstance(f, models.JSONField):
                conv = json.dumps
            dynamic = f.has_default() and callable(f.default)  # e.g. timezone.now: called for each row
            default = None if f.primary_key else f.get_default if dynamic else f.get_default()
            self.plan.append((f.attname, default, conv, dynamic))

    def maker(self, **fixed):
        """The row function for one batch: ``fixed`` values, the same in every row, are converted once."""
        base, per_row = [], []
        for i, (attname, default, conv, dynamic) in enumerate(self.plan):
            if attname in fixed:
                v = fixed[attname]
                base.append(conv(v) if conv is not None and v is not None else v)
            else:
                base.append(None)
                per_row.append((i, attname, default, conv, dynamic))

        def row(values: dict) -> list:
            out = base.copy()
            get = values.get
            for i, attname, default, conv, dynamic in per_row:
                v = get(attname, default)
                if dynamic and v is default:
                    v = default()
                out[i] = conv(v) if conv is not None and v is not None and type(v) is not Raw else v
            return out
        return row

    def ids(self, n: int) -> list[int]:
        """``n`` fresh primary keys: from the sequence on PostgreSQL; on SQLite above the highest ever used
        (the caller's transaction must already hold SQLite's write lock, so nobody else inserts meanwhile)."""
        if can_copy():
            return allocate_ids(self.model, n)
        table = self.model._meta.db_table
        top = self.model.objects.aggregate(top=Max("pk"))["top"] or 0
        with connection.cursor() as cur:
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            seq = cur.fetchone()
        start = max(top, seq[0] if seq else 0) + 1
        return list(range(start, start + n))

    def insert(self, rows: list[list]) -> None:
        if not rows:
            return
        with connection.wrap_database_errors:
            if can_copy():
                copy_rows(self.model, self.columns, rows)
                return
            qn = connection.ops.quote_name
            sql = (f"INSERT INTO {qn(self.model._meta.db_table)} ({', '.join(qn(c) for c in self.columns)}) "  # noqa: S608 (quoted model names)
                   f"VALUES ({', '.join(['%s'] * len(self.columns))})")
            with connection.cursor() as cur:
                cur.executemany(sql, rows)
