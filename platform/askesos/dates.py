"""Dates as the programme knows them: today is today in Asia/Jakarta; money is never
dated after it nor before the programme began; each step of a flow is dated on or
after the step before it; and every page, PDF and spreadsheet writes a date one way,
as Indonesians do: 22 Nov 2026.

PostgreSQL enforces the same range for ledger entries (programme/dbfunctions); the
checks here say it in words, at the field, before anything is written.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from askesos.errors import DomainError

# ASKESOS began in 2003 (pola lama 2003-2011): no money of the programme is older.
PROGRAMME_START = datetime.date(2003, 1, 1)
DISPLAY_FORMAT = "j M Y"  # 22 Nov 2026; Mei, Agu, Okt, Des in Bahasa Indonesia


class DateError(DomainError):
    messages = {
        "date_required": _("%(label)s is required."),
        "date_invalid": _("%(label)s is not a date; write it as day, month and year."),
        "date_future": _("%(label)s cannot be after today (%(today)s)."),
        "date_before_programme": _("%(label)s cannot be before %(start)s, when ASKESOS began."),
        "date_before_step": _("%(label)s cannot be before %(step)s (%(date)s)."),
        "month_not_over": _("%(month)s is not over yet: a month is closed after its last day."),
    }


def today() -> datetime.date:
    """Today in Asia/Jakarta (settings.TIME_ZONE), whatever the server's clock zone."""
    return timezone.localdate()


def format_date(day: datetime.date | datetime.datetime | None) -> str:
    """The one display format: 22 Nov 2026 (empty for no date)."""
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return date_format(day, DISPLAY_FORMAT)


def date_parse(value: Any, *, field: str, label: Any) -> datetime.date:
    """A date from a form or JSON field (ISO, as <input type=date> sends it), or a
    DateError naming the field: never a silent default."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise DateError("date_required", field=field, label=label)
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise DateError("date_invalid", field=field, label=label) from None


def money_date(day: Any, *, field: str, label: Any) -> datetime.date:
    """The date money moves on: given, not after today, not before the programme."""
    day = date_parse(day, field=field, label=label)
    now = today()
    if day > now:
        raise DateError("date_future", field=field, label=label, today=format_date(now))
    if day < PROGRAMME_START:
        raise DateError(
            "date_before_programme", field=field, label=label, start=format_date(PROGRAMME_START)
        )
    return day


def date_not_before(
    day: datetime.date,
    earlier: datetime.date | datetime.datetime | None,
    *,
    field: str,
    label: Any,
    step: Any,
) -> datetime.date:
    """A step dated on or after the step before it (`step` names that one)."""
    if earlier is None:
        return day
    if isinstance(earlier, datetime.datetime):
        earlier = timezone.localtime(earlier).date() if timezone.is_aware(earlier) else earlier
    if day < earlier:
        raise DateError(
            "date_before_step", field=field, label=label, step=step, date=format_date(earlier)
        )
    return day
