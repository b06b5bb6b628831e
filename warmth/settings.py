"""The one settings module of warmth, driven by environment variables (see docs/deployment.md).

``WARMTH_ENV=production`` turns on every production safeguard and makes the secrets mandatory. Values are
parsed strictly: a malformed variable stops start-up with a message naming it.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from warmth.core.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    load_env_file,
    parse_database_url,
    parse_key,
    parse_keys,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("WARMTH_DATA_DIR") or BASE_DIR / "data").resolve()
# Keys and secrets written by `warmth demo` (or by an operator) live here; the real environment wins.
ENV_FILE = Path(env_str("WARMTH_ENV_FILE") or DATA_DIR / "warmth.env")
load_env_file(ENV_FILE)

WARMTH_ENV = env_choice("WARMTH_ENV", ("development", "production"), "development")
PRODUCTION = WARMTH_ENV == "production"
DEBUG = env_bool("WARMTH_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("WARMTH_DEBUG=1 is not allowed with WARMTH_ENV=production")

SECRET_KEY = env_str("WARMTH_SECRET_KEY") or ""
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("WARMTH_SECRET_KEY is required when WARMTH_ENV=production")
    SECRET_KEY = "django-insecure-development-only-key-set-WARMTH_SECRET_KEY-in-production"  # noqa: S105
elif PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("WARMTH_SECRET_KEY must be at least 50 characters in production")

ALLOWED_HOSTS = env_list("WARMTH_ALLOWED_HOSTS",
                         [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("WARMTH_ALLOWED_HOSTS is required when WARMTH_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("WARMTH_CSRF_TRUSTED_ORIGINS", [])

# Personal data keys: WARMTH_FIELD_KEY is "KID:BASE64[,KID:BASE64…]"; the first key encrypts, all decrypt
# (old keys stay listed after a rotation until `warmth rotate-keys` has re-encrypted every row).
# WARMTH_INDEX_KEY is one "KID:BASE64" HMAC key for the blind indexes; it is never rotated casually.
WARMTH_FIELD_KEYS = parse_keys("WARMTH_FIELD_KEY", env_str("WARMTH_FIELD_KEY"))
_index_key = env_str("WARMTH_INDEX_KEY")
WARMTH_INDEX_KEY = parse_key("WARMTH_INDEX_KEY", _index_key) if _index_key else None
if PRODUCTION and (not WARMTH_FIELD_KEYS or WARMTH_INDEX_KEY is None):
    raise ImproperlyConfigured("WARMTH_FIELD_KEY and WARMTH_INDEX_KEY are required when WARMTH_ENV=production")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "ninja",
    "django_tasks",
    "warmth.core",
    "warmth.orgs",
    "warmth.audit",
    "warmth.jobs",
    "django_tasks_db",  # after warmth.jobs, whose db_worker (with the job sweeps) extends the library's
    "warmth.auditpage",
    "warmth.archives",
    "warmth.funds",
    "warmth.payments",
    "warmth.campaigns",
    "warmth.visits",
    "warmth.centers",
    "warmth.dashboard",
    "warmth.reports",
    "warmth.evaluation",
    "warmth.incomecheck",
    "warmth.pairing",
    "warmth.todo",  # the top layer: reads every workflow, nothing imports it
    "warmth.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "warmth.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "warmth.core.middleware.NulInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "warmth.audit.middleware.RequestContextMiddleware",
    "warmth.orgs.middleware.SessionActivityMiddleware",
    "warmth.orgs.middleware.ActorMiddleware",
    "warmth.orgs.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "warmth.urls"
WSGI_APPLICATION = "warmth.wsgi.application"
ASGI_APPLICATION = "warmth.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "warmth" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "warmth.orgs.context_processors.actor",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'warmth.sqlite3'}",
                                  base_dir=BASE_DIR),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
# A PostgreSQL streaming replica for the read-only work (reports, dashboards, lists, exports): with
# DATABASE_REPLICA_URL set, warmth.core.dbrouter sends those reads there and everything else to the primary;
# without it nothing changes (docs/scaling.md, docs/deployment.md).
_replica_url = env_str("DATABASE_REPLICA_URL")
if _replica_url:
    DATABASES["replica"] = parse_database_url(_replica_url, base_dir=BASE_DIR)
    if "postgresql" not in DATABASES["replica"]["ENGINE"] or "postgresql" not in DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL for both DATABASE_URL and the replica")
    # tests run against the primary's test database, read through the replica's server
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["warmth.core.dbrouter.ReplicaRouter"]
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.common.CommonMiddleware") + 1,
                      "warmth.core.dbrouter.ReplicaPinMiddleware")
# after a write, that browser reads from the primary for this long; a background export waits at most this long
# for the replica to replay the primary's position at its start, else reads from the primary
WARMTH_REPLICA_PIN_SECONDS = env_int("WARMTH_REPLICA_PIN_SECONDS", 5, minimum=0, maximum=3600)
WARMTH_REPLICA_WAIT_SECONDS = env_int("WARMTH_REPLICA_WAIT_SECONDS", 5, minimum=0, maximum=600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = ["warmth.orgs.auth.LockoutModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "warmth.orgs.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "warmth.orgs.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "warmth.orgs.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "warmth.orgs.passwords.DifferentFromCurrentValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# 等保三级: lock an account after N failures for M minutes; log out after an idle period.
WARMTH_LOCKOUT_FAILURES = env_int("WARMTH_LOCKOUT_FAILURES", 5, minimum=1, maximum=100)
WARMTH_LOCKOUT_MINUTES = env_int("WARMTH_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60)
WARMTH_SESSION_IDLE_MINUTES = env_int("WARMTH_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60)
SESSION_COOKIE_AGE = WARMTH_SESSION_IDLE_MINUTES * 60
# The age counts from the last *active* request (SessionActivityMiddleware saves the session on each one,
# but not on polling fragments): an idle timeout. Plus an absolute lifetime since login.
SESSION_SAVE_EVERY_REQUEST = False
WARMTH_SESSION_MAX_HOURS = env_int("WARMTH_SESSION_MAX_HOURS", 12, minimum=1, maximum=24 * 7)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "warmth.core.errors.csrf_failure"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("WARMTH_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "warmth" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": ("whitenoise.storage.CompressedManifestStaticFilesStorage" if PRODUCTION
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"),
    },
}
# Outside production the app serves static files straight from the source tree (no collectstatic step).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Uploaded and generated files: outside any web root, served only through access-checked views.
WARMTH_FILES_DIR = Path(env_str("WARMTH_FILES_DIR") or DATA_DIR / "files").resolve()
MEDIA_ROOT = WARMTH_FILES_DIR

TASKS = {
    "default": {
        "BACKEND": env_str("WARMTH_TASK_BACKEND") or "django_tasks_db.DatabaseBackend",
    },
}
# A running job whose worker has sent no heartbeat for this long is taken to be dead (killed, out of memory,
# machine restarted): `warmth db_worker` queues it again if its kind is safe to re-run, else marks it failed.
WARMTH_JOB_STALE_SECONDS = env_int("WARMTH_JOB_STALE_SECONDS", 300, minimum=2, maximum=24 * 3600)
# Files a job leaves (exports with full ID numbers, audit.csv) are deleted this many days after it finished.
WARMTH_EXPORT_KEEP_DAYS = env_int("WARMTH_EXPORT_KEEP_DAYS", 7, minimum=1, maximum=3650)

# A CJK TrueType font embedded in PDFs; falls back to reportlab's STSong-Light CID font if missing.
WARMTH_PDF_FONT = env_str("WARMTH_PDF_FONT") or "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

# Content-Security-Policy: no inline script or style, nothing from another origin.
WARMTH_CSP = env_str("WARMTH_CSP") or (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("WARMTH_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("WARMTH_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("WARMTH_HSTS_PRELOAD", True)
    if env_bool("WARMTH_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("WARMTH_LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
