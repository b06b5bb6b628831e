"""Uploaded files: the type is read from the first bytes (never from the name a browser sends), the file is
stored under ``WARMTH_FILES_DIR`` (outside any web root) and served only through an access helper."""

from __future__ import annotations

import hashlib
import mimetypes
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Accepted files, by their first bytes.
MAGIC = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def sniff(head: bytes) -> str | None:
    return next((ctype for magic, ctype in MAGIC.items() if head.startswith(magic)), None)


@dataclass(frozen=True)
class StoredFile:
    rel_path: str
    content_type: str
    size: int
    sha256: str
    original_name: str


def store_upload(upload, *, folder: str, field: str = "file") -> StoredFile:
    """Check (PDF, JPEG or PNG, ≤ 10 MB) and store an upload; raises ValidationError on ``field``."""
    if upload is None:
        raise ValidationError({field: "请选择文件"})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({field: f"附件不能超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB"})
    head = upload.read(16)
    upload.seek(0)
    ctype = sniff(head)
    if ctype is None:
        raise ValidationError({field: "只接受PDF、JPG、PNG格式的附件"})
    ext = mimetypes.guess_extension(ctype) or ".bin"
    rel = Path(folder) / f"{uuid.uuid4().hex}{ext}"
    dest = Path(settings.WARMTH_FILES_DIR) / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with dest.open("wb") as fh:
        for chunk in upload.chunks():
            digest.update(chunk)
            fh.write(chunk)
    name = Path(upload.name or "附件").name[:200]
    return StoredFile(str(rel), ctype, upload.size, digest.hexdigest(), name)


def stored_path(rel: str) -> Path:
    return Path(settings.WARMTH_FILES_DIR) / rel
