# The Visit model moved to the visits app (above payments). Its table stays where it is (campaigns_visit, kept by
# the new model's db_table), so this only removes it from the campaigns app's state: no SQL runs.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='Visit',
                ),
            ],
            database_operations=[],
        ),
    ]
