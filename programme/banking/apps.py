from django.apps import AppConfig


class BankingConfig(AppConfig):
    """Tenant app: bank statements, their reconciliation with the books, and the
    claim reserve's adequacy (docs/subsystems/reconciliation.md)."""

    name = "programme.banking"
    label = "banking"
    verbose_name = "Rekonsiliasi bank"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from programme.banking.models import Reconciliation, StatementFile

        auditlog.register(StatementFile)
        auditlog.register(Reconciliation)
