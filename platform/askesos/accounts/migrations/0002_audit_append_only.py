"""Audit rows in the public schema: append-only (askesos/accounts/append_only.py)."""

from django.db import migrations

from askesos.accounts.append_only import DROP, FUNCTION, TRIGGERS


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auditlog", "0017_add_actor_email")]

    operations = [migrations.RunSQL(FUNCTION + TRIGGERS, DROP)]
