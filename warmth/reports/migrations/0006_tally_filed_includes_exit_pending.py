"""The tally's season-0 rows (the archive as it stands) now count 在档 as ``archives.queries.filed_on`` does:
archives in 退档审批 and 退档公示 are still 在档 until the exit is approved (they counted as left before). The
rows written under the old rule are marked dirty here, so the next refresh (``tally.totals`` or the timer)
recomputes them; nothing else changes."""

from django.db import migrations

MARK = "INSERT INTO reports_tallydirty (org_id) SELECT DISTINCT org_id FROM reports_tally WHERE year = 0"


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0005_report_forms"),
    ]

    operations = [migrations.RunSQL(MARK, migrations.RunSQL.noop)]
