"""Backup and restore, end to end through the console command, on the database kind of this test run: the
small demo backed up, restored into an empty database and files folder, gives identical row counts, files and
report figures; a restore is refused over existing data (without --force), with other keys, and from a file
that is not a backup."""

import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.tools import tool

pytestmark = pytest.mark.slow  # console commands in subprocesses: about three minutes

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"WARMTH_FIELD_KEY": "k1:" + "C" * 43 + "=", "WARMTH_INDEX_KEY": "i1:" + "D" * 43 + "=",
        "WARMTH_SECRET_KEY": "backup-test-secret-key-" + "x" * 40}
COUNTS = """
import json, django
django.setup()
from warmth.core.backup import table_counts
print(json.dumps(table_counts()))
"""


def warmth(env: dict, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "warmth.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    if ok:
        assert done.returncode == 0, done.stderr[-2000:]
    return done


def counts(env: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", COUNTS], cwd=ROOT, env=env | {"DJANGO_SETTINGS_MODULE":
                                                                                "warmth.settings"},
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


@pytest.fixture
def databases(tmp_path):
    """Two empty databases of this run's kind: the source and the restore target."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'a.sqlite3'}", f"sqlite:///{tmp_path / 'b.sqlite3'}"
        return
    import psycopg

    db = connection.settings_dict
    server = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    names = [f"warmth_bk_{uuid.uuid4().hex[:8]}_{side}" for side in ("a", "b")]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(f"CREATE DATABASE {name}")
    yield tuple(f"{server}/{name}" for name in names)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_backup_restores_to_identical_rows_files_and_figures(databases, tmp_path):
    if connection.vendor == "postgresql":
        tool("pg_dump", "a PostgreSQL backup runs pg_dump")
    source, target = databases
    base = {k: v for k, v in os.environ.items() if not k.startswith(("WARMTH_", "DATABASE_URL"))} | KEYS
    a = base | {"DATABASE_URL": source, "WARMTH_FILES_DIR": str(tmp_path / "files-a")}
    b = base | {"DATABASE_URL": target, "WARMTH_FILES_DIR": str(tmp_path / "files-b")}
    warmth(a, "migrate", "-v0")
    warmth(a, "seed-demo", "--scale", "small")
    upload = tmp_path / "files-a" / "uploads" / "2025" / "会议纪要.pdf"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"%PDF-1.4 minutes of the meeting")
    fill = ("reports", "fill", "--form", "warmth-2015", "--org", "510100", "--year", "2025", "--format", "json")
    figures = json.loads(warmth(a, *fill).stdout)
    out = tmp_path / "warmth.backup.tar"
    warmth(a, "backup", "--out", str(out))
    with tarfile.open(out) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert "files/uploads/2025/会议纪要.pdf" in names and manifest["counts"]["payments_payment"] > 0
    assert KEYS["WARMTH_FIELD_KEY"][3:] not in json.dumps(manifest)  # a key check, never the key
    twice = warmth(a, "backup", "--out", str(out), ok=False)
    assert twice.returncode != 0 and "已存在" in twice.stderr  # never overwrites a backup

    other_keys = b | {"WARMTH_INDEX_KEY": "i1:" + "E" * 43 + "="}
    refused = warmth(other_keys, "restore", str(out), ok=False)
    assert refused.returncode != 0 and "WARMTH_INDEX_KEY" in refused.stderr
    warmth(b, "restore", str(out))
    assert counts(b) == counts(a) == manifest["counts"]
    assert (tmp_path / "files-b" / "uploads" / "2025" / "会议纪要.pdf").read_bytes() == upload.read_bytes()
    assert json.loads(warmth(b, *fill).stdout) == figures
    again = warmth(b, "restore", str(out), ok=False)
    assert again.returncode != 0 and "--force" in again.stderr
    warmth(b, "restore", str(out), "--force")
    assert counts(b) == manifest["counts"]
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar at all")
    assert "不是 warmth 备份文件" in warmth(b, "restore", str(junk), ok=False).stderr
