"""The ledger's dates within the programme, in every tenant schema:

- CHECK constraints: a journal entry is not dated before ASKESOS began (2003-01-01),
  nor a month of the books (ledger_period) before its first month;
- a trigger on ledger_period (public.askesos_ledger_period_month, from
  dbfunctions/0003): a month being prepared or closed has begun, and is not before the
  month the LPA joined the programme. Journal entries already have theirs (dates after
  today, before the programme or the LPA's start).

A schema that already holds rows out of range (a month 0436-10 prepared before these
rules) keeps them: the constraint is added NOT VALID, so it binds every new or
changed row at once, and is validated only where nothing breaks it. Such rows are
reported as a warning for an operator to correct (a reversal or a reopened month).
"""

import datetime

from django.db import migrations, models

CONSTRAINTS = (
    ("ledger_journalentry", "entry_date_in_programme", "date >= DATE '2003-01-01'"),
    ("ledger_period", "period_month_in_programme", "month >= DATE '2003-01-01'"),
)

ADD = "\n".join(
    f"""
ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check}) NOT VALID;
DO $$ BEGIN
  ALTER TABLE {table} VALIDATE CONSTRAINT {name};
EXCEPTION WHEN check_violation THEN
  RAISE WARNING '%: % holds rows before 2003; % binds new rows only until they are corrected',
    current_schema(), '{table}', '{name}';
END $$;"""
    for table, name, check in CONSTRAINTS
)
DROP = "\n".join(
    f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name};" for table, name, _c in CONSTRAINTS
)

TRIGGER = """
CREATE TRIGGER ledger_period_month BEFORE INSERT OR UPDATE OF month ON ledger_period
  FOR EACH ROW EXECUTE FUNCTION public.askesos_ledger_period_month();
"""
UNDO_TRIGGER = "DROP TRIGGER IF EXISTS ledger_period_month ON ledger_period;"


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0005_entry_kind_interest"),
        ("dbfunctions", "0003_dates_from_lpa_start"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddConstraint(
                    model_name="journalentry",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("date__gte", datetime.date(2003, 1, 1))),
                        name="entry_date_in_programme",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="period",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("month__gte", datetime.date(2003, 1, 1))),
                        name="period_month_in_programme",
                    ),
                ),
            ],
        ),
        migrations.RunSQL(TRIGGER, UNDO_TRIGGER),
    ]
