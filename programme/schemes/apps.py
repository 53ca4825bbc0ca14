from django.apps import AppConfig


class SchemesConfig(AppConfig):
    """Shared app: scheme versions published nationally (eligibility, premium, benefits)."""

    name = "programme.schemes"
    label = "schemes"
    verbose_name = "Skema ASKESOS"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from programme.schemes.models import SchemeVersion

        auditlog.register(SchemeVersion)
