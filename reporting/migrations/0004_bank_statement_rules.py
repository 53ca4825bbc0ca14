"""The bank statements' rule, defined once in public for every LPA's schema (as the
ledger's rules are, programme.dbfunctions): a statement and its lines are what the bank
said; after import only a line's match to a ledger line may change (journal_line,
match_kind, matched_by, matched_at), and neither is ever deleted. The triggers are in
each LPA's schema (programme/banking/migrations/0002)."""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION public.askesos_bank_statement_line_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'bank: statement lines are never deleted' USING ERRCODE = 'P0001';
  END IF;
  IF (NEW.statement_id, NEW.line, NEW.value_date, NEW.amount, NEW.kind, NEW.reference,
      NEW.bank_reference, NEW.text)
     IS DISTINCT FROM
     (OLD.statement_id, OLD.line, OLD.value_date, OLD.amount, OLD.kind, OLD.reference,
      OLD.bank_reference, OLD.text) THEN
    RAISE EXCEPTION 'bank: statement lines do not change after import' USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION public.askesos_bank_statement_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'bank: statements do not change after import' USING ERRCODE = 'P0001';
END;
$$;
"""

UNDO = """
DROP FUNCTION IF EXISTS public.askesos_bank_statement_line_immutable();
DROP FUNCTION IF EXISTS public.askesos_bank_statement_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("reporting", "0003_reconciliationstatus")]

    operations = [migrations.RunSQL(FUNCTIONS, UNDO)]
