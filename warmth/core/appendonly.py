"""Database triggers that make a table append-only: UPDATE, DELETE and (PostgreSQL) TRUNCATE are refused,
even from raw SQL. One installer for every such table (the audit log, the funds ledger); each app declares
its table and trigger-name prefix and calls ``install`` from a migration.

``uninstall`` exists only for the test suite, whose transactional tests must empty every table between
tests; production code never calls it. Trigger names are ``<prefix>_no_update``/``_no_delete`` (SQLite) and
``<prefix>_no_change``/``_no_truncate`` with the function ``<prefix>_append_only()`` (PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppendOnlyTriggers:
    table: str
    prefix: str
    message: str

    def sql(self, vendor: str) -> tuple[list[str], list[str]]:
        """(install, uninstall) statements for a database vendor; none for one without triggers here."""
        t, p, msg = self.table, self.prefix, self.message
        if vendor == "sqlite":
            return ([f"""CREATE TRIGGER IF NOT EXISTS {p}_no_update BEFORE UPDATE ON {t}
                         BEGIN SELECT RAISE(ABORT, '{msg}'); END;""",
                     f"""CREATE TRIGGER IF NOT EXISTS {p}_no_delete BEFORE DELETE ON {t}
                         BEGIN SELECT RAISE(ABORT, '{msg}'); END;"""],
                    [f"DROP TRIGGER IF EXISTS {p}_no_update;", f"DROP TRIGGER IF EXISTS {p}_no_delete;"])
        if vendor == "postgresql":
            return ([f"""CREATE OR REPLACE FUNCTION {p}_append_only() RETURNS trigger AS $$
                         BEGIN RAISE EXCEPTION '{msg}'; END; $$ LANGUAGE plpgsql;""",
                     f"DROP TRIGGER IF EXISTS {p}_no_change ON {t};",
                     f"""CREATE TRIGGER {p}_no_change BEFORE UPDATE OR DELETE ON {t}
                         FOR EACH ROW EXECUTE FUNCTION {p}_append_only();""",
                     f"DROP TRIGGER IF EXISTS {p}_no_truncate ON {t};",
                     f"""CREATE TRIGGER {p}_no_truncate BEFORE TRUNCATE ON {t}
                         FOR EACH STATEMENT EXECUTE FUNCTION {p}_append_only();"""],
                    [f"DROP TRIGGER IF EXISTS {p}_no_change ON {t};",
                     f"DROP TRIGGER IF EXISTS {p}_no_truncate ON {t};"])
        return [], []

    def install(self, connection) -> None:
        self._run(connection, self.sql(connection.vendor)[0])

    def uninstall(self, connection) -> None:
        self._run(connection, self.sql(connection.vendor)[1])

    @staticmethod
    def _run(connection, statements: list[str]) -> None:
        with connection.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
