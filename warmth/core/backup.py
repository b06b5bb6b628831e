"""Backup and restore of a whole installation: the database and the uploaded and generated files.

A backup is one tar file:

- ``manifest.json``: the format, when and from what it was made, the row count of every table, the files
  with their sizes and SHA-256, and a **key check**: for the blind-index key and each field key, an HMAC of a
  fixed text under that key (``key_check``). The keys themselves are never in a backup; they are kept apart
  (docs/deployment.md, 密钥保管), and a backup is useless without them.
- the database: ``database.dump`` (``pg_dump --format=custom``) on PostgreSQL, ``database.sqlite3`` (SQLite's
  online backup API, a consistent copy while the app runs) on SQLite;
- ``files/…``: everything under ``WARMTH_FILES_DIR``.

Restore refuses, before touching anything, a file that is not a warmth backup, a backup of the other database
kind, a backup whose key check does not match the keys configured here (the data would not decrypt), and a
target database that already holds data unless ``force``. Then it restores the database (``pg_restore --clean
--if-exists`` / the backup API), the files (names checked: nothing outside the files folder), and compares every
table's row count with the manifest; a difference is an error.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import subprocess  # pg_dump / pg_restore with fixed arguments, no shell
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1
CHECK_TEXT = b"warmth-backup-key-check-v1"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (Chinese)."""


def key_check() -> dict:
    out = {"index": None, "fields": {}}
    if settings.WARMTH_INDEX_KEY is not None:
        kid, key = settings.WARMTH_INDEX_KEY
        out["index"] = [kid, hmac.new(key, CHECK_TEXT, hashlib.sha256).hexdigest()[:32]]
    for kid, key in (settings.WARMTH_FIELD_KEYS or {}).items():
        out["fields"][kid] = hmac.new(key, CHECK_TEXT, hashlib.sha256).hexdigest()[:32]
    return out


def table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cur:
        for table in sorted(connection.introspection.table_names()):
            cur.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (introspected names)
            counts[table] = cur.fetchone()[0]
    return counts


def _pg_env() -> tuple[list[str], dict]:
    db = connection.settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    args = ["--host", db.get("HOST") or "localhost", "--port", str(db.get("PORT") or 5432),
            "--username", db.get("USER") or "postgres"]
    return args, env | {"PGDATABASE": db["NAME"]}


def _run(cmd: list[str], env: dict, what: str) -> None:
    exe = shutil.which(cmd[0])
    if exe is None:
        raise BackupError(f"找不到 {cmd[0]}（请安装与数据库版本一致的 PostgreSQL 客户端）")
    done = subprocess.run([exe, *cmd[1:]], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{what}失败：{done.stderr.strip()[:500]}")


def _files() -> list[Path]:
    root = Path(settings.WARMTH_FILES_DIR)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def backup(out: Path, progress=None) -> dict:
    """Write the backup to ``out`` (a new file: written beside it and renamed, so a failure leaves none)."""
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} 已存在，请换一个文件名（备份不覆盖已有文件）")
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"不支持的数据库类型：{vendor}")
    files_root = Path(settings.WARMTH_FILES_DIR)
    with tempfile.TemporaryDirectory(prefix="warmth-backup-") as tmp:
        tmp = Path(tmp)
        if progress:
            progress("正在导出数据库")
        if vendor == "postgresql":
            db_name, db_file = "database.dump", tmp / "database.dump"
            args, env = _pg_env()
            _run(["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(db_file)], env, "导出数据库")
        else:
            db_name, db_file = "database.sqlite3", tmp / "database.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(db_file)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        files = _files()
        manifest = {
            "format": FORMAT, "app": "warmth", "created_at": timezone.now().isoformat(), "vendor": vendor,
            "database": db_name, "counts": table_counts(), "key_check": key_check(),
            "files": [{"name": p.relative_to(files_root).as_posix(), "size": p.stat().st_size, "sha256": _sha256(p)}
                      for p in files]}
        partial = out.with_name(out.name + ".partial")
        try:
            with tarfile.open(partial, "w") as tar:
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size, info.mtime = len(data), int(timezone.now().timestamp())
                tar.addfile(info, io.BytesIO(data))
                tar.add(db_file, arcname=db_name)
                for p in files:
                    if progress:
                        progress(f"正在打包文件 {p.name}")
                    tar.add(p, arcname=f"files/{p.relative_to(files_root).as_posix()}")
            partial.replace(out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return manifest


def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r") as tar:
            member = tar.getmember("manifest.json")
            manifest = json.load(tar.extractfile(member))
    except (tarfile.TarError, KeyError, OSError, ValueError) as exc:
        raise BackupError(f"{path} 不是 warmth 备份文件（{type(exc).__name__}）") from None
    if manifest.get("app") != "warmth" or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} 不是本版本 warmth 的备份文件")
    return manifest


def _check_keys(manifest: dict) -> None:
    want, have = manifest.get("key_check") or {}, key_check()
    if want.get("index") != have["index"]:
        raise BackupError("当前配置的 WARMTH_INDEX_KEY 与备份时的不同：恢复后无法按身份证号等检索。"
                          "请配置备份时的密钥后再恢复。")
    missing = [kid for kid, check in (want.get("fields") or {}).items() if have["fields"].get(kid) != check]
    if missing:
        raise BackupError(f"当前配置的 WARMTH_FIELD_KEY 缺少备份时的密钥 {'、'.join(missing)}（或内容不同）："
                          "恢复后个人信息无法解密。请把这些密钥加入 WARMTH_FIELD_KEY 后再恢复。")


def _safe_name(name: str) -> PurePosixPath:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or not p.parts or p.parts[0] != "files" or len(p.parts) < 2:
        raise BackupError(f"备份中的文件名不安全：{name}")
    return PurePosixPath(*p.parts[1:])


def restore(path: Path, *, force: bool = False, progress=None) -> dict:
    """Restore the backup at ``path`` into the configured database and files folder; returns the manifest."""
    path = Path(path)
    manifest = read_manifest(path)
    vendor = connection.vendor
    if manifest["vendor"] != vendor:
        raise BackupError(f"备份来自 {manifest['vendor']} 数据库，当前是 {vendor}：只能恢复到同类数据库")
    _check_keys(manifest)
    existing = connection.introspection.table_names()
    if "orgs_org" in existing and not force:
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM orgs_org")
            if cur.fetchone()[0]:
                raise BackupError("目标数据库中已有数据；确认要用备份覆盖时请加 --force")
    files_root = Path(settings.WARMTH_FILES_DIR)
    with tarfile.open(path, "r") as tar, tempfile.TemporaryDirectory(prefix="warmth-restore-") as tmp:
        names = {m.name: m for m in tar.getmembers()}
        db_member = names.get(manifest["database"])
        if db_member is None or not db_member.isfile():
            raise BackupError("备份文件不完整：缺少数据库")
        for m in names.values():
            if m.name.startswith("files/"):
                if not m.isfile():
                    raise BackupError(f"备份中的文件不是普通文件：{m.name}")
                _safe_name(m.name)
        db_file = Path(tmp) / "db"
        with tar.extractfile(db_member) as src, db_file.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        if progress:
            progress("正在恢复数据库")
        if vendor == "postgresql":
            args, env = _pg_env()
            connection.close()
            _run(["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                  "--dbname", env["PGDATABASE"], str(db_file)], env, "恢复数据库")
        else:
            connection.ensure_connection()
            source = sqlite3.connect(db_file)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
            connection.close()
        for m in names.values():
            if not m.name.startswith("files/"):
                continue
            target = files_root / _safe_name(m.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(m) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
    counts = table_counts()
    differ = {t: (n, counts.get(t)) for t, n in manifest["counts"].items() if counts.get(t) != n}
    if differ:
        raise BackupError("恢复后行数与备份不一致：" + "，".join(f"{t} 备份 {a} 现 {b}"
                                                              for t, (a, b) in differ.items()))
    for f in manifest["files"]:
        p = files_root / _safe_name("files/" + f["name"])
        if not p.exists() or _sha256(p) != f["sha256"]:
            raise BackupError(f"恢复后文件 {f['name']} 与备份不一致")
    return manifest
