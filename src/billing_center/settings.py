"""The one settings module. Every value comes from the environment through the helpers in ``conf``.

Two shapes of deployment:
- ``DEPLOYMENT=embedded`` (default): SQLite and files under ``DATA_DIR``, outbox email/SMS, secrets
  generated once into ``DATA_DIR``. Meant for one machine and local use.
- ``DEPLOYMENT=production``: secrets must be given, the outbox backends are refused, DEBUG is refused.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from billing_center.conf import (
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_pairs,
    env_secret,
    env_str,
    secret_kept_in,
)

# Lets admin and form classes take their model as a type argument (ModelAdmin[Account]) at run time.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent

DEPLOYMENT = env_str("DEPLOYMENT", "embedded")
if DEPLOYMENT not in {"embedded", "production"}:
    raise ImproperlyConfigured("DEPLOYMENT must be 'embedded' or 'production'")
PRODUCTION = DEPLOYMENT == "production"

DATA_DIR = Path(env_str("DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be on when DEPLOYMENT=production")


def _secret(name: str) -> str:
    value = env_secret(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) is required when DEPLOYMENT=production")
    return secret_kept_in(DATA_DIR, f"{name.lower()}.txt")


SECRET_KEY = _secret("SECRET_KEY")
# Key of the HMAC that stores one-time codes; never in the database, never the same as SECRET_KEY.
CODE_HMAC_KEY = _secret("CODE_HMAC_KEY")
if PRODUCTION and CODE_HMAC_KEY == SECRET_KEY:
    raise ImproperlyConfigured("CODE_HMAC_KEY must differ from SECRET_KEY when DEPLOYMENT=production")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Django admin as the back office, behind staff + two-factor (core/backoffice.py).
    "billing_center.core.backoffice.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Listed so the API docs page serves Swagger UI from our own static files, not a CDN.
    "ninja",
    "billing_center.core",
    "billing_center.audit",
    "billing_center.accounts",
    "billing_center.verification",
    "billing_center.contracts",
    "billing_center.workspaces",
    "billing_center.cloud",
    "billing_center.certification",
    "billing_center.platform",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "billing_center.core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "billing_center.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "billing_center.accounts.middleware.SessionLifetimeMiddleware",
    "billing_center.accounts.middleware.AccountLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "billing_center.urls"
WSGI_APPLICATION = "billing_center.wsgi.application"
AUTH_USER_MODEL = "accounts.Account"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "billing_center.core.context_processors.site",
                "billing_center.accounts.context_processors.notification_language_prompt",
            ],
        },
    },
]

# Django's widget templates for the common widgets, rendered in Python (same bytes, see core/form_renderer.py).
FORM_RENDERER = "billing_center.core.form_renderer.PythonWidgetRenderer"

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'billing-center.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the server's worker processes read while one writes; IMMEDIATE avoids lock upgrades
    # that would fail with "database is locked" under concurrent writers. Connections persist like
    # PostgreSQL's (DB_CONN_MAX_AGE): a new one with its PRAGMAs cost more than the request's own queries.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# --- Cache and rate-limit store --------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "bc"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Limits must hold across every process: Redis when configured, else rows in the shared database.
RATE_LIMIT_STORE = "redis" if REDIS_URL else "database"

# --- Auth, passwords, sessions ---------------------------------------------------------------------
PASSWORD_HASHERS = [
    # Argon2id, m = 19 MiB, t = 2, p = 1, bounded concurrency (see core/hashers.py for the measurement).
    "billing_center.core.hashers.BoundedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Password hashes one process computes at once (a burst queues), and how long a check may wait for a slot.
PASSWORD_HASH_CONCURRENCY = env_int("PASSWORD_HASH_CONCURRENCY", 2, minimum=1)
PASSWORD_HASH_WAIT_SECONDS = env_int("PASSWORD_HASH_WAIT_SECONDS", 10, minimum=1)
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 12, minimum=8)
PASSWORD_MAX_LENGTH = env_int("PASSWORD_MAX_LENGTH", 128, minimum=64)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "billing_center.accounts.passwords.MaximumLengthValidator",
        "OPTIONS": {"max_length": PASSWORD_MAX_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "billing_center.accounts.passwords.ContextWordsValidator"},
]
AUTHENTICATION_BACKENDS = ["billing_center.accounts.backends.IdentifierBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"

SESSION_ENGINE = "billing_center.accounts.session_store"
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600, minimum=300)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_NAME = "bc_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
HTTPS = env_bool("HTTPS", PRODUCTION)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if PRODUCTION and not HTTPS:
    # Behind a TLS-terminating proxy the browser still speaks HTTPS: keep HTTPS=true and list the proxy in
    # TRUSTED_PROXIES (its X-Forwarded-Proto is then believed). docs/security.md.
    raise ImproperlyConfigured("DEPLOYMENT=production needs HTTPS=true (also behind a TLS-terminating proxy)")
CSRF_COOKIE_SAMESITE = "Lax"
REAUTH_WINDOW_SECONDS = env_int("REAUTH_WINDOW_SECONDS", 10 * 60, minimum=60)

# Login throttling (SPEC §1).
LOGIN_PAIR_DELAY_AFTER = env_int("LOGIN_PAIR_DELAY_AFTER", 5, minimum=1)
LOGIN_PAIR_MAX_DELAY_SECONDS = env_int("LOGIN_PAIR_MAX_DELAY_SECONDS", 60, minimum=1)
LOGIN_PAIR_BLOCK_AFTER = env_int("LOGIN_PAIR_BLOCK_AFTER", 10, minimum=2)
LOGIN_PAIR_BLOCK_SECONDS = env_int("LOGIN_PAIR_BLOCK_SECONDS", 15 * 60, minimum=60)
LOGIN_PER_IP_PER_MINUTE = env_int("LOGIN_PER_IP_PER_MINUTE", 30, minimum=1)
LOGIN_ACCOUNT_UNLOCK_AFTER = env_int("LOGIN_ACCOUNT_UNLOCK_AFTER", 100, minimum=10)
# Failures of one (identifier, IP) pair are counted in a window that opens at the first failure.
LOGIN_PAIR_FAILURE_WINDOW_SECONDS = env_int("LOGIN_PAIR_FAILURE_WINDOW_SECONDS", 3600, minimum=60)

# One-time codes (SPEC §2).
CODE_TTL_SECONDS = env_int("CODE_TTL_SECONDS", 10 * 60, minimum=60)
CODE_MAX_ATTEMPTS = env_int("CODE_MAX_ATTEMPTS", 5, minimum=1)
CODE_PURPOSE_FAILURE_LIMIT = env_int("CODE_PURPOSE_FAILURE_LIMIT", 20, minimum=1)
CODE_PURPOSE_LOCK_SECONDS = env_int("CODE_PURPOSE_LOCK_SECONDS", 24 * 3600, minimum=60)
CODE_RESEND_COOLDOWN_SECONDS = env_int("CODE_RESEND_COOLDOWN_SECONDS", 60, minimum=1)
CODE_SENDS_PER_TARGET_PER_HOUR = env_int("CODE_SENDS_PER_TARGET_PER_HOUR", 5, minimum=1)
CODE_SENDS_PER_TARGET_PER_DAY = env_int("CODE_SENDS_PER_TARGET_PER_DAY", 10, minimum=1)
CODE_SENDS_PER_ACCOUNT_PER_HOUR = env_int("CODE_SENDS_PER_ACCOUNT_PER_HOUR", 10, minimum=1)
CODE_SENDS_PER_IP_PER_HOUR = env_int("CODE_SENDS_PER_IP_PER_HOUR", 20, minimum=1)
CODE_CHECKS_PER_IP_PER_5_MINUTES = env_int("CODE_CHECKS_PER_IP_PER_5_MINUTES", 30, minimum=1)
SMS_BUDGET_PER_HOUR = env_int("SMS_BUDGET_PER_HOUR", 500, minimum=1)
SMS_SIGNUP_BUDGET_PER_HOUR = env_int("SMS_SIGNUP_BUDGET_PER_HOUR", 100, minimum=1)
SMS_SIGNUP_CHALLENGE_AFTER = env_int("SMS_SIGNUP_CHALLENGE_AFTER", 50, minimum=0)
SMS_SIGNUP_POW_BITS = env_int("SMS_SIGNUP_POW_BITS", 16, minimum=1)

# Identifier changes (SPEC §3).
IDENTIFIER_CHANGE_TTL_SECONDS = env_int("IDENTIFIER_CHANGE_TTL_SECONDS", 20 * 60, minimum=60)
LOST_PHONE_DELAY_SECONDS = env_int("LOST_PHONE_DELAY_SECONDS", 24 * 3600, minimum=60)
# After the lost-phone waiting period, how long the holder has to enter and verify the new phone.
LOST_PHONE_COMPLETE_WINDOW_SECONDS = env_int("LOST_PHONE_COMPLETE_WINDOW_SECONDS", 24 * 3600, minimum=600)

# --- Email, SMS, delivery --------------------------------------------------------------------------
OUTBOX_PATH = Path(env_str("OUTBOX_PATH", str(DATA_DIR / "outbox.jsonl")))
OUTBOX_KEEP = env_int("OUTBOX_KEEP", 200, minimum=1)

_EMAIL_BACKENDS = {
    "outbox": "billing_center.verification.channels.email.OutboxEmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_SMS_BACKENDS = {
    "outbox": "billing_center.verification.channels.sms.outbox.OutboxSmsBackend",
    "console": "billing_center.verification.channels.sms.console.ConsoleSmsBackend",
    "aliyun": "billing_center.verification.channels.sms.aliyun.AliyunSmsBackend",
}
EMAIL_CHANNEL = env_str("EMAIL_BACKEND", "smtp" if PRODUCTION else "outbox")
SMS_CHANNEL = env_str("SMS_BACKEND", "aliyun" if PRODUCTION else "outbox")
if EMAIL_CHANNEL not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(f"EMAIL_BACKEND must be one of {sorted(_EMAIL_BACKENDS)}")
if SMS_CHANNEL not in _SMS_BACKENDS:
    raise ImproperlyConfigured(f"SMS_BACKEND must be one of {sorted(_SMS_BACKENDS)}")
if PRODUCTION and "outbox" in {EMAIL_CHANNEL, SMS_CHANNEL}:
    raise ImproperlyConfigured("The outbox backends show codes to anyone and are refused in production")
EMAIL_BACKEND = _EMAIL_BACKENDS[EMAIL_CHANNEL]
SMS_BACKEND = _SMS_BACKENDS[SMS_CHANNEL]
OUTBOX_ENABLED = "outbox" in {EMAIL_CHANNEL, SMS_CHANNEL}

EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Billing Center <no-reply@billing-center.local>")

ALIYUN_SMS_ENDPOINT = env_str("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
ALIYUN_SMS_ACCESS_KEY_ID = env_str("ALIYUN_SMS_ACCESS_KEY_ID")
ALIYUN_SMS_ACCESS_KEY_SECRET = env_secret("ALIYUN_SMS_ACCESS_KEY_SECRET")
ALIYUN_SMS_SIGN_NAME = env_str("ALIYUN_SMS_SIGN_NAME")
ALIYUN_SMS_TEMPLATE_CODE = env_str("ALIYUN_SMS_TEMPLATE_CODE")
# Template for SMS notices without a code (e.g. "your phone number was changed"); optional.
ALIYUN_SMS_NOTICE_TEMPLATE_CODE = env_str("ALIYUN_SMS_NOTICE_TEMPLATE_CODE")
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 10, minimum=1)

DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 8, minimum=1)
DELIVERY_RETRY_BASE_SECONDS = env_int("DELIVERY_RETRY_BASE_SECONDS", 15, minimum=1)
# The first attempt runs right after the request's commit, so it gets a shorter timeout than retries.
DELIVERY_FIRST_ATTEMPT_TIMEOUT = env_int("DELIVERY_FIRST_ATTEMPT_TIMEOUT", 5, minimum=1)
DELIVERY_RETRY_MAX_SECONDS = env_int("DELIVERY_RETRY_MAX_SECONDS", 3600, minimum=1)
# The server runs the delivery retry loop in a background thread unless a separate worker does it.
DELIVERY_WORKER_IN_SERVER = env_bool("DELIVERY_WORKER_IN_SERVER", True)

# --- Storage ---------------------------------------------------------------------------------------
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The project-wide static files (app.css, app.js) live in the package, which is not an installed app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise scans it at start-up
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "local")
if STORAGE_BACKEND == "s3":
    _default_storage: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif STORAGE_BACKEND == "local":
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
else:
    raise ImproperlyConfigured("STORAGE_BACKEND must be 'local' or 's3'")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
CONTRACT_ATTACHMENT_MAX_BYTES = env_int("CONTRACT_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Enterprise certification licence files (SPEC §7): size cap and the largest image decoded.
CERTIFICATION_FILE_MAX_BYTES = env_int("CERTIFICATION_FILE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
CERTIFICATION_IMAGE_MAX_PIXELS = env_int("CERTIFICATION_IMAGE_MAX_PIXELS", 40_000_000, minimum=10_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- i18n ------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "UTC")

# --- Security headers (SPEC §10) -------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if TRUSTED_PROXIES and HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
)

# --- Product tables (SPEC §1, §4) ------------------------------------------------------------------
INDUSTRIES = env_list(
    "INDUSTRIES",
    ["internet", "finance", "manufacturing", "retail", "education", "healthcare", "government", "other"],
)
REGIONS = env_list(
    "REGIONS",
    ["cn-north", "cn-east", "cn-south", "cn-west", "hong-kong", "asia-pacific", "europe", "americas", "other"],
)
DEFAULT_PHONE_REGION = env_str("DEFAULT_PHONE_REGION", "CN")

# --- Back office and two-factor authentication -----------------------------------------------------
BACKOFFICE_PATH = env_str("BACKOFFICE_PATH", "backoffice").strip("/") or "backoffice"
TWO_FACTOR_ISSUER = env_str("TWO_FACTOR_ISSUER", "Billing Center")
# Wrong second-factor tries per account and network before that network waits (like code checks).
TWO_FACTOR_FAILURES_PER_15_MINUTES = env_int("TWO_FACTOR_FAILURES_PER_15_MINUTES", 10, minimum=1)
# How long a password or code login may wait for its second factor.
TWO_FACTOR_PENDING_SECONDS = env_int("TWO_FACTOR_PENDING_SECONDS", 5 * 60, minimum=60)
OTP_TOTP_ISSUER = TWO_FACTOR_ISSUER
# Wrong tries are limited per (account, network) by the shared rate-limit store, not per device.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# --- Platform API (SPEC §8) ------------------------------------------------------------------------
PLATFORM_API_TOKEN = env_secret("PLATFORM_API_TOKEN")
# The workspace site table (SPEC §4, §12): site code → the cloud vendor whose marketplace serves it.
WORKSPACE_SITES = env_pairs(
    "WORKSPACE_SITES",
    {"cn1": "aliyun", "cn2": "aws", "cn4": "huawei", "cn6": "aliyun", "us1": "aws", "eu1": "aws", "ap1": "aws"},
)
if not set(WORKSPACE_SITES.values()) <= {"aws", "aliyun", "huawei"}:
    raise ImproperlyConfigured("WORKSPACE_SITES vendors must be aws, aliyun or huawei")

# --- Marketplaces: Alibaba Cloud and Huawei Cloud (SPEC §12; each vendor's endpoints 404 without its key) ---
ALIYUN_MARKETPLACE_KEY = env_secret("ALIYUN_MARKETPLACE_KEY")
HUAWEI_MARKETPLACE_ACCESS_KEY = env_secret("HUAWEI_MARKETPLACE_ACCESS_KEY")
HUAWEI_MARKETPLACE_API_URL = env_str(
    "HUAWEI_MARKETPLACE_API_URL", "https://mkt.myhuaweicloud.com/api/mkp-openapi-public/global/v1"
).rstrip("/")
HUAWEI_APIG_ACCESS_KEY = env_str("HUAWEI_APIG_ACCESS_KEY")
HUAWEI_APIG_SECRET_KEY = env_secret("HUAWEI_APIG_SECRET_KEY")

# --- AWS Marketplace (SPEC §12; the endpoints answer 404 while their setting is empty) --------------
AWS_MARKETPLACE_PRODUCT_CODE = env_str("AWS_MARKETPLACE_PRODUCT_CODE")
AWS_MARKETPLACE_REGION = env_str("AWS_MARKETPLACE_REGION", "us-east-1")
AWS_MARKETPLACE_ENDPOINT_URL = env_str("AWS_MARKETPLACE_ENDPOINT_URL")
AWS_SNS_TOPIC_ARNS = env_list("AWS_SNS_TOPIC_ARNS")
AWS_EVENTS_RELAY_SECRET = env_secret("AWS_EVENTS_RELAY_SECRET")

# --- Logging ---------------------------------------------------------------------------------------
# `serve`'s one line per request (granian's access log); off by default, see docs/hot-path.md.
ACCESS_LOG = env_bool("ACCESS_LOG", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
