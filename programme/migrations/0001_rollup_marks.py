"""Mark the LPA's months for the near-real-time rollup in the same transaction as the
change (reporting/migrations/0008 has the function and says what a mark is).

One AFTER ... FOR EACH STATEMENT trigger per table and event, with the rows the
statement wrote and the expression of their date: registrations and lifecycle steps,
every journal entry (receipts, claims paid, payouts, loans, grants, subsidy, charges),
receipts and their reversal, claim steps, member cards, month closings and the
reserve's reconciliation.
"""

from django.db import migrations

# (table, events, date expression or None for the current month)
MARKED = (
    ("participants_participant", ("INSERT", "UPDATE"), None),
    ("participants_policyevent", ("INSERT",), "effective_date"),
    ("participants_membercard", ("INSERT", "UPDATE"), None),
    ("ledger_journalentry", ("INSERT",), "date"),
    ("ledger_premiumreceipt", ("INSERT", "UPDATE"), "received_on"),
    ("ledger_period", ("INSERT", "UPDATE"), "month"),
    ("claims_claim", ("INSERT", "UPDATE"), None),
    ("banking_reconciliation", ("INSERT",), "coalesce(as_of, now()::date)"),
)


def _create() -> str:
    statements = []
    for table, events, expression in MARKED:
        argument = "" if expression is None else "'" + expression.replace("'", "''") + "'"
        for event in events:
            name = f"{table}_fact_mark_{event.lower()}"
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                f"REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
                f"EXECUTE FUNCTION public.reporting_fact_mark({argument});"
            )
    return "\n".join(statements)


def _drop() -> str:
    return "\n".join(
        f"DROP TRIGGER IF EXISTS {table}_fact_mark_{event.lower()} ON {table};"
        for table, events, _expression in MARKED
        for event in events
    )


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0004_merge_0003_meeting_groups_0003_policy_event_note"),
        ("ledger", "0005_entry_kind_interest"),
        ("claims", "0002_payment_refusal_and_step_dates"),
        ("banking", "0002_statement_lines_immutable"),
        ("reporting", "0008_fact_mark_function"),
    ]

    operations = [migrations.RunSQL(_create(), _drop())]
