"""Adding a column to a table that the tally triggers read (``reports`` migration 0003), on SQLite too.

Django adds a NOT NULL column on SQLite by rebuilding the table (create a copy, move the rows, drop, rename).
The rebuild drops the triggers on that table and trips the triggers on other tables that name it ("no such
table" while it is gone). SQLite can add a NOT NULL column with a constant default in place (``ALTER TABLE …
ADD COLUMN``), which is what this operation does there; PostgreSQL takes Django's own ``add_field``."""

from __future__ import annotations

from django.db import migrations


def add_column_in_place(app_label: str, model_name: str, field, name: str, *, sqlite_type: str):
    """The operations adding ``field`` as ``name`` to ``model_name``: its state change, and in the database an
    in-place ``ALTER TABLE`` on SQLite (``sqlite_type`` is the column's type and default, e.g.
    ``"bool NOT NULL DEFAULT 0"``)."""

    def forward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        f = model._meta.get_field(name)
        if schema_editor.connection.vendor == "sqlite":
            qn = schema_editor.quote_name
            schema_editor.execute(f"ALTER TABLE {qn(model._meta.db_table)} ADD COLUMN {qn(f.column)} {sqlite_type}")
        else:
            schema_editor.add_field(model, f)

    def backward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        f = model._meta.get_field(name)
        if schema_editor.connection.vendor == "sqlite":
            qn = schema_editor.quote_name
            schema_editor.execute(f"ALTER TABLE {qn(model._meta.db_table)} DROP COLUMN {qn(f.column)}")
        else:
            schema_editor.remove_field(model, f)

    # the state first (so the code below finds the field), then the database
    return [migrations.SeparateDatabaseAndState(
                state_operations=[migrations.AddField(model_name=model_name, name=name, field=field)]),
            migrations.RunPython(forward, backward)]
