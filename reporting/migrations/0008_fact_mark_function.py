"""The trigger function behind the near-real-time rollup (reporting.models.FactMark).

Triggers on the LPA's own tables (programme/migrations/0001_rollup_marks) call it once
per statement with the rows the statement wrote (a transition table named `changed`)
and, as an argument, the SQL expression of each row's date. It writes one outbox row:
the schema and the earliest month the statement touched (never later than the current
month in Jakarta; the current month when the table has no date of its own). One row per
statement, whatever its size: the bulk premium path writes one mark for 250 receipts.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION public.reporting_fact_mark() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    current_month date := date_trunc('month', now() AT TIME ZONE 'Asia/Jakarta')::date;
    earliest date;
BEGIN
    IF TG_NARGS = 0 THEN
        earliest := current_month;
    ELSE
        EXECUTE format(
            'SELECT min(date_trunc(''month'', %s))::date FROM changed', TG_ARGV[0]
        ) INTO earliest;
        IF earliest IS NULL THEN
            RETURN NULL;  -- the statement changed no row
        END IF;
        earliest := least(earliest, current_month);
    END IF;
    INSERT INTO public.reporting_factmark (schema_name, month, marked_at)
    VALUES (TG_TABLE_SCHEMA, earliest, now());
    RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("reporting", "0007_rollup_facts")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS public.reporting_fact_mark()"),
    ]
