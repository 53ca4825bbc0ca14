from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Shared app: rollups, tiered reports and the government dashboards."""

    name = "reporting"
    verbose_name = "Pelaporan"
