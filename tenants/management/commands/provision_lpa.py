from django.core.management.base import BaseCommand, CommandError

from askesos.errors import DomainError
from tenants.models import LegalForm
from tenants.services import domain_for, lpa_provision


class Command(BaseCommand):
    help = "Register and provision an LPA tenant (safe to run twice with the same data)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="address: <slug>.<BASE_DOMAIN>")
        parser.add_argument("--legal-form", required=True, choices=LegalForm.values)
        parser.add_argument("--regency", required=True, help="kabupaten/kota code, e.g. 74.71")
        parser.add_argument("--npwp", required=True)
        parser.add_argument("--scheme", help="scheme code (default: the national default)")

    def handle(self, *args, **options):
        try:
            lpa = lpa_provision(
                name=options["name"],
                slug=options["slug"],
                legal_form=options["legal_form"],
                regency_code=options["regency"],
                npwp=options["npwp"],
                scheme_code=options["scheme"],
            )
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        self.stdout.write(f"{lpa.name}: http://{domain_for(lpa.slug)} (schema {lpa.schema_name})")
