"""Triggers that mark the orgs whose tally is out of date (reports/tally.py): every insert, update and delete
of an archive, a family member, a visit or a payment, however it was written, and an org's change of path.

PostgreSQL: statement-level triggers with transition tables (one insert per statement, so a ``COPY`` of
50,000 payments costs one extra statement, not 50,000). SQLite: row-level triggers that keep the marks
distinct."""

from django.db import migrations

# table -> (SQL giving the org ids of the rows in a transition table named T, extra for updates of archives)
TABLES = {
    "payments_payment": "SELECT org_id FROM {t}",
    "campaigns_visit": "SELECT org_id FROM {t}",
    "archives_familymember": "SELECT a.org_id FROM archives_archive a WHERE a.id IN (SELECT archive_id FROM {t})",
    "archives_archive": "SELECT org_id FROM {t}",
}
# an archive whose class, status or org changes also changes the figures of its visits' and payments' orgs
ARCHIVE_COLUMNS = ("org_id", "status", "identity", "category", "model_worker_type", "exit_reason", "exited_at")
ARCHIVE_LINKED = ("SELECT org_id FROM payments_payment WHERE archive_id IN (SELECT id FROM {t}) "
                  "UNION SELECT org_id FROM campaigns_visit WHERE archive_id IN (SELECT id FROM {t})")


def _pg(schema_editor, table: str, orgs: str) -> list[str]:
    out = []
    for op, refs, sel in (
            ("INSERT", "NEW TABLE AS new_rows", orgs.format(t="new_rows")),
            ("DELETE", "OLD TABLE AS old_rows", orgs.format(t="old_rows")),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
             orgs.format(t="new_rows") + " UNION " + orgs.format(t="old_rows"))):
        if table == "archives_archive" and op == "UPDATE":
            changed = ("(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE "
                       + " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in ARCHIVE_COLUMNS) + ")")
            sel = (f"SELECT org_id FROM {changed} c UNION SELECT o.org_id FROM old_rows o JOIN new_rows n "
                   f"ON n.id = o.id AND n.org_id <> o.org_id UNION " + ARCHIVE_LINKED.format(t=changed + " x"))
        fn = f"reports_tally_{table}_{op.lower()}"
        out.append(f"""CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reports_tallydirty (org_id) SELECT DISTINCT org_id FROM ({sel}) m WHERE org_id IS NOT NULL;
  RETURN NULL;
END $$""")
        out.append(f"CREATE TRIGGER {fn} AFTER {op} ON {table} REFERENCING {refs} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}()")
    return out


def _pg_org() -> list[str]:
    out = []
    fn = "reports_tally_orgs_org_update"
    out.append(f"""CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reports_tallydirty (org_id) SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
   WHERE n.path <> o.path;
  RETURN NULL;
END $$""")
    out.append(f"CREATE TRIGGER {fn} AFTER UPDATE ON orgs_org REFERENCING OLD TABLE AS old_rows "
               f"NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {fn}()")
    return out


def _mark_sqlite(expr: str) -> str:
    return (f"INSERT INTO reports_tallydirty (org_id) SELECT o FROM ({expr}) WHERE o IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM reports_tallydirty d WHERE d.org_id = o);")


def _sqlite(table: str) -> list[str]:
    out = []
    for op, rows in (("INSERT", ("NEW",)), ("DELETE", ("OLD",)), ("UPDATE", ("NEW", "OLD"))):
        body = []
        for r in rows:
            if table == "archives_familymember":
                body.append(_mark_sqlite(f"SELECT org_id AS o FROM archives_archive WHERE id = {r}.archive_id"))
            else:
                body.append(_mark_sqlite(f"SELECT {r}.org_id AS o"))
        when = ""
        if table == "archives_archive" and op == "UPDATE":
            when = " WHEN " + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in ARCHIVE_COLUMNS)
            body.append(_mark_sqlite("SELECT org_id AS o FROM payments_payment WHERE archive_id = NEW.id "
                                     "UNION SELECT org_id FROM campaigns_visit WHERE archive_id = NEW.id"))
        out.append(f"CREATE TRIGGER reports_tally_{table}_{op.lower()} AFTER {op} ON {table}{when} "
                   f"BEGIN {' '.join(body)} END")
    return out


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = []
    if vendor == "postgresql":
        for table, orgs in TABLES.items():
            statements += _pg(schema_editor, table, orgs)
        statements += _pg_org()
    elif vendor == "sqlite":
        for table in TABLES:
            statements += _sqlite(table)
        statements.append("CREATE TRIGGER reports_tally_orgs_org_update AFTER UPDATE OF path ON orgs_org "
                          "WHEN NEW.path <> OLD.path BEGIN " + _mark_sqlite("SELECT NEW.id AS o") + " END")
    for sql in statements:
        schema_editor.execute(sql)
    # whatever is already recorded: every org starts dirty, so the first form (or the worker) fills the tally
    schema_editor.execute("INSERT INTO reports_tallydirty (org_id) SELECT id FROM orgs_org")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    names = [f"reports_tally_{t}_{op}" for t in TABLES for op in ("insert", "delete", "update")]
    names.append("reports_tally_orgs_org_update")
    tables = {n: n[len("reports_tally_"):].rsplit("_", 1)[0] for n in names}
    for name in names:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {tables[name]}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_tally"),
        ("archives", "0001_initial"),
        ("campaigns", "0001_initial"),
        ("payments", "0004_drop_user_indexes"),
        ("orgs", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
