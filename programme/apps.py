from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    """Tenant app: an LPA's own programme data (participants, premiums, claims, books)."""

    name = "programme"
    verbose_name = "Program ASKESOS"
