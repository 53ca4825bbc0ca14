"""Audit rows in the LPA's schema: append-only (askesos/accounts/append_only.py). The
function is the public schema's (askesos/accounts/migrations/0002: public migrations
run before any LPA's); it is not made again here, as LPA schemas migrate in parallel."""

from django.db import migrations

from askesos.accounts.append_only import DROP, TRIGGERS


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_rollup_marks"), ("auditlog", "0017_add_actor_email")]

    operations = [migrations.RunSQL(TRIGGERS, DROP)]
