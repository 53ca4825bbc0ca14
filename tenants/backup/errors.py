from django.utils.translation import gettext_lazy as _

from askesos.errors import DomainError


class BackupError(DomainError):
    """A backup or a restore refused or failed; nothing was changed unless it says so."""

    messages = {
        "lpa_unknown": _("No LPA has the address name %(slug)s."),
        "lpa_not_ready": _("LPA %(lpa)s is still being prepared; it has no schema to back up."),
        "out_exists": _("%(path)s already exists; a backup never overwrites a file."),
        "pg_tool_missing": _(
            "No %(tool)s of PostgreSQL %(version)s or newer was found (PATH, PG_BIN_DIR, the "
            "embedded server's)."
        ),
        "pg_tool_failed": _("%(tool)s failed: %(detail)s"),
        "file_unreadable": _("%(path)s cannot be read: %(reason)s"),
        "file_damaged": _(
            "%(path)s is damaged and was not restored: %(reason)s. Nothing was changed."
        ),
        "file_kind": _("%(path)s is a backup of %(found)s, not of %(wanted)s."),
        "newer_release": _(
            "The backup was made by a newer release (%(migrations)s unknown here). Upgrade "
            "this platform first."
        ),
        "target_behind": _(
            "This database lacks migrations the backup had (%(migrations)s). Run `askesos "
            "setup` first."
        ),
        "slug_invalid": _("%(slug)s is not a valid address name."),
        "lpa_exists": _(
            "LPA %(slug)s (schema %(schema)s) already exists here. Add --replace to replace it "
            "with the backup."
        ),
        "schema_in_use": _(
            "Schema %(schema)s exists in this database and is not the one being replaced; "
            "restore into another database or under its own name."
        ),
        "npwp_taken": _(
            "The NPWP %(npwp)s is held by LPA %(lpa)s here; an NPWP is one LPA nationally."
        ),
        "reference_missing": _(
            "This database lacks reference data the LPA uses (%(what)s). Run `askesos setup` first."
        ),
        "restore_conflict": _(
            "The backup's rows collide with rows of another LPA here: %(detail)s. Nothing was "
            "changed."
        ),
        "restore_mismatch": _(
            "The restored data differs from the backup's manifest (%(detail)s); the restore "
            "was undone."
        ),
        "platform_mismatch": _(
            "The restored database differs from the backup's manifest (%(detail)s). Do not "
            "use it: drop it and restore again."
        ),
        "database_not_empty": _(
            "Database %(database)s is not empty (%(tables)s tables); a whole-platform restore "
            "needs an empty database."
        ),
    }
