"""`askesos job-runs [name] [--on DATE] [--lpa SLUG] [--limit N]`: what ran, newest
first, and for one job and day how far it got across the LPAs (done of total, failed,
waiting)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from askesos.dates import format_date
from askesos.errors import DomainError
from tenants.errors import JobError
from tenants.jobs import job_day_parse, job_get, job_progress, job_runs_list
from tenants.management.jobs_table import Table, result_words, state_words
from tenants.models import Lpa


def _lpa(slug: str) -> Lpa:
    """Any LPA, suspended and archived ones too: their past runs are still of interest."""
    lpa = Lpa.objects.filter(slug=slug.strip().lower()).first()
    if lpa is None:
        raise JobError("lpa_unknown", field="lpa", slug=slug)
    return lpa


class Command(BaseCommand):
    help = "List recorded job runs and, for one job, its progress on a day."

    def add_arguments(self, parser):
        parser.add_argument("job", nargs="?", help="only this job")
        parser.add_argument("--on", help="only this day, YYYY-MM-DD")
        parser.add_argument("--lpa", help="only this LPA's address name")
        parser.add_argument("--limit", type=int, default=50, help="at most this many rows")

    def handle(self, *args, job, on, lpa, limit: int, **options):
        try:
            name = job_get(job).name if job else None
            day = job_day_parse(on) if on else None
            target = _lpa(lpa) if lpa else None
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        if limit < 1:
            raise CommandError(_("--limit must be at least 1."))
        runs = list(job_runs_list(job=name, lpa=target, day=day)[:limit])
        if runs:
            width = max(len(run.lpa.slug if run.lpa else "-") for run in runs)
            table = Table(self.stdout, lpa_width=width)
            for run in runs:
                table.row(
                    run.lpa.slug if run.lpa else "-",
                    run.day,
                    state_words(run.state, forced=run.forced) + ("" if job else f" ({run.job})"),
                    result_words(run.result, run.error),
                )
        else:
            self.stdout.write(_("No job runs recorded."))
        if name:
            progress_day = day or job_day_parse(None)
            progress = job_progress(job=name, day=progress_day)
            self.stdout.write(
                _(
                    "%(job)s, %(day)s: %(done)s of %(total)s LPAs done, %(failed)s failed, "
                    "%(waiting)s waiting."
                )
                % {
                    "job": name,
                    "day": format_date(progress_day),
                    "done": progress.done,
                    "total": progress.total,
                    "failed": progress.failed,
                    "waiting": progress.waiting,
                }
            )
