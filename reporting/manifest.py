"""The signed manifest of an audit export, and its verification.

`manifest.json` lists every file of the export with its SHA-256, size and rows, the
query that made it, who exported it and when. Its signature is an HMAC-SHA256 over the
manifest's canonical JSON (keys sorted, no spaces, UTF-8) without the `signature`
field, under the server's export key: settings.EXPORT_SIGNING_KEY, or when that is
unset a key derived from SECRET_KEY (HMAC-SHA256 of a fixed label under SECRET_KEY, so
the signing key is never SECRET_KEY itself). Only a holder of the key can sign; the
same server verifies with `askesos verify-export FILE`.

Verification reads the ZIP (or a folder holding manifest.json and its files): the
signature first, then every listed file's size and hash; a file in the ZIP that the
manifest does not list fails too (nothing may be slipped in).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings

MANIFEST = "manifest.json"
FORMAT = "askesos-audit-export/1"
ALGORITHM = "HMAC-SHA256"
_KEY_LABEL = b"askesos.audit-export.manifest.v1"
_CHUNK = 1024 * 1024


def signing_key() -> bytes:
    if settings.EXPORT_SIGNING_KEY:
        return settings.EXPORT_SIGNING_KEY.encode()
    return hmac.new(settings.SECRET_KEY.encode(), _KEY_LABEL, hashlib.sha256).digest()


def key_id(key: bytes | None = None) -> str:
    """A short name of the key (not the key): tells "signed with another key" apart
    from "changed since it was signed"."""
    return hashlib.sha256(b"key-id:" + (key or signing_key())).hexdigest()[:12]


def canonical(manifest: dict[str, Any]) -> bytes:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def manifest_sign(manifest: dict[str, Any]) -> dict[str, Any]:
    key = signing_key()
    value = hmac.new(key, canonical(manifest), hashlib.sha256).hexdigest()
    return {
        **manifest,
        "signature": {"algorithm": ALGORITHM, "key_id": key_id(key), "value": value},
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The signed manifest as written into the ZIP: readable (indented), while the
    signature covers its canonical form, so the layout may change without harm."""
    return json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False).encode() + b"\n"


class HashingWriter:
    """A binary stream's writes, hashed and counted on the way through."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.sha = hashlib.sha256()
        self.size = 0
        self.rows: int | None = None  # a table's rows, for the manifest

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        self.size += len(data)
        return self.stream.write(data)

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        self.stream.flush()

    @property
    def closed(self) -> bool:
        return False

    def hexdigest(self) -> str:
        return self.sha.hexdigest()


# --- verification --------------------------------------------------------------------


@dataclass
class FileCheck:
    name: str
    ok: bool
    reason: str = ""


@dataclass
class Verification:
    signature_ok: bool
    signature_reason: str
    files: list[FileCheck] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.signature_ok and bool(self.files) and all(f.ok for f in self.files)


class ExportUnreadable(Exception):
    """Not an export this command can read (no manifest, not JSON, not a ZIP)."""


def _digest(chunks: Iterator[bytes]) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    for chunk in chunks:
        sha.update(chunk)
        size += len(chunk)
    return sha.hexdigest(), size


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def _signature_check(manifest: dict[str, Any]) -> tuple[bool, str]:
    signature = manifest.get("signature")
    if not isinstance(signature, dict) or not isinstance(signature.get("value"), str):
        return False, "the manifest carries no signature"
    if signature.get("algorithm") != ALGORITHM:
        return False, f"unknown signature algorithm {signature.get('algorithm')!r}"
    key = signing_key()
    expected = hmac.new(key, canonical(manifest), hashlib.sha256).hexdigest()
    if hmac.compare_digest(expected, signature["value"]):
        return True, ""
    if signature.get("key_id") != key_id(key):
        return False, (
            "the signature was made with another key than this server's "
            "(EXPORT_SIGNING_KEY or SECRET_KEY differs)"
        )
    return False, "the manifest was changed after it was signed"


def _listed(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
        isinstance(f, dict) and isinstance(f.get("name"), str) for f in files
    ):
        raise ExportUnreadable("the manifest has no list of files")
    return files


def _file_check(entry: dict[str, Any], actual: tuple[str, int] | None) -> FileCheck:
    name = entry["name"]
    if actual is None:
        return FileCheck(name, False, "missing")
    sha, size = actual
    if size != entry.get("size"):
        return FileCheck(name, False, f"size {size} bytes, the manifest says {entry.get('size')}")
    if sha != entry.get("sha256"):
        return FileCheck(name, False, "SHA-256 differs from the manifest's")
    return FileCheck(name, True)


def _load(raw: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportUnreadable(f"{MANIFEST} is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict):
        raise ExportUnreadable(f"{MANIFEST} is not a JSON object")
    return manifest


def export_verify(path: Path) -> Verification:
    """Verify an export: a ZIP, a manifest.json with its files beside it, or the
    folder that holds them."""
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST
    if not path.exists():
        raise ExportUnreadable(f"{path} does not exist")
    if zipfile.is_zipfile(path):
        return _verify_zip(path)
    return _verify_folder(path)


def _verify_zip(path: Path) -> Verification:
    with zipfile.ZipFile(path) as archive:
        names = [i.filename for i in archive.infolist() if not i.is_dir()]
        if MANIFEST not in names:
            raise ExportUnreadable(f"the ZIP holds no {MANIFEST}")
        manifest = _load(archive.read(MANIFEST))
        signature_ok, reason = _signature_check(manifest)
        result = Verification(signature_ok, reason, manifest=manifest)
        listed = _listed(manifest)
        for entry in listed:
            actual = None
            if entry["name"] in names:
                with archive.open(entry["name"]) as stream:
                    try:
                        actual = _digest(_chunks(stream))
                    except (zipfile.BadZipFile, OSError) as exc:
                        result.files.append(FileCheck(entry["name"], False, f"unreadable: {exc}"))
                        continue
            result.files.append(_file_check(entry, actual))
        known = {entry["name"] for entry in listed} | {MANIFEST}
        for name in names:
            if name not in known:
                result.files.append(FileCheck(name, False, "not listed in the manifest"))
    return result


def _verify_folder(path: Path) -> Verification:
    manifest = _load(path.read_bytes())
    signature_ok, reason = _signature_check(manifest)
    result = Verification(signature_ok, reason, manifest=manifest)
    folder = path.parent.resolve()
    for entry in _listed(manifest):
        target = (folder / entry["name"]).resolve()
        actual = None
        # A name that climbs out of the folder (../) is refused, not followed.
        if target.is_relative_to(folder) and target.is_file():
            with target.open("rb") as stream:
                actual = _digest(_chunks(stream))
        result.files.append(_file_check(entry, actual))
    return result
