"""`askesos run-job <name> [--on DATE] [--lpa SLUG] [--force] [--queue]`

Runs a daily job for one day, here in this process by default: an operator needs it
most when something is wrong, and the worker or the broker may be what is wrong.
`--queue` sends it to the worker instead (one task per LPA, in its schema). Either way
the day is recorded as a JobRun and a day already done is not run again unless
`--force` (then recorded as forced). The schedule catches missed days up by itself;
this runs exactly the day asked for.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from askesos.errors import DomainError
from tenants.dispatch import lpas_fan_out
from tenants.jobs import DAILY_JOBS, job_day_parse, job_get, job_lpas_select, job_run_day
from tenants.management.jobs_table import Table, state_words
from tenants.models import JobRunState, JobTrigger
from tenants.selectors import lpa_each


class Command(BaseCommand):
    help = (
        "Run a daily job for one day (default today, Asia/Jakarta) for one LPA or every "
        f"ready, active LPA. Jobs: {', '.join(DAILY_JOBS)}."
    )

    def add_arguments(self, parser):
        parser.add_argument("job", help=f"the job's name: {', '.join(DAILY_JOBS)}")
        parser.add_argument("--on", help="the day, YYYY-MM-DD (default: today)")
        parser.add_argument("--lpa", help="one LPA's address name (default: every LPA)")
        parser.add_argument(
            "--force", action="store_true", help="run a day already done again (recorded)"
        )
        parser.add_argument(
            "--queue", action="store_true", help="send to the Celery worker instead of here"
        )

    def handle(self, *args, job: str, on, lpa, force: bool, queue: bool, **options):
        try:
            daily = job_get(job)
            day = job_day_parse(on)
            lpas = job_lpas_select(lpa)
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        if not lpas:
            self.stdout.write(_("No LPA is ready and active: nothing to run."))
            return
        if queue:
            self._queue(daily.name, day, lpas, force=force, one=bool(lpa))
            return
        table = Table(self.stdout, lpa_width=max(len(x.slug) for x in lpas))
        failed = 0
        try:
            for target in lpa_each(lpas):
                connection.set_tenant(target)
                outcome = job_run_day(
                    job=daily, lpa=target, day=day, trigger=JobTrigger.OPERATOR, force=force
                )
                failed += outcome.state == JobRunState.FAILED
                table.outcome(target.slug, outcome)
        finally:
            connection.set_schema_to_public()
        if failed:
            raise CommandError(
                _("%(failed)s of %(total)s LPAs failed; askesos job-runs shows the errors.")
                % {"failed": failed, "total": len(lpas)}
            )

    def _queue(self, name: str, day, lpas, *, force: bool, one: bool) -> None:
        from tenants.tasks import daily_job_run

        args = [name, day.isoformat(), True, force, JobTrigger.OPERATOR]
        if one:
            with schema_context(lpas[0].schema_name):
                daily_job_run.apply_async(args=args)
            Table(self.stdout, lpa_width=len(lpas[0].slug)).row(
                lpas[0].slug, day, state_words("queued"), ""
            )
            return
        sent = lpas_fan_out(daily_job_run, *args)
        self.stdout.write(
            _(
                "Sent to the worker for %(count)s LPAs; `askesos job-runs %(job)s --on %(day)s` "
                "shows how far they got."
            )
            % {"count": sent, "job": name, "day": day.isoformat()}
        )
