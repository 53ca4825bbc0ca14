"""What the reports API answers (reporting/api.py), the same on both sites: a report's
row, its detail with the working draft and history, a frozen version, the completeness
table, the schedule; and a report as a PDF or spreadsheet."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reporting import report_output, reports
from reporting.models import Report, ReportLevel, ReportSchedule, ReportState, ReportVersion
from reporting.periods import PeriodType
from reporting.report_output import report_issuer_name

PERIOD_HELP = "A period code: 2026-10 (a month), 2026-T3 (a quarter), 2026-S2 (a semester), 2026."


class ReportRowOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    level = serializers.ChoiceField(choices=ReportLevel.choices)
    period = serializers.SerializerMethodField(help_text=PERIOD_HELP)
    period_label = serializers.SerializerMethodField()
    period_type = serializers.ChoiceField(choices=PeriodType.choices)
    state = serializers.ChoiceField(choices=ReportState.choices)
    state_label = serializers.CharField(source="get_state_display")
    due_on = serializers.DateField()
    expires_on = serializers.DateField(allow_null=True, help_text="null: never locked")
    versions = serializers.IntegerField(help_text="how many versions were submitted")
    first_submitted_at = serializers.DateTimeField(allow_null=True)
    last_submitted_at = serializers.DateTimeField(allow_null=True)
    on_time = serializers.SerializerMethodField(help_text="first submitted by the due day")

    def get_period(self, report: Report) -> str:
        return reports.report_period(report).code

    def get_period_label(self, report: Report) -> str:
        return reports.report_period(report).label

    def get_on_time(self, report: Report) -> bool:
        return reports.on_time(report)


class ReportDerivedOutput(serializers.Serializer):
    collection_rate = serializers.FloatField(allow_null=True, help_text="percent")
    median_days = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="median working days to payment, per claim type",
    )
    median_days_all = serializers.FloatField(allow_null=True)


class ReportVersionListOutput(serializers.Serializer):
    number = serializers.IntegerField()
    reason = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    submitted_by = serializers.CharField(source="submitted_by.username")


class ReportEventOutput(serializers.Serializer):
    action = serializers.CharField()
    action_label = serializers.CharField(source="get_action_display")
    version = serializers.IntegerField(allow_null=True)
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    comment = serializers.CharField()
    at = serializers.DateTimeField()


FIGURES = serializers.DictField(
    child=serializers.IntegerField(),
    help_text='The stored figures by key ("participants.open", "premiums.collected", '
    '"claims.paid:sickness", ...): counts and whole rupiah.',
)


class ReportDetailOutput(ReportRowOutput):
    """The report with its working draft (figures, narrative) and its history."""

    figures = serializers.SerializerMethodField()
    derived = serializers.SerializerMethodField()
    computed_at = serializers.DateTimeField(allow_null=True)
    narrative = serializers.CharField(help_text="problems met (kendala)")
    planned_actions = serializers.CharField()
    review_comment = serializers.CharField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    reopened_until = serializers.DateField(allow_null=True)
    submitted_versions = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    @extend_schema_field(FIGURES)
    def get_figures(self, report: Report) -> dict:
        return report.figures

    @extend_schema_field(ReportDerivedOutput)
    def get_derived(self, report: Report) -> dict:
        return report_output.report_as_dict(report)["derived"]

    @extend_schema_field(ReportVersionListOutput(many=True))
    def get_submitted_versions(self, report: Report) -> list:
        versions = report.version_set.select_related("submitted_by").order_by("number")
        return ReportVersionListOutput(versions, many=True).data

    @extend_schema_field(ReportEventOutput(many=True))
    def get_events(self, report: Report) -> list:
        return ReportEventOutput(report.events.select_related("actor"), many=True).data


class ReportVersionOutput(serializers.Serializer):
    """A submitted version as it was submitted (never changed)."""

    report = serializers.IntegerField(source="report_id")
    period = serializers.SerializerMethodField(help_text=PERIOD_HELP)
    number = serializers.IntegerField()
    figures = serializers.SerializerMethodField()
    derived = serializers.SerializerMethodField()
    narrative = serializers.CharField()
    planned_actions = serializers.CharField()
    reason = serializers.CharField(help_text="why this version corrects the one before")
    sources = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="a tier's report: the versions it adds up, {report id: version number}",
    )
    computed_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField()
    submitted_by = serializers.CharField(source="submitted_by.username")

    def get_period(self, version: ReportVersion) -> str:
        return reports.report_period(version.report).code

    @extend_schema_field(FIGURES)
    def get_figures(self, version: ReportVersion) -> dict:
        return version.figures

    @extend_schema_field(ReportDerivedOutput)
    def get_derived(self, version: ReportVersion) -> dict:
        return report_output.report_as_dict(version.report, version)["derived"]


class ReportAreaOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ReportLpaOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class _GovernmentFields(serializers.Serializer):
    """Where a report is from, and what the caller may do with it."""

    lpa = ReportLpaOutput(allow_null=True)
    regency = ReportAreaOutput(allow_null=True)
    province = ReportAreaOutput()
    may_review = serializers.SerializerMethodField(help_text="accept or return it")
    may_reopen = serializers.SerializerMethodField(
        help_text="return it once accepted, or open an expired draft"
    )
    may_submit = serializers.SerializerMethodField(help_text="the caller's own tier's report")
    locked = serializers.SerializerMethodField(
        help_text="the report above, which adds this one up, is submitted or accepted"
    )

    def _reviewer(self, report: Report) -> reports.Reviewer:
        return self.context["reviewers"][report.pk]

    def get_may_review(self, report: Report) -> bool:
        return self._reviewer(report).may_review

    def get_may_reopen(self, report: Report) -> bool:
        return self._reviewer(report).may_reopen

    def get_may_submit(self, report: Report) -> bool:
        return self._reviewer(report).may_submit

    def get_locked(self, report: Report) -> bool:
        return self._reviewer(report).locked


class GovernmentReportRowOutput(ReportRowOutput, _GovernmentFields):
    pass


class ReportChildOutput(ReportRowOutput):
    name = serializers.SerializerMethodField()

    def get_name(self, report: Report) -> str:
        return report_issuer_name(report)


class GovernmentReportDetailOutput(ReportDetailOutput, _GovernmentFields):
    children = serializers.SerializerMethodField(
        help_text="a tier's report: the reports below it that it adds up"
    )

    @extend_schema_field(ReportChildOutput(many=True))
    def get_children(self, report: Report) -> list:
        below = reports.children_of(report).select_related("lpa", "regency", "province")
        return ReportChildOutput(below.order_by("regency_id", "lpa__name", "pk"), many=True).data


class ReportRefOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField()

    def get_name(self, report: Report) -> str:
        return report_issuer_name(report)


class CompletenessRowOutput(serializers.Serializer):
    area = ReportAreaOutput(allow_null=True, help_text="null: the country")
    expected = serializers.IntegerField()
    received = serializers.IntegerField()
    on_time = serializers.IntegerField()
    accepted = serializers.IntegerField()
    received_percent = serializers.FloatField(allow_null=True)
    on_time_percent = serializers.FloatField(allow_null=True)
    late = ReportRefOutput(many=True, help_text="received after the due day")
    missing = ReportRefOutput(many=True, help_text="not received")


class CompletenessOutput(serializers.Serializer):
    period = serializers.CharField()
    period_label = serializers.CharField()
    level = serializers.ChoiceField(choices=ReportLevel.choices)
    rows = CompletenessRowOutput(many=True)


class ReportScheduleOutput(serializers.Serializer):
    period_type = serializers.ChoiceField(choices=PeriodType.choices)
    period_type_label = serializers.SerializerMethodField()
    lpa_due_days = serializers.IntegerField(help_text="days after the period's last day")
    regency_due_days = serializers.IntegerField()
    province_due_days = serializers.IntegerField()
    expiry_days = serializers.IntegerField(help_text="the LPA's report locks; 0: never")
    edited_by = serializers.CharField(source="edited_by.username", allow_null=True, default=None)
    edited_at = serializers.DateTimeField(allow_null=True)

    def get_period_type_label(self, schedule: ReportSchedule) -> str:
        return str(PeriodType(schedule.period_type).label)
