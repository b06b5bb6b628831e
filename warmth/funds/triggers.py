"""Database triggers that refuse UPDATE and DELETE (and TRUNCATE) on the ledger, even from raw SQL: a ledger
entry is corrected by a reversal entry, never by changing it. Installed by migration ``0002``;
``uninstall`` exists only for the test suite's flushes."""

TABLE = "funds_ledgerentry"

SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;""",
]
SQLITE_UNINSTALL = ["DROP TRIGGER IF EXISTS ledger_no_update;", "DROP TRIGGER IF EXISTS ledger_no_delete;"]
POSTGRES_INSTALL = [
    """CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'ledger is append-only'; END; $$ LANGUAGE plpgsql;""",
    f"DROP TRIGGER IF EXISTS ledger_no_change ON {TABLE};",
    f"""CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON {TABLE}
       FOR EACH ROW EXECUTE FUNCTION ledger_append_only();""",
    f"DROP TRIGGER IF EXISTS ledger_no_truncate ON {TABLE};",
    f"""CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON {TABLE}
       FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();""",
]
POSTGRES_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS ledger_no_change ON {TABLE};",
    f"DROP TRIGGER IF EXISTS ledger_no_truncate ON {TABLE};",
]

_SQL = {
    "sqlite": (SQLITE_INSTALL, SQLITE_UNINSTALL),
    "postgresql": (POSTGRES_INSTALL, POSTGRES_UNINSTALL),
}


def install(connection) -> None:
    with connection.cursor() as cur:
        for sql in _SQL.get(connection.vendor, ([], []))[0]:
            cur.execute(sql)


def uninstall(connection) -> None:
    with connection.cursor() as cur:
        for sql in _SQL.get(connection.vendor, ([], []))[1]:
            cur.execute(sql)
