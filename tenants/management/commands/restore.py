"""`askesos restore --lpa FILE [--as SLUG] [--replace]` / `askesos restore --all FILE`
/ `askesos restore --check FILE`

The file is checked whole before anything changes; after restoring, the row counts and
the ledger balances are compared with its manifest, and any difference fails the
command (an LPA's restore is undone). See docs/subsystems/backup.md.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from askesos.errors import DomainError
from tenants.backup.archive import archive_read, unpack_folder
from tenants.backup.lpa import lpa_restore
from tenants.backup.whole_platform import platform_restore


class Command(BaseCommand):
    help = (
        "Restore one LPA (--lpa FILE, into a database set up by `askesos setup`; --as SLUG "
        "under another address name; --replace to replace an LPA of that name) or the "
        "whole platform (--all FILE, into an empty database); --check FILE only checks a "
        "file. Row counts and ledger balances must equal the backup's manifest."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--lpa", metavar="FILE", help="an LPA's backup")
        which.add_argument("--all", metavar="FILE", help="a whole-platform backup")
        which.add_argument("--check", metavar="FILE", help="check a backup file, change nothing")
        parser.add_argument("--as", dest="slug", metavar="SLUG", help="restore the LPA as SLUG")
        parser.add_argument(
            "--replace", action="store_true", help="replace an LPA or schema of that name"
        )
        parser.add_argument(
            "--jobs", type=int, default=1, help="pg_restore processes for --all (default 1)"
        )

    def handle(self, *args, lpa, all, check, slug, replace: bool, jobs: int, **options):
        try:
            if check:
                self._check(Path(check).expanduser())
            elif all:
                self._platform(Path(all).expanduser(), jobs=jobs)
            else:
                self._lpa(Path(lpa).expanduser(), slug=slug, replace=replace)
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc

    def _check(self, path: Path) -> None:
        with unpack_folder(path, ".askesos-check-") as tmp:
            manifest = archive_read(path, Path(tmp)).manifest
        who = manifest.get("lpa", {}).get("slug") or _("the whole platform")
        self.stdout.write(
            _(
                "%(path)s is intact: a backup of %(who)s made %(at)s by release %(version)s, "
                "%(parts)s parts and %(files)s uploaded files verified."
            )
            % {
                "path": path,
                "who": who,
                "at": manifest["created_at"],
                "version": manifest["platform_version"],
                "parts": len(manifest["parts"]),
                "files": len(manifest["media"]),
            }
        )

    def _lpa(self, path: Path, *, slug, replace: bool) -> None:
        done = lpa_restore(path=path, slug=slug, replace=replace)
        self.stdout.write(
            _(
                "Restored LPA %(slug)s (schema %(schema)s%(replaced)s): %(tables)s tables, "
                "%(rows)s rows, %(public)s public rows, %(files)s uploaded files; row counts "
                "and ledger balances equal the backup's."
            )
            % {
                "slug": done.slug,
                "schema": done.schema,
                "replaced": _(", replacing the one here") if done.replaced else "",
                "tables": done.tables,
                "rows": done.rows,
                "public": sum(done.public_rows.values()),
                "files": done.media_files,
            }
        )
        self.stdout.write(
            _("Users: %(added)s added, %(matched)s already here (by username).")
            % {"added": done.users_added, "matched": done.users_matched}
        )
        if done.reports_kept:
            self.stdout.write(
                _("%(count)s reports were already here and were kept as they are.")
                % {"count": done.reports_kept}
            )
        if done.ids_changed:
            changed = ", ".join(f"{table} {n}" for table, n in sorted(done.ids_changed.items()))
            self.stdout.write(
                _("Ids taken here, given new ones: %(changed)s.") % {"changed": changed}
            )
        if done.columns_rewritten:
            self.stdout.write(
                _("Columns pointed at the new ids: %(columns)s.")
                % {"columns": ", ".join(done.columns_rewritten)}
            )
        if done.migrated:
            self.stdout.write(_("The schema was migrated forward to this release."))

    def _platform(self, path: Path, *, jobs: int) -> None:
        done = platform_restore(path=path, jobs=jobs)
        self.stdout.write(
            _(
                "Restored the platform into database %(database)s: %(schemas)s schemas, "
                "%(tables)s tables, %(rows)s rows, %(files)s uploaded files; row counts and "
                "ledger balances equal the backup's. Run `askesos setup` next."
            )
            % {
                "database": done.database,
                "schemas": done.schemas,
                "tables": done.tables,
                "rows": done.rows,
                "files": done.media_files,
            }
        )
