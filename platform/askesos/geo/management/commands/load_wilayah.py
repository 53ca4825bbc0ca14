import time

from django.core.management.base import BaseCommand

from askesos.geo.services import wilayah_load


class Command(BaseCommand):
    help = "Load (or refresh) Indonesian provinces, regencies, districts and villages."

    def handle(self, *args, **options):
        started = time.perf_counter()
        counts = wilayah_load()
        self.stdout.write(
            f"wilayah: {counts.provinces} provinsi, {counts.regencies} kabupaten/kota, "
            f"{counts.districts} kecamatan, {counts.villages} desa/kelurahan "
            f"({time.perf_counter() - started:.1f} s)"
        )
