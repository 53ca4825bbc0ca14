from django.utils.translation import gettext_lazy as _

from askesos.errors import DomainError


class BankingError(DomainError):
    messages = {
        "file_missing": _("Choose a statement file (MT940 or CSV)."),
        "line_matched": _("This statement line is already matched."),
        "journal_line_matched": _("This ledger line is already matched to a statement line."),
        "match_account": _("The ledger line is not in the statement's account (%(account)s)."),
        "match_amount": _(
            "The amounts differ: the statement says %(bank)s, the ledger line %(books)s."
        ),
        "line_not_matched": _("This statement line is not matched."),
        "account_unknown": _("Unknown bank account %(account)s."),
    }


# The import report's own problems (beside the parser's), put into words when read.
PROBLEM_MESSAGES = {
    "account_unknown": _(
        "Statement %(number)s is for account %(number_account)s, which is not a bank "
        "account of this LPA; it was not imported."
    ),
    "statement_dates": _(
        "Statement %(number)s of account %(number_account)s closes (%(closing)s) before it "
        "opens; it was not imported."
    ),
    "statement_out_of_range": _(
        "Statement %(number)s of account %(number_account)s has dates outside this LPA's "
        "time in the programme (from %(start)s to today); it was not imported."
    ),
    "statement_duplicate": _(
        "Statement %(number)s of account %(number_account)s (to %(closing)s) was already "
        "imported on %(date)s from %(name)s; it was not imported again."
    ),
}
