"""Notices about reports, in the app and by e-mail (Django's mail backend; the console
in development): the Ketua seven days and one day before the due day and the day
after it; the Dinas Sosial officers of the kabupaten/kota once an LPA's report is late;
a tier's officers when their own report is late; the sender when a report is
returned. One notice per report, kind and person (a database constraint), so the jobs
may run any number of times."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from askesos.dates import format_date
from askesos.roles import GovernmentLevel, GovernmentRole, LpaRole
from reporting.models import Report, ReportLevel, ReportNotice, ReportState
from reporting.periods import Period
from reporting.report_output import report_issuer_name

logger = logging.getLogger(__name__)

OPEN_STATES = (ReportState.DRAFT, ReportState.RETURNED)
LPA_REMINDERS = {
    7: ReportNotice.Kind.DUE_SOON,
    1: ReportNotice.Kind.DUE_TOMORROW,
    -1: ReportNotice.Kind.LATE,
}


def notice_text(notice: ReportNotice) -> str:
    report = notice.report
    period = Period(report.period_type, report.period_start).label
    who = report_issuer_name(report)
    texts = {
        ReportNotice.Kind.DUE_SOON: _("The report for %(period)s is due on %(day)s."),
        ReportNotice.Kind.DUE_TOMORROW: _("The report for %(period)s is due tomorrow, %(day)s."),
        ReportNotice.Kind.LATE: _("The report for %(period)s was due on %(day)s and is late."),
        ReportNotice.Kind.LATE_DISTRICT: _(
            "%(who)s has not submitted its report for %(period)s, due on %(day)s."
        ),
        ReportNotice.Kind.RETURNED: _("The report for %(period)s was returned: %(comment)s"),
    }
    return texts[notice.kind] % {
        "period": period,
        "day": format_date(report.due_on),
        "who": who,
        "comment": report.review_comment,
    }


def _notify(report: Report, kind: str, users: Iterable[Any]) -> int:
    """One notice per person (kept once), and its e-mail where they have an address."""
    sent = 0
    for user in users:
        notice, created = ReportNotice.objects.get_or_create(report=report, kind=kind, user=user)
        if not created:
            continue
        sent += 1
        if user.email:
            with translation.override(settings.LANGUAGE_CODE):
                text = notice_text(notice)
                subject = _("ASKESOS report: %(period)s") % {
                    "period": Period(report.period_type, report.period_start).label
                }
            send_mail(subject, text, None, [user.email], fail_silently=True)
            ReportNotice.objects.filter(pk=notice.pk).update(emailed=True)
    return sent


def _ketua_users(report: Report) -> list[Any]:
    from askesos.accounts.models import User
    from askesos.staff.models import Membership

    with schema_context(report.lpa.schema_name):
        ids = list(
            Membership.objects.filter(role=LpaRole.KETUA, is_active=True).values_list(
                "user_id", flat=True
            )
        )
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _officers(*, level: str, area: str) -> QuerySet:
    from askesos.accounts.models import User

    users = User.objects.filter(
        is_active=True,
        government_scope__role=GovernmentRole.OFFICER,
        government_scope__level=level,
    )
    if level == GovernmentLevel.REGENCY:
        return users.filter(government_scope__regency_id=area)
    return users.filter(government_scope__province_id=area)


def _own_officers(report: Report) -> QuerySet:
    if report.level == ReportLevel.REGENCY:
        return _officers(level=GovernmentLevel.REGENCY, area=report.regency_id)
    return _officers(level=GovernmentLevel.PROVINCE, area=report.province_id)


def notice_returned(report: Report) -> int:
    users = _ketua_users(report) if report.level == ReportLevel.LPA else _own_officers(report)
    return _notify(report, ReportNotice.Kind.RETURNED, users)


def lpa_reminders(*, lpa: Any, on: datetime.date) -> int:
    """The LPA's Ketua: seven days and one day before the due day, the day after."""
    sent = 0
    for days, kind in LPA_REMINDERS.items():
        for report in Report.objects.filter(
            level=ReportLevel.LPA,
            lpa=lpa,
            state__in=OPEN_STATES,
            due_on=on + datetime.timedelta(days=days),
        ).select_related("lpa"):
            sent += _notify(report, kind, _ketua_users(report))
    return sent


def district_reminders(*, on: datetime.date) -> int:
    """After the due day: each late LPA report to its kabupaten/kota's officers; each
    late tier report to that tier's own officers."""
    sent = 0
    late = Report.objects.filter(
        due_on__lt=on, first_submitted_at__isnull=True, state=ReportState.DRAFT
    ).select_related("lpa", "regency", "province")
    for report in late.iterator(chunk_size=500):
        if report.level == ReportLevel.LPA:
            officers = _officers(level=GovernmentLevel.REGENCY, area=report.regency_id)
            sent += _notify(report, ReportNotice.Kind.LATE_DISTRICT, officers)
        else:
            sent += _notify(report, ReportNotice.Kind.LATE, _own_officers(report))
    return sent


def notices_for(user: Any, *, limit: int = 20) -> list[ReportNotice]:
    """A person's unread notices, newest first."""
    return list(
        ReportNotice.objects.filter(user=user, read_at__isnull=True).select_related(
            "report__lpa", "report__regency", "report__province"
        )[:limit]
    )


def notices_read(user: Any, report: Report) -> None:
    ReportNotice.objects.filter(user=user, report=report, read_at__isnull=True).update(
        read_at=timezone.now()
    )
