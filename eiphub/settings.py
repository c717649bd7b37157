"""Django settings for EIP Hub.

Configuration comes from the environment:
- DATABASE_URL: a database URL (postgres://user@host:5432/name); SQLite in var/ when unset.
- EIPHUB_SECRET_KEY, EIPHUB_DEBUG, EIPHUB_ALLOWED_HOSTS.
- Production serving and background jobs: see the two blocks at the end and
  docs/deployment.md (EIPHUB_HTTPS, EIPHUB_LOG_FORMAT, CELERY_BROKER_URL, ...).
"""

import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("EIPHUB_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

PUBLIC_DEFAULT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production"
SECRET_KEY = os.environ.get("EIPHUB_SECRET_KEY", PUBLIC_DEFAULT_SECRET_KEY)
# DEBUG is off unless asked for (EIPHUB_DEBUG=1); `eiphub demo` sets EIPHUB_DEMO=1.
DEBUG = os.environ.get("EIPHUB_DEBUG", "0") == "1"
EIPHUB_DEMO = os.environ.get("EIPHUB_DEMO", "0") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("EIPHUB_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "eiphub.web",
    "eiphub.accounts",
    "eiphub.registry",
    "eiphub.flows",
    "eiphub.exchange",
    "eiphub.networks",
    "eiphub.recp",
    "eiphub.reports",
    "eiphub.jobs",
    "eiphub.monitoring",
    "eiphub.finance",
    "eiphub.programme",
    "eiphub.notices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # idle timeout with a session write at most once a minute (accounts/idle.py)
    "eiphub.accounts.idle.IdleSessionMiddleware",
    "eiphub.web.middleware.RejectNulMiddleware",
    "eiphub.web.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # --- security (issue 18): strict CSP with per-request nonces; unstorable input rejected ---
    "eiphub.web.middleware.ContentSecurityPolicyMiddleware",
    "eiphub.web.validation.WriteGuardMiddleware",
    # --- totp (issue 18): ministry/board sessions verify a TOTP code (accounts/twofactor.py) ---
    "eiphub.accounts.twofactor.TwoFactorMiddleware",
    # a failed write writes nothing; reads run without a transaction (web/middleware.py)
    "eiphub.web.middleware.WriteTransactionMiddleware",
]

ROOT_URLCONF = "eiphub.urls"

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
                "eiphub.web.context.navigation",
                "eiphub.web.context.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "eiphub.wsgi.application"

_default_sqlite = f"sqlite:///{VAR_DIR / 'eiphub.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60
    )
}
# --- security (issue 18): a failed request writes nothing ---
# Writes (POST, PUT, PATCH, DELETE) run in one transaction per request through
# eiphub.web.middleware.WriteTransactionMiddleware; reads run without one (issue 9: a
# BEGIN/COMMIT pair per page view is a fixed cost of every read at national scale).
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
    if os.environ.get("EIPHUB_SQLITE_TEST_DB"):
        # A file test database that a worker subprocess can open (`make test-redis`).
        DATABASES["default"]["TEST"] = {"NAME": os.environ["EIPHUB_SQLITE_TEST_DB"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's validators for passwords users choose (the demo's users are created with
# set_password, which does not validate, so their short "demo" password stays).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["eiphub.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Uploaded and generated files (report evidence, report documents) go through Django's
# storage API (STORAGES["default"]); they are never served as static media: a view checks
# who may read the report first (reports/views.py).
MEDIA_ROOT = Path(os.environ.get("EIPHUB_MEDIA_ROOT", VAR_DIR / "media"))
EIPHUB_EVIDENCE_MAX_BYTES = int(os.environ.get("EIPHUB_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024


# ---------------------------------------------------------------------------------
# Production serving (issue 9): WhiteNoise, HTTPS, health, logs.  docs/deployment.md
# ---------------------------------------------------------------------------------
EIPHUB_SHOW_DEMO_LOGINS = DEBUG or EIPHUB_DEMO
_TESTING = "pytest" in sys.modules


def production_problems() -> list[str]:
    """What keeps this configuration from serving the public (wsgi.py refuses to start
    on any of them when DEBUG is off outside the demo; `check --deploy` lists them)."""
    problems = []
    if SECRET_KEY == PUBLIC_DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("EIPHUB_SECRET_KEY must be set to a private value of 50+ characters")
    if not os.environ.get("EIPHUB_ALLOWED_HOSTS"):
        problems.append("EIPHUB_ALLOWED_HOSTS must list the host names the site is served on")
    return problems


# Static files: WhiteNoise serves them from the web process.  `eiphub serve` collects
# them with hashed names (EIPHUB_STATIC_MANIFEST=1, cached for a year by browsers);
# elsewhere (demo, tests, runserver) WhiteNoise serves them straight from the apps.
if os.environ.get("EIPHUB_STATIC_MANIFEST") == "1" and not _TESTING:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
else:
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = DEBUG

# Behind TLS (EIPHUB_HTTPS=1): secure cookies, HSTS, redirect to https; a proxy that
# terminates TLS must send X-Forwarded-Proto.
if os.environ.get("EIPHUB_HTTPS") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("EIPHUB_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = os.environ.get("EIPHUB_HSTS_PRELOAD", "1") == "1"
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("EIPHUB_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]


# E-mail (notifications are sent by jobs): SMTP when EMAIL_HOST (or the older
# EIPHUB_EMAIL_HOST) is set, files under var/mail otherwise (the demo); tests use Django's
# in-memory outbox.
def _mail_env(name: str, old: str, default: str = "") -> str:
    return os.environ.get(name, os.environ.get(old, default))


if _mail_env("EMAIL_HOST", "EIPHUB_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail_env("EMAIL_HOST", "EIPHUB_EMAIL_HOST")
    EMAIL_PORT = int(_mail_env("EMAIL_PORT", "EIPHUB_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = _mail_env("EMAIL_HOST_USER", "EIPHUB_EMAIL_USER")
    EMAIL_HOST_PASSWORD = _mail_env("EMAIL_HOST_PASSWORD", "EIPHUB_EMAIL_PASSWORD")
    EMAIL_USE_TLS = _mail_env("EMAIL_USE_TLS", "EIPHUB_EMAIL_TLS", "1").lower() in ("1", "true")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# Uploaded files (exchange attachments, issue 17): Django's storage API, under var/media;
# never served as static files (exchange/views_search.py checks who may read each file).
MEDIA_ROOT = Path(os.environ.get("EIPHUB_MEDIA_ROOT", VAR_DIR / "media"))
DEFAULT_FROM_EMAIL = _mail_env(
    "DEFAULT_FROM_EMAIL", "EIPHUB_EMAIL_FROM", "EIP Hub <no-reply@eiphub.local>"
)

# Logs: plain text by default; EIPHUB_LOG_FORMAT=json writes one JSON object a line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "eiphub.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("EIPHUB_LOG_FORMAT") == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("EIPHUB_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# ---------------------------------------------------------------------------------
# Background jobs (issue 9): Celery.  Redis in production (CELERY_BROKER_URL=
# redis://host:6379/0; amqp:// works too); without it, kombu's filesystem transport
# under var/celery/ (no server to run: the demo).  docs/deployment.md
# ---------------------------------------------------------------------------------
from celery.schedules import crontab  # noqa: E402

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_DIR = Path(os.environ.get("EIPHUB_CELERY_DIR", VAR_DIR / "celery"))
if CELERY_BROKER_URL.startswith("filesystem"):
    for _d in ("queue", "processed"):
        (CELERY_DIR / _d).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "processed_folder": str(CELERY_DIR / "processed"),
        "store_processed": False,
        "polling_interval": float(os.environ.get("EIPHUB_CELERY_POLL_SECONDS", 0.2)),
    }
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False  # no fanout on the filesystem transport
else:
    # A message not acknowledged within visibility_timeout is delivered again; the
    # runner skips a job whose heartbeat is fresh, so a long job is not run twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("EIPHUB_CELERY_VISIBILITY_TIMEOUT", 600)),
    }
CELERY_TASK_ALWAYS_EAGER = os.environ.get("EIPHUB_JOBS_EAGER") == "1"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_IGNORE_RESULT = True  # results are kept on the Job row
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # long jobs: one at a time per process
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DIR / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    "sweep-lost-jobs": {"task": "eiphub.jobs.sweep", "schedule": 60.0},
    "nightly-rematching": {
        "task": "eiphub.jobs.periodic",
        "schedule": crontab(hour=1, minute=30),
        "args": ["exchange.rematch_all"],
    },
    "nightly-recompute": {
        "task": "eiphub.jobs.periodic",
        "schedule": crontab(hour=2, minute=30),
        "args": ["jobs.hook", {"name": "nightly_recompute"}],
    },
    "daily-reminders": {
        "task": "eiphub.jobs.periodic",
        "schedule": crontab(hour=7, minute=0),
        "args": ["jobs.hook", {"name": "daily_reminders"}],
    },
}
# Seconds: heartbeat of a running job; a running job silent for STALE is taken over;
# a queued job not started after REDISPATCH is sent again (by the sweeper).
# Stored results (reports/stored.py): a change queues their recomputation as a job; pages
# show the stored figures, flagged "updating" while the job runs.  Tests use "on_read".
EIPHUB_RECOMPUTE = os.environ.get("EIPHUB_RECOMPUTE", "task")
EIPHUB_RECOMPUTE_TASK = "eiphub.reports.jobs.enqueue_recompute"
EIPHUB_JOBS_HEARTBEAT_SECONDS = float(os.environ.get("EIPHUB_JOBS_HEARTBEAT_SECONDS", 10))
EIPHUB_JOBS_STALE_SECONDS = float(os.environ.get("EIPHUB_JOBS_STALE_SECONDS", 60))
EIPHUB_JOBS_REDISPATCH_SECONDS = float(os.environ.get("EIPHUB_JOBS_REDISPATCH_SECONDS", 300))
EIPHUB_JOBS_RETRY_BASE_SECONDS = float(os.environ.get("EIPHUB_JOBS_RETRY_BASE_SECONDS", 2))

# --- security (issue 18): accounts ---
# Idle timeout: a session ends after 30 minutes without a request.  It is renewed by a
# session write at most once a minute (eiphub/accounts/idle.py), not on every request.
SESSION_COOKIE_AGE = int(os.environ.get("EIPHUB_SESSION_IDLE_S", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = False
EIPHUB_SESSION_TOUCH_S = int(os.environ.get("EIPHUB_SESSION_TOUCH_S", 60))
# Login throttling (eiphub/accounts/throttle.py): 5 failures lock a username/address 15 min.
EIPHUB_LOGIN_MAX_FAILURES = 5
EIPHUB_LOGIN_LOCKOUT_S = 15 * 60
# Password reset e-mails go through the e-mail settings above (files under var/mail in the demo).

# --- totp (issue 18): TOTP two-factor authentication for ministry and board users ---
EIPHUB_REQUIRE_2FA = os.environ.get("EIPHUB_REQUIRE_2FA", "1") != "0"
