import argparse

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run a benchmark and print a table. Available: provisioning, registry, premiums, "
        "claims, daily, transfers, reports, dashboards, imports."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "name",
            choices=[
                "provisioning",
                "registry",
                "premiums",
                "claims",
                "daily",
                "transfers",
                "reports",
                "dashboards",
                "imports",
            ],
        )
        parser.add_argument(
            "--lpas", type=int, default=None, help="premiums: only the first N; transfers (2000)"
        )
        parser.add_argument(
            "--lines", type=int, default=30, help="transfers: statement lines per LPA"
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=None,
            help="transfers (1), reports (2): the worker's processes (1: solo pool)",
        )
        parser.add_argument(
            "--stagger",
            type=float,
            default=None,
            help="reports: seconds between the LPAs' tasks as sent (default: the job's own)",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="premiums: worker processes, as Celery would fan out",
        )
        parser.add_argument("--tenants", type=int, default=50, help="provisioning")
        parser.add_argument(
            "--participants", type=int, default=None, help="registry (50.000), daily (250)"
        )
        parser.add_argument(
            "--requests", type=int, default=100, help="daily: per page; dashboards: per query"
        )
        parser.add_argument(
            "--months", type=int, default=12, help="dashboards: months of facts to rebuild"
        )
        parser.add_argument(
            "--freshness", type=int, default=5, help="dashboards: changes timed to visible"
        )
        parser.add_argument("--import-rows", type=int, default=10_000, help="registry")
        parser.add_argument("--queries", type=int, default=300, help="registry")
        parser.add_argument(
            "--claim-participants", type=int, default=1000, help="claims: participants (and claims)"
        )
        parser.add_argument(
            "--rows", type=int, default=50_000, help="imports: rows of the legitimate lists"
        )
        # imports: one case, in the process the benchmark starts for it.
        parser.add_argument("--batch", type=int, default=None, help=argparse.SUPPRESS)
        parser.add_argument("--schema", default=None, help=argparse.SUPPRESS)

    def handle(self, *args, name: str, tenants: int, **options):
        if name == "imports":
            import json

            from askesos.bench import imports

            if options["batch"] is not None:
                result = imports.run_one(batch_id=options["batch"], schema=options["schema"])
                self.stdout.write(json.dumps(result))
                return
            self.stdout.write("\n".join(imports.run(rows=options["rows"])))
            return
        if name == "premiums":
            from askesos.bench import premiums

            lines = premiums.run(limit=options["lpas"], processes=options["processes"])
            self.stdout.write("\n".join(lines))
            return
        if name == "claims":
            from askesos.bench import claims

            self.stdout.write("\n".join(claims.run(participants=options["claim_participants"])))
            return
        if name == "transfers":
            from askesos.bench import transfers

            lines = transfers.run(
                lpas=options["lpas"] or 2000,
                lines=options["lines"],
                concurrency=options["concurrency"] or 1,
            )
            self.stdout.write("\n".join(lines))
            return
        if name == "reports":
            from askesos.bench import reports

            lines = reports.run(concurrency=options["concurrency"] or 2, stagger=options["stagger"])
            self.stdout.write("\n".join(lines))
            return
        if name == "dashboards":
            from askesos.bench import dashboards

            lines = dashboards.run(
                requests=options["requests"],
                months=options["months"],
                freshness=options["freshness"],
            )
            self.stdout.write("\n".join(lines))
            return
        if name == "daily":
            from askesos.bench import daily

            lines = daily.run(
                participants=options["participants"] or 250, requests=options["requests"]
            )
            self.stdout.write("\n".join(lines))
            return
        if name == "registry":
            from askesos.bench import registry

            lines = registry.run(
                participants=options["participants"] or 50_000,
                import_rows=options["import_rows"],
                queries=options["queries"],
            )
            self.stdout.write("\n".join(lines))
            return
        if tenants < 1:
            raise CommandError("--tenants must be at least 1")
        from askesos.bench import provisioning
        from tenants.schemas import disk_migrations

        results = provisioning.run(tenants)
        self.stdout.write(provisioning.table(results, len(disk_migrations())))
