"""Marks written by changes in public that move an LPA's facts: its status (an LPA
taking part is an active one) and a subsidy allocation (the channels that funded it in
a fiscal year, which the dashboards filter by: every month of that year is marked)."""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION public.reporting_fact_mark_lpa_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.reporting_factmark (schema_name, month, marked_at)
    VALUES (NEW.schema_name,
            date_trunc('month', now() AT TIME ZONE 'Asia/Jakarta')::date, now());
    RETURN NULL;
END $$;

CREATE TRIGGER tenants_lpa_fact_mark AFTER UPDATE OF status ON tenants_lpa
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION public.reporting_fact_mark_lpa_status();

CREATE OR REPLACE FUNCTION public.reporting_fact_mark_allocation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.reporting_factmark (schema_name, month, marked_at)
    SELECT l.schema_name,
           least(make_date(b.year, 1, 1),
                 date_trunc('month', now() AT TIME ZONE 'Asia/Jakarta')::date),
           now()
    FROM tenants_lpa l, subsidies_provinceallocation pa
    JOIN subsidies_budget b ON b.id = pa.budget_id
    WHERE l.id = NEW.lpa_id AND pa.id = NEW.province_allocation_id;
    RETURN NULL;
END $$;

CREATE TRIGGER subsidies_lpaallocation_fact_mark AFTER INSERT ON subsidies_lpaallocation
FOR EACH ROW EXECUTE FUNCTION public.reporting_fact_mark_allocation();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS subsidies_lpaallocation_fact_mark ON subsidies_lpaallocation;
DROP FUNCTION IF EXISTS public.reporting_fact_mark_allocation();
DROP TRIGGER IF EXISTS tenants_lpa_fact_mark ON tenants_lpa;
DROP FUNCTION IF EXISTS public.reporting_fact_mark_lpa_status();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0008_fact_mark_function"),
        ("tenants", "0005_lpa_bank_account"),
        ("subsidies", "0002_allocation_and_transfer_rules"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE)]
