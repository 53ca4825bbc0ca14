"""`askesos backup --lpa SLUG --out FILE` / `askesos backup --all --out FILE`

One LPA (its schema, its public rows, its uploaded files) or the whole platform (the
database and every uploaded file), as one file whose manifest holds the row counts,
the ledger balances, the release and the migrations; see docs/subsystems/backup.md.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from askesos.errors import DomainError
from tenants.backup.lpa import lpa_backup
from tenants.backup.whole_platform import platform_backup


class Command(BaseCommand):
    help = (
        "Back up one LPA (--lpa SLUG) or the whole platform (--all) into one new file "
        "(--out FILE), checked by SHA-256; restore it with `askesos restore`."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--lpa", metavar="SLUG", help="the LPA's address name")
        which.add_argument("--all", action="store_true", help="the whole platform")
        parser.add_argument("--out", required=True, metavar="FILE", help="the file to write")
        parser.add_argument("--no-media", action="store_true", help="leave the uploaded files out")

    def handle(self, *args, lpa, all: bool, out: str, no_media: bool, **options):
        target = Path(out).expanduser().resolve()
        try:
            if all:
                manifest = platform_backup(out=target, media=not no_media)
            else:
                manifest = lpa_backup(slug=lpa, out=target, media=not no_media)
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        counts = manifest["counts"]
        if all:
            tables = sum(len(t) for t in counts.values())
            rows = sum(sum(t.values()) for t in counts.values())
            what = _("%(schemas)s schemas, %(tables)s tables, %(rows)s rows") % {
                "schemas": len(counts),
                "tables": tables,
                "rows": rows,
            }
        else:
            what = _("LPA %(slug)s: %(tables)s tables, %(rows)s rows, %(public)s public rows") % {
                "slug": manifest["lpa"]["slug"],
                "tables": len(counts["schema"]),
                "rows": sum(counts["schema"].values()),
                "public": sum(counts["public"].values()),
            }
        self.stdout.write(
            _("Backed up %(what)s and %(files)s uploaded files into %(path)s (%(size)s bytes).")
            % {
                "what": what,
                "files": len(manifest["media"]),
                "path": target,
                "size": target.stat().st_size,
            }
        )
