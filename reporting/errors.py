from django.utils.translation import gettext_lazy as _
from rest_framework import status

from askesos.errors import DomainError


class ReportError(DomainError):
    messages = {
        "period_type_unknown": _(
            "Unknown period type %(value)s: month, quarter, semester or year."
        ),
        "period_invalid": _(
            "%(value)s is not a period: write 2026-10 (a month), 2026-T3 (a quarter), "
            "2026-S2 (a semester) or 2026 (a year)."
        ),
        "period_out_of_range": _("%(value)s is outside the programme's years."),
        "period_not_ended": _(
            "The period %(period)s has not ended yet: it can be reported from %(day)s."
        ),
        "lpa_not_active": _(
            "LPA %(lpa)s is %(status)s: it has no report to submit for this period."
        ),
        "already_submitted": _(
            "This report was already submitted (version %(version)s) and waits for review."
        ),
        "already_accepted": _("This report was accepted on %(day)s; it can no longer change."),
        "expired": _(
            "The report for %(period)s is locked since %(day)s. Ask the Dinas Sosial "
            "kabupaten/kota to reopen it."
        ),
        "reason_required": _("Say why this version corrects the one submitted before."),
        "comment_required": _("Write what must be corrected before returning the report."),
        "text_too_long": _("At most %(limit)s characters."),
        "not_submitted": _("There is no submitted version to review: the report is %(state)s."),
        "wrong_tier": _(
            "A %(level)s report is reviewed by the %(tier)s; your office acts on another tier."
        ),
        "outside_area": _("This report is from outside your area."),
        "submit_lpa_report": _("An LPA's report is submitted by its Ketua, at the LPA's address."),
        "submit_wrong_tier": _(
            "A %(level)s report is submitted by the %(tier)s; your office acts on another tier."
        ),
        "locked_above": _(
            "The %(tier)s has already submitted its report for %(period)s, which includes "
            "this one; it must be returned there first."
        ),
        "children_pending": _(
            "%(pending)s of %(expected)s reports below are not accepted yet and the due day "
            "(%(day)s) has not passed: accept or return them first."
        ),
        "nothing_to_reopen": _("Only an expired or accepted report can be reopened."),
        "decision_invalid": _("Choose accept or return."),
        "report_unknown": _("No such report."),
        "no_report": _("There is no report for %(period)s: it is made when the period ends."),
        "schedule_invalid": _(
            "The due days must not decrease up the tiers (LPA, kabupaten/kota, province), "
            "and the lock must come on or after the LPA's due day (or 0: never)."
        ),
        "schedule_range": _("Days are whole numbers from 0 to 365."),
        "period_future": _("%(value)s has not begun yet: choose this month or an earlier one."),
        "scheme_unknown": _("Unknown scheme: %(value)s."),
        "channel_unknown": _("Unknown channel %(value)s: apbn or dekonsentrasi."),
        "area_not_found": _("No such area in your scope."),
        "area_invalid": _(
            "%(value)s is not an area: write nation, province:74, regency:74.71 or lpa:<slug>."
        ),
        "area_unknown": _("No such province or kabupaten/kota: %(value)s."),
        "sort_unknown": _("Unknown order %(value)s."),
        "page_invalid": _("%(value)s is not a page number."),
        "filter_unknown": _("Unknown parameter %(value)s."),
        "months_invalid": _("Months are a whole number from 12 to 36."),
        "metric_unknown": _(
            "Unknown figure %(value)s: participants, lpas, premiums, collection, claims or reserve."
        ),
        "export_kind_unknown": _("Unknown export %(value)s: tables or persons."),
        "export_level": _("An export covers the nation, a province or a kabupaten/kota."),
    }


class ReportConflict(ReportError):
    http_status = status.HTTP_409_CONFLICT


class AreaNotFound(ReportError):
    """An area that does not exist and one outside the user's scope answer alike."""

    http_status = status.HTTP_404_NOT_FOUND
