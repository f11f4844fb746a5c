"""Settings, read from the environment.

Everything an operator may change is an environment variable, listed in the README.
Production mode is any run with DEBUG off; it refuses to start without a SECRET_KEY.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("OPENDTM_DATA_DIR", "opendtm-data")).resolve()

DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production mode (DEBUG off) needs one: "
            "export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or run `opendtm demo` for a local demo."
        )
    SECRET_KEY = "insecure-debug-only-key"  # noqa: S105 - reachable only with DEBUG on

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "opendtm.accounts",
    "opendtm.geo",
    "opendtm.collection",
    "opendtm.tracking",
    "opendtm.publishing",
    "opendtm.web",
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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "opendtm.urls"
WSGI_APPLICATION = "opendtm.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

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
                "opendtm.web.context.navigation",
            ],
        },
    },
]


def database_settings() -> dict[str, Any]:
    """SQLite in the data folder unless DATABASE_URL names another database."""
    url = os.environ.get("DATABASE_URL")
    config: dict[str, Any]
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not the folder
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "opendtm.sqlite3"),
        }
    else:
        config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside one writer; synchronous=FULL makes a commit durable,
        # which the submission path relies on; IMMEDIATE avoids lock-upgrade deadlocks.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
            " PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASES = {"default": database_settings()}
# Connections outlive a request, on SQLite too: closing the last connection to a WAL database
# checkpoints it (an fsync), which on the submission path cost more than the request itself.
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ar", _("Arabic"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: anything larger than this is refused with a message, before it is parsed.
OPENDTM_MAX_UPLOAD_BYTES = int(os.environ.get("OPENDTM_MAX_UPLOAD_MB", "50")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Collection: where submission attachments and form files live, and how big they may be.
OPENDTM_BLOB_ROOT = Path(os.environ.get("OPENDTM_BLOB_ROOT", DATA_DIR / "blobs")).resolve()
OPENDTM_MAX_SUBMISSION_BYTES = int(os.environ.get("OPENDTM_MAX_SUBMISSION_MB", "100")) * 1024 * 1024
OPENDTM_MAX_ATTACHMENT_BYTES = int(os.environ.get("OPENDTM_MAX_ATTACHMENT_MB", "50")) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Where submissions are parsed (collection/services/submission_parsing.py): "auto" by the
# `opendtm parse_submissions --loop` worker when one runs on this host, else right after each
# receipt commits; "inline" always the latter; "worker" never inline.
OPENDTM_PARSE = os.environ.get("OPENDTM_PARSE", "auto")
# ODK Collect puts up to 101 attachments and the XML in one POST before it splits.
DATA_UPLOAD_MAX_NUMBER_FILES = 250

# Forms: pyxform converts an XLSForm in a child process stopped after this many seconds and
# capped at this much memory; ODK Validate runs too when Java is installed (unless off).
OPENDTM_CONVERSION_TIMEOUT = float(os.environ.get("OPENDTM_CONVERSION_TIMEOUT", "120"))
OPENDTM_CONVERSION_MEMORY_MB = int(os.environ.get("OPENDTM_CONVERSION_MEMORY_MB", "1536"))
OPENDTM_CONVERSION_VALIDATE = env_bool("OPENDTM_CONVERSION_VALIDATE", True)
# An export whose worker has not reported progress for this long is reported as interrupted.
OPENDTM_EXPORT_STALLED_AFTER = float(os.environ.get("OPENDTM_EXPORT_STALLED_AFTER", "600"))

# Sharing: a site-level file is withheld above this re-identification risk (HDX's rule for
# microdata is 3%). HDX packages are uploaded only when a key is set, to the site named
# (stage unless told), for the organisation and maintainer given by their HDX ids.
OPENDTM_MICRODATA_RISK_LIMIT = float(os.environ.get("OPENDTM_MICRODATA_RISK_LIMIT", "0.03"))
OPENDTM_HDX_KEY = os.environ.get("OPENDTM_HDX_KEY", "")
OPENDTM_HDX_SITE = os.environ.get("OPENDTM_HDX_SITE", "stage")
OPENDTM_HDX_ORGANIZATION = os.environ.get("OPENDTM_HDX_ORGANIZATION", "")
OPENDTM_HDX_MAINTAINER = os.environ.get("OPENDTM_HDX_MAINTAINER", "")
OPENDTM_HDX_LICENSE = os.environ.get("OPENDTM_HDX_LICENSE", "cc-by-igo")
# Requests per subscription key (or signed-in user) to the DTM API and the HAPI endpoint.
OPENDTM_PUBLIC_API_RATE = os.environ.get("OPENDTM_PUBLIC_API_RATE", "60/minute")

# Caches: pages' parts in each process's memory; the public API's allowances in files that
# every server process on the host shares, so that a key's rate holds across workers (point
# OPENDTM_THROTTLE_DIR at a folder every host sees when several serve the API).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("OPENDTM_THROTTLE_DIR", str(DATA_DIR / "throttle")),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
# A tile URL ({z}/{x}/{y}) drawn under the dashboard's maps where connectivity allows; empty:
# none, the maps draw the operation's own boundaries alone.
OPENDTM_BASEMAP_URL = os.environ.get("OPENDTM_BASEMAP_URL", "")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("OPENDTM_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "opendtm.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "opendtm.core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "opendtm API",
    "DESCRIPTION": (
        "Operations, admin areas, sites, forms, submissions, rounds, figures, validation"
        " issues, indicators and the audit log of an opendtm server."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if env_bool("OPENDTM_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # ODK Collect is never redirected (a redirected POST loses its body): over plain HTTP the
    # OpenRosa views answer themselves, refusing passwords with a message.
    SECURE_REDIRECT_EXEMPT = [r"^collect/"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports each step of every PDF at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
