"""A submitted report is what was submitted: PostgreSQL refuses any change to a
version or to a report's history, whoever asks (the application's role included),
and any change to the figures of a report that is submitted or accepted. A correction
is the next version (reporting.reports.report_submit)."""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION public.askesos_report_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'report: % rows never change (a correction is a new version)', TG_TABLE_NAME
    USING ERRCODE = 'P0001';
END;
$$;

CREATE TRIGGER reportversion_frozen BEFORE UPDATE OR DELETE ON public.reporting_reportversion
  FOR EACH ROW EXECUTE FUNCTION public.askesos_report_frozen();
CREATE TRIGGER reportevent_frozen BEFORE UPDATE OR DELETE ON public.reporting_reportevent
  FOR EACH ROW EXECUTE FUNCTION public.askesos_report_frozen();

CREATE OR REPLACE FUNCTION public.askesos_report_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.versions < OLD.versions THEN
    RAISE EXCEPTION 'report: versions are never taken back' USING ERRCODE = 'P0001';
  END IF;
  IF OLD.state IN ('submitted', 'accepted') AND NEW.versions = OLD.versions
     AND (NEW.figures IS DISTINCT FROM OLD.figures
          OR NEW.narrative IS DISTINCT FROM OLD.narrative
          OR NEW.planned_actions IS DISTINCT FROM OLD.planned_actions) THEN
    RAISE EXCEPTION 'report: a submitted report does not change' USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER report_guard BEFORE UPDATE ON public.reporting_report
  FOR EACH ROW EXECUTE FUNCTION public.askesos_report_guard();
"""

UNDO = """
DROP TRIGGER IF EXISTS report_guard ON public.reporting_report;
DROP TRIGGER IF EXISTS reportevent_frozen ON public.reporting_reportevent;
DROP TRIGGER IF EXISTS reportversion_frozen ON public.reporting_reportversion;
DROP FUNCTION IF EXISTS public.askesos_report_guard();
DROP FUNCTION IF EXISTS public.askesos_report_frozen();
"""


class Migration(migrations.Migration):
    dependencies = [("reporting", "0005_reports")]

    operations = [migrations.RunSQL(SQL, UNDO)]
