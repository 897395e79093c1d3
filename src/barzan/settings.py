"""
Settings for every Barzan deployment, read from BARZAN_* environment variables.

There is one settings module: the demo, the tests and production differ only in the
environment. The README's configuration table lists every variable read here.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(f"BARZAN_{name}", default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = env_str(name)
    return float(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DATA_DIR = Path(env_str("DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Return BARZAN_SECRET_KEY, or a key kept in the data folder so sessions survive restarts."""
    if key := env_str("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# -- HTTPS: on behind a TLS-terminating proxy in production, off for the demo on loopback.
HTTPS = env_bool("HTTPS")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("HSTS_PRELOAD", True)
if env_bool("BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12) * 3600
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "barzan.core.views.csrf_failure"

# -- Content-Security-Policy and Permissions-Policy, on every response (django-csp,
# django-permissions-policy). Pages carry no inline script, handler or style: data is put
# into pages as text, and a policy that refuses inline code stops what might slip through.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Bootstrap's style sheet draws its check boxes and select arrows as data: SVGs.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
# No page uses a device or a payment feature: deny them to every frame, the page's own too.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "django_filters",
    "django_tables2",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "barzan",
    "barzan.core",
    "barzan.geo",
    "barzan.accounts",
    "barzan.access",
    "barzan.audit",
    "barzan.registry",
    "barzan.indicators",
    "barzan.reports",
    "barzan.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files carry the security headers too.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "barzan.core.middleware.RequestIdMiddleware",
    "barzan.core.middleware.ApiErrorMiddleware",
    "barzan.core.middleware.RequestSizeMiddleware",
    "barzan.core.middleware.DatabaseBusyMiddleware",
    "barzan.core.middleware.BadInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "barzan.core.middleware.LanguageMiddleware",
    "barzan.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "barzan.urls"
WSGI_APPLICATION = "barzan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "barzan.core.context_processors.shell",
            ],
            "builtins": ["barzan.core.templatetags.barzan"],
        },
    },
]

# -- A busy database: how long a request waits for SQLite's write lock (its busy timeout)
# before it answers 503 with Retry-After; PostgreSQL's lock and connection failures are
# answered the same way (core.middleware.DatabaseBusyMiddleware).
BARZAN_DB_BUSY_SECONDS = float(env_str("DB_BUSY_SECONDS") or 5)

# -- Database: SQLite in the data folder unless BARZAN_DATABASE_URL names another.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'barzan.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue instead of failing with "database is locked".
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            f" PRAGMA busy_timeout={round(BARZAN_DB_BUSY_SECONDS * 1000)};"
            # 64 MB of page cache and reads through mmap: area rows carry boundaries,
            # so a province's subtree spans many pages.
            " PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Just-in-time compilation costs more than it saves on the roll-up statements (about
    # 0.6 s each; a national rebuild went from 46 s to 30 s without it).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# -- Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reports:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 3 * 3600

# "required": holders of privileged roles must use TOTP; "optional": offered to everyone.
TWO_FACTOR = env_str("TWO_FACTOR", "required")
OTP_TOTP_ISSUER = "Barzan"

# API tokens expire: after this many days unless their creator chooses sooner, never later
# than the maximum.
BARZAN_API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
BARZAN_API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)

# Failed logins lock a username only from the client address that failed, so nobody can lock
# a colleague out from elsewhere. After the limit the pair waits BARZAN_LOCKOUT_DELAY; each
# further failure doubles the wait, up to the cap (see accounts.lockout).
AXES_FAILURE_LIMIT = env_int("LOCKOUT_FAILURES", 5)
BARZAN_LOCKOUT_DELAY = timedelta(minutes=env_int("LOCKOUT_MINUTES", 5))
BARZAN_LOCKOUT_MAX_DELAY = timedelta(minutes=env_int("LOCKOUT_MAX_MINUTES", 240))
# How long failures are remembered after the last one: the delay keeps growing within it.
AXES_COOLOFF_TIME = timedelta(hours=24)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "barzan.accounts.lockout.GrowingDelayHandler"
AXES_LOCKOUT_CALLABLE = "barzan.accounts.lockout.locked_out"
# Attempts during a wait are refused unchecked and not counted: they do not restart it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
# Reverse proxies in front of Barzan that append the client to X-Forwarded-For (nginx: one).
# 0: the connection's own address; the header, which any client can write, is ignored.
BARZAN_TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "barzan.accounts.lockout.client_address"

# -- Language, time
LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", _("Persian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "barzan_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE", "Asia/Tehran")
USE_I18N = True
USE_TZ = True

# -- Static files: front-end packages come from node_modules (npm ci), never a CDN.
NODE_MODULES = PROJECT_DIR / "node_modules"
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/vazirmatn", NODE_MODULES / "vazirmatn" / "fonts"),
    ("vendor/jalalidatepicker", NODE_MODULES / "@majidh1" / "jalalidatepicker" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "barzan.core.storage.StaticStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# -- Email: printed to the console unless an SMTP host is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("EMAIL_FROM", "barzan@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# -- Background tasks: stored in the database, run by `barzan worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# -- Geography: the box (west, south, east, north in degrees) every boundary must lie in.
# Imports use it to tell swapped latitude/longitude from real places. Default: Iran.
BARZAN_GEO_EXTENT = tuple(float(part) for part in env_list("GEO_EXTENT", "43.0,24.0,64.0,40.5"))
# An imported boundary with more than this share of its area outside its parent's boundary
# is listed as a warning; with more than the second, the file is refused (0–1).
BARZAN_AREA_OUTSIDE_WARN = env_float("AREA_OUTSIDE_WARN", 0.05)
BARZAN_AREA_OUTSIDE_REFUSE = env_float("AREA_OUTSIDE_REFUSE", 0.5)
# Uploaded import files larger than this are refused with a message (bytes).
BARZAN_IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 200) * 1024 * 1024

# -- Untrusted files (core.untrusted): what reading one upload may take before it is refused.
# An archive (ZIP, XLSX) is refused before it is decompressed when it has more entries than
# this, expands beyond this many bytes in all, or has an entry of 1 MB or more compressed
# more than this many times (real sheets compress up to about 30 times, ZIP bombs 1,000).
BARZAN_UNZIP_MAX_ENTRIES = env_int("UNZIP_MAX_ENTRIES", 1000)
BARZAN_UNZIP_MAX_BYTES = env_int("UNZIP_MAX_MB", 1024) * 1024 * 1024
BARZAN_UNZIP_MAX_RATIO = env_int("UNZIP_MAX_RATIO", 200)
# A workbook whose first sheet reaches beyond these is refused (Excel's own last cell is
# XFD1048576, a sheet of 16,384 columns; Barzan's files have eight).
BARZAN_XLSX_MAX_COLUMNS = env_int("XLSX_MAX_COLUMNS", 256)
BARZAN_XLSX_MAX_ROWS = env_int("XLSX_MAX_ROWS", 1_048_576)
# Workbooks, JSON and XML are parsed in a child process with this much address space (bytes)
# and processor time (seconds); a file that needs more is refused with a message.
BARZAN_PARSER_MEMORY_BYTES = env_int("PARSER_MEMORY_MB", 2048) * 1024 * 1024
BARZAN_PARSER_SECONDS = env_int("PARSER_SECONDS", 300)

# -- Indicators: counts below this show as «کمتر از ۵» outside the organization that owns them.
BARZAN_SMALL_COUNT_THRESHOLD = env_int("SMALL_COUNT_THRESHOLD", 5)
# Uploaded value files larger than this are checked and applied by `barzan worker`, with a
# progress bar, instead of in the request (bytes).
BARZAN_BACKGROUND_IMPORT_BYTES = env_int("BACKGROUND_IMPORT_KB", 1024) * 1024
# Imports apply in steps of this many rows, each a short transaction, so logins and other
# writes get the (SQLite) write lock between them.
BARZAN_IMPORT_STEP_ROWS = env_int("IMPORT_STEP_ROWS", 2000)
# Areas carry boundaries of several kilobytes each: fewer of them per step.
BARZAN_IMPORT_AREA_STEP_ROWS = env_int("IMPORT_AREA_STEP_ROWS", 200)
# The pause between two steps (ms) that lets waiting SQLite writers in: SQLite does not
# queue them. None: 120 ms on SQLite, none on PostgreSQL.
BARZAN_IMPORT_STEP_PAUSE_MS = env_int("IMPORT_STEP_PAUSE_MS", None)
# A running import renews its heartbeat this often; one silent for longer than the stale
# bound was orphaned by a crash and is shown as failed, ready to be run again (seconds).
BARZAN_IMPORT_HEARTBEAT_SECONDS = 5
BARZAN_IMPORT_STALE_SECONDS = env_int("IMPORT_STALE_SECONDS", 300)
# An import that meets a busy database is tried again after these waits (seconds).
BARZAN_IMPORT_RETRY_SECONDS = (5, 15, 45, 120, 300)

# -- Tables, API
DJANGO_TABLES2_TEMPLATE = "core/table.html"
DJANGO_TABLES2_PAGE_RANGE = 5
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
FORM_RENDERER = "barzan.core.forms.FormRenderer"

# What `barzan demo` serves with: two-factor offered to everyone, required of no one.
DEMO_TWO_FACTOR = env_str("DEMO_TWO_FACTOR", "optional")
