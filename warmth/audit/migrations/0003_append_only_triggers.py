from django.db import migrations

from warmth.audit import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [migrations.RunPython(install, uninstall)]
