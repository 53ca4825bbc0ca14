"""Reports API (reporting/reports.py): on an LPA's address its own period reports, which
its Ketua submits; on the portal every report of the caller's area, reviewed and
consolidated tier by tier, with completeness and the schedule.

Periods are named by their codes (2026-10, 2026-T3, 2026-S2, 2026). A portal list or
completeness table without `?period=` is the last month that has ended. A report
outside the caller's area is answered 404, as an unknown one is. What a government user
may do with each report (may_review, may_reopen, may_submit, locked) comes with it,
computed by reports.reviewer_of as DHIS2 answers mayApprove, so that no client decides.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, QuerySet, When
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from askesos.api import query_input
from askesos.geo.models import Province, Regency
from askesos.pagination import CappedPageNumberPagination
from askesos.permissions import Action, ActionPermission, scope_of
from reporting import reports
from reporting.api_output import (
    PERIOD_HELP,
    CompletenessOutput,
    GovernmentReportDetailOutput,
    GovernmentReportRowOutput,
    ReportDetailOutput,
    ReportRowOutput,
    ReportScheduleOutput,
    ReportVersionOutput,
)
from reporting.errors import ReportError
from reporting.models import Report, ReportLevel, ReportSchedule, ReportState
from reporting.pages import version_or_404
from reporting.periods import Period, PeriodType, period_last_ended, period_parse
from reporting.report_output import FILE_TYPES, report_file_response
from tenants.selectors import lpa_current


def last_ended_month() -> Period:
    """The portal's period when none is asked for: the month before this one."""
    return period_last_ended(PeriodType.MONTH)


class PeriodField(serializers.CharField):
    """A period code, read as a Period; an unknown one is refused with the domain's code
    (`period_invalid`, `period_out_of_range`) naming this field."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", PERIOD_HELP)
        super().__init__(max_length=20, **kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Period:
        code = super().run_validation(data)  # a string, checked as one
        try:
            return period_parse(code)
        except ReportError as exc:
            raise serializers.ValidationError(exc.message, code=exc.code) from exc


class ReportFileQuery(serializers.Serializer):
    file = serializers.ChoiceField(
        choices=list(FILE_TYPES), required=False, help_text="the report as a file instead"
    )


def with_files(output: Any) -> dict:
    """The responses of a GET that also answers with the file asked for by ?file=."""
    return {
        (200, "application/json"): output,
        **{(200, media): OpenApiTypes.BINARY for media in FILE_TYPES.values()},
    }


def _version_answer(report: Report, number: int, kind: str | None) -> Any:
    """A submitted version as JSON, or as the file ?file= asked for."""
    version = version_or_404(report, number)
    if kind:
        return report_file_response(report, version, kind)
    return Response(ReportVersionOutput(version).data)


# --- on an LPA's address -----------------------------------------------------------------


def _lpa_reports() -> QuerySet[Report]:
    return Report.objects.filter(level=ReportLevel.LPA, lpa=lpa_current()).select_related(
        "lpa", "regency", "province"
    )


def _lpa_report(code: str) -> Report:
    """The LPA's own report for the period in the path; any other is not found."""
    try:
        period = period_parse(code)
    except ReportError as exc:
        raise Http404 from exc
    report = _lpa_reports().filter(period_type=period.type, period_start=period.start).first()
    if report is None:
        raise Http404
    return report


def _lpa_detail(report: Report, code: int = status.HTTP_200_OK) -> Response:
    report = _lpa_reports().get(pk=report.pk)
    return Response(ReportDetailOutput(report).data, status=code)


class LpaReportListQuery(serializers.Serializer):
    period_type = serializers.ChoiceField(choices=PeriodType.choices, required=False)
    state = serializers.ChoiceField(choices=ReportState.choices, required=False)


class ReportGenerateInput(serializers.Serializer):
    period = PeriodField()


class LpaReportListApi(ListAPIView):
    """GET: the LPA's period reports, newest first. POST: make (or refresh the figures
    of) the report of a period that has ended, now instead of at the daily job."""

    permission_classes = [ActionPermission]
    required_actions = {"GET": Action.REPORT_VIEW, "POST": Action.REPORT_PREPARE}
    serializer_class = ReportRowOutput
    pagination_class = CappedPageNumberPagination
    query_serializer = LpaReportListQuery

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no LPA
            return Report.objects.none()
        query = LpaReportListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        filters = {k: v for k, v in query.validated_data.items() if v}
        return _lpa_reports().filter(**filters).order_by("-period_start", "-period_end")

    @extend_schema(
        request=ReportGenerateInput,
        responses={201: ReportDetailOutput, 200: ReportDetailOutput},
    )
    def post(self, request):
        data = ReportGenerateInput(data=request.data)
        data.is_valid(raise_exception=True)
        period, lpa = data.validated_data["period"], lpa_current()
        made = (
            not _lpa_reports().filter(period_type=period.type, period_start=period.start).exists()
        )
        report = reports.lpa_report_generate(lpa=lpa, period=period, actor=request.user)
        return _lpa_detail(report, status.HTTP_201_CREATED if made else status.HTTP_200_OK)


class ReportSaveInput(serializers.Serializer):
    narrative = serializers.CharField(
        max_length=reports.TEXT_LIMIT, required=False, allow_blank=True
    )
    planned_actions = serializers.CharField(
        max_length=reports.TEXT_LIMIT, required=False, allow_blank=True
    )


class LpaReportDetailApi(APIView):
    """GET: the report of a period (`?file=pdf|xlsx` for the file). PATCH: keep the
    narrative and planned actions of a draft or returned report."""

    permission_classes = [ActionPermission]
    required_actions = {"GET": Action.REPORT_VIEW, "PATCH": Action.REPORT_PREPARE}
    query_serializer = ReportFileQuery

    @extend_schema(responses=with_files(ReportDetailOutput))
    def get(self, request, code: str):
        kind = query_input(self).get("file")
        report = _lpa_report(code)
        if kind:
            return report_file_response(report, None, kind)
        return _lpa_detail(report)

    @extend_schema(request=ReportSaveInput, responses=ReportDetailOutput)
    def patch(self, request, code: str):
        data = ReportSaveInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = _lpa_report(code)
        values = data.validated_data
        report = reports.report_save(
            report=report,
            actor=request.user,
            narrative=values.get("narrative", report.narrative),
            planned_actions=values.get("planned_actions", report.planned_actions),
        )
        return _lpa_detail(report)


class ReportSubmitInput(serializers.Serializer):
    narrative = serializers.CharField(
        max_length=reports.TEXT_LIMIT,
        required=False,
        allow_blank=True,
        help_text="left out: the saved narrative",
    )
    planned_actions = serializers.CharField(
        max_length=reports.TEXT_LIMIT, required=False, allow_blank=True
    )
    reason = serializers.CharField(
        max_length=reports.REASON_LIMIT,
        required=False,
        allow_blank=True,
        help_text="required from the second version on: what it corrects",
    )


class LpaReportSubmitApi(APIView):
    """The Ketua submits the report: the draft is frozen as the next version and goes
    to the Dinas Sosial kabupaten/kota (a resubmission says why)."""

    permission_classes = [ActionPermission]
    required_action = Action.REPORT_SUBMIT

    @extend_schema(request=ReportSubmitInput, responses=ReportDetailOutput)
    def post(self, request, code: str):
        data = ReportSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        report = _lpa_report(code)
        reports.report_submit(
            report=report,
            actor=request.user,
            narrative=values.get("narrative"),
            planned_actions=values.get("planned_actions"),
            reason=values.get("reason", ""),
        )
        return _lpa_detail(report)


class LpaReportVersionApi(APIView):
    """A submitted version of the LPA's report (`?file=pdf|xlsx` for the file)."""

    permission_classes = [ActionPermission]
    required_action = Action.REPORT_VIEW
    query_serializer = ReportFileQuery

    @extend_schema(responses=with_files(ReportVersionOutput))
    def get(self, request, code: str, number: int):
        kind = query_input(self).get("file")  # a bad parameter is refused before the lookup
        return _version_answer(_lpa_report(code), number, kind)


# --- on the portal -----------------------------------------------------------------------


def _scoped(request) -> tuple[Any, QuerySet[Report]]:
    scope = scope_of(request.user)
    return scope, reports.reports_for_scope(scope)


def _scoped_report(request, pk: int) -> tuple[Any, Report]:
    """A report of the caller's area; outside it, not found (no probing)."""
    scope, reports_seen = _scoped(request)
    report = reports_seen.filter(pk=pk).first()
    if report is None or not reports.report_visible(scope, report):
        raise Http404
    return scope, report


def _government_detail(request, scope: Any, report: Report) -> Response:
    report = reports.reports_for_scope(scope).get(pk=report.pk)
    report = reports.tier_refresh(report)
    reviewers = {report.pk: reports.reviewer_of(request.user, scope, report)}
    return Response(GovernmentReportDetailOutput(report, context={"reviewers": reviewers}).data)


LAST_MONTH_HELP = f"{PERIOD_HELP} Left out: the last month that has ended."


class ReportListQuery(serializers.Serializer):
    period = PeriodField(required=False, help_text=LAST_MONTH_HELP)
    level = serializers.ChoiceField(choices=ReportLevel.choices, required=False)
    state = serializers.ChoiceField(choices=ReportState.choices, required=False)
    regency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Regency.objects.all(),
        required=False,
        help_text="a kabupaten/kota code, 74.71",
    )
    province = serializers.SlugRelatedField(
        slug_field="code", queryset=Province.objects.all(), required=False, help_text="74"
    )


class ReportListApi(ListAPIView):
    """The reports of one period in the caller's area (all levels below and at their
    own), with what the caller may do with each."""

    permission_classes = [ActionPermission]
    required_action = Action.GOV_DASHBOARD_VIEW
    serializer_class = GovernmentReportRowOutput
    pagination_class = CappedPageNumberPagination
    query_serializer = ReportListQuery

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no user
            return Report.objects.none()
        query = ReportListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        values = dict(query.validated_data)
        period = values.pop("period", None) or last_ended_month()
        self.scope, seen = _scoped(self.request)
        return seen.filter(period_type=period.type, period_start=period.start, **values).order_by(
            "level", "province_id", "regency_id", "lpa__name", "pk"
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.reviewers = reports.reviewers_of(self.request.user, self.scope, list(page or []))
        return page

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "reviewers": getattr(self, "reviewers", {})}


class ReportDetailApi(APIView):
    """A report of the caller's area (`?file=pdf|xlsx` for the file); a tier's draft
    shows the sums of what is accepted below it."""

    permission_classes = [ActionPermission]
    required_action = Action.GOV_DASHBOARD_VIEW
    query_serializer = ReportFileQuery

    @extend_schema(responses=with_files(GovernmentReportDetailOutput))
    def get(self, request, pk: int):
        kind = query_input(self).get("file")
        scope, report = _scoped_report(request, pk)
        if kind:
            return report_file_response(reports.tier_refresh(report), None, kind)
        return _government_detail(request, scope, report)


class ReportVersionApi(APIView):
    permission_classes = [ActionPermission]
    required_action = Action.GOV_DASHBOARD_VIEW
    query_serializer = ReportFileQuery

    @extend_schema(responses=with_files(ReportVersionOutput))
    def get(self, request, pk: int, number: int):
        kind = query_input(self).get("file")  # a bad parameter is refused before the lookup
        _scope, report = _scoped_report(request, pk)
        return _version_answer(report, number, kind)


class ReportReviewInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "return"])
    comment = serializers.CharField(
        max_length=reports.COMMENT_LIMIT,
        required=False,
        allow_blank=True,
        default="",
        help_text="required to return: what must be corrected",
    )


class ReportReviewApi(APIView):
    """The tier above accepts a submitted report or returns it with a comment."""

    permission_classes = [ActionPermission]
    required_action = Action.GOV_REPORT_APPROVE

    @extend_schema(request=ReportReviewInput, responses=GovernmentReportDetailOutput)
    def post(self, request, pk: int):
        data = ReportReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        scope, report = _scoped_report(request, pk)
        report = reports.report_review(
            report=report, user=request.user, scope=scope, **data.validated_data
        )
        return _government_detail(request, scope, report)


class ReportReopenInput(serializers.Serializer):
    reason = serializers.CharField(max_length=reports.COMMENT_LIMIT)


class ReportReopenApi(APIView):
    """The reviewing tier opens again an accepted report (it goes back as returned) or
    an LPA's expired draft (for seven more days)."""

    permission_classes = [ActionPermission]
    required_action = Action.GOV_REPORT_APPROVE

    @extend_schema(request=ReportReopenInput, responses=GovernmentReportDetailOutput)
    def post(self, request, pk: int):
        data = ReportReopenInput(data=request.data)
        data.is_valid(raise_exception=True)
        scope, report = _scoped_report(request, pk)
        report = reports.report_reopen(
            report=report, user=request.user, scope=scope, reason=data.validated_data["reason"]
        )
        return _government_detail(request, scope, report)


class TierReportSubmitInput(ReportSubmitInput):
    narrative = serializers.CharField(
        max_length=reports.TEXT_LIMIT, allow_blank=True, help_text="problems met (kendala)"
    )
    planned_actions = serializers.CharField(max_length=reports.TEXT_LIMIT, allow_blank=True)


class ReportSubmitApi(APIView):
    """A kabupaten/kota or province submits its consolidated report: the sums of the
    accepted reports below it, once all are accepted or its due day has passed."""

    permission_classes = [ActionPermission]
    required_action = Action.GOV_REPORT_APPROVE

    @extend_schema(request=TierReportSubmitInput, responses=GovernmentReportDetailOutput)
    def post(self, request, pk: int):
        data = TierReportSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        scope, report = _scoped_report(request, pk)
        reports.tier_report_submit(
            report=report, user=request.user, scope=scope, **data.validated_data
        )
        return _government_detail(request, scope, report)


class CompletenessQuery(serializers.Serializer):
    period = PeriodField(required=False, help_text=LAST_MONTH_HELP)
    level = serializers.ChoiceField(
        choices=ReportLevel.choices,
        default=ReportLevel.LPA,
        help_text="whose reports: LPAs' (per kabupaten/kota), kabupaten/kota's (per "
        "province) or provinces' (the country)",
    )


class ReportCompletenessApi(APIView):
    """Completeness and timeliness of one period's reports of one level in the caller's
    area, per area: expected (the reports owed when the period ended), received, on
    time, accepted, and which are late or missing."""

    permission_classes = [ActionPermission]
    required_action = Action.GOV_DASHBOARD_VIEW
    query_serializer = CompletenessQuery

    @extend_schema(responses=CompletenessOutput)
    def get(self, request):
        query = query_input(self)
        period = query.get("period") or last_ended_month()
        _scope, seen = _scoped(request)
        rows = reports.completeness(period=period, level=query["level"], reports=seen)
        return Response(
            CompletenessOutput(
                {
                    "period": period.code,
                    "period_label": period.label,
                    "level": query["level"],
                    "rows": rows,
                }
            ).data
        )


class ReportScheduleListApi(ListAPIView):
    """When each period type's reports are due, tier by tier."""

    permission_classes = [ActionPermission]
    required_action = Action.GOV_DASHBOARD_VIEW
    serializer_class = ReportScheduleOutput
    pagination_class = None

    def get_queryset(self):
        if not getattr(self, "swagger_fake_view", False):
            for period_type in PeriodType.values:
                reports.schedule_of(period_type)  # the shipped defaults, once
        shortest_first = Case(
            *[When(period_type=t, then=n) for n, t in enumerate(PeriodType.values)]
        )
        return ReportSchedule.objects.select_related("edited_by").order_by(shortest_first)


class ReportScheduleInput(serializers.Serializer):
    lpa_due_days = serializers.IntegerField(min_value=0, max_value=365)
    regency_due_days = serializers.IntegerField(min_value=0, max_value=365)
    province_due_days = serializers.IntegerField(min_value=0, max_value=365)
    expiry_days = serializers.IntegerField(
        min_value=0, max_value=365, help_text="0: the LPA's report never locks"
    )


class ReportScheduleApi(APIView):
    """The ministry sets a period type's due days (they must not decrease up the tiers)."""

    permission_classes = [ActionPermission]
    required_action = Action.GOV_SCHEDULE_MANAGE

    @extend_schema(request=ReportScheduleInput, responses=ReportScheduleOutput)
    def put(self, request, period_type: str):
        data = ReportScheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        if period_type not in PeriodType.values:
            raise Http404
        schedule = reports.schedule_update(
            period_type=period_type, actor=request.user, **data.validated_data
        )
        return Response(ReportScheduleOutput(schedule).data)
