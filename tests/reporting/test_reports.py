"""The tiered reporting schedule through its services: the whole chain from the LPA's
Ketua to the ministry with a return, a resubmission and a late LPA; the scope of each
tier; every refusal of the issue's "bad input" list; frozen versions that even SQL
cannot change; completeness and timeliness; notices."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from askesos.accounts.models import GovernmentScope
from askesos.permissions import AccessDenied
from reporting.errors import ReportError
from reporting.figures import figures_combine, month_figures
from reporting.models import (
    Report,
    ReportEvent,
    ReportLevel,
    ReportNotice,
    ReportSchedule,
    ReportState,
    ReportVersion,
)
from reporting.notices import district_reminders, lpa_reminders
from reporting.periods import Period, PeriodType, period_months, period_parse, periods_ending_on
from reporting.reports import (
    completeness,
    lpa_report_generate,
    lpa_reports_due,
    parent_of,
    report_reopen,
    report_review,
    report_save,
    report_submit,
    reports_for_scope,
    reviewer_of,
    schedule_update,
    schedules_load_shipped,
)
from tenants.models import LpaStatus
from tenants.services import lpa_provision
from tests.programme.claims_helpers import paying_policy

OCTOBER = Period(PeriodType.MONTH, datetime.date(2026, 10, 1))


def fresh(report):
    report.refresh_from_db()
    return report


def scope(user):
    return GovernmentScope.objects.select_related("province", "regency").get(user=user)


def generate(lpa, period=OCTOBER):
    connection.set_tenant(lpa)
    try:
        return lpa_report_generate(lpa=lpa, period=period)
    finally:
        connection.set_schema_to_public()


@pytest.fixture
def world(lpa_a, lpa_b, make_staff, make_government_user):
    """Kota Kendari (74.71) with LPA A and a second LPA, Konawe (74.02) with LPA B,
    their officers, the province's and the ministry's; October 2026's reports made."""
    schedules_load_shipped()
    second = lpa_provision(
        name="Yayasan Kedua",
        slug="kedua",
        legal_form="yayasan",
        regency_code="74.71",
        npwp="012345674000001",
    )
    connection.set_tenant(lpa_a)
    paying_policy(serial=1, start=datetime.date(2026, 9, 1), months=3)
    connection.set_schema_to_public()

    class World:
        pass

    w = World()
    w.a, w.second, w.b = lpa_a, second, lpa_b
    w.ketua_a = make_staff(lpa_a, "ketua")
    w.sekretaris_a = make_staff(lpa_a, "sekretaris")
    w.ketua_second = make_staff(second, "ketua")
    w.ketua_b = make_staff(lpa_b, "ketua")
    w.kendari = make_government_user("regency", regency="74.71")
    w.konawe = make_government_user("regency", regency="74.02")
    w.sultra = make_government_user("province", province="74")
    w.sulsel = make_government_user("province", province="73")
    w.ministry = make_government_user("ministry")
    w.report_a = generate(lpa_a)
    w.report_second = generate(second)
    w.report_b = generate(lpa_b)
    return w


def tier(level, **area):
    return Report.objects.get(level=level, period_type="month", period_start=OCTOBER.start, **area)


def test_periods_have_codes_labels_and_ends():
    assert period_parse("2026-10") == OCTOBER
    assert period_parse("2026-T3").end == datetime.date(2026, 9, 30)
    assert period_parse("2026-S2").start == datetime.date(2026, 7, 1)
    assert period_parse("2026").end == datetime.date(2026, 12, 31)
    assert [p.type for p in periods_ending_on(datetime.date(2026, 12, 31))] == [
        "month",
        "quarter",
        "semester",
        "year",
    ]
    assert periods_ending_on(datetime.date(2026, 11, 30))[0].code == "2026-11"
    assert periods_ending_on(datetime.date(2026, 11, 29)) == []
    for bad in ("2026-13", "2026-T5", "26-10", "", "1999", "2026-10; drop"):
        with pytest.raises(ReportError):
            period_parse(bad)


def test_the_whole_chain_with_a_return_a_resubmission_and_a_late_lpa(world):
    w = world
    # The Ketua writes the narrative and submits.
    report_save(
        report=w.report_a,
        actor=w.sekretaris_a,
        narrative="Hujan deras, iuran turun.",
        planned_actions="Kunjungan kelompok.",
    )
    v1 = report_submit(report=w.report_a, actor=w.ketua_a)
    assert v1.number == 1 and v1.narrative == "Hujan deras, iuran turun."
    assert v1.figures == Report.objects.get(pk=w.report_a.pk).figures

    # The province and the ministry read it (tembusan) but act only on their tier.
    assert reports_for_scope(scope(w.sultra)).filter(pk=w.report_a.pk).exists()
    assert reports_for_scope(scope(w.ministry)).filter(pk=w.report_a.pk).exists()
    assert not reviewer_of(w.sultra, scope(w.sultra), fresh(w.report_a)).may_review
    with pytest.raises(ReportError) as refused:
        report_review(report=w.report_a, user=w.sultra, scope=scope(w.sultra), decision="accept")
    assert refused.value.code == "wrong_tier"

    # The kabupaten/kota returns it with a comment; the Ketua resubmits with a reason.
    assert reviewer_of(w.kendari, scope(w.kendari), fresh(w.report_a)).may_review
    with pytest.raises(ReportError) as refused:
        report_review(report=w.report_a, user=w.kendari, scope=scope(w.kendari), decision="return")
    assert refused.value.code == "comment_required"
    report_review(
        report=w.report_a,
        user=w.kendari,
        scope=scope(w.kendari),
        decision="return",
        comment="Jelaskan tunggakan premi.",
    )
    assert ReportNotice.objects.filter(report=w.report_a, user=w.ketua_a, kind="returned").exists()
    with pytest.raises(ReportError) as refused:
        report_submit(report=w.report_a, actor=w.ketua_a)
    assert refused.value.code == "reason_required"
    v2 = report_submit(
        report=w.report_a,
        actor=w.ketua_a,
        reason="Tunggakan dijelaskan.",
        narrative="Tunggakan karena musim hujan.",
    )
    assert v2.number == 2 and ReportVersion.objects.get(pk=v1.pk).narrative.startswith("Hujan")
    report_review(report=w.report_a, user=w.kendari, scope=scope(w.kendari), decision="accept")

    # The second LPA of Kendari has not submitted: the kabupaten/kota may not submit
    # its consolidated report before its due day...
    kendari = tier(ReportLevel.REGENCY, regency_id="74.71")
    schedule_update(
        period_type="month",
        actor=w.ministry,
        lpa_due_days=10,
        regency_due_days=45,
        province_due_days=60,
        expiry_days=30,
    )
    Report.objects.filter(pk=kendari.pk).update(due_on=OCTOBER.end + datetime.timedelta(days=45))
    kendari.refresh_from_db()
    with pytest.raises(ReportError) as refused:
        report_submit(report=kendari, actor=w.kendari, narrative="Satu LPA belum lapor.")
    assert refused.value.code == "children_pending"
    # ... and after it, with the late LPA missing, it may.
    Report.objects.filter(pk=kendari.pk).update(due_on=OCTOBER.end + datetime.timedelta(days=20))
    kendari.refresh_from_db()
    consolidated = report_submit(report=kendari, actor=w.kendari, narrative="Satu LPA terlambat.")
    assert consolidated.sources == {str(w.report_a.pk): 2}
    assert consolidated.figures == {k: v for k, v in v2.figures.items() if v}

    # Submitted above: what it adds up is locked at the kabupaten/kota.
    assert reviewer_of(w.kendari, scope(w.kendari), fresh(w.report_a)).locked
    with pytest.raises(ReportError) as refused:
        report_reopen(report=w.report_a, user=w.kendari, scope=scope(w.kendari), reason="Salah")
    assert refused.value.code == "locked_above"

    # The late LPA submits now: the kabupaten/kota cannot accept it into a report it
    # already sent (locked above), and its lateness is recorded.
    late = report_submit(report=w.report_second, actor=w.ketua_second)
    assert late.number == 1
    with pytest.raises(ReportError) as refused:
        report_review(
            report=w.report_second, user=w.kendari, scope=scope(w.kendari), decision="accept"
        )
    assert refused.value.code == "locked_above"

    # The province accepts Kendari's report; Konawe's (B not reported) is still a draft.
    province = tier(ReportLevel.PROVINCE, province_id="74")
    assert parent_of(kendari) == province
    report_review(report=kendari, user=w.sultra, scope=scope(w.sultra), decision="accept")
    assert Report.objects.get(pk=kendari.pk).state == ReportState.ACCEPTED
    Report.objects.filter(pk=province.pk).update(due_on=datetime.date(2026, 11, 1))
    province.refresh_from_db()
    sent = report_submit(report=province, actor=w.sultra, narrative="Konawe belum lapor.")
    assert sent.figures == consolidated.figures
    # The ministry accepts; the province's report is then final.
    with pytest.raises(ReportError) as refused:
        report_review(report=province, user=w.kendari, scope=scope(w.kendari), decision="accept")
    assert refused.value.code in ("outside_area", "wrong_tier")
    report_review(report=province, user=w.ministry, scope=scope(w.ministry), decision="accept")
    assert Report.objects.get(pk=province.pk).state == ReportState.ACCEPTED

    actions = list(ReportEvent.objects.filter(report=w.report_a).values_list("action", "actor_id"))
    assert actions == [
        ("generated", None),
        ("saved", w.sekretaris_a.pk),
        ("submitted", w.ketua_a.pk),
        ("returned", w.kendari.pk),
        ("submitted", w.ketua_a.pk),
        ("accepted", w.kendari.pk),
    ]


def test_the_province_cannot_accept_what_the_kabupaten_returned(world):
    w = world
    report_submit(report=w.report_b, actor=w.ketua_b)
    report_review(report=w.report_b, user=w.konawe, scope=scope(w.konawe), decision="accept")
    konawe = tier(ReportLevel.REGENCY, regency_id="74.02")
    report_submit(report=konawe, actor=w.konawe, narrative="Lengkap.")
    report_review(
        report=konawe,
        user=w.sultra,
        scope=scope(w.sultra),
        decision="return",
        comment="Tambahkan kendala.",
    )
    with pytest.raises(ReportError) as refused:
        report_review(report=konawe, user=w.sultra, scope=scope(w.sultra), decision="accept")
    assert refused.value.code == "not_submitted"
    # Returned above: the kabupaten/kota may reopen its LPA's report again.
    report_reopen(report=w.report_b, user=w.konawe, scope=scope(w.konawe), reason="Periksa lagi.")
    assert Report.objects.get(pk=w.report_b.pk).state == ReportState.RETURNED


def test_each_tier_acts_only_in_its_area(world):
    w = world
    report_submit(report=w.report_a, actor=w.ketua_a)
    for user, code in (
        (w.konawe, "outside_area"),
        (w.sulsel, "outside_area"),
        (w.sultra, "wrong_tier"),
        (w.ministry, "wrong_tier"),
    ):
        with pytest.raises(ReportError) as refused:
            report_review(report=w.report_a, user=user, scope=scope(user), decision="accept")
        assert refused.value.code == code
    assert not reports_for_scope(scope(w.konawe)).filter(pk=w.report_a.pk).exists()
    assert not reports_for_scope(scope(w.sulsel)).filter(level="lpa").exists()
    # A read-only auditor of the right kabupaten/kota may not review at all.
    from askesos.accounts.services import government_scope_assign, user_create

    auditor = user_create(username="auditor-kendari", password="rahasia-uji-123")
    government_scope_assign(user=auditor, level="regency", role="auditor", regency_code="74.71")
    with pytest.raises(AccessDenied):
        report_review(report=w.report_a, user=auditor, scope=scope(auditor), decision="accept")
    assert Report.objects.get(pk=w.report_a.pk).state == ReportState.SUBMITTED


def test_bad_input_is_refused_and_changes_nothing(world):
    w = world
    # Before the period ends.
    november = Period(PeriodType.MONTH, datetime.date(2026, 11, 1))
    with pytest.raises(ReportError) as refused:
        generate(w.a, november)
    assert refused.value.code == "period_not_ended"
    with pytest.raises(ReportError) as refused:
        report_submit(report=w.report_a, actor=w.ketua_a, on=datetime.date(2026, 10, 31))
    assert refused.value.code == "period_not_ended"
    # Twice.
    report_submit(report=w.report_a, actor=w.ketua_a)
    with pytest.raises(ReportError) as refused:
        report_submit(report=w.report_a, actor=w.ketua_a)
    assert refused.value.code == "already_submitted"
    # Editing a submitted version.
    with pytest.raises(ReportError) as refused:
        report_save(report=w.report_a, actor=w.ketua_a, narrative="ubah", planned_actions="")
    assert refused.value.code == "already_submitted"
    assert ReportVersion.objects.filter(report=w.report_a).count() == 1
    # A suspended LPA.
    from tenants.models import Lpa

    Lpa.objects.filter(pk=w.b.pk).update(status=LpaStatus.SUSPENDED)
    with pytest.raises(ReportError) as refused:
        report_submit(report=w.report_b, actor=w.ketua_b)
    assert refused.value.code == "lpa_not_active"
    w.b.refresh_from_db()
    with pytest.raises(ReportError):
        generate(w.b)
    assert Report.objects.get(pk=w.report_b.pk).state == ReportState.DRAFT
    # Too long, and a NUL byte is dropped, not sent to PostgreSQL.
    with pytest.raises(ReportError) as refused:
        report_save(
            report=w.report_second, actor=w.ketua_second, narrative="x" * 4001, planned_actions=""
        )
    assert refused.value.code == "text_too_long"
    saved = report_save(
        report=w.report_second, actor=w.ketua_second, narrative="a\x00b", planned_actions=""
    )
    assert saved.narrative == "ab"


def test_an_expired_report_needs_the_district_to_reopen_it(world):
    w = world
    expired = w.report_second
    Report.objects.filter(pk=expired.pk).update(expires_on=datetime.date(2026, 11, 15))
    expired.refresh_from_db()
    with pytest.raises(ReportError) as refused:
        report_submit(report=expired, actor=w.ketua_second)
    assert refused.value.code == "expired"
    assert reviewer_of(w.kendari, scope(w.kendari), fresh(expired)).may_reopen
    report_reopen(report=expired, user=w.kendari, scope=scope(w.kendari), reason="Sakit.")
    assert report_submit(report=expired, actor=w.ketua_second).number == 1


def test_a_submitted_snapshot_cannot_be_changed_even_by_sql(world):
    w = world
    version = report_submit(report=w.report_a, actor=w.ketua_a)
    statements = (
        ("UPDATE reporting_reportversion SET narrative = 'diubah' WHERE id = %s", version.pk),
        ("UPDATE reporting_reportversion SET figures = '{}'::jsonb WHERE id = %s", version.pk),
        ("DELETE FROM reporting_reportversion WHERE id = %s", version.pk),
        ("UPDATE reporting_report SET figures = '{}'::jsonb WHERE id = %s", w.report_a.pk),
        ("UPDATE reporting_report SET versions = 0, state = 'draft' WHERE id = %s", w.report_a.pk),
        ("DELETE FROM reporting_reportevent WHERE report_id = %s", w.report_a.pk),
    )
    for sql, pk in statements:
        with pytest.raises(Exception) as refused, transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [pk])
        assert "report" in str(refused.value), sql
    assert ReportVersion.objects.get(pk=version.pk).figures == version.figures


def test_the_daily_job_makes_one_report_per_period_and_a_quarter_from_its_months(lpa_a):
    schedules_load_shipped()
    connection.set_tenant(lpa_a)
    paying_policy(serial=2, start=datetime.date(2026, 7, 1), months=2)
    first = lpa_reports_due(lpa=lpa_a, on=datetime.date(2026, 10, 1))
    again = lpa_reports_due(lpa=lpa_a, on=datetime.date(2026, 10, 1))
    assert [r.period_type for r in first] == ["month", "quarter"]
    assert [r.pk for r in first] == [r.pk for r in again]
    quarter = first[1]
    months = [month_figures(m) for m in period_months(Period("quarter", quarter.period_start))]
    assert quarter.figures == figures_combine(months)
    assert quarter.figures["premiums.collected"] == 10_000
    assert quarter.figures["participants.status:active"] == 1
    assert lpa_reports_due(lpa=lpa_a, on=datetime.date(2026, 10, 2)) == []
    connection.set_schema_to_public()


def test_completeness_counts_obligations_received_on_time_accepted_late_and_missing(world):
    w = world
    schedule = ReportSchedule.objects.get(period_type="month")
    assert w.report_a.due_on == OCTOBER.end + datetime.timedelta(days=schedule.lpa_due_days)
    report_submit(report=w.report_a, actor=w.ketua_a)
    report_submit(report=w.report_b, actor=w.ketua_b)
    # A submitted on its due day, B after.
    on_due = timezone.make_aware(datetime.datetime.combine(w.report_a.due_on, datetime.time(20)))
    Report.objects.filter(pk=w.report_a.pk).update(first_submitted_at=on_due)
    report_review(report=w.report_a, user=w.kendari, scope=scope(w.kendari), decision="accept")
    rows = {
        row.area.code: row
        for row in completeness(
            period=OCTOBER, level="lpa", reports=reports_for_scope(scope(w.sultra))
        )
    }
    kendari, konawe = rows["74.71"], rows["74.02"]
    assert (kendari.expected, kendari.received, kendari.on_time, kendari.accepted) == (2, 1, 1, 1)
    assert [r.lpa.slug for r in kendari.missing] == ["kedua"]
    assert (konawe.expected, konawe.received, konawe.on_time, konawe.accepted) == (1, 1, 0, 0)
    assert [r.lpa_id for r in konawe.late] == [w.b.pk]
    assert kendari.received_percent == 50.0
    # Closing an LPA later does not rewrite the period's denominator.
    from tenants.models import Lpa

    Lpa.objects.filter(pk=w.second.pk).update(status=LpaStatus.ARCHIVED)
    again = completeness(period=OCTOBER, level="lpa", reports=reports_for_scope(scope(w.kendari)))
    assert again[0].expected == 2
    tiers = completeness(
        period=OCTOBER, level="regency", reports=reports_for_scope(scope(w.sultra))
    )
    assert tiers[0].expected == 2 and tiers[0].received == 0


def test_reminders_go_once_to_the_ketua_and_then_to_the_district(world, settings):
    w = world
    w.ketua_a.email = "ketua@bina.example"
    w.ketua_a.save(update_fields=["email"])
    w.kendari.email = "kendari@dinsos.example"
    w.kendari.save(update_fields=["email"])
    due = w.report_a.due_on
    mail.outbox.clear()
    with schema_context(w.a.schema_name):
        assert lpa_reminders(lpa=w.a, on=due - datetime.timedelta(days=7)) == 1
        assert lpa_reminders(lpa=w.a, on=due - datetime.timedelta(days=7)) == 0
        assert lpa_reminders(lpa=w.a, on=due - datetime.timedelta(days=1)) == 1
        assert lpa_reminders(lpa=w.a, on=due + datetime.timedelta(days=1)) == 1
    kinds = list(ReportNotice.objects.filter(user=w.ketua_a).values_list("kind", flat=True))
    assert sorted(kinds) == ["due_soon", "due_tomorrow", "late"]
    assert len(mail.outbox) == 3 and mail.outbox[0].to == ["ketua@bina.example"]
    assert "Oktober 2026" in mail.outbox[0].body
    # After the due day the district hears of every late LPA of its area, once.
    sent = district_reminders(on=due + datetime.timedelta(days=1))
    again = district_reminders(on=due + datetime.timedelta(days=2))
    assert again == 0 and sent >= 2
    late = ReportNotice.objects.filter(user=w.kendari, kind="late_district")
    assert sorted(n.report.lpa.slug for n in late) == sorted([w.a.slug, "kedua"])
    assert not ReportNotice.objects.filter(user=w.konawe, report=w.report_a).exists()


def test_the_schedule_is_data_the_ministry_edits_within_rules(world):
    w = world
    with pytest.raises(ReportError) as refused:
        schedule_update(
            period_type="month",
            actor=w.ministry,
            lpa_due_days=20,
            regency_due_days=10,
            province_due_days=30,
            expiry_days=30,
        )
    assert refused.value.code == "schedule_invalid"
    with pytest.raises(ReportError) as refused:
        schedule_update(
            period_type="month",
            actor=w.ministry,
            lpa_due_days="x",
            regency_due_days=10,
            province_due_days=30,
            expiry_days=30,
        )
    assert refused.value.field == "lpa_due_days"
    schedule_update(
        period_type="month",
        actor=w.ministry,
        lpa_due_days=12,
        regency_due_days=22,
        province_due_days=32,
        expiry_days=0,
    )
    schedules_load_shipped()  # setup again: an edited row stays as the ministry left it
    assert ReportSchedule.objects.get(period_type="month").lpa_due_days == 12
