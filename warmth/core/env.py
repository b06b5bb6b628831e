"""Strict parsers for the environment variables that drive ``warmth.settings``.

Every parser raises ``ImproperlyConfigured`` naming the variable and what was wrong, so a malformed
deployment fails at start-up with an explicit message instead of running half-configured.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, environ=None) -> str | None:
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    if value is None:
        return default
    return value.strip()


def env_bool(name: str, default: bool = False, *, environ=None) -> bool:
    raw = env_str(name, None, environ=environ)
    if raw is None:
        return default
    low = raw.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None,
            environ=None) -> int:
    raw = env_str(name, None, environ=environ)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[+-]?\d+", raw):
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number")
    value = int(raw)
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value}: must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value}: must be at most {maximum}")
    return value


def env_list(name: str, default: list[str] | None = None, *, environ=None) -> list[str]:
    raw = env_str(name, None, environ=environ)
    if raw is None:
        return list(default or [])
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str, *, environ=None) -> str:
    raw = env_str(name, None, environ=environ)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected one of {', '.join(choices)}")
    return raw


def parse_database_url(url: str, *, base_dir: Path) -> dict:
    """``sqlite:///relative/or/absolute.db`` or ``postgres://user:pass@host:port/name?sslmode=…``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        if parts.netloc:
            raise ImproperlyConfigured(
                f"DATABASE_URL={url!r}: a SQLite URL is sqlite:///PATH (three slashes), no host")
        path = unquote(parts.path)
        if path.startswith("//") or path.startswith("/"):  # sqlite:////abs/path
            path = path[1:]
        if not path:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r}: the SQLite file path is missing")
        file = Path(path)
        if not file.is_absolute():
            file = base_dir / file
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(file),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE",
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r}: the database name is missing")
        try:
            port = parts.port
        except ValueError as exc:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r}: the port is not a number") from exc
        options = dict(parse_qsl(parts.query, keep_blank_values=False, strict_parsing=False))
        conn_max_age = options.pop("conn_max_age", "0")
        if not conn_max_age.isdigit():
            raise ImproperlyConfigured(f"DATABASE_URL={url!r}: conn_max_age must be a whole number")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": int(conn_max_age),
            # a kept connection is checked before a request reuses it: after a PostgreSQL restart the next request
            # reconnects instead of failing
            "CONN_HEALTH_CHECKS": int(conn_max_age) > 0,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL={url!r}: unsupported scheme {scheme!r}; use sqlite:///PATH or postgres://…")


def parse_key(name: str, raw: str, *, length: int = 32) -> tuple[str, bytes]:
    """A key given as ``KEY_ID:BASE64`` (urlsafe or standard base64 of ``length`` random bytes)."""
    if ":" not in raw:
        raise ImproperlyConfigured(f"{name}: each key is KEY_ID:BASE64 (got no ':')")
    kid, _, b64 = raw.partition(":")
    kid = kid.strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", kid):
        raise ImproperlyConfigured(f"{name}: key id {kid!r} must be 1-16 letters, digits, '-' or '_'")
    try:
        key = base64.b64decode(b64.strip().replace("-", "+").replace("_", "/") + "==", validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{name}: key {kid!r} is not valid base64") from exc
    if len(key) != length:
        raise ImproperlyConfigured(f"{name}: key {kid!r} must be {length} bytes, got {len(key)}")
    return kid, key


def parse_keys(name: str, raw: str | None) -> dict[str, bytes]:
    """A comma-separated list of ``KEY_ID:BASE64`` keys; the first one is current (used to encrypt)."""
    keys: dict[str, bytes] = {}
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        kid, key = parse_key(name, item.strip())
        if kid in keys:
            raise ImproperlyConfigured(f"{name}: key id {kid!r} appears twice")
        keys[kid] = key
    return keys


def load_env_file(path: Path, *, environ=None) -> bool:
    """Read ``NAME=value`` lines into the environment without overriding what is already set."""
    environ = os.environ if environ is None else environ
    if not path.is_file():
        return False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name.strip()):
            raise ImproperlyConfigured(f"{path}:{number}: expected NAME=value")
        environ.setdefault(name.strip(), value.strip().strip('"').strip("'"))
    return True
