"""`askesos verify-export FILE`: check an audit export's signature and every file's
hash and size (reporting.manifest). Exit status 0 only when all verify."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.manifest import ExportUnreadable, export_verify


class Command(BaseCommand):
    help = (
        "Verify an ASKESOS audit export: FILE is the ZIP, or a manifest.json with its files "
        "beside it. Checks the manifest's signature (this server's export key) and each "
        "file's SHA-256 and size. Exit status 0 when everything verifies, 1 otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the export's ZIP, or its manifest.json")

    def handle(self, *args, file: str, **options):
        try:
            result = export_verify(Path(file))
        except (ExportUnreadable, OSError) as exc:
            raise CommandError(f"Cannot verify {file}: {exc}", returncode=1) from exc
        query = result.manifest.get("query", {})
        who = result.manifest.get("exported_by", {})
        self.stdout.write(
            f"Export #{result.manifest.get('export_id', '?')} ({query.get('kind', '?')}), "
            f"period {query.get('period', '?')}, area {query.get('area') or 'nation'}, "
            f"by {who.get('username', '?')} at {result.manifest.get('exported_at', '?')}"
        )
        if result.signature_ok:
            self.stdout.write("signature OK")
        else:
            self.stdout.write(f"signature FAILED: {result.signature_reason}")
        for check in result.files:
            if check.ok:
                self.stdout.write(f"{check.name} OK")
            else:
                self.stdout.write(f"{check.name} FAILED: {check.reason}")
        failed = [c for c in result.files if not c.ok]
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"Verified: all {len(result.files)} files."))
            return
        problems = []
        if not result.signature_ok:
            problems.append("the signature does not verify")
        if failed:
            problems.append(f"{len(failed)} of {len(result.files)} files failed")
        if not result.files:
            problems.append("the manifest lists no files")
        raise CommandError(f"NOT verified: {'; '.join(problems)}.", returncode=1)
