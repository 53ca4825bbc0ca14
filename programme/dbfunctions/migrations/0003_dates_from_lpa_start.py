"""Ledger dates within the LPA's time in the programme (askesos.dates), in PostgreSQL:

- a journal entry is not dated after today in Asia/Jakarta, nor before ASKESOS began,
  nor (new here) before the day its LPA joined it when that day is recorded
  (tenants_lpa.started_on);
- a month of the books (ledger_period, the month being closed) has begun and is not
  before the month the LPA joined: closings were prepared for month 0436-10, and a
  grant dated 0001-01-01 made every later closing wait for 24.000 months to close.

The LPA is found by the schema the trigger fires in; the template schema has no LPA
row and gets the programme's bounds only. programme/ledger/migrations/0006 adds the
period trigger to every tenant schema.
"""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION public.askesos_lpa_started_on(schema text) RETURNS date
LANGUAGE sql STABLE AS $$
  SELECT GREATEST(DATE '2003-01-01', started_on) FROM public.tenants_lpa
   WHERE schema_name = schema
$$;

CREATE OR REPLACE FUNCTION public.askesos_ledger_period_open() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  state text;
  today date := (now() AT TIME ZONE 'Asia/Jakarta')::date;
  started date := public.askesos_lpa_started_on(TG_TABLE_SCHEMA);
BEGIN
  IF NEW.date > today THEN
    RAISE EXCEPTION 'ledger: entry dated %, after today (%) in Asia/Jakarta', NEW.date, today
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.date < DATE '2003-01-01' THEN
    RAISE EXCEPTION 'ledger: entry dated %, before the programme began (2003-01-01)', NEW.date
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.date < started THEN
    RAISE EXCEPTION 'ledger: entry dated %, before the LPA joined the programme (%)',
      NEW.date, started USING ERRCODE = 'check_violation';
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

CREATE OR REPLACE FUNCTION public.askesos_ledger_period_month() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  this_month date := date_trunc('month', (now() AT TIME ZONE 'Asia/Jakarta')::date)::date;
  started date := date_trunc(
    'month', COALESCE(public.askesos_lpa_started_on(TG_TABLE_SCHEMA), DATE '2003-01-01')
  )::date;
BEGIN
  IF NEW.month > this_month THEN
    RAISE EXCEPTION 'ledger: month % has not begun (this month is %)',
      to_char(NEW.month, 'YYYY-MM'), to_char(this_month, 'YYYY-MM')
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.month < started THEN
    RAISE EXCEPTION 'ledger: month % is before the LPA''s books begin (%)',
      to_char(NEW.month, 'YYYY-MM'), to_char(started, 'YYYY-MM')
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
"""

PREVIOUS = r"""
DROP FUNCTION IF EXISTS public.askesos_ledger_period_month();

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

DROP FUNCTION IF EXISTS public.askesos_lpa_started_on(text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("dbfunctions", "0002_ledger_entry_date_range"),
        ("tenants", "0006_lpa_started_on"),
    ]
    operations = [migrations.RunSQL(FUNCTIONS, PREVIOUS)]
