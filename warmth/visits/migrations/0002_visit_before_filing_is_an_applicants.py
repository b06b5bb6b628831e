"""A visit to a household dated before it was filed is a visit to an applicant (not a filed household's visit).
The column is added in place (``core.schema``): the tally triggers read ``campaigns_visit``."""

from django.db import migrations, models

from warmth.core.schema import add_column_in_place


class Migration(migrations.Migration):

    dependencies = [
        ('visits', '0001_initial'),
    ]

    operations = [
        *add_column_in_place(
            'visits', 'visit',
            models.BooleanField(default=False, verbose_name='建档前走访（申请人）'), 'applicant',
            sqlite_type='bool NOT NULL DEFAULT 0',
        ),
    ]
