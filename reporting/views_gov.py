"""The reports on the government portal: per period, the reports waiting for the
user's tier to review, the tier's own consolidated report, every report of the area
(the province and the ministry read the LPAs' reports from their first submission:
tembusan); one report with its figures, versions, history and the actions the server
allows (reports.reviewer_of); completeness and timeliness per kabupaten/kota; the
schedule, which the ministry edits. Everyone with the dashboard reads; the Dinas
Sosial officers act (GOV_REPORT_APPROVE, the tier decided in reporting/reports.py).
A report outside the user's area answers 404."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from askesos.dates import today
from askesos.permissions import AccessDenied, Action, ensure, may, require, scope_of
from askesos.roles import GovernmentLevel
from reporting import pages
from reporting.errors import ReportError
from reporting.models import Report, ReportLevel, ReportSchedule, ReportState, ReportVersion
from reporting.notices import notice_text, notices_for, notices_read
from reporting.periods import PeriodType, period_last_ended
from reporting.report_output import report_file_response
from reporting.reports import (
    LOCKING,
    REOPEN_DAYS,
    children_of,
    completeness,
    on_time,
    report_period,
    report_reopen,
    report_review,
    report_save,
    report_visible,
    reports_for_scope,
    reviewer_of,
    schedule_of,
    schedule_update,
    tier_refresh,
    tier_report_submit,
)

# The level of the reports each tier reviews, and of its own consolidated report.
REVIEWS = {
    GovernmentLevel.REGENCY: ReportLevel.LPA,
    GovernmentLevel.PROVINCE: ReportLevel.REGENCY,
    GovernmentLevel.MINISTRY: ReportLevel.PROVINCE,
}
OWNS = {
    GovernmentLevel.REGENCY: ReportLevel.REGENCY,
    GovernmentLevel.PROVINCE: ReportLevel.PROVINCE,
}
LIST_LIMIT = 500


def report_who(report: Report) -> str:
    if report.level == ReportLevel.LPA:
        return report.lpa.name
    return (report.regency if report.level == ReportLevel.REGENCY else report.province).name


def _annotate(reports) -> list[Report]:
    """What every list shows of a report: its period, who it is from, on time."""
    for report in reports:
        report.period = report_period(report)
        report.who = report_who(report)
        report.on_time = on_time(report)
        report.late_now = report.first_submitted_at is None and report.due_on < today()
    return reports


def _own_reports(scope, period):
    level = OWNS.get(scope.level)
    if level is None:
        return Report.objects.none()
    area = (
        {"regency_id": scope.regency_id}
        if level == ReportLevel.REGENCY
        else {"province_id": scope.province_id}
    )
    return Report.objects.select_related("regency", "province").filter(
        level=level, period_type=period.type, period_start=period.start, **area
    )


@require(Action.GOV_DASHBOARD_VIEW)
def reports_page(request):
    """A period's reports for the user's area: the review queue, the tier's own report,
    and every report they read."""
    user, scope = request.user, scope_of(request.user)
    choice = pages.period_chosen(request.GET)
    period = choice.period
    reports = reports_for_scope(scope)
    queue = []
    if may(user, Action.GOV_REPORT_APPROVE):
        # Waiting for this tier, whatever the period: a to-do list.
        waiting = reports.filter(level=REVIEWS[scope.level], state=ReportState.SUBMITTED)
        queue = [
            r
            for r in waiting.order_by("last_submitted_at", "pk")[:200]
            if reviewer_of(user, scope, r).may_review
        ]
    own = _annotate(list(_own_reports(scope, period)))
    for report in own:
        report.reviewer = reviewer_of(user, scope, report)
    in_period = reports.filter(period_type=period.type, period_start=period.start).exclude(
        pk__in=[r.pk for r in own]
    )
    lpa_reports = in_period.filter(level=ReportLevel.LPA)
    if scope.level != GovernmentLevel.REGENCY:
        lpa_reports = lpa_reports.filter(first_submitted_at__isnull=False)  # tembusan
    tiers = in_period.exclude(level=ReportLevel.LPA).order_by("-level", "regency__name")
    notices = notices_for(user)
    for notice in notices:
        notice.text = notice_text(notice)
        notice.url = reverse("gov-report", args=[notice.report_id])
    return render(
        request,
        "reporting/gov_reports.html",
        {
            "scope": scope,
            "choice": choice,
            "period": period,
            "queue": _annotate(queue),
            "own": own,
            "tiers": _annotate(list(tiers[:LIST_LIMIT])),
            "lpa_reports": _annotate(
                list(lpa_reports.order_by("regency__name", "lpa__name")[:LIST_LIMIT])
            ),
            "limit": LIST_LIMIT,
            "notices": notices,
        },
    )


def _visible(scope, pk: int) -> Report:
    report = get_object_or_404(
        Report.objects.select_related("lpa", "regency", "province", "reviewed_by"), pk=pk
    )
    if not report_visible(scope, report):
        raise Http404  # outside the area: as if there were no such report
    return report


def _shown_version(report: Report, asked: ReportVersion | None) -> ReportVersion | None:
    """What the portal shows: the version asked for; else an LPA's latest submitted
    version (the government reads what was sent, never a draft in the making); a tier's
    submitted version, or its draft added up afresh from what is accepted below."""
    if asked is not None:
        return asked
    latest = (
        report.version_set.select_related("submitted_by").order_by("-number").first()
        if report.versions
        else None
    )
    if report.level == ReportLevel.LPA or report.state in LOCKING:
        return latest
    tier_refresh(report)
    return None


def _owns(scope, report: Report) -> bool:
    """A tier's own consolidated report: the kabupaten/kota's or the province's."""
    if OWNS.get(scope.level) != report.level:
        return False
    if report.level == ReportLevel.REGENCY:
        return report.regency_id == scope.regency_id
    return report.province_id == scope.province_id


@require(Action.GOV_DASHBOARD_VIEW)
def report_page(request, pk: int):
    """One report with what the user may do to it: review (accept, or return with a
    comment), reopen, or write and submit the tier's own report."""
    user, scope = request.user, scope_of(request.user)
    report = _visible(scope, pk)
    error, action = None, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            _act(request, scope, report, action)
        except AccessDenied:
            raise  # a 403 page, not a message beside a field
        except ReportError as exc:
            error = exc
        else:
            return redirect("gov-report", pk=report.pk)
        report = _visible(scope, pk)
    version = _shown_version(report, pages.version_asked(report, request.GET.get("versi")))
    notices_read(user, report)
    _annotate([report])
    children = _annotate(
        list(
            children_of(report)
            .select_related("lpa", "regency")
            .order_by("regency__name", "lpa__name")
        )
    )
    owns = _owns(scope, report) and may(user, Action.GOV_REPORT_APPROVE)
    if version is not None:
        figures, narrative, planned = version.figures, version.narrative, version.planned_actions
    elif report.level != ReportLevel.LPA:
        figures, narrative, planned = report.figures, report.narrative, report.planned_actions
    else:  # an LPA's draft stays with the LPA until it is submitted
        figures, narrative, planned = None, "", ""
    return render(
        request,
        "reporting/gov_report.html",
        {
            "scope": scope,
            "report": report,
            "period": report_period(report),
            "version": version,
            "sections": pages.figures_shown(figures) if figures is not None else [],
            "narrative": narrative,
            "planned_actions": planned,
            "versions": report.version_set.select_related("submitted_by").order_by("-number"),
            "events": report.events.select_related("actor").order_by("-at", "-pk"),
            "children": children,
            "accepted_children": sum(c.state == ReportState.ACCEPTED for c in children),
            "reviewer": reviewer_of(user, scope, report),
            "reopen_days": REOPEN_DAYS,
            "may_write": owns and report.state in (ReportState.DRAFT, ReportState.RETURNED),
            "error": error,
            "action": action,
            "form": request.POST if error else None,
        },
        status=error.http_status if error else 200,
    )


def _act(request, scope, report: Report, action: str) -> None:
    post, user = request.POST, request.user
    if action in ("accept", "return"):
        report_review(
            report=report,
            user=user,
            scope=scope,
            decision=action,
            comment=post.get("comment", ""),
        )
        if action == "accept":
            messages.success(request, _("Report accepted."))
        else:
            messages.success(request, _("Report returned to its sender with your comment."))
    elif action == "reopen":
        report_reopen(report=report, user=user, scope=scope, reason=post.get("reason", ""))
        messages.success(request, _("Report reopened."))
    elif action in ("save", "submit"):
        ensure(user, Action.GOV_REPORT_APPROVE)
        if not _owns(scope, report):
            raise AccessDenied("level_forbidden")
        if action == "save":
            report_save(
                report=report,
                actor=user,
                narrative=post.get("narrative", ""),
                planned_actions=post.get("planned_actions", ""),
            )
            messages.success(request, _("Narrative saved."))
        else:
            version = tier_report_submit(
                report=report,
                user=user,
                scope=scope,
                narrative=post.get("narrative", ""),
                planned_actions=post.get("planned_actions", ""),
                reason=post.get("reason", ""),
            )
            messages.success(
                request,
                _("Version %(n)s of the consolidated report submitted.") % {"n": version.number},
            )
    else:
        raise Http404


@require(Action.GOV_DASHBOARD_VIEW)
def report_file(request, pk: int, kind: str):
    """The report as PDF or XLSX: the version ?versi=N, or what the page shows."""
    report = _visible(scope_of(request.user), pk)
    version = _shown_version(report, pages.version_asked(report, request.GET.get("versi")))
    if version is None and report.level == ReportLevel.LPA:
        raise Http404  # nothing submitted yet
    return report_file_response(report, version, kind)


@require(Action.GOV_DASHBOARD_VIEW)
def completeness_page(request):
    """Completeness and timeliness of a period: per kabupaten/kota its LPAs' reports
    (expected, received, on time, accepted; the late and missing LPAs by name), then
    the kabupaten/kota's reports per province and the provinces' reports."""
    scope = scope_of(request.user)
    choice = pages.period_chosen(request.GET)
    reports = reports_for_scope(scope)
    tables = []
    for level, title in (
        (ReportLevel.LPA, _("LPA reports, per kabupaten/kota")),
        (ReportLevel.REGENCY, _("Kabupaten/kota reports, per province")),
        (ReportLevel.PROVINCE, _("Province reports")),
    ):
        rows = completeness(period=choice.period, level=level, reports=reports)
        if not rows and level != ReportLevel.LPA:
            continue
        for row in rows:
            _annotate(row.late)
            _annotate(row.missing)
        total = _total(rows)
        for row in [*rows, total]:
            row.accepted_percent = (
                round(row.accepted * 100 / row.expected, 1) if row.expected else None
            )
        tables.append({"level": level, "title": title, "rows": rows, "total": total})
    return render(
        request,
        "reporting/completeness.html",
        {"scope": scope, "choice": choice, "period": choice.period, "tables": tables},
    )


def _total(rows):
    from reporting.reports import CompletenessRow

    total = CompletenessRow(None)
    for row in rows:
        total.expected += row.expected
        total.received += row.received
        total.on_time += row.on_time
        total.accepted += row.accepted
    return total


DAYS = ("lpa_due_days", "regency_due_days", "province_due_days", "expiry_days")


def _example(schedule: ReportSchedule) -> dict:
    """The days of the last ended period of the type, as dates."""
    period = period_last_ended(schedule.period_type)

    def day(days: int):
        return period.end + datetime.timedelta(days=days)

    return {
        "period": period,
        "lpa": day(schedule.lpa_due_days),
        "regency": day(schedule.regency_due_days),
        "province": day(schedule.province_due_days),
        "locked": day(schedule.expiry_days) if schedule.expiry_days else None,
    }


@require(Action.GOV_DASHBOARD_VIEW)
def schedule_page(request):
    """When reports are due, per period type; the ministry edits it."""
    errors, values = {}, {}
    if request.method == "POST":
        ensure(request.user, Action.GOV_SCHEDULE_MANAGE)  # a refusal is the 403 page
        period_type = request.POST.get("period_type", "")
        try:
            schedule_update(
                period_type=period_type,
                actor=request.user,
                **{name: request.POST.get(name, "") for name in DAYS},
            )
        except ReportError as exc:
            errors[period_type], values[period_type] = exc, request.POST
        else:
            messages.success(request, _("Schedule saved."))
            return redirect("gov-schedule")
    schedules = [schedule_of(t) for t in PeriodType.values]
    labels = dict(PeriodType.choices)
    rows = [
        {
            "schedule": s,
            "label": labels[s.period_type],
            "example": _example(s),
            "error": errors.get(s.period_type),
            "form": values.get(s.period_type),
        }
        for s in schedules
    ]
    edited = list(
        ReportSchedule.objects.filter(edited_at__isnull=False)
        .select_related("edited_by")
        .order_by("-edited_at")[:10]
    )
    for schedule in edited:
        schedule.label = labels.get(schedule.period_type, schedule.period_type)
    return render(
        request,
        "reporting/schedule.html",
        {
            "rows": rows,
            "edited": edited,
            "may_manage": may(request.user, Action.GOV_SCHEDULE_MANAGE),
        },
        status=400 if errors else 200,
    )
