"""Django settings for EIP Hub.

Configuration comes from the environment:
- DATABASE_URL: a database URL (postgres://user@host:5432/name); SQLite in var/ when unset.
- EIPHUB_SECRET_KEY, EIPHUB_DEBUG, EIPHUB_ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("EIPHUB_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("EIPHUB_SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
DEBUG = os.environ.get("EIPHUB_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("EIPHUB_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
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
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = []  # demo passwords are short; production sets its own policy

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

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# --- security (issue 18): accounts ---
# The login page shows demo credentials only in the demo (`eiphub demo` or EIPHUB_DEMO=1).
EIPHUB_DEMO = os.environ.get("EIPHUB_DEMO") == "1"
# Idle timeout: a session ends after 30 minutes without a request (renewed on each request).
SESSION_COOKIE_AGE = int(os.environ.get("EIPHUB_SESSION_IDLE_S", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
# Login throttling (eiphub/accounts/throttle.py): 5 failures lock a username/address 15 min.
EIPHUB_LOGIN_MAX_FAILURES = 5
EIPHUB_LOGIN_LOCKOUT_S = 15 * 60
# Password reset e-mails: printed to the console unless an SMTP host is configured.
EMAIL_BACKEND = os.environ.get(
    "EIPHUB_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("EIPHUB_FROM_EMAIL", "no-reply@eiphub.local")
