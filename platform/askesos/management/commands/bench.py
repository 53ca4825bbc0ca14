from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run a benchmark and print a table. Available: provisioning."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=["provisioning"])
        parser.add_argument("--tenants", type=int, default=50)

    def handle(self, *args, name: str, tenants: int, **options):
        if tenants < 1:
            raise CommandError("--tenants must be at least 1")
        from askesos.bench import provisioning
        from tenants.schemas import disk_migrations

        results = provisioning.run(tenants)
        self.stdout.write(provisioning.table(results, len(disk_migrations())))
