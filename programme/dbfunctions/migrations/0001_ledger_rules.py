"""The ledger's rules, enforced by PostgreSQL for every tenant schema.

Each function works on the schema of the table its trigger fires on (TG_TABLE_SCHEMA),
so one definition serves 2.000 tenants.
"""

from django.db import migrations

FUNCTIONS = r"""
-- Every journal entry touched by a statement must balance (sum of signed lines = 0),
-- have at least two lines, and lie in an open month. Statement-level, over the
-- statement's new rows: all of an entry's lines are written in one INSERT or COPY,
-- and a bulk posting of 500.000 lines is checked in one pass, not row by row.
CREATE OR REPLACE FUNCTION public.askesos_ledger_lines_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
  EXECUTE format(
    'SELECT l.entry_id, sum(l.amount) AS total, count(*) AS lines
       FROM %1$I.ledger_journalline l
      WHERE l.entry_id IN (SELECT DISTINCT entry_id FROM new_lines)
      GROUP BY l.entry_id
     HAVING sum(l.amount) <> 0 OR count(*) < 2
      LIMIT 1', TG_TABLE_SCHEMA) INTO bad;
  IF bad.entry_id IS NOT NULL THEN
    RAISE EXCEPTION 'ledger: journal entry % does not balance (sum %, % lines)',
      bad.entry_id, bad.total, bad.lines USING ERRCODE = 'check_violation';
  END IF;
  EXECUTE format(
    'SELECT e.id AS entry_id, p.status
       FROM %1$I.ledger_journalentry e
       JOIN %1$I.ledger_period p ON p.month = date_trunc(''month'', e.date)::date
      WHERE e.id IN (SELECT DISTINCT entry_id FROM new_lines)
        AND p.status IN (''prepared'', ''closed'')
      LIMIT 1', TG_TABLE_SCHEMA) INTO bad;
  IF bad.entry_id IS NOT NULL THEN
    RAISE EXCEPTION 'ledger: the month of entry % is %', bad.entry_id, bad.status
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;

-- No entry dated in a month that is being closed or is closed.
CREATE OR REPLACE FUNCTION public.askesos_ledger_period_open() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE state text;
BEGIN
  EXECUTE format(
    'SELECT status FROM %1$I.ledger_period WHERE month = date_trunc(''month'', $1)::date',
    TG_TABLE_SCHEMA) INTO state USING NEW.date;
  IF state IN ('prepared', 'closed') THEN
    RAISE EXCEPTION 'ledger: % is %, no posting dated % is accepted',
      to_char(NEW.date, 'YYYY-MM'), state, NEW.date USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;

-- Posted entries and lines are never changed or removed: corrections are reversals.
CREATE OR REPLACE FUNCTION public.askesos_ledger_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger: % on %.% is not allowed; post a reversing entry instead',
    TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'check_violation';
END $$;
"""

DROP = """
DROP FUNCTION IF EXISTS public.askesos_ledger_lines_check();
DROP FUNCTION IF EXISTS public.askesos_ledger_period_open();
DROP FUNCTION IF EXISTS public.askesos_ledger_immutable();
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunSQL(FUNCTIONS, DROP)]
