from django.apps import AppConfig


class LedgerConfig(AppConfig):
    """Tenant app: the LPA's double-entry ledger, premiums, payouts, loans, grants,
    monthly closing and the books (views over the ledger)."""

    name = "programme.ledger"
    label = "ledger"
    verbose_name = "Pembukuan"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from programme.ledger.models import (
            CashHandover,
            Grant,
            Loan,
            LoanInstallment,
            Payout,
            Period,
            PremiumReceipt,
        )

        auditlog.register(Period)
        auditlog.register(PremiumReceipt)
        auditlog.register(Loan)
        auditlog.register(Grant)
        auditlog.register(CashHandover)
        auditlog.register(Payout)
        auditlog.register(LoanInstallment)
