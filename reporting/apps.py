from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Shared app: rollups, tiered reports and the government dashboards."""

    name = "reporting"
    verbose_name = "Pelaporan"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from reporting.models import Report

        auditlog.register(Report)
