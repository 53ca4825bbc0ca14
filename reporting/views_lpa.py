"""The LPA's period reports (Laporan), on its own host: its reports newest first with
its unread notices, and one report's page: the figures computed from the books, the
narrative (kendala and planned actions) the Ketua or Sekretaris writes, the Ketua's
submission to the Dinas Sosial kabupaten/kota, the versions and who did what.
Everyone on the office team reads (REPORT_VIEW); Ketua and Sekretaris write the
narrative (REPORT_PREPARE); the Ketua submits (REPORT_SUBMIT). Bahasa Indonesia, one
column, phone first."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from askesos.dates import today
from askesos.permissions import Action, ensure, may, require
from reporting import pages
from reporting.errors import ReportError
from reporting.models import Report, ReportLevel, ReportState
from reporting.notices import notice_text, notices_for, notices_read
from reporting.periods import PeriodType, period_last_ended, period_parse
from reporting.report_output import report_file_response
from reporting.reports import lpa_report_generate, report_period, report_save, report_submit
from tenants.selectors import lpa_current

OPEN_STATES = (ReportState.DRAFT, ReportState.RETURNED)


@require(Action.REPORT_VIEW)
def reports_page(request):
    """The LPA's reports, newest first; a report made on demand for an ended period."""
    lpa = lpa_current()
    error = None
    if request.method == "POST":
        ensure(request.user, Action.REPORT_PREPARE)  # a refusal is the 403 page
        try:
            period = period_parse(request.POST.get("period", ""))
            lpa_report_generate(lpa=lpa, period=period, actor=request.user)
        except ReportError as exc:
            error = exc
        else:
            return redirect("report", code=period.code)
    reports = list(
        Report.objects.filter(level=ReportLevel.LPA, lpa_id=lpa.pk).order_by(
            "-period_end", "-period_start"
        )[:120]
    )
    for report in reports:
        report.period = report_period(report)
        report.late = report.first_submitted_at is None and report.due_on < today()
    notices = [n for n in notices_for(request.user) if n.report.lpa_id == lpa.pk]
    for notice in notices:
        notice.text = notice_text(notice)
        notice.url = reverse("report", args=[report_period(notice.report).code])
    return render(
        request,
        "reporting/lpa_reports.html",
        {
            "lpa": lpa,
            "reports": reports,
            "notices": notices,
            "may_prepare": may(request.user, Action.REPORT_PREPARE),
            "period_typed": request.POST.get("period", "")
            if error
            else period_last_ended(PeriodType.MONTH).code,
            "error": error,
        },
        status=error.http_status if error else 200,
    )


def _report(lpa, code: str) -> Report:
    period = pages.period_or_404(code)
    return get_object_or_404(
        Report.objects.select_related("lpa", "regency", "province", "reviewed_by"),
        level=ReportLevel.LPA,
        lpa_id=lpa.pk,
        period_type=period.type,
        period_start=period.start,
    )


@require(Action.REPORT_VIEW)
def report_page(request, code: str):
    """One report: the draft's figures computed afresh (or a submitted version's), the
    review's comment, the narrative and the submission, the versions and the history.
    A refusal is shown beside its field, with what was typed kept."""
    lpa = lpa_current()
    report = _report(lpa, code)
    error, action = None, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ("save", "submit"):
            raise Http404
        ensure(request.user, Action.REPORT_SUBMIT if action == "submit" else Action.REPORT_PREPARE)
        post = request.POST
        try:
            if action == "submit":
                version = report_submit(
                    report=report,
                    actor=request.user,
                    narrative=post.get("narrative", ""),
                    planned_actions=post.get("planned_actions", ""),
                    reason=post.get("reason", ""),
                )
                messages.success(
                    request,
                    _("Version %(n)s submitted to the Dinas Sosial kabupaten/kota.")
                    % {"n": version.number},
                )
            else:
                report_save(
                    report=report,
                    actor=request.user,
                    narrative=post.get("narrative", ""),
                    planned_actions=post.get("planned_actions", ""),
                )
                messages.success(request, _("Narrative saved."))
        except ReportError as exc:
            error = exc
        else:
            return redirect("report", code=code)
    version = pages.version_asked(report, request.GET.get("versi"))
    versions = list(report.version_set.select_related("submitted_by").order_by("-number"))
    if version is None and report.state not in OPEN_STATES:
        version = versions[0]  # submitted or accepted: what was sent
    stale = None
    if version is None and report.state in OPEN_STATES and not error:
        # The draft is shown as the books stand now.
        try:
            lpa_report_generate(lpa=lpa, period=report_period(report))
        except ReportError as exc:  # a suspended LPA: the figures as last computed
            stale = exc
        report = _report(lpa, code)
    notices_read(request.user, report)
    editable = report.state in OPEN_STATES
    expired = (
        report.state == ReportState.DRAFT
        and report.expires_on is not None
        and today() > report.expires_on
        and (report.reopened_until is None or today() > report.reopened_until)
    )
    return render(
        request,
        "reporting/lpa_report.html",
        {
            "lpa": lpa,
            "report": report,
            "period": report_period(report),
            "version": version,
            "sections": pages.figures_shown(version.figures if version else report.figures),
            "narrative": version.narrative if version else report.narrative,
            "planned_actions": version.planned_actions if version else report.planned_actions,
            "versions": versions,
            "events": report.events.select_related("actor").order_by("-at", "-pk"),
            "may_prepare": editable and not expired and may(request.user, Action.REPORT_PREPARE),
            "may_submit": editable and not expired and may(request.user, Action.REPORT_SUBMIT),
            "expired": expired,
            "stale": stale,
            "error": error,
            "action": action,
            "form": request.POST if error else None,
        },
        status=error.http_status if error else 200,
    )


@require(Action.REPORT_VIEW)
def report_file(request, code: str, kind: str):
    """The report as PDF (printable, with signature lines) or XLSX: the draft, or the
    version ?versi=N."""
    report = _report(lpa_current(), code)
    return report_file_response(report, pages.version_asked(report, request.GET.get("versi")), kind)
