"""Settings for campusflow, read from the environment with safe local defaults.

Local demo: nothing to set (SQLite next to the code, DEBUG on).
Production: set CAMPUSFLOW_ENV=production, SECRET_KEY, CAMPUSFLOW_FIELD_KEY,
DATABASE_URL, CAMPUSFLOW_ALLOWED_HOSTS; see docs/deployment.md.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("CAMPUSFLOW_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)
TESTING = env_bool("CAMPUSFLOW_TESTING", False)

_DEV_SECRET = "campusflow-development-only-secret-key-never-use-in-production-0123456789"  # noqa: S105 - development only; production refuses to start without SECRET_KEY
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when CAMPUSFLOW_ENV=production")

# Key material for sensitive fields (身份证号, phones): AES-GCM encryption and an
# HMAC blind index. Kept apart from SECRET_KEY so that rotating the session
# secret never makes stored ID numbers unreadable.
FIELD_ENCRYPTION_KEY = os.environ.get("CAMPUSFLOW_FIELD_KEY", "" if PRODUCTION else "dev-field-key-" + "0" * 32)
if PRODUCTION and not FIELD_ENCRYPTION_KEY:
    raise RuntimeError("CAMPUSFLOW_FIELD_KEY must be set when CAMPUSFLOW_ENV=production")

# The site's public address, for links sent by SMS and e-mail (W-09).
CAMPUSFLOW_BASE_URL = os.environ.get("CAMPUSFLOW_BASE_URL", "http://127.0.0.1:8000")
ALLOWED_HOSTS = env_list("CAMPUSFLOW_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CAMPUSFLOW_CSRF_TRUSTED_ORIGINS")
# Reverse proxies whose X-Forwarded-For is believed for the audit trail's client IP
# (addresses or CIDR ranges, e.g. "127.0.0.1,10.0.0.0/24"). Empty: REMOTE_ADDR as is.
TRUSTED_PROXIES = env_list("CAMPUSFLOW_TRUSTED_PROXIES")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from our own static files (no CDN) for /api/docs
    "django_htmx",
    "django_filters",
    "axes",
    "captcha",
    "django_tasks_db",
    "crontask",
    "campusflow.core",
    "campusflow.accounts",
    "campusflow.orgs",
    "campusflow.workflow",
    "campusflow.notifications",
    "campusflow.bases",
    "campusflow.practice",
    "campusflow.jobs",
    "campusflow.documents",
    "campusflow.tabular",
    "campusflow.clearance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "campusflow.accounts.middleware.SessionPolicyMiddleware",
    "campusflow.accounts.middleware.ActiveRoleMiddleware",
    "campusflow.accounts.middleware.AccountStateMiddleware",
    "campusflow.core.middleware.RequestContextMiddleware",
    "campusflow.core.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "campusflow.urls"
WSGI_APPLICATION = "campusflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "campusflow" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "campusflow.core.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite (WAL, IMMEDIATE transactions) unless DATABASE_URL is set.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("CAMPUSFLOW_SQLITE_PATH", str(BASE_DIR / "var" / "campusflow.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with the header's unread count folded into the per-request user lookup.
    "campusflow.accounts.backends.CampusBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# S-01. The policy lives in one validator so that forms, the API and the admin
# reset all apply the same rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "campusflow.accounts.passwords.CampusPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# S-02: lock per account (username), never per IP: a campus sits behind NAT.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "campusflow.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
CAPTCHA_AFTER_FAILURES = 2
CAPTCHA_IMAGE_SIZE = (120, 40)
CAPTCHA_LENGTH = 4
CAPTCHA_TEST_MODE = env_bool("CAPTCHA_TEST_MODE", False)

# S-03: 30 minutes idle, 12 hours absolute. Activity renews the idle timer, but the session
# row is rewritten at most once a minute (SessionPolicyMiddleware), not on every request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
ADMIN_PASSWORD_MAX_AGE_DAYS = 90
INITIAL_PASSWORD_VALID_DAYS = 7

# S-04: SMS codes.
SMS_CODE_TTL_SECONDS = 5 * 60
SMS_CODE_MAX_TRIES = 5
SMS_RESEND_INTERVAL_SECONDS = 60
SMS_DAILY_LIMIT_PER_PHONE = 10
SMS_SENDER = os.environ.get(
    "CAMPUSFLOW_SMS_SENDER",
    "campusflow.accounts.sms.ConsoleSmsSender" if not PRODUCTION else "campusflow.accounts.sms.HttpGatewaySmsSender",
)
SMS_FILE_PATH = os.environ.get("CAMPUSFLOW_SMS_FILE", str(BASE_DIR / "var" / "sms.log"))
SMS_GATEWAY_URL = os.environ.get("CAMPUSFLOW_SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("CAMPUSFLOW_SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("CAMPUSFLOW_SMS_GATEWAY_TIMEOUT", "5"))

# Uploads (S-06).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
MEDIA_ROOT = Path(os.environ.get("CAMPUSFLOW_MEDIA_ROOT", str(BASE_DIR / "var" / "files")))
# No MEDIA_URL route exists: files are served only by permission-checked views.
MEDIA_URL = "/files-not-served-directly/"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# S-06/X-07 at scale: files on S3-compatible storage (MinIO, OSS, COS …) instead of local disk.
# Needs the optional extra: pip install ".[s3]". Files stay private: every download goes
# through a permission-checked view, never a public bucket URL.
if os.environ.get("CAMPUSFLOW_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["CAMPUSFLOW_S3_BUCKET"],
            "endpoint_url": os.environ.get("CAMPUSFLOW_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("CAMPUSFLOW_S3_REGION") or None,
            "access_key": os.environ.get("CAMPUSFLOW_S3_ACCESS_KEY", ""),
            "secret_key": os.environ.get("CAMPUSFLOW_S3_SECRET_KEY", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

STATIC_URL = "/static/"
WHITENOISE_USE_FINDERS = not PRODUCTION
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

# i18n: Chinese first. Source strings are Chinese (the users' words); English
# comes from locale/en.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Security headers (S-07, S-12).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
CSRF_COOKIE_HTTPONLY = False
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("CAMPUSFLOW_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# E-mail through Django's MAILERS (6.1). Production: SMTP from the environment.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "CAMPUSFLOW_EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if PRODUCTION
            else "django.core.mail.backends.console.EmailBackend",
        ),
        "OPTIONS": (
            {
                "host": os.environ.get("CAMPUSFLOW_SMTP_HOST", "localhost"),
                "port": int(os.environ.get("CAMPUSFLOW_SMTP_PORT", "465")),
                "username": os.environ.get("CAMPUSFLOW_SMTP_USER", ""),
                "password": os.environ.get("CAMPUSFLOW_SMTP_PASSWORD", ""),
                "use_ssl": env_bool("CAMPUSFLOW_SMTP_SSL", True),
            }
            if PRODUCTION
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("CAMPUSFLOW_FROM_EMAIL", "campusflow@localhost")

# Logging: never log ID numbers or phones (S-10); request paths carry no such data
# because no URL takes them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CAMPUSFLOW_LOG_LEVEL", "INFO")},
    # apscheduler (under crontask) logs every tick at INFO.
    "loggers": {"axes": {"level": "WARNING"}, "apscheduler": {"level": "WARNING"}, "crontask": {"level": "WARNING"}},
}

# Background work: Django's tasks API on the database backend;
# `manage.py db_worker` runs them, `manage.py crontask` fires the schedules.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

NINJA_PAGINATION_PER_PAGE = 50
LIST_PAGE_SIZE = 30
DEMO_DATA_ALLOWED = env_bool("CAMPUSFLOW_DEMO", not PRODUCTION)

# axes.W006 asks for ip_address in the lockout key. S-02 locks per account on
# purpose: thousands of students share one campus NAT address, and a key of
# username alone cannot be bypassed by rotating cookies or user agents.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
CSRF_FAILURE_VIEW = "campusflow.core.views.csrf_failure"
