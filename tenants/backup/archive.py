"""The backup file: one file, checked as a whole before anything is restored from it.

Layout: a POSIX tar of `manifest.json` (first), the parts it lists (`schema.dump` and
`public.json` for an LPA, `database.dump` for the platform) and the uploaded files under
`media/`, followed by one 512-byte trailer, `ASKESOS-BACKUP-SHA256 <hex>`: the SHA-256 of
every byte before it. Tar readers stop at the archive's end and ignore the trailer, so
`tar tf FILE` lists it and `tar xf FILE manifest.json` reads the manifest.

Reading checks the trailer first (any changed, missing or added byte, in a header,
in the padding or in the data, fails it), then each part and file against the SHA-256
and size in the manifest; a damaged file is refused before the database is touched.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from tenants.backup.errors import BackupError

FORMAT = "askesos-backup/1"
MANIFEST = "manifest.json"
MEDIA = "media"
TRAILER_SIZE = 512
TRAILER_TAG = b"ASKESOS-BACKUP-SHA256 "
CHUNK = 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingWriter(io.RawIOBase):
    """What tarfile writes, hashed on its way to the file."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.digest.update(data)
        return self.stream.write(data)


class _Bounded(io.RawIOBase):
    """The file up to `limit` bytes: the tar without its trailer."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self.stream = stream
        self.remaining = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self.remaining <= 0:
            return 0
        data = self.stream.read(min(len(buffer), self.remaining))
        buffer[: len(data)] = data
        self.remaining -= len(data)
        return len(data)


def media_files(root: Path) -> list[tuple[str, Path]]:
    """Every file under `root`, by its path relative to it (sorted, symlinks skipped)."""
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append((path.relative_to(root).as_posix(), path))
    return found


def archive_write(
    out: Path,
    *,
    manifest: dict[str, Any],
    parts: dict[str, Path],
    media: Iterable[tuple[str, Path]] = (),
) -> dict[str, Any]:
    """Write the backup file at `out` (atomically: a temporary name, then renamed).
    Fills the manifest's `parts` and `media` with each one's SHA-256 and size."""
    if out.exists():
        raise BackupError("out_exists", path=str(out))
    media = list(media)
    manifest = dict(manifest, format=FORMAT)
    manifest["parts"] = {
        name: {"sha256": sha256_of(path), "size": path.stat().st_size}
        for name, path in parts.items()
    }
    manifest["media"] = {
        name: {"sha256": sha256_of(path), "size": path.stat().st_size} for name, path in media
    }
    body = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode()
    partial = out.with_name(f".{out.name}.partial")
    try:
        with open(partial, "wb") as stream:
            writer = _HashingWriter(stream)
            with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
                tar.addfile(info, io.BytesIO(body))
                for name, path in parts.items():
                    tar.add(path, arcname=name, recursive=False)
                for name, path in media:
                    tar.add(path, arcname=f"{MEDIA}/{name}", recursive=False)
            trailer = TRAILER_TAG + writer.digest.hexdigest().encode() + b"\n"
            stream.write(trailer.ljust(TRAILER_SIZE, b"\0"))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


@dataclass
class Backup:
    path: Path
    manifest: dict[str, Any]
    folder: Path  # where its parts and media were unpacked

    def part(self, name: str) -> Path:
        return self.folder / name

    @property
    def media_root(self) -> Path:
        return self.folder / MEDIA


def unpack_folder(path: Path, prefix: str) -> tempfile.TemporaryDirectory:
    """Where to unpack a backup: beside it (the disk that holds backups has room for
    one), or the system's temporary folder when that one is read-only."""
    beside = path.resolve().parent
    return tempfile.TemporaryDirectory(
        prefix=prefix, dir=beside if os.access(beside, os.W_OK) else None
    )


def _damaged(path: Path, reason: str) -> BackupError:
    return BackupError("file_damaged", path=str(path), reason=reason)


def _trailer_check(path: Path) -> int:
    """Check the whole-file SHA-256; returns the size of the tar before the trailer."""
    try:
        size = path.stat().st_size
        if size < TRAILER_SIZE * 3:
            raise _damaged(path, "too short to be a backup")
        digest = hashlib.sha256()
        with open(path, "rb") as stream:
            remaining = size - TRAILER_SIZE
            while remaining > 0:
                chunk = stream.read(min(CHUNK, remaining))
                if not chunk:
                    raise _damaged(path, "cut short")
                digest.update(chunk)
                remaining -= len(chunk)
            trailer = stream.read(TRAILER_SIZE)
    except OSError as exc:
        raise BackupError("file_unreadable", path=str(path), reason=exc.strerror or exc) from exc
    if not trailer.startswith(TRAILER_TAG):
        raise _damaged(path, "no ASKESOS backup trailer at its end")
    expected = trailer[len(TRAILER_TAG) : len(TRAILER_TAG) + 64].decode("ascii", "replace")
    rest = trailer[len(TRAILER_TAG) + 64 :]
    if expected != digest.hexdigest() or rest != b"\n".ljust(len(rest), b"\0"):
        raise _damaged(path, "its SHA-256 does not match: it was changed after it was written")
    return size - TRAILER_SIZE


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts


def archive_read(path: Path, folder: Path) -> Backup:
    """Check `path` and unpack its parts and media into `folder`; BackupError if it is
    damaged in any way, before anything else happens."""
    size = _trailer_check(path)
    manifest: dict[str, Any] | None = None
    seen: dict[str, dict[str, Any]] = {}
    try:
        with (
            open(path, "rb") as stream,
            tarfile.open(fileobj=_Bounded(stream, size), mode="r|") as tar,
        ):
            for member in tar:
                if manifest is None:
                    if member.name != MANIFEST or not member.isfile():
                        raise _damaged(path, "the manifest is not its first member")
                    manifest = json.load(tar.extractfile(member))
                    if manifest.get("format") != FORMAT:
                        raise _damaged(path, f"unknown format {manifest.get('format')!r}")
                    continue
                listed = _listed(manifest, member.name)
                if listed is None or not member.isfile() or not _safe_name(member.name):
                    raise _damaged(path, f"{member.name} is not in its manifest")
                target = folder / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                written = 0
                source = tar.extractfile(member)
                with open(target, "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        written += len(chunk)
                if digest.hexdigest() != listed["sha256"] or written != listed["size"]:
                    raise _damaged(path, f"{member.name} does not match its SHA-256")
                seen[member.name] = listed
    except (tarfile.TarError, json.JSONDecodeError, UnicodeDecodeError, EOFError) as exc:
        raise _damaged(path, f"unreadable ({exc})") from exc
    if manifest is None:
        raise _damaged(path, "no manifest")
    expected = set(manifest.get("parts", {})) | {
        f"{MEDIA}/{name}" for name in manifest.get("media", {})
    }
    missing = sorted(expected - set(seen))
    if missing:
        raise _damaged(path, f"{', '.join(missing[:5])} missing")
    return Backup(path=path, manifest=manifest, folder=folder)


def _listed(manifest: dict[str, Any], name: str) -> dict[str, Any] | None:
    if name in manifest.get("parts", {}):
        return manifest["parts"][name]
    prefix = f"{MEDIA}/"
    if name.startswith(prefix):
        return manifest.get("media", {}).get(name[len(prefix) :])
    return None
