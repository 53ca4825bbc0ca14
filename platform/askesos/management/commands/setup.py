import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from askesos.geo.services import wilayah_load
from askesos.workdays.services import holidays_load
from programme.schemes.services import schemes_load_shipped
from programme.subsidies.services import rates_load_shipped
from reporting.reports import schedules_load_shipped
from tenants.schedules import schedules_install
from tenants.schemas import all_schemas_migrate


class Command(BaseCommand):
    help = (
        "Bring the database up to date: public schema, the tenant template, every stale "
        "tenant schema (in parallel), wilayah reference data and static files. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-static", action="store_true", help="skip collectstatic")

    def handle(self, *args, no_static: bool = False, verbosity: int = 1, **options):
        started = time.perf_counter()
        result = all_schemas_migrate(verbosity=max(0, verbosity - 1))
        self.stdout.write(
            f"schemas: public + template + {result['tenants']} LPA "
            f"({result['migrated']} migrated, the rest already up to date)"
        )
        schemes = schemes_load_shipped()
        self.stdout.write(f"schemes: {', '.join(str(s) for s in schemes)}")
        schedules_install()
        rates = rates_load_shipped()
        self.stdout.write(f"subsidy rates: {rates} fiscal years added")
        self.stdout.write(f"report schedules: {schedules_load_shipped()} period types")
        year = time.localtime().tm_year
        added = holidays_load(years=range(2020, year + 3))
        self.stdout.write(f"public holidays 2020-{year + 2}: {added} added")
        counts = wilayah_load()
        self.stdout.write(
            f"wilayah: {counts.provinces} provinsi, {counts.regencies} kabupaten/kota, "
            f"{counts.districts} kecamatan, {counts.villages} desa/kelurahan"
        )
        if not no_static:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"setup done in {time.perf_counter() - started:.1f} s")
