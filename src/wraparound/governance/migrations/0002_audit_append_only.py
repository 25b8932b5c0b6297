"""The database refuses UPDATE and DELETE on audit entries (PostgreSQL and SQLite triggers)."""

from django.db import migrations

from wraparound.governance import audit_guard


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [
        migrations.RunPython(audit_guard.install, audit_guard.uninstall),
    ]
