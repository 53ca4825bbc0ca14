"""Schedules kept in the database (django-celery-beat), so that operators can change
them at run time; `askesos setup` writes the defaults once and leaves edits alone."""

from django_celery_beat.models import CrontabSchedule, PeriodicTask

DEFAULTS = (
    # name, task, crontab (minute, hour)
    (
        "Premi: tunggakan dan gugur (harian)",
        "programme.ledger.tasks.premiums_arrears_dispatch",
        ("30", "1"),
    ),
    (
        "Klaim: batas layanan dan cadangan (harian)",
        "programme.claims.tasks.claims_sla_dispatch",
        ("0", "6"),
    ),
)


def schedules_install() -> int:
    created = 0
    for name, task, (minute, hour) in DEFAULTS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="Asia/Jakarta",
        )
        _task, was_created = PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab}
        )
        created += was_created
    return created
