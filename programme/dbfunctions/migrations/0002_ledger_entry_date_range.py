"""Ledger entries are dated within the programme: not after today in Asia/Jakarta (a
receipt dated next year once activated a policy) and not before ASKESOS began
(askesos.dates.PROGRAMME_START). The check joins the open-month rule in the one
BEFORE INSERT trigger every tenant's journal already has, so no tenant schema changes."""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION public.askesos_ledger_period_open() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  state text;
  today date := (now() AT TIME ZONE 'Asia/Jakarta')::date;
BEGIN
  IF NEW.date > today THEN
    RAISE EXCEPTION 'ledger: entry dated %, after today (%) in Asia/Jakarta', NEW.date, today
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.date < DATE '2003-01-01' THEN
    RAISE EXCEPTION 'ledger: entry dated %, before the programme began (2003-01-01)', NEW.date
      USING ERRCODE = 'check_violation';
  END IF;
  EXECUTE format(
    'SELECT status FROM %1$I.ledger_period WHERE month = date_trunc(''month'', $1)::date',
    TG_TABLE_SCHEMA) INTO state USING NEW.date;
  IF state IN ('prepared', 'closed') THEN
    RAISE EXCEPTION 'ledger: % is %, no posting dated % is accepted',
      to_char(NEW.date, 'YYYY-MM'), state, NEW.date USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
"""

PREVIOUS = r"""
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
"""


class Migration(migrations.Migration):
    dependencies = [("dbfunctions", "0001_ledger_rules")]
    operations = [migrations.RunSQL(FUNCTION, PREVIOUS)]
