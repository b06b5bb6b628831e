"""A 公示 start earlier than the day it is entered needs a reason and the 公示 record (an attachment), and is
flagged for the reviewer. The NOT NULL reason column is added in place (``core.schema``): the tally triggers
read ``archives_archive``; the two nullable columns SQLite adds in place by itself."""

import django.db.models.deletion
from django.db import migrations, models

from warmth.core.schema import add_column_in_place


class Migration(migrations.Migration):

    dependencies = [
        ('archives', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='archive',
            name='publicity_entered_on',
            field=models.DateField(blank=True, null=True, verbose_name='公示登记日'),
        ),
        *add_column_in_place(
            'archives', 'archive',
            models.CharField(blank=True, max_length=200, verbose_name='公示开始日期早于登记日的理由'),
            'publicity_late_reason', sqlite_type="varchar(200) NOT NULL DEFAULT ''",
        ),
        migrations.AddField(
            model_name='archive',
            name='publicity_record',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='archives.attachment', verbose_name='公示记录'),
        ),
    ]
