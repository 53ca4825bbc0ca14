"""Claim documents: what may be uploaded and where it is kept.

The content decides the type, not the name: a file's first bytes are read (filetype)
and must be a PDF or an image a phone makes, and agree with the file's extension.
Files are stored under the tenant's media folder (TenantFileSystemStorage) with a name
we make up, and read back only through the claim's own page on the LPA's host.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat

from programme.claims.errors import ClaimError
from programme.claims.models import DocumentKind

ALLOWED = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/webp": ("webp",),
}


@dataclass(frozen=True)
class Upload:
    kind: str
    filename: str
    content: bytes


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    filename: str
    content: bytes
    content_type: str
    extension: str
    sha256: str


def uploads_from(files: Any) -> list[Upload]:
    """The files of a form or API request: one input per kind, `doc_<kind>`, each
    possibly with several files."""
    return [
        Upload(kind=kind, filename=file.name, content=file.read())
        for kind in DocumentKind.values
        for file in files.getlist(f"doc_{kind}")
    ]


def upload_check(upload: Upload) -> CheckedUpload:
    """The upload, or ClaimError naming the file and what is wrong with it."""
    name = (upload.filename or "dokumen").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    if upload.kind not in DocumentKind.values:
        raise ClaimError("document_kind_unknown", field="documents", kind=upload.kind)
    if not upload.content:
        raise ClaimError("document_empty", field="documents", filename=name)
    limit = settings.CLAIM_DOCUMENT_MAX_BYTES
    if len(upload.content) > limit:
        raise ClaimError(
            "document_too_large",
            field="documents",
            filename=name,
            size=filesizeformat(len(upload.content)),
            limit=filesizeformat(limit),
        )
    guessed = filetype.guess(upload.content[:8192])
    mime = guessed.mime if guessed else None
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if mime not in ALLOWED or extension not in ALLOWED[mime]:
        raise ClaimError(
            "document_type",
            field="documents",
            filename=name,
            found=mime or (extension and f".{extension}") or "?",
        )
    return CheckedUpload(
        kind=upload.kind,
        filename=name,
        content=upload.content,
        content_type=mime,
        extension=ALLOWED[mime][0],
        sha256=hashlib.sha256(upload.content).hexdigest(),
    )


def upload_store(checked: CheckedUpload, *, claim_number: str) -> str:
    """Save under the current tenant's media folder; returns the storage name."""
    return default_storage.save(
        f"claims/{claim_number}/{uuid.uuid4().hex}.{checked.extension}",
        ContentFile(checked.content),
    )
