from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "askesos.staff"
    label = "staff"
    verbose_name = "Tim Pengelola"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from askesos.staff.models import Membership

        auditlog.register(Membership)
