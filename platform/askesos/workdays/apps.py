from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    """Public app: Indonesia's public holidays and collective leave days (cuti bersama),
    as data the ministry can amend, for counting working days."""

    name = "askesos.workdays"
    label = "workdays"
    verbose_name = "Hari libur"
