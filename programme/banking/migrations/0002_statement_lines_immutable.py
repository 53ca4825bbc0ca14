"""A statement and its lines never change after import (only a line's match does) and
are never deleted; the functions are in public (reporting/migrations/0004)."""

from django.db import migrations

TRIGGERS = """
CREATE TRIGGER banking_statementline_immutable BEFORE UPDATE OR DELETE
  ON banking_statementline
  FOR EACH ROW EXECUTE FUNCTION public.askesos_bank_statement_line_immutable();
CREATE TRIGGER banking_statementline_no_truncate BEFORE TRUNCATE ON banking_statementline
  FOR EACH STATEMENT EXECUTE FUNCTION public.askesos_bank_statement_immutable();
CREATE TRIGGER banking_statement_immutable BEFORE UPDATE OR DELETE ON banking_bankstatement
  FOR EACH ROW EXECUTE FUNCTION public.askesos_bank_statement_immutable();
"""

UNDO = """
DROP TRIGGER IF EXISTS banking_statementline_immutable ON banking_statementline;
DROP TRIGGER IF EXISTS banking_statementline_no_truncate ON banking_statementline;
DROP TRIGGER IF EXISTS banking_statement_immutable ON banking_bankstatement;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("banking", "0001_initial"),
        ("reporting", "0004_bank_statement_rules"),
    ]

    operations = [migrations.RunSQL(TRIGGERS, UNDO)]
