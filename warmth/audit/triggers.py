"""Database triggers that refuse UPDATE, DELETE (and TRUNCATE) on the audit table, even from raw SQL.

Installed by migration ``0003``. ``uninstall`` exists only for the test suite, whose transactional tests must
empty every table between tests; production code never calls it.
"""

SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
]
SQLITE_UNINSTALL = ["DROP TRIGGER IF EXISTS audit_event_no_update;",
                    "DROP TRIGGER IF EXISTS audit_event_no_delete;"]
POSTGRES_INSTALL = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent;",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();""",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();""",
]
POSTGRES_UNINSTALL = [
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;",
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
