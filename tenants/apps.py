from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "LPA"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from tenants.models import Lpa

        auditlog.register(Lpa)
