from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "askesos.accounts"
    label = "accounts"
    verbose_name = "Akun"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.contrib.auth.signals import user_logged_in

        from askesos.accounts.models import GovernmentScope, User
        from askesos.accounts.sessions import session_start

        user_logged_in.connect(session_start, dispatch_uid="askesos.session_start")

        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(GovernmentScope)
