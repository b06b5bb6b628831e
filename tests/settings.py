"""Test settings: the real settings module with fixed test keys and fast hashing.

Only environment defaults are supplied here; DATABASE_URL from the environment still chooses SQLite or
PostgreSQL, so the same suite runs on both.
"""

import copy
import os
import tempfile

os.environ.setdefault("WARMTH_ENV_FILE", "/nonexistent/warmth-test.env")  # never read a developer's keys
os.environ.setdefault("WARMTH_DATA_DIR", tempfile.mkdtemp(prefix="warmth-test-"))
os.environ.setdefault("WARMTH_SECRET_KEY", "test-secret-key-" + "x" * 40)
# 32-byte keys, base64: "k1" current, "k0" an older key kept for reading.
os.environ.setdefault("WARMTH_FIELD_KEY", "k1:" + "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=")
os.environ.setdefault("WARMTH_INDEX_KEY", "i1:" + "aWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWk=")
os.environ.setdefault("WARMTH_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("DATABASE_URL", "sqlite:///" + os.path.join(os.environ["WARMTH_DATA_DIR"], "t.sqlite3"))

from warmth.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # a real file, so tests can check what is (and is not) written to disk
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["WARMTH_DATA_DIR"], "test.sqlite3")}  # noqa: F405

# A second alias on the same test database, for the router's tests (tests/core/test_dbrouter.py). The router
# itself is installed only where DATABASE_REPLICA_URL is set (the replica test of .ci/run), so the rest of the
# suite runs as before.
if "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**copy.deepcopy(DATABASES["default"]), "TEST": {"MIRROR": "default"}}  # noqa: F405
