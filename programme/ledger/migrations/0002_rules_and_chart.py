"""The ledger's database rules (functions in programme.dbfunctions) and the chart of
accounts, seeded so that the template, and every LPA cloned from it, starts with it."""

from django.db import migrations

TRIGGERS = """
CREATE TRIGGER ledger_lines_check AFTER INSERT ON ledger_journalline
  REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT
  EXECUTE FUNCTION public.askesos_ledger_lines_check();
CREATE TRIGGER ledger_entry_period_open BEFORE INSERT ON ledger_journalentry
  FOR EACH ROW EXECUTE FUNCTION public.askesos_ledger_period_open();
CREATE TRIGGER ledger_entry_immutable BEFORE UPDATE OR DELETE ON ledger_journalentry
  FOR EACH ROW EXECUTE FUNCTION public.askesos_ledger_immutable();
CREATE TRIGGER ledger_line_immutable BEFORE UPDATE OR DELETE ON ledger_journalline
  FOR EACH ROW EXECUTE FUNCTION public.askesos_ledger_immutable();
CREATE TRIGGER ledger_line_no_truncate BEFORE TRUNCATE ON ledger_journalline
  FOR EACH STATEMENT EXECUTE FUNCTION public.askesos_ledger_immutable();
"""

UNDO = """
DROP TRIGGER IF EXISTS ledger_lines_check ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_entry_period_open ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_entry_immutable ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_line_immutable ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_line_no_truncate ON ledger_journalline;
"""


def seed_chart(apps, schema_editor):
    from programme.ledger.accounts import CHART

    Account = apps.get_model("ledger", "Account")
    for code, name, fund, kind, is_bank, is_money in CHART:
        Account.objects.update_or_create(
            code=code,
            defaults={"name": name, "fund": fund, "kind": kind, "is_bank": is_bank,
                      "is_money": is_money},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
        ("dbfunctions", "0001_ledger_rules"),
    ]

    operations = [
        migrations.RunSQL(TRIGGERS, UNDO),
        migrations.RunPython(seed_chart, migrations.RunPython.noop),
    ]
