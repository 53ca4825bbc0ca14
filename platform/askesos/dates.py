"""Dates as the programme knows them: today is today in Asia/Jakarta; money, and
anything else that happened in an LPA (a policy's start, a death, a claim's event, a
month closed), is never dated after it nor before the programme began or, when its
date is recorded, before the LPA joined it; each step of a flow is dated on or after
the step before it; and every page, PDF and spreadsheet writes a date one way, as
Indonesians do: 22 Nov 2026.

PostgreSQL enforces the same range for ledger entries and closed months
(programme/dbfunctions, programme/ledger/migrations); the checks here say it in words,
at the field, before anything is written. API serializers take such dates through
`PastDateField`, which applies the same rule at the field.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

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
        "date_before_lpa": _("%(label)s cannot be before %(start)s, when this LPA joined ASKESOS."),
        "month_future": _("%(month)s has not begun yet."),
        "date_too_early": _("%(label)s cannot be before %(start)s."),
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


def lpa_start() -> datetime.date:
    """The first day the current LPA's records may carry: the day it joined ASKESOS
    when that is recorded (tenants.Lpa.started_on), else the programme's start. Read
    from the tenant the request or task already holds: no query."""
    started = getattr(getattr(connection, "tenant", None), "started_on", None)
    return max(PROGRAMME_START, started) if started else PROGRAMME_START


def _not_before_start(day: datetime.date, *, field: str, label: Any) -> datetime.date:
    if day < PROGRAMME_START:
        raise DateError(
            "date_before_programme", field=field, label=label, start=format_date(PROGRAMME_START)
        )
    start = lpa_start()
    if day < start:
        raise DateError("date_before_lpa", field=field, label=label, start=format_date(start))
    return day


def past_date(day: Any, *, field: str, label: Any) -> datetime.date:
    """A day something happened in the LPA: given, not after today, not before the
    programme began nor before the LPA joined it."""
    day = date_parse(day, field=field, label=label)
    now = today()
    if day > now:
        raise DateError("date_future", field=field, label=label, today=format_date(now))
    return _not_before_start(day, field=field, label=label)


def money_date(day: Any, *, field: str, label: Any) -> datetime.date:
    """The date money moves on: the range of `past_date`."""
    return past_date(day, field=field, label=label)


def date_not_before_start(day: datetime.date, *, field: str, label: Any) -> datetime.date:
    """Only the lower bound (a date a job may set ahead, a lapse on a simulated day)."""
    return _not_before_start(date_parse(day, field=field, label=label), field=field, label=label)


def month_in_range(day: Any, *, field: str, label: Any) -> datetime.date:
    """The first day of a month of the LPA's books: begun already, and not before the
    month the programme (or the LPA) began. `day` is any day of it."""
    day = date_parse(day, field=field, label=label)
    month = day.replace(day=1)
    if month > today().replace(day=1):
        raise DateError("month_future", field=field, month=date_format(month, "F Y"))
    start = lpa_start().replace(day=1)
    if month < start:
        code = "date_before_programme" if month < PROGRAMME_START else "date_before_lpa"
        raise DateError(code, field=field, label=label, start=format_date(lpa_start()))
    return month


class PastDateField(serializers.DateField):
    """An API date that `past_date` accepts: refused at its field otherwise, with the
    rule's code (date_future, date_before_programme, date_before_lpa). `named` is how
    the message calls it ("Date" unless said); `earliest` replaces the programme's and
    the LPA's start for a date that may be older (a birth date)."""

    def __init__(
        self, *, named: Any = None, earliest: datetime.date | None = None, **kwargs: Any
    ) -> None:
        self.named = named
        self.earliest = earliest
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> datetime.date:
        day = super().to_internal_value(value)
        field, label = self.field_name or "date", self.named or _("Date")
        try:
            if self.earliest is None:
                return past_date(day, field=field, label=label)
            if day > today():
                raise DateError("date_future", field=field, label=label, today=format_date(today()))
            if day < self.earliest:
                raise DateError(
                    "date_too_early", field=field, label=label, start=format_date(self.earliest)
                )
            return day
        except DateError as exc:
            raise serializers.ValidationError(exc.message, code=exc.code) from exc


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
