"""Daily jobs run in process: which days an LPA is owed, a day done once, a failed day
retried, two runners of one day, and the operators' `askesos run-job` / `job-runs`."""

from __future__ import annotations

import datetime
import io
import json
import threading
import time
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django_celery_beat.models import PeriodicTask

from askesos.__main__ import command_line
from programme.participants.models import Policy, PolicyStatus
from programme.participants.services import participant_register
from tenants.dispatch import lpas_for_jobs
from tenants.jobs import (
    CATCH_UP_DAYS,
    DAILY_JOBS,
    DayOutcome,
    job_days_due,
    job_progress,
    job_run_catch_up,
    job_run_day,
)
from tenants.models import JobRun, JobRunState, JobTrigger, Lpa, LpaStatus
from tenants.schedules import DISPATCH_TASK, INTERVAL_TASKS, PERIODIC_TASKS, schedules_install
from tests.programme.conftest import KONAWE_VILLAGE, paid_in, person
from tests.tenants import jobs_helpers
from tests.tenants.jobs_helpers import NAME

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
D = datetime.date


def appoint(lpa: Lpa, day: datetime.date) -> None:
    """Given: `lpa` was appointed on `day` (the catch-up never goes before it)."""
    Lpa.objects.filter(pk=lpa.pk).update(
        created_at=datetime.datetime.combine(day, datetime.time(9), tzinfo=WIB)
    )


def days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def done_days(lpa: Lpa, job: str = NAME) -> list[datetime.date]:
    return list(
        JobRun.objects.filter(job=job, lpa=lpa, state=JobRunState.DONE)
        .order_by("day")
        .values_list("day", flat=True)
    )


@pytest.fixture
def own_job(monkeypatch):
    return jobs_helpers.register(monkeypatch)


# --- which days an LPA is owed ---------------------------------------------------------


def test_an_lpa_never_run_is_owed_every_day_since_its_appointment(db, lpa_a, own_job):
    appoint(lpa_a, D(2025, 3, 10))

    assert job_days_due(job=NAME, lpa=lpa_a, until=D(2025, 3, 14)) == days(
        D(2025, 3, 10), D(2025, 3, 14)
    )


def test_catch_up_starts_the_day_after_the_last_done_day(db, lpa_a, own_job):
    appoint(lpa_a, D(2025, 3, 1))
    connection.set_tenant(lpa_a)
    job_run_day(job=own_job, lpa=lpa_a, day=D(2025, 3, 5))

    assert job_days_due(job=NAME, lpa=lpa_a, until=D(2025, 3, 8)) == days(
        D(2025, 3, 6), D(2025, 3, 8)
    )
    assert job_days_due(job=NAME, lpa=lpa_a, until=D(2025, 3, 5)) == []


def test_catch_up_looks_back_at_most_31_days(db, lpa_a, own_job):
    appoint(lpa_a, D(2024, 1, 1))
    connection.set_tenant(lpa_a)
    job_run_day(job=own_job, lpa=lpa_a, day=D(2025, 1, 1))

    due = job_days_due(job=NAME, lpa=lpa_a, until=D(2025, 3, 1))

    assert CATCH_UP_DAYS == 31
    assert due == days(D(2025, 1, 30), D(2025, 3, 1))


def test_a_day_asked_for_before_the_appointment_runs_alone(db, lpa_a, own_job):
    # The session's LPAs were appointed today; their data may be older (imports).
    assert job_days_due(job=NAME, lpa=lpa_a, until=D(2024, 6, 1)) == [D(2024, 6, 1)]
    connection.set_tenant(lpa_a)
    job_run_day(job=own_job, lpa=lpa_a, day=D(2024, 6, 1))

    assert job_days_due(job=NAME, lpa=lpa_a, until=D(2024, 6, 1)) == []


def test_each_lpa_is_owed_its_own_days(db, lpa_a, lpa_b, own_job):
    appoint(lpa_a, D(2025, 3, 1))
    appoint(lpa_b, D(2025, 3, 1))
    connection.set_tenant(lpa_a)
    job_run_catch_up(job=own_job, lpa=lpa_a, until=D(2025, 3, 3))

    assert job_days_due(job=NAME, lpa=lpa_a, until=D(2025, 3, 3)) == []
    assert job_days_due(job=NAME, lpa=lpa_b, until=D(2025, 3, 3)) == days(
        D(2025, 3, 1), D(2025, 3, 3)
    )


# --- running days ----------------------------------------------------------------------


def test_a_failed_day_is_recorded_holds_later_days_back_and_runs_next_time(db, lpa_a, own_job):
    appoint(lpa_a, D(2025, 5, 1))
    connection.set_tenant(lpa_a)
    jobs_helpers.broken.add((lpa_a.schema_name, D(2025, 5, 2)))

    first = job_run_catch_up(job=own_job, lpa=lpa_a, until=D(2025, 5, 4))

    assert [(o.day, o.state) for o in first] == [
        (D(2025, 5, 1), JobRunState.DONE),
        (D(2025, 5, 2), JobRunState.FAILED),
    ]
    failed = JobRun.objects.get(job=NAME, lpa=lpa_a, state=JobRunState.FAILED)
    assert failed.day == D(2025, 5, 2)
    assert failed.error == "RuntimeError: broken on 2025-05-02"
    assert failed.finished_at is not None and failed.trigger == JobTrigger.SCHEDULE

    jobs_helpers.broken.clear()
    second = job_run_catch_up(job=own_job, lpa=lpa_a, until=D(2025, 5, 4))

    assert [(o.day, o.state) for o in second] == [
        (day, JobRunState.DONE) for day in days(D(2025, 5, 2), D(2025, 5, 4))
    ]
    assert done_days(lpa_a) == days(D(2025, 5, 1), D(2025, 5, 4))
    assert [day for _schema, day in jobs_helpers.calls] == [
        D(2025, 5, 1),
        D(2025, 5, 2),
        D(2025, 5, 2),
        D(2025, 5, 3),
        D(2025, 5, 4),
    ]
    assert {schema for schema, _day in jobs_helpers.calls} == {lpa_a.schema_name}


def test_what_a_failed_day_wrote_is_rolled_back_with_it(db, lpa_a, monkeypatch):
    """A day is all or nothing: its work and its record commit together."""
    connection.set_tenant(lpa_a)
    policy = participant_register(data=person(serial=81, name="Setengah Jalan"))

    def write_then_fail(*, on):
        Policy.objects.filter(pk=policy.pk).update(status=PolicyStatus.LAPSED)
        raise RuntimeError("bank down")

    monkeypatch.setattr(jobs_helpers, "note_day", write_then_fail)
    job = jobs_helpers.register(monkeypatch)

    outcome = job_run_day(job=job, lpa=lpa_a, day=D(2025, 6, 1))

    assert (outcome.state, outcome.error) == (JobRunState.FAILED, "RuntimeError: bank down")
    assert Policy.objects.get(pk=policy.pk).status == policy.status
    assert not JobRun.objects.filter(job=NAME, state=JobRunState.DONE).exists()


def test_a_done_day_is_not_run_again(db, lpa_a, own_job):
    connection.set_tenant(lpa_a)
    first = job_run_day(job=own_job, lpa=lpa_a, day=D(2025, 2, 3))
    again = job_run_day(job=own_job, lpa=lpa_a, day=D(2025, 2, 3))

    assert (first.state, again.state) == (JobRunState.DONE, DayOutcome.SKIPPED)
    assert len(jobs_helpers.calls) == 1
    assert first.result == {"schema": lpa_a.schema_name}


def test_two_runners_of_the_same_day_do_it_once(committed_db, own_job):
    """The second runner waits on the first one's record of the day, then finds it
    done: PostgreSQL's unique index decides, not a check in Python."""
    lpa = Lpa.objects.get(slug="uji-a")
    day = D(2025, 1, 15)
    outcomes: dict[str, DayOutcome] = {}

    def runner(label: str) -> None:
        try:
            connection.set_tenant(lpa)
            outcomes[label] = job_run_day(job=own_job, lpa=lpa, day=day)
        finally:
            connections.close_all()

    jobs_helpers.hold.clear()
    first = threading.Thread(target=runner, args=("first",))
    first.start()
    assert jobs_helpers.entered.wait(timeout=30)
    second = threading.Thread(target=runner, args=("second",))
    second.start()
    _wait_for_a_lock_wait()
    jobs_helpers.hold.set()
    first.join(timeout=60)
    second.join(timeout=60)

    assert outcomes["first"].state == JobRunState.DONE
    assert outcomes["second"].state == DayOutcome.SKIPPED
    assert jobs_helpers.calls == [(lpa.schema_name, day)]
    assert JobRun.objects.filter(job=NAME, lpa=lpa, day=day).count() == 1


def _wait_for_a_lock_wait() -> None:
    """Until another session of the test database waits on a lock (the second runner
    on the first one's uncommitted insert)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the second runner never waited for the first")


# --- askesos run-job -------------------------------------------------------------------


def run_job(*args: str) -> str:
    out = io.StringIO()
    call_command("run_job", *args, stdout=out)
    return out.getvalue()


def test_run_job_runs_one_lpa_one_day_and_leaves_the_other_lpa_alone(db, lpa_a, lpa_b):
    start = D(2024, 1, 1)
    behind_a = paid_in(lpa_a, serial=82, name="Telat A", months=1, number="RJ-A-1", start=start)
    behind_b = paid_in(
        lpa_b,
        serial=83,
        name="Telat B",
        months=1,
        number="RJ-B-1",
        start=start,
        village=KONAWE_VILLAGE,
    )
    connection.set_schema_to_public()

    out = run_job("arrears", "--on", "2024-06-01", "--lpa", "uji-a")

    run = JobRun.objects.get(job="arrears", day=D(2024, 6, 1))
    assert (run.lpa, run.state, run.trigger, run.forced) == (
        lpa_a,
        JobRunState.DONE,
        JobTrigger.OPERATOR,
        False,
    )
    assert run.result == {"lapsed": 1, "near_lapse": 0}
    lines = out.splitlines()
    assert lines[0].split() == ["LPA", "Hari", "Status", "Hasil"]
    assert lines[1].split() == ["uji-a", "1", "Jun", "2024", "selesai", "lapsed=1,", "near_lapse=0"]
    connection.set_tenant(lpa_a)
    assert Policy.objects.get(pk=behind_a.pk).status == PolicyStatus.LAPSED
    connection.set_tenant(lpa_b)
    assert Policy.objects.get(pk=behind_b.pk).status == PolicyStatus.ACTIVE
    assert not JobRun.objects.filter(lpa=lpa_b).exists()


def test_run_job_does_not_run_a_done_day_again_unless_forced(db, lpa_a):
    run_job("claims-sla", "--on", "2025-02-03", "--lpa", "uji-a")

    again = run_job("claims-sla", "--on", "2025-02-03", "--lpa", "uji-a")
    forced = run_job("claims-sla", "--on", "2025-02-03", "--lpa", "uji-a", "--force")

    assert "sudah selesai" in again
    assert "selesai (dipaksa)" in forced
    runs = JobRun.objects.filter(job="claims-sla", lpa=lpa_a, day=D(2025, 2, 3))
    assert sorted(runs.values_list("state", "forced")) == [
        (JobRunState.DONE, False),
        (JobRunState.DONE, True),
    ]


def test_run_job_without_an_lpa_runs_every_ready_active_lpa(db, lpa_a, lpa_b, lpa_c):
    Lpa.objects.filter(pk=lpa_c.pk).update(status=LpaStatus.SUSPENDED)

    out = run_job("claims-sla", "--on", "2025-02-04")

    ran = set(JobRun.objects.filter(job="claims-sla", day=D(2025, 2, 4)).values_list("lpa__slug"))
    assert ran == {("uji-a",), ("uji-b",)}
    assert "uji-a" in out and "uji-b" in out and "uji-c" not in out


def test_run_job_refuses_an_unknown_job_naming_the_valid_ones(db):
    with pytest.raises(CommandError) as refused:
        run_job("tunggakan", "--lpa", "uji-a")

    message = str(refused.value)
    assert "[job_unknown]" in message
    assert "tunggakan" in message and "arrears, claims-sla, bank-statements, reconcile" in message
    assert not JobRun.objects.exists()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--lpa", "tidak-ada"), "lpa_unknown"),
        (("--lpa", "uji-c"), "lpa_not_active"),
        (("--on", "2999-01-01"), "date_future"),
        (("--on", "kemarin"), "date_invalid"),
        (("--on", "2002-12-31"), "date_before_programme"),
    ],
)
def test_run_job_refuses_an_unknown_lpa_an_inactive_one_and_a_bad_day(db, lpa_c, args, code):
    Lpa.objects.filter(pk=lpa_c.pk).update(status=LpaStatus.SUSPENDED)

    with pytest.raises(CommandError, match=rf"\[{code}\]"):
        run_job("arrears", *args)
    assert not JobRun.objects.exists()


def test_run_job_refuses_a_future_day_by_the_calendar_of_jakarta(db, lpa_a):
    tomorrow = (datetime.datetime.now(WIB) + datetime.timedelta(days=1)).date()

    with pytest.raises(CommandError, match=r"\[date_future\]"):
        run_job("arrears", "--on", tomorrow.isoformat(), "--lpa", "uji-a")


def test_run_job_reports_a_failed_day_and_records_it(db, lpa_a, own_job):
    jobs_helpers.broken.add((lpa_a.schema_name, D(2025, 4, 1)))

    with pytest.raises(CommandError, match="1 dari 1 LPA gagal"):
        run_job(NAME, "--on", "2025-04-01", "--lpa", "uji-a")

    failed = JobRun.objects.get(job=NAME, lpa=lpa_a)
    assert (failed.state, failed.trigger) == (JobRunState.FAILED, JobTrigger.OPERATOR)


def test_askesos_run_job_is_spelled_with_a_hyphen_or_an_underscore(db, lpa_a):
    assert command_line(["askesos", "help", "job-runs"]) == ["askesos", "help", "job_runs"]
    assert command_line(["askesos", "run_job", "--help"]) == ["askesos", "run_job", "--help"]
    argv = command_line(["askesos", "run-job", "arrears", "--on", "2025-01-02", "--lpa", "uji-a"])

    # What `askesos` hands to Django (which closes the connection when it is done).
    out = io.StringIO()
    call_command(*argv[1:], stdout=out)

    assert argv[1] == "run_job" and "uji-a" in out.getvalue()
    assert JobRun.objects.filter(job="arrears", lpa=lpa_a, day=D(2025, 1, 2)).exists()


# --- askesos job-runs and progress ------------------------------------------------------


def test_job_runs_shows_what_ran_and_how_far_a_day_got(db, lpa_a, lpa_b, own_job):
    jobs_helpers.broken.add((lpa_b.schema_name, D(2025, 7, 1)))
    run_job(NAME, "--on", "2025-07-01", "--lpa", "uji-a")
    with pytest.raises(CommandError):
        run_job(NAME, "--on", "2025-07-01", "--lpa", "uji-b")

    progress = job_progress(job=NAME, day=D(2025, 7, 1))
    out = io.StringIO()
    call_command("job_runs", NAME, "--on", "2025-07-01", stdout=out)

    total = lpas_for_jobs().count()  # the session's three, and any other ready one
    assert (progress.total, progress.done, progress.failed, progress.waiting) == (
        total,
        1,
        1,
        total - 2,
    )
    assert progress.errors == [("uji-b", "RuntimeError: broken on 2025-07-01")]
    text = out.getvalue()
    assert "uji-a" in text and "uji-b" in text and "broken on 2025-07-01" in text
    assert f"1 dari {total} LPA selesai, 1 gagal, {total - 2} menunggu" in text


# --- schedules -------------------------------------------------------------------------


def test_setup_installs_one_schedule_per_job_and_points_old_ones_at_the_dispatcher(db):
    PeriodicTask.objects.filter(name__in=[job.schedule for job in DAILY_JOBS.values()]).delete()
    from django_celery_beat.models import CrontabSchedule

    crontab = CrontabSchedule.objects.create(minute="45", hour="2", timezone="Asia/Jakarta")
    PeriodicTask.objects.create(
        name="Premi: tunggakan dan gugur (harian)",
        task="programme.ledger.tasks.premiums_arrears_dispatch",
        crontab=crontab,
    )

    created = schedules_install()
    again = schedules_install()

    # Every job's schedule but the operator's one, and the platform-wide tasks.
    assert (created, again) == (len(DAILY_JOBS) - 1 + len(PERIODIC_TASKS) + len(INTERVAL_TASKS), 0)
    installed = {
        task.name: (task.task, json.loads(task.args), task.crontab.hour, task.crontab.minute)
        for task in PeriodicTask.objects.filter(task=DISPATCH_TASK)
    }
    assert installed == {
        # The operator's time (02:45) is kept; only the task it calls changed.
        "Premi: tunggakan dan gugur (harian)": (DISPATCH_TASK, ["arrears"], "2", "45"),
        "Klaim: batas layanan dan cadangan (harian)": (DISPATCH_TASK, ["claims-sla"], "6", "0"),
        "Bank: ambil rekening koran (harian)": (DISPATCH_TASK, ["bank-statements"], "2", "0"),
        "Bank: rekonsiliasi dan kecukupan cadangan (harian)": (
            DISPATCH_TASK,
            ["reconcile"],
            "3",
            "0",
        ),
        "Laporan: laporan periode dan pengingat (harian)": (DISPATCH_TASK, ["reports"], "0", "30"),
    }


# --- the admin -------------------------------------------------------------------------


def test_job_runs_are_read_only_in_the_admin_of_the_portal(db, lpa_a, lpa_b, portal_host, own_job):
    from askesos.accounts.services import user_create
    from tests.conftest import client_on, host_of

    connection.set_tenant(lpa_a)
    job_run_day(job=own_job, lpa=lpa_a, day=D(2025, 8, 1))
    connection.set_schema_to_public()
    admin = user_create(username="admin-jobs", password="rahasia-uji-123")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    officer = user_create(username="bukan-admin-jobs", password="rahasia-uji-123")
    portal = client_on(portal_host, admin)

    listing = portal.get("/admin/tenants/jobrun/")

    assert listing.status_code == 200
    assert "LPA Uji A" in listing.content.decode()
    assert portal.get("/admin/tenants/jobrun/add/").status_code == 403
    run = JobRun.objects.get(job=NAME)
    assert (
        portal.post(f"/admin/tenants/jobrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    # Not staff: sent to the admin's sign-in; an LPA's address has no admin at all.
    assert client_on(portal_host, officer).get("/admin/tenants/jobrun/").status_code == 302
    assert client_on(host_of(lpa_b), admin).get("/admin/tenants/jobrun/").status_code == 404


def test_the_dispatcher_spaces_the_lpas_by_the_job_s_own_stagger_unless_told(monkeypatch):
    from tenants import tasks
    from tenants.dispatch import STAGGER_SECONDS

    spacing = []

    def fan_out(task, *args, stagger=STAGGER_SECONDS):
        spacing.append((args[0], stagger))
        return 0

    monkeypatch.setattr(tasks, "lpas_fan_out", fan_out)

    tasks.daily_job_dispatch("reports", "2026-11-01")
    tasks.daily_job_dispatch("arrears", "2026-11-01")
    tasks.daily_job_dispatch("reports", "2026-11-01", 0)

    assert DAILY_JOBS["reports"].stagger == 0.1
    assert spacing == [("reports", 0.1), ("arrears", STAGGER_SECONDS), ("reports", 0)]
