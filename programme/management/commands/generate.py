import datetime

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from programme.generator import REFERENCE_DAY, generate
from tenants.models import Lpa


class Command(BaseCommand):
    help = (
        "Generate synthetic LPAs and participants (deterministic by --seed). "
        "For example: --lpas 2000 --participants 250 (the national benchmark)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--lpas", type=int, default=3, help="new LPAs to provision")
        parser.add_argument("--participants", type=int, default=50, help="per LPA")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=REFERENCE_DAY,
            help="registration day and the day ages are counted on (default %(default)s, so "
            "that a seed gives the same people on any day)",
        )
        parser.add_argument("--province", help="put the LPAs in this province (code, e.g. 74)")
        parser.add_argument(
            "--into",
            nargs="*",
            metavar="SLUG",
            help="fill these existing LPAs instead of provisioning new ones",
        )

    def handle(self, *args, lpas, participants, seed, today, province, into, **options):
        existing = None
        if into:
            existing = list(Lpa.objects.filter(slug__in=into, is_ready=True))
            if len(existing) != len(set(into)):
                raise CommandError("unknown or unready LPA among --into")
        total = len(existing) if existing is not None else lpas
        with tqdm(total=total, unit="LPA", desc="generate") as bar:
            result = generate(
                lpas=lpas,
                participants=participants,
                seed=seed,
                province=province,
                progress=bar.update,
                existing=existing,
            )
        self.stdout.write(f"{result.lpas} LPA, {result.participants} participants")
