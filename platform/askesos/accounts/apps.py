from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "askesos.accounts"
    label = "accounts"
    verbose_name = "Akun"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from askesos.accounts.models import GovernmentScope, User

        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(GovernmentScope)
