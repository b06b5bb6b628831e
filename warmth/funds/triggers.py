"""The ledger is append-only: triggers refuse UPDATE, DELETE and TRUNCATE, even from raw SQL; a ledger entry is
corrected by a reversal entry, never by changing it. Installed by migration ``0002``; ``uninstall`` exists
only for the test suite's flushes."""

from warmth.core.appendonly import AppendOnlyTriggers

TABLE = "funds_ledgerentry"
TRIGGERS = AppendOnlyTriggers(table=TABLE, prefix="ledger", message="ledger is append-only")
install = TRIGGERS.install
uninstall = TRIGGERS.uninstall
