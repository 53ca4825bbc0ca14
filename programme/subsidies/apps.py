from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    """Shared app: the state's money to the LPAs. Budgets per fiscal year and channel,
    allocations to provinces and LPAs, transfer batches and what the bank said of each
    transfer (docs/subsystems/subsidies.md). Holds no personal data."""

    name = "programme.subsidies"
    label = "subsidies"
    verbose_name = "Subsidi dan transfer"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from programme.subsidies.models import (
            Budget,
            FiscalYearRates,
            LpaAllocation,
            ProvinceAllocation,
            Transfer,
            TransferBatch,
        )

        auditlog.register(FiscalYearRates)
        auditlog.register(Budget)
        auditlog.register(ProvinceAllocation)
        auditlog.register(LpaAllocation)
        auditlog.register(TransferBatch)
        auditlog.register(Transfer)
