"""Files kept as evidence (a bank's statement, a batch sent to the bank): written once,
whole or not at all, under MEDIA_ROOT; and the size of an upload, refused unread."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest


def file_keep(relative: str, content: bytes) -> str:
    """Write `content` at MEDIA_ROOT/`relative` unless it is there already (the name
    carries the content's hash), through a `.part` file and a rename, so a crash never
    leaves half a file under the final name. Returns `relative`."""
    path = Path(settings.MEDIA_ROOT) / relative
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".part")
        temporary.write_bytes(content)
        temporary.replace(path)
    return relative


def form_int(value: str | None) -> int:
    """A row's id or a count from a form field, or -1 (which finds nothing, or which
    the services refuse in words). Amounts go through `rupiah_parse`."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 13 else -1


# A form's other fields and the multipart boundaries around an uploaded file.
FORM_ALLOWANCE = 64 * 1024


def request_body_too_large(request: HttpRequest, limit: int) -> int:
    """The length a request declares for its body when it is over `limit` (plus a
    form's other fields), else 0. Checked before anything reads the body: Django reads
    no more than the declared length, and nothing without one, so an upload refused
    here is never read, parsed nor written to a temporary file."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django refuses the body itself when it parses it
    return length if length > limit + FORM_ALLOWANCE else 0
