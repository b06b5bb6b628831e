"""The audit table is append-only: triggers refuse UPDATE, DELETE and TRUNCATE, even from raw SQL.

Installed by migration ``0003``. ``uninstall`` exists only for the test suite, whose transactional tests must
empty every table between tests; production code never calls it.
"""

from warmth.core.appendonly import AppendOnlyTriggers

TRIGGERS = AppendOnlyTriggers(table="audit_auditevent", prefix="audit_event", message="audit log is append-only")
install = TRIGGERS.install
uninstall = TRIGGERS.uninstall
