import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from warmth.core.env import env_bool, env_choice, env_int, load_env_file, parse_database_url, parse_keys

ROOT = Path(__file__).resolve().parents[2]
KEY = "k1:" + "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE="


def test_it_parses_booleans_strictly():
    assert env_bool("X", environ={"X": "yes"}) is True
    assert env_bool("X", environ={"X": "0"}) is False
    assert env_bool("X", True, environ={}) is True
    with pytest.raises(ImproperlyConfigured, match="X='maybe'"):
        env_bool("X", environ={"X": "maybe"})


def test_it_rejects_a_malformed_or_out_of_range_number():
    assert env_int("N", 5, environ={"N": "30"}) == 30
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("N", 5, environ={"N": "3O"})
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("N", 5, minimum=1, environ={"N": "0"})


def test_it_rejects_an_unknown_choice():
    with pytest.raises(ImproperlyConfigured, match="development, production"):
        env_choice("E", ("development", "production"), "development", environ={"E": "prod"})


def test_it_reads_sqlite_urls_relative_and_absolute(tmp_path):
    rel = parse_database_url("sqlite:///data/x.db", base_dir=tmp_path)
    assert rel["NAME"] == str(tmp_path / "data" / "x.db")
    absolute = parse_database_url("sqlite:////var/lib/warmth/w.db", base_dir=tmp_path)
    assert absolute["NAME"] == "/var/lib/warmth/w.db"
    assert absolute["ENGINE"] == "django.db.backends.sqlite3"


def test_it_reads_postgres_urls_with_credentials_and_options(tmp_path):
    cfg = parse_database_url("postgres://warm%40th:p%2Fss@db.local:6543/warmth?sslmode=require&conn_max_age=60",
                             base_dir=tmp_path)
    assert cfg["ENGINE"] == "django.db.backends.postgresql"
    assert (cfg["USER"], cfg["PASSWORD"], cfg["HOST"], cfg["PORT"], cfg["NAME"]) == (
        "warm@th", "p/ss", "db.local", "6543", "warmth")
    assert cfg["OPTIONS"] == {"sslmode": "require"}
    assert cfg["CONN_MAX_AGE"] == 60 and cfg["CONN_HEALTH_CHECKS"] is True
    plain = parse_database_url("postgres://u@h/warmth", base_dir=tmp_path)
    assert plain["CONN_MAX_AGE"] == 0 and plain["CONN_HEALTH_CHECKS"] is False


@pytest.mark.parametrize("url, message", [
    ("mysql://u@h/db", "unsupported scheme"),
    ("postgres://u@h:port/db", "port is not a number"),
    ("postgres://u@h:5432/", "database name is missing"),
    ("sqlite://host/file.db", "three slashes"),
])
def test_it_rejects_malformed_database_urls(tmp_path, url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_database_url(url, base_dir=tmp_path)


def test_it_parses_a_key_list_with_the_current_key_first():
    keys = parse_keys("K", KEY + ",k0:" + "MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=")
    assert list(keys) == ["k1", "k0"]
    assert all(len(v) == 32 for v in keys.values())


@pytest.mark.parametrize("raw, message", [
    ("nokeyid", "KEY_ID:BASE64"),
    ("k1:c2hvcnQ=", "must be 32 bytes"),
    ("bad id!:" + "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=", "key id"),
    (KEY + "," + KEY, "appears twice"),
])
def test_it_rejects_malformed_keys(raw, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_keys("WARMTH_FIELD_KEY", raw)


def test_an_env_file_fills_only_what_the_environment_lacks(tmp_path):
    f = tmp_path / "w.env"
    f.write_text("# comment\nA=1\nB='two'\n", encoding="utf-8")
    environ = {"A": "set"}
    assert load_env_file(f, environ=environ)
    assert environ == {"A": "set", "B": "two"}
    f.write_text("not a line\n", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="NAME=value"):
        load_env_file(f, environ={})


def _manage(args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("WARMTH_", "DJANGO_", "DATABASE_URL"))}
    base.update({"DJANGO_SETTINGS_MODULE": "warmth.settings", "WARMTH_ENV_FILE": "/nonexistent"}, **env)
    return subprocess.run([sys.executable, "-m", "django", *args], cwd=ROOT, env=base, capture_output=True,
                          text=True, timeout=120)


def production_env(tmp_path):
    return {
        "WARMTH_ENV": "production",
        "WARMTH_SECRET_KEY": "s" * 20 + "Q9!x" * 10 + "z" * 10,
        "WARMTH_ALLOWED_HOSTS": "warmth.example.org",
        "WARMTH_FIELD_KEY": KEY,
        "WARMTH_INDEX_KEY": "i1:" + "aWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWk=",
        "WARMTH_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
    }


@pytest.mark.slow
def test_production_settings_pass_check_deploy_with_no_warning(tmp_path):
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], **production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("missing", ["WARMTH_SECRET_KEY", "WARMTH_ALLOWED_HOSTS", "WARMTH_FIELD_KEY"])
def test_production_refuses_to_start_without_its_secrets(tmp_path, missing):
    env = production_env(tmp_path)
    env.pop(missing)
    result = _manage(["check"], **env)
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.slow
def test_a_malformed_variable_stops_start_up_with_its_name(tmp_path):
    result = _manage(["check"], WARMTH_LOCKOUT_MINUTES="fifteen", WARMTH_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "WARMTH_LOCKOUT_MINUTES='fifteen': expected a whole number" in result.stderr
