from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    """Shared app: the state's money to the LPAs. Budgets per fiscal year and channel,
    allocations to provinces and LPAs, transfer batches and what the bank said of each
    transfer (docs/subsystems/subsidies.md). Holds no personal data."""

    name = "programme.subsidies"
    label = "subsidies"
    verbose_name = "Subsidi dan transfer"
