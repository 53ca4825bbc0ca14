"""The chart of accounts every LPA starts with (seeded into the template by migration).

The names are seeded in Bahasa Indonesia; pages, books and files show them through
`account_name`, in the reader's language."""

from django.utils.translation import pgettext_lazy

CASH = "1101"  # Kas tunai (Bendahara)
CASH_OFFICERS = "1102"  # Kas di petugas lapangan: premiums not yet handed over
BANK_RESERVE = "1201"  # Rekening Cadangan Dana Klaim, bank pemerintah
BANK_SAVINGS = "1202"  # Rekening tabungan premi atas nama Tim Pengelola
BANK_REVOLVING = "1203"
BANK_GRANTS = "1204"
LOANS_RECEIVABLE = "1301"
PREMIUM_SAVINGS = "2101"  # what the LPA owes participants: their premiums
PREMIUM_AID = "2102"  # government premium aid held for BPJS Ketenagakerjaan
RESERVE_FUND = "3101"
REVOLVING_CAPITAL = "3201"
GRANT_FUND = "3301"
OPERATIONS_FUND = "3401"
LOAN_INCOME = "4201"  # the revolving fund's profit, which pays for operations
CLAIMS_EXPENSE = "5101"
OPERATING_EXPENSE = "5201"
GRANT_SPENDING = "5301"

# code, name, fund, kind, is_bank, is_money
CHART = (
    (CASH, "Kas Tunai Bendahara", "cash", "asset", False, True),
    (CASH_OFFICERS, "Kas di Petugas Lapangan", "cash", "asset", False, True),
    (BANK_RESERVE, "Bank - Cadangan Dana Klaim", "reserve", "asset", True, True),
    (BANK_SAVINGS, "Bank - Tabungan Premi", "savings", "asset", True, True),
    (BANK_REVOLVING, "Bank - Dana Perputaran", "revolving", "asset", True, True),
    (BANK_GRANTS, "Bank - Hibah", "grants", "asset", True, True),
    (LOANS_RECEIVABLE, "Piutang Dana Talangan", "revolving", "asset", False, False),
    (PREMIUM_SAVINGS, "Simpanan Premi Peserta", "savings", "liability", False, False),
    (PREMIUM_AID, "Bantuan Iuran Pemerintah", "savings", "liability", False, False),
    (RESERVE_FUND, "Dana Cadangan Klaim", "reserve", "equity", False, False),
    (REVOLVING_CAPITAL, "Modal Dana Perputaran", "revolving", "equity", False, False),
    (GRANT_FUND, "Dana Hibah", "grants", "equity", False, False),
    (OPERATIONS_FUND, "Dana Operasional", "operations", "equity", False, False),
    (LOAN_INCOME, "Pendapatan Jasa Dana Talangan", "operations", "income", False, False),
    (CLAIMS_EXPENSE, "Beban Klaim", "reserve", "expense", False, False),
    (OPERATING_EXPENSE, "Beban Operasional", "operations", "expense", False, False),
    (GRANT_SPENDING, "Penggunaan Hibah", "grants", "expense", False, False),
)

# The seeded names above, for people: msgid English, msgstr the name in the chart.
ACCOUNT_NAMES = {
    CASH: pgettext_lazy("account", "Bendahara's cash"),
    CASH_OFFICERS: pgettext_lazy("account", "Cash with the field officers"),
    BANK_RESERVE: pgettext_lazy("account", "Bank - claim reserve"),
    BANK_SAVINGS: pgettext_lazy("account", "Bank - premium savings"),
    BANK_REVOLVING: pgettext_lazy("account", "Bank - revolving fund"),
    BANK_GRANTS: pgettext_lazy("account", "Bank - grants"),
    LOANS_RECEIVABLE: pgettext_lazy("account", "Bridging loans receivable"),
    PREMIUM_SAVINGS: pgettext_lazy("account", "Participants' premium savings"),
    PREMIUM_AID: pgettext_lazy("account", "Government premium aid"),
    RESERVE_FUND: pgettext_lazy("account", "Claim reserve fund"),
    REVOLVING_CAPITAL: pgettext_lazy("account", "Revolving fund capital"),
    GRANT_FUND: pgettext_lazy("account", "Grant fund"),
    OPERATIONS_FUND: pgettext_lazy("account", "Operations fund"),
    LOAN_INCOME: pgettext_lazy("account", "Bridging loan fee income"),
    CLAIMS_EXPENSE: pgettext_lazy("account", "Claims expense"),
    OPERATING_EXPENSE: pgettext_lazy("account", "Operating expense"),
    GRANT_SPENDING: pgettext_lazy("account", "Grant spending"),
}


def account_name(code: str, stored: str = "") -> str:
    """The account's name in the reader's language (the stored name for an account
    the chart does not ship)."""
    name = ACCOUNT_NAMES.get(code)
    return str(name) if name is not None else stored
