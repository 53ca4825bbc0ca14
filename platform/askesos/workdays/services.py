"""Working days in Indonesia: Monday to Friday minus the public holidays on record."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from askesos.workdays.models import PublicHoliday


def holidays_load(*, years: Iterable[int]) -> int:
    """Seed the national holidays and cuti bersama of `years` from python-holidays.
    Rows already present (also ones an operator edited) are left as they are."""
    import holidays

    rows: dict[datetime.date, PublicHoliday] = {}
    for category, kind in (
        ("public", PublicHoliday.Kind.NATIONAL),
        ("government", PublicHoliday.Kind.COLLECTIVE_LEAVE),
    ):
        calendar = holidays.country_holidays(
            "ID", years=list(years), categories=(category,), language="id"
        )
        for day, name in sorted(calendar.items()):
            rows.setdefault(day, PublicHoliday(date=day, name=name[:150], kind=kind))
    with schema_context(get_public_schema_name()), transaction.atomic():
        before = PublicHoliday.objects.count()
        PublicHoliday.objects.bulk_create(rows.values(), ignore_conflicts=True)
        return PublicHoliday.objects.count() - before


def holidays_between(start: datetime.date, end: datetime.date) -> frozenset[datetime.date]:
    with schema_context(get_public_schema_name()):
        return frozenset(
            PublicHoliday.objects.filter(date__gte=start, date__lte=end).values_list(
                "date", flat=True
            )
        )


def is_working_day(day: datetime.date, holidays: frozenset[datetime.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def working_days_between(
    start: datetime.date, end: datetime.date, *, holidays: frozenset[datetime.date] | None = None
) -> int:
    """Working days after `start` up to and including `end`: a claim completed on a
    Monday and paid on Thursday took 3 working days; paid the same day, 0."""
    if end <= start:
        return 0
    if holidays is None:
        holidays = holidays_between(start, end)
    day, count = start + datetime.timedelta(days=1), 0
    while day <= end:
        count += is_working_day(day, holidays)
        day += datetime.timedelta(days=1)
    return count
