"""The one settings module. Every value comes from deltaregio.config (an environment variable with a
documented default); `deltaregio check-config` lists them."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from deltaregio import config
from deltaregio.database import parse_database_url

BASE_DIR = Path(__file__).resolve().parent

DEBUG = config.get("DELTAREGIO_DEBUG")
SECRET_KEY = config.get("DELTAREGIO_SECRET_KEY")
ALLOWED_HOSTS = config.get("DELTAREGIO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = config.get("DELTAREGIO_CSRF_TRUSTED_ORIGINS")
PRODUCTION = config.get("DELTAREGIO_PRODUCTION")
DELTAREGIO_WEB_BIND = config.get("DELTAREGIO_WEB_BIND")
config.check_production(debug=DEBUG, production=PRODUCTION, secret_key=SECRET_KEY)

INSTALLED_APPS = [
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "django_countries",
    "axes",
    "deltaregio.sources",
    "deltaregio.accounts",
    "deltaregio.directory",
    "deltaregio.agenda",
    "deltaregio.funding",
    "deltaregio.projects",
    "deltaregio.finance",
    "deltaregio.funnel",
    "deltaregio.vouchers",
    "deltaregio.monitoring",
    "deltaregio.imports",
    "deltaregio.calls",
    "deltaregio.seed",
    "deltaregio.api",
    "deltaregio.web",
    "deltaregio.ops",
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
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "deltaregio.urls"
WSGI_APPLICATION = "deltaregio.wsgi.application"

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
                "deltaregio.web.context_processors.site",
            ],
        },
    }
]

DATABASES = {"default": parse_database_url(config.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

AXES_FAILURE_LIMIT = config.get("DELTAREGIO_LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True

LANGUAGE_CODE = config.get("DELTAREGIO_LANGUAGE")
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "nl"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("nl", "en")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = config.get("DELTAREGIO_TIME_ZONE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = config.get("DELTAREGIO_STATIC_ROOT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}.get(config.get("DELTAREGIO_EMAIL_BACKEND"), "django.core.mail.backends.console.EmailBackend")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if config.get("DELTAREGIO_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 3600

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["deltaregio.api.permissions.DenyAll"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "deltaregio.api.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": config.get("DELTAREGIO_PAGE_SIZE"),
    "EXCEPTION_HANDLER": "deltaregio.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
MAX_PAGE_SIZE = config.get("DELTAREGIO_MAX_PAGE_SIZE")

DELTAREGIO_COUNT_CACHE_SECONDS = config.get("DELTAREGIO_COUNT_CACHE_SECONDS")
DELTAREGIO_COUNT_CACHE_MIN = config.get("DELTAREGIO_COUNT_CACHE_MIN")
DELTAREGIO_FRAGMENT_CACHE_SECONDS = config.get("DELTAREGIO_FRAGMENT_CACHE_SECONDS")
DELTAREGIO_PAGE_CACHE_SECONDS = config.get("DELTAREGIO_PAGE_CACHE_SECONDS")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": config.get("DELTAREGIO_CACHE_URL"),
    }
    if config.get("DELTAREGIO_CACHE_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "deltaregio"}
}
DELTAREGIO_IMPORT_MAX_BYTES = config.get("DELTAREGIO_IMPORT_MAX_BYTES")
DELTAREGIO_IMPORT_BACKGROUND_BYTES = config.get("DELTAREGIO_IMPORT_BACKGROUND_BYTES")
DELTAREGIO_IMPORT_MEMORY_OBJECTS = config.get("DELTAREGIO_IMPORT_MEMORY_OBJECTS")
DELTAREGIO_360G_PREFIX = config.get("DELTAREGIO_360G_PREFIX")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SPECTACULAR_SETTINGS = {
    "TITLE": "Deltaregio API",
    "DESCRIPTION": (
        "Read access to the Flemish–Dutch collaboration agenda, its organisations, labs, funding "
        "instruments, calls and projects. Errors use one format: "
        '{"error": {"code": "...", "message": "...", "fields": {...}}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set that several models share (drf-spectacular would otherwise invent names).
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "deltaregio.projects.models.Status",
        "ContributionStatusEnum": "deltaregio.finance.models.FundingContribution.Status",
        "UnitEnum": "deltaregio.sources.models.Unit",
        "DatePrecisionEnum": "deltaregio.agenda.models.DatePrecision",
    },
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "deltaregio.api.schema.drop_backend_integer_limits",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"deltaregio": {"handlers": ["console"], "level": config.get("DELTAREGIO_LOG_LEVEL")}},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Background work: Celery on Redis in production; inline (eager) when no broker is configured.
CELERY_BROKER_URL = config.get("CELERY_BROKER_URL") or "memory://"
CELERY_RESULT_BACKEND = config.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = not config.get("CELERY_BROKER_URL")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Expire vouchers whose signing deadline passed, and warn before it (docs/vouchers.md).
    "vouchers-expire-and-warn": {
        "task": "deltaregio.vouchers.tasks.vouchers_expire_and_warn",
        "schedule": 3600.0,
    },
    # Recompute the computed indicators from the platform's records (docs/monitoring.md).
    "monitoring-recompute": {"task": "deltaregio.monitoring.tasks.recompute_indicators", "schedule": 3600.0},
}
