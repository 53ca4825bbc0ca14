"""What the dashboard API answers (reporting/api_dashboard.py): the selectors' results of
reporting.dashboards and the public figures of reporting.transparency, each figure
documented once here."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reporting.api_output import PERIOD_HELP
from reporting.dashboards import COLUMNS, LEVELS, STOCKS
from reporting.models import ReportState
from reporting.rollup import CHANNEL_BITS

AREA_HELP = (
    "nation, province:<code> (74), regency:<code> (74.71) or lpa:<slug>. Left out: the "
    "caller's whole scope (the nation for the ministry, the province or kabupaten/kota "
    "of a Dinas Sosial)."
)
_COLUMN_HELP = {
    "lpas": "LPAs taking part: active, with at least one open policy",
    "participants_active": "participants whose policy is active (premiums being paid)",
    "participants_open": "participants with an open policy: registered or active",
    "premiums_due": "premiums due in the period, rupiah",
    "premiums_collected": "premiums received in the period, rupiah",
    "claims_paid": "claims paid in the period",
    "claims_paid_amount": "claims paid in the period, rupiah",
    "claims_overdue": "complete claims waiting past the service level",
    "reserve_closing": "claim reserve held, rupiah",
    "savings_owed": "premiums owed back to participants as savings, rupiah",
    "subsidy_in": "claim-reserve subsidy received in the period, rupiah",
}
assert set(_COLUMN_HELP) == set(COLUMNS), "every fact column is documented"


def _column_field(column: str) -> serializers.IntegerField:
    kind = "on the period's last day" if column in STOCKS else "summed over the period's months"
    return serializers.IntegerField(help_text=f"{_COLUMN_HELP[column]} ({kind})")


# One declared field per fact column, so that the schema names and explains each.
FactValuesOutput = type(
    "FactValuesOutput",
    (serializers.Serializer,),
    {"__module__": __name__, **{column: _column_field(column) for column in COLUMNS}},
)


@extend_schema_field({"type": "number", "nullable": True})
class NumberField(serializers.Field):
    """A count or rupiah (integer), a percent or a median (decimal), or null when it
    cannot be computed (a rate without anything due, a median without payments)."""

    def to_representation(self, value: Any) -> Any:
        return value


LEVEL_HELP = f"one of {', '.join(LEVELS)}"


class AreaOutput(serializers.Serializer):
    # Not an enum: its values would share a name with the reports' levels.
    level = serializers.CharField(help_text=LEVEL_HELP)
    code = serializers.CharField(help_text="a province or kabupaten/kota code, an LPA's slug")
    name = serializers.CharField()
    key = serializers.CharField(help_text="the area as ?area= takes it")


class FiltersOutput(serializers.Serializer):
    period = serializers.CharField(source="period.code", help_text=PERIOD_HELP)
    period_label = serializers.CharField(source="period.label")
    period_start = serializers.DateField(source="period.start")
    period_end = serializers.DateField(source="period.end")
    scheme = serializers.CharField(help_text="empty: every scheme")
    channel = serializers.CharField(help_text=f"empty: every channel; {', '.join(CHANNEL_BITS)}")


class HeadlineOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = NumberField()
    previous = NumberField(help_text="in the period before, of the same length")
    change = NumberField(help_text="value - previous (percentage points for a rate)")
    kind = serializers.ChoiceField(choices=["count", "money", "percent", "days"])


class SummaryOutput(serializers.Serializer):
    area = AreaOutput()
    filters = FiltersOutput()
    previous_period = serializers.CharField(help_text="the period the changes compare with")
    headlines = HeadlineOutput(many=True)
    values = FactValuesOutput()
    previous_values = FactValuesOutput(source="previous")


class TrendPointOutput(serializers.Serializer):
    month = serializers.CharField(source="month.code")
    label = serializers.CharField(source="month.label")
    values = FactValuesOutput()
    collection_rate = serializers.FloatField(allow_null=True, help_text="percent")


class TrendOutput(serializers.Serializer):
    area = AreaOutput()
    filters = FiltersOutput()
    months = serializers.IntegerField()
    points = TrendPointOutput(many=True, help_text="oldest first, to the period's last month")


class ChildOutput(serializers.Serializer):
    area = AreaOutput()
    values = FactValuesOutput()
    collection_rate = serializers.FloatField(allow_null=True, help_text="percent")


class ChildrenOutput(serializers.Serializer):
    area = AreaOutput()
    filters = FiltersOutput()
    level = serializers.CharField(
        allow_null=True, help_text=f"of the rows: {', '.join(LEVELS[1:])}; null below an LPA"
    )
    rows = ChildOutput(many=True, help_text="every area one level below, zeros included")


class LpaRowOutput(serializers.Serializer):
    lpa_id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    regency = serializers.CharField(help_text="kabupaten/kota code")
    regency_name = serializers.CharField()
    participants_active = serializers.IntegerField(help_text="on the period's last day")
    premiums_due = serializers.IntegerField()
    premiums_collected = serializers.IntegerField()
    collection_rate = serializers.FloatField(allow_null=True, help_text="percent")
    claims_paid = serializers.IntegerField()
    claims_days_median = serializers.FloatField(
        allow_null=True, help_text="working days to payment, the period's last month"
    )
    claims_overdue = serializers.IntegerField()
    reserve_closing = serializers.IntegerField()
    reconciliation = serializers.CharField(help_text="agrees, difference, no_statement or empty")
    report_state = serializers.ChoiceField(
        choices=["", *ReportState.values], help_text="the period's report; empty: none yet"
    )
    report_on_time = serializers.BooleanField(
        allow_null=True, help_text="first submitted by its due day; null: not submitted"
    )


class LpaTableOutput(serializers.Serializer):
    area = AreaOutput()
    filters = FiltersOutput()
    sort = serializers.CharField()
    desc = serializers.BooleanField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    count = serializers.IntegerField(help_text="LPAs in all, over every page")
    rows = LpaRowOutput(many=True)


class BreakdownsOutput(serializers.Serializer):
    area = AreaOutput()
    filters = FiltersOutput()
    sex = serializers.DictField(
        child=serializers.IntegerField(), help_text="open policies on the last day, by sex"
    )
    age = serializers.DictField(
        child=serializers.IntegerField(), help_text="open policies on the last day, by age band"
    )
    claims_paid = serializers.DictField(
        child=serializers.IntegerField(), help_text="claims paid in the period, by type"
    )
    claims_paid_amount = serializers.DictField(
        child=serializers.IntegerField(), help_text="rupiah paid in the period, by claim type"
    )


# --- the public figures --------------------------------------------------------------


class PublicFiguresOutput(serializers.Serializer):
    level = serializers.CharField(help_text=LEVEL_HELP)
    code = serializers.CharField(help_text="a province or kabupaten/kota code, an LPA's slug")
    name = serializers.CharField()
    lpas = serializers.IntegerField(help_text=_COLUMN_HELP["lpas"])
    participants = serializers.IntegerField(
        help_text="participants with an open policy (registered or active) on the last day"
    )
    premiums_collected = serializers.IntegerField(help_text=_COLUMN_HELP["premiums_collected"])
    claims_paid = serializers.IntegerField(help_text=_COLUMN_HELP["claims_paid"])
    claims_paid_amount = serializers.IntegerField(help_text=_COLUMN_HELP["claims_paid_amount"])


class PublicTransparencyOutput(serializers.Serializer):
    period = serializers.CharField(source="period.code", help_text=PERIOD_HELP)
    period_label = serializers.CharField(source="period.label")
    final = serializers.BooleanField(help_text="the period has ended: its figures are final")
    total = PublicFiguresOutput(
        help_text="the area asked for: the nation, a province or a kabupaten/kota"
    )
    rows = PublicFiguresOutput(many=True, help_text="every area one level below it")
