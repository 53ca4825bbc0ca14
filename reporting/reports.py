"""The tiered reporting schedule: each LPA's period reports, their review by the
kabupaten/kota, and the tiers' consolidated reports up to the ministry
(docs/subsystems/reports.md).

- A report is owed by every active LPA for every period that ends (the daily job
  `reports` makes it the day after, with the figures computed from the LPA's books);
  that row is the obligation completeness counts, so closing an LPA later never
  rewrites a past period's denominator.
- The Ketua submits: the draft is frozen as a version (PostgreSQL refuses any change
  to a version). A returned report is corrected and submitted again as the next
  version, with a reason; every version stays readable.
- The tier above reviews: the kabupaten/kota the LPA reports, the province the
  kabupaten/kota reports, the ministry the provinces'. Accept, or return with a
  comment. The province and the ministry read every report below them from its first
  submission (tembusan) but act only on their own tier.
- A tier submits its consolidated report (the sums of the accepted reports below it
  and its own narrative) once all of them are accepted, or once its due day has
  passed. A submitted or accepted report above locks the reports it adds up: they can
  no longer be accepted, returned or reopened until it is returned.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from askesos.dates import format_date, today
from reporting.errors import ReportConflict, ReportError
from reporting.figures import figures_add, figures_combine, month_figures, scheme_rules
from reporting.models import (
    Report,
    ReportEvent,
    ReportLevel,
    ReportSchedule,
    ReportState,
    ReportVersion,
)
from reporting.periods import Period, PeriodType, period_months
from tenants.models import Lpa, LpaStatus

logger = logging.getLogger(__name__)

SCHEDULE_FILE = Path(__file__).parent / "data" / "schedule.json"
TEXT_LIMIT = 4000
COMMENT_LIMIT = 1000
REASON_LIMIT = 500
REOPEN_DAYS = 7  # how long a report the district reopened stays open

# Who reviews a report of each level, and the level above it.
REVIEWER = {
    ReportLevel.LPA: "regency",
    ReportLevel.REGENCY: "province",
    ReportLevel.PROVINCE: "ministry",
}
PARENT = {ReportLevel.LPA: ReportLevel.REGENCY, ReportLevel.REGENCY: ReportLevel.PROVINCE}
CHILD = {ReportLevel.REGENCY: ReportLevel.LPA, ReportLevel.PROVINCE: ReportLevel.REGENCY}
LOCKING = (ReportState.SUBMITTED, ReportState.ACCEPTED)


# --- the schedule ------------------------------------------------------------------------


def schedules_load_shipped() -> int:
    """Write the shipped schedule for each period type not edited by the ministry."""
    written = 0
    for row in json.loads(SCHEDULE_FILE.read_text())["schedules"]:
        values = {
            k: row[k]
            for k in ("lpa_due_days", "regency_due_days", "province_due_days", "expiry_days")
        }
        schedule, created = ReportSchedule.objects.get_or_create(
            period_type=row["period_type"], defaults=values
        )
        if not created and schedule.edited_at is None:
            ReportSchedule.objects.filter(pk=schedule.pk).update(**values)
        written += 1
    return written


def schedule_of(period_type: str) -> ReportSchedule:
    schedule = ReportSchedule.objects.filter(period_type=period_type).first()
    if schedule is None:
        schedules_load_shipped()
        schedule = ReportSchedule.objects.get(period_type=period_type)
    return schedule


def schedule_update(*, period_type: str, actor: Any, **days: Any) -> ReportSchedule:
    """The ministry's edit of one period type's days (checked here and by CHECKs)."""
    if period_type not in PeriodType.values:
        raise ReportError("period_type_unknown", field="period_type", value=period_type)
    values = {}
    for name in ("lpa_due_days", "regency_due_days", "province_due_days", "expiry_days"):
        try:
            value = int(str(days.get(name, "")).strip())
        except ValueError:
            raise ReportError("schedule_range", field=name) from None
        if not 0 <= value <= 365:
            raise ReportError("schedule_range", field=name)
        values[name] = value
    if not (
        values["lpa_due_days"] <= values["regency_due_days"] <= values["province_due_days"]
        and (values["expiry_days"] == 0 or values["expiry_days"] >= values["lpa_due_days"])
    ):
        raise ReportError("schedule_invalid", field="regency_due_days")
    schedule = schedule_of(period_type)
    for name, value in values.items():
        setattr(schedule, name, value)
    schedule.edited_by, schedule.edited_at = actor, timezone.now()
    schedule.save()
    return schedule


def _due(schedule: ReportSchedule, level: str, period: Period) -> datetime.date:
    days = {
        ReportLevel.LPA: schedule.lpa_due_days,
        ReportLevel.REGENCY: schedule.regency_due_days,
        ReportLevel.PROVINCE: schedule.province_due_days,
    }[level]
    return period.end + datetime.timedelta(days=days)


def report_period(report: Report) -> Period:
    return Period(report.period_type, report.period_start)


# --- generating the LPA's report ---------------------------------------------------------


def _tier_report(
    level: str, *, regency: Any, province_id: str, period: Period, schedule: ReportSchedule
) -> Report:
    area = {"regency": regency} if level == ReportLevel.REGENCY else {}
    lookup = {
        "level": level,
        "province_id": province_id,
        "period_type": period.type,
        "period_start": period.start,
        **area,
    }
    report = Report.objects.filter(**lookup).first()
    if report is not None:
        return report
    try:
        with transaction.atomic():
            return Report.objects.create(
                **lookup, period_end=period.end, due_on=_due(schedule, level, period)
            )
    except IntegrityError:  # made by another LPA's job at the same moment
        return Report.objects.get(**lookup)


class MonthCache(dict):
    """Month figures computed once per job run (a December end builds the month, the
    quarter, the semester and the year from the same twelve months)."""

    def figures(self, period: Period, schemes: dict[int, dict]) -> dict[str, int]:
        months = []
        for month in period_months(period):
            if month.start not in self:
                self[month.start] = month_figures(month, schemes=schemes)
            months.append(self[month.start])
        return figures_combine(months)


def lpa_report_generate(
    *,
    lpa: Lpa,
    period: Period,
    actor: Any = None,
    cache: MonthCache | None = None,
    schemes: dict[int, dict] | None = None,
) -> Report:
    """Compute the LPA's report for `period` inside its schema and keep it as the draft.
    Safe to run any number of times: one report per LPA and period; a submitted or
    accepted report is left as it is (its version is what counts)."""
    if not period.has_ended(today()):
        raise ReportError(
            "period_not_ended",
            field="period",
            period=period.label,
            day=format_date(period.end + datetime.timedelta(days=1)),
        )
    if lpa.status != LpaStatus.ACTIVE:
        raise ReportError("lpa_not_active", lpa=lpa.name, status=lpa.get_status_display())
    cache = MonthCache() if cache is None else cache
    figures = cache.figures(period, scheme_rules() if schemes is None else schemes)
    regency = lpa.regency
    schedule = schedule_of(period.type)
    for level, area in ((ReportLevel.REGENCY, regency), (ReportLevel.PROVINCE, None)):
        _tier_report(
            level, regency=area, province_id=regency.province_id, period=period, schedule=schedule
        )
    expiry = period.end + datetime.timedelta(days=schedule.expiry_days)
    with transaction.atomic():
        report, created = Report.objects.select_for_update().get_or_create(
            level=ReportLevel.LPA,
            lpa=lpa,
            period_type=period.type,
            period_start=period.start,
            defaults={
                "regency": regency,
                "province_id": regency.province_id,
                "period_end": period.end,
                "due_on": _due(schedule, ReportLevel.LPA, period),
                "expires_on": expiry if schedule.expiry_days else None,
                "figures": figures,
                "computed_at": timezone.now(),
            },
        )
        if created:
            ReportEvent.objects.create(
                report=report, action=ReportEvent.Action.GENERATED, actor=_person(actor)
            )
        elif (
            report.state in (ReportState.DRAFT, ReportState.RETURNED) and report.figures != figures
        ):
            report.figures, report.computed_at = figures, timezone.now()
            report.save(update_fields=["figures", "computed_at"])
    return report


def lpa_reports_due(
    *, lpa: Lpa, on: datetime.date, cache: MonthCache | None = None
) -> list[Report]:
    """The daily job's work for one LPA: the reports of the periods that ended the day
    before `on` (a month; at their ends a quarter, a semester, a year)."""
    from reporting.periods import periods_ending_on

    cache = MonthCache() if cache is None else cache
    schemes = scheme_rules()
    return [
        lpa_report_generate(lpa=lpa, period=period, cache=cache, schemes=schemes)
        for period in periods_ending_on(on - datetime.timedelta(days=1))
    ]


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# --- the LPA's and the tiers' actions ----------------------------------------------------


def _text(value: Any, *, field: str, limit: int = TEXT_LIMIT) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise ReportError("text_too_long", field=field, limit=limit)
    return text


def _refused(report: Report, error: ReportError, actor: Any) -> ReportError:
    logger.warning(
        "report %s refused for user %s: %s", report.pk, getattr(actor, "pk", None), error.code
    )
    return error


def _editable(report: Report, *, on: datetime.date, actor: Any) -> None:
    """An LPA's draft or returned report that has not expired (or was reopened)."""
    if report.state == ReportState.SUBMITTED:
        raise _refused(report, ReportConflict("already_submitted", version=report.versions), actor)
    if report.state == ReportState.ACCEPTED:
        raise _refused(
            report,
            ReportConflict(
                "already_accepted", day=format_date(timezone.localdate(report.reviewed_at))
            ),
            actor,
        )
    if report.level != ReportLevel.LPA or report.state == ReportState.RETURNED:
        return
    if report.expires_on is not None and on > report.expires_on:
        if report.reopened_until is None or on > report.reopened_until:
            raise _refused(
                report,
                ReportConflict(
                    "expired",
                    period=report_period(report).label,
                    day=format_date(report.expires_on),
                ),
                actor,
            )


def report_save(*, report: Report, actor: Any, narrative: Any, planned_actions: Any) -> Report:
    """Keep the narrative (kendala) and the planned actions of a draft."""
    narrative = _text(narrative, field="narrative")
    planned = _text(planned_actions, field="planned_actions")
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _editable(report, on=today(), actor=actor)
        report.narrative, report.planned_actions = narrative, planned
        report.save(update_fields=["narrative", "planned_actions"])
        ReportEvent.objects.create(report=report, action=ReportEvent.Action.SAVED, actor=actor)
    return report


def children_of(report: Report) -> QuerySet[Report]:
    """The reports a tier's report adds up: its LPAs' (kabupaten/kota) or its
    kabupaten/kota's (province)."""
    level = CHILD.get(report.level)
    if level is None:
        return Report.objects.none()
    children = Report.objects.filter(
        level=level, period_type=report.period_type, period_start=report.period_start
    )
    if report.level == ReportLevel.REGENCY:
        return children.filter(regency_id=report.regency_id)
    return children.filter(province_id=report.province_id)


def parent_of(report: Report, *, lock: bool = False) -> Report | None:
    """The report above that adds this one up. `lock` (inside a transaction): held
    until the end of it, so that a review below and the submission above never cross
    (the submission locks its own row, then reads what is accepted below)."""
    level = PARENT.get(report.level)
    if level is None:
        return None
    parents = Report.objects.filter(
        level=level,
        period_type=report.period_type,
        period_start=report.period_start,
        province_id=report.province_id,
    )
    if level == ReportLevel.REGENCY:
        parents = parents.filter(regency_id=report.regency_id)
    if lock:
        parents = parents.select_for_update()
    return parents.first()


def tier_figures(report: Report) -> tuple[dict[str, int], dict[str, int], int]:
    """(figures, sources, how many below) of a tier's report from the latest version
    of each accepted report below it."""
    children = list(children_of(report).values("pk", "state", "versions"))
    accepted = {c["pk"]: c["versions"] for c in children if c["state"] == ReportState.ACCEPTED}
    versions = (
        ReportVersion.objects.filter(
            Q(*[Q(report_id=pk, number=n) for pk, n in accepted.items()], _connector=Q.OR)
        )
        if accepted
        else ReportVersion.objects.none()
    )
    figures = figures_add(v.figures for v in versions)
    return figures, {str(pk): n for pk, n in sorted(accepted.items())}, len(children)


def tier_refresh(report: Report) -> Report:
    """Recompute a tier's draft from what is accepted below it (the page shows it)."""
    if report.level == ReportLevel.LPA or report.state in LOCKING:
        return report
    figures, _sources, _count = tier_figures(report)
    if figures != report.figures:
        report.figures, report.computed_at = figures, timezone.now()
        report.save(update_fields=["figures", "computed_at"])
    return report


def report_submit(
    *,
    report: Report,
    actor: Any,
    narrative: Any = None,
    planned_actions: Any = None,
    reason: Any = "",
    on: datetime.date | None = None,
) -> ReportVersion:
    """Freeze the draft as the next version and send it to the tier above."""
    on = on or today()
    reason = _text(reason, field="reason", limit=REASON_LIMIT)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        period = report_period(report)
        if not period.has_ended(on):
            raise _refused(
                report,
                ReportError(
                    "period_not_ended",
                    field="period",
                    period=period.label,
                    day=format_date(period.end + datetime.timedelta(days=1)),
                ),
                actor,
            )
        if report.level == ReportLevel.LPA:
            lpa = Lpa.objects.get(pk=report.lpa_id)
            if lpa.status != LpaStatus.ACTIVE:
                raise _refused(
                    report,
                    ReportError("lpa_not_active", lpa=lpa.name, status=lpa.get_status_display()),
                    actor,
                )
        _editable(report, on=on, actor=actor)
        if report.versions and not reason:
            raise _refused(report, ReportError("reason_required", field="reason"), actor)
        if narrative is not None:
            report.narrative = _text(narrative, field="narrative")
        if planned_actions is not None:
            report.planned_actions = _text(planned_actions, field="planned_actions")
        sources: dict[str, int] = {}
        if report.level != ReportLevel.LPA:
            figures, sources, expected = tier_figures(report)
            pending = expected - len(sources)
            if pending and on <= report.due_on:
                raise _refused(
                    report,
                    ReportConflict(
                        "children_pending",
                        pending=pending,
                        expected=expected,
                        day=format_date(report.due_on),
                    ),
                    actor,
                )
            report.figures, report.computed_at = figures, timezone.now()
        now = timezone.now()
        version = ReportVersion.objects.create(
            report=report,
            number=report.versions + 1,
            figures=report.figures,
            narrative=report.narrative,
            planned_actions=report.planned_actions,
            reason=reason if report.versions else "",
            sources=sources,
            computed_at=report.computed_at or now,
            submitted_by=actor,
            submitted_at=now,
        )
        report.versions = version.number
        report.state = ReportState.SUBMITTED
        report.first_submitted_at = report.first_submitted_at or now
        report.last_submitted_at = now
        report.save()
        ReportEvent.objects.create(
            report=report,
            action=ReportEvent.Action.SUBMITTED,
            version=version.number,
            actor=actor,
            comment=reason,
        )
    return version


@dataclass(frozen=True)
class Reviewer:
    """What a government user may do with a report (computed server-side, as DHIS2's
    mayApprove / mayUnapprove)."""

    may_review: bool  # accept or return a submitted report
    may_reopen: bool  # return an accepted one, or reopen an expired draft
    may_submit: bool  # the tier's own consolidated report
    locked: bool  # a report above that adds this one up is submitted or accepted


def _scope_area_has(scope: Any, report: Report) -> bool:
    if scope.level == "ministry":
        return True
    if scope.level == "province":
        return report.province_id == scope.province_id
    return report.regency_id == scope.regency_id and report.regency_id is not None


def report_visible(scope: Any, report: Report) -> bool:
    return scope is not None and _scope_area_has(scope, report)


def reports_for_scope(scope: Any) -> QuerySet[Report]:
    """Every report a government user reads: all below and at their own tier."""
    reports = Report.objects.select_related("lpa", "regency", "province")
    if scope.level == "province":
        return reports.filter(province_id=scope.province_id)
    if scope.level == "regency":
        return reports.filter(regency_id=scope.regency_id)
    return reports


def reviewer_of(user: Any, scope: Any, report: Report) -> Reviewer:
    from askesos.permissions import Action, may

    acts = scope is not None and may(user, Action.GOV_REPORT_APPROVE)
    return _reviewer(scope, report, acts=acts, parent=parent_of(report))


def reviewers_of(user: Any, scope: Any, reports: list[Report]) -> dict[int, Reviewer]:
    """reviewer_of for a page of reports: the permission asked once, the reports above
    them read in one query."""
    from askesos.permissions import Action, may

    acts = scope is not None and may(user, Action.GOV_REPORT_APPROVE)
    wanted = [
        Q(level=PARENT[r.level], period_type=r.period_type, period_start=r.period_start)
        & (
            Q(regency_id=r.regency_id)
            if r.level == ReportLevel.LPA
            else Q(province_id=r.province_id)
        )
        for r in reports
        if r.level in PARENT
    ]
    above: dict[tuple, Report] = {}
    if wanted:
        for report in Report.objects.filter(Q(*wanted, _connector=Q.OR)):
            area = report.regency_id if report.level == ReportLevel.REGENCY else report.province_id
            above[(report.level, area, report.period_type, report.period_start)] = report

    def parent_in_page(report: Report) -> Report | None:
        if report.level not in PARENT:
            return None
        area = report.regency_id if report.level == ReportLevel.LPA else report.province_id
        return above.get((PARENT[report.level], area, report.period_type, report.period_start))

    return {r.pk: _reviewer(scope, r, acts=acts, parent=parent_in_page(r)) for r in reports}


def _reviewer(scope: Any, report: Report, *, acts: bool, parent: Report | None) -> Reviewer:
    in_area = scope is not None and _scope_area_has(scope, report)
    locked = parent is not None and parent.state in LOCKING
    reviews = acts and in_area and REVIEWER[report.level] == scope.level
    owns = (
        acts
        and in_area
        and (
            (report.level == ReportLevel.REGENCY and scope.level == "regency")
            or (report.level == ReportLevel.PROVINCE and scope.level == "province")
        )
    )
    expired = (
        report.level == ReportLevel.LPA
        and report.state == ReportState.DRAFT
        and report.expires_on is not None
        and today() > report.expires_on
    )
    return Reviewer(
        may_review=reviews and not locked and report.state == ReportState.SUBMITTED,
        may_reopen=reviews and not locked and (report.state == ReportState.ACCEPTED or expired),
        may_submit=owns and report.state in (ReportState.DRAFT, ReportState.RETURNED),
        locked=locked,
    )


def _review_check(*, report: Report, user: Any, scope: Any) -> None:
    from askesos.permissions import Action, ensure

    ensure(user, Action.GOV_REPORT_APPROVE)
    if not _scope_area_has(scope, report):
        raise _refused(report, ReportError("outside_area"), user)
    tier = REVIEWER[report.level]
    if scope.level != tier:
        raise _refused(
            report,
            ReportError("wrong_tier", level=ReportLevel(report.level).label, tier=_tier_name(tier)),
            user,
        )
    parent = parent_of(report, lock=True)
    if parent is not None and parent.state in LOCKING:
        raise _refused(
            report,
            ReportConflict(
                "locked_above", tier=_tier_name(parent.level), period=report_period(report).label
            ),
            user,
        )


def _tier_name(level: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "regency": _("Dinas Sosial of the kabupaten/kota"),
        "province": _("Dinas Sosial of the province"),
        "ministry": _("ministry"),
    }[level]


def report_review(
    *, report: Report, user: Any, scope: Any, decision: str, comment: Any = ""
) -> Report:
    """Accept a submitted report, or return it with a comment."""
    if decision not in ("accept", "return"):
        raise ReportError("decision_invalid", field="decision")
    comment = _text(comment, field="comment", limit=COMMENT_LIMIT)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _review_check(report=report, user=user, scope=scope)
        if report.state != ReportState.SUBMITTED:
            raise _refused(
                report, ReportConflict("not_submitted", state=ReportState(report.state).label), user
            )
        if decision == "return" and not comment:
            raise _refused(report, ReportError("comment_required", field="comment"), user)
        report.state = ReportState.ACCEPTED if decision == "accept" else ReportState.RETURNED
        report.reviewed_at, report.reviewed_by, report.review_comment = (
            timezone.now(),
            user,
            comment,
        )
        report.save(update_fields=["state", "reviewed_at", "reviewed_by", "review_comment"])
        action = (
            ReportEvent.Action.ACCEPTED if decision == "accept" else ReportEvent.Action.RETURNED
        )
        ReportEvent.objects.create(
            report=report, action=action, version=report.versions, actor=user, comment=comment
        )
    if decision == "return":
        from reporting.notices import notice_returned

        notice_returned(report)
    return report


def report_reopen(*, report: Report, user: Any, scope: Any, reason: Any) -> Report:
    """Open again what the reviewing tier closed: an accepted report goes back to its
    sender as returned (the reason is the comment); an LPA's expired draft may be
    submitted for REOPEN_DAYS more days."""
    reason = _text(reason, field="reason", limit=COMMENT_LIMIT)
    if not reason:
        raise ReportError("comment_required", field="reason")
    on = today()
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _review_check(report=report, user=user, scope=scope)
        if report.state == ReportState.ACCEPTED:
            report.state, report.review_comment = ReportState.RETURNED, reason
            report.reviewed_at, report.reviewed_by = timezone.now(), user
        elif (
            report.level == ReportLevel.LPA
            and report.state == ReportState.DRAFT
            and report.expires_on is not None
            and on > report.expires_on
        ):
            report.reopened_until = on + datetime.timedelta(days=REOPEN_DAYS)
        else:
            raise _refused(report, ReportConflict("nothing_to_reopen"), user)
        report.save()
        ReportEvent.objects.create(
            report=report,
            action=ReportEvent.Action.REOPENED,
            version=report.versions or None,
            actor=user,
            comment=reason,
        )
    return report


def tier_report_submit(
    *,
    report: Report,
    user: Any,
    scope: Any,
    narrative: Any = None,
    planned_actions: Any = None,
    reason: Any = "",
) -> ReportVersion:
    """A Dinas Sosial officer submits their own tier's consolidated report (the
    kabupaten/kota's, the province's); an LPA's report is its Ketua's to submit."""
    from askesos.permissions import Action, ensure

    ensure(user, Action.GOV_REPORT_APPROVE)
    if scope is None or not _scope_area_has(scope, report):
        raise _refused(report, ReportError("outside_area"), user)
    if report.level == ReportLevel.LPA:
        raise _refused(report, ReportError("submit_lpa_report"), user)
    if report.level != scope.level:
        raise _refused(
            report,
            ReportError(
                "submit_wrong_tier",
                level=ReportLevel(report.level).label,
                tier=_tier_name(report.level),
            ),
            user,
        )
    return report_submit(
        report=report,
        actor=user,
        narrative=narrative,
        planned_actions=planned_actions,
        reason=reason,
    )


# --- completeness and timeliness -----------------------------------------------------------


@dataclass
class CompletenessRow:
    """One area's reports of one level for one period (DHIS2's completeness report,
    with expected = the obligations made when the period ended)."""

    area: Any  # the regency, the province, or None for the country
    expected: int = 0
    received: int = 0
    on_time: int = 0
    accepted: int = 0
    late: list[Report] | None = None  # received after the due day
    missing: list[Report] | None = None  # not received

    @property
    def received_percent(self) -> float | None:
        return round(self.received * 100 / self.expected, 1) if self.expected else None

    @property
    def on_time_percent(self) -> float | None:
        return round(self.on_time * 100 / self.expected, 1) if self.expected else None


def on_time(report: Report) -> bool:
    """On time = first submitted by the due day (a resubmission never makes it late)."""
    return (
        report.first_submitted_at is not None
        and timezone.localdate(report.first_submitted_at) <= report.due_on
    )


def completeness(*, period: Period, level: str, reports: QuerySet[Report]) -> list[CompletenessRow]:
    """Per area (kabupaten/kota for LPA reports, province for kabupaten/kota reports,
    the country for provinces'): expected, received, on time, accepted, late, missing."""
    rows: dict[Any, CompletenessRow] = {}
    selected = reports.filter(level=level, period_type=period.type, period_start=period.start)
    for report in selected.order_by("regency_id", "lpa__name", "pk"):
        area = (
            report.regency
            if level == ReportLevel.LPA
            else report.province
            if level == ReportLevel.REGENCY
            else None
        )
        row = rows.setdefault(getattr(area, "pk", None), CompletenessRow(area, late=[], missing=[]))
        row.expected += 1
        if report.first_submitted_at is None:
            row.missing.append(report)
            continue
        row.received += 1
        if on_time(report):
            row.on_time += 1
        else:
            row.late.append(report)
        if report.state == ReportState.ACCEPTED:
            row.accepted += 1
    return list(rows.values())
