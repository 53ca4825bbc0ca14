"""All settings, read from the environment in this one module.

ASKESOS_ENV=production turns on the secure defaults that `check --deploy` wants
and refuses to start without DATABASE_URL, REDIS_URL and SECRET_KEY. Anything
else is development: unset DATABASE_URL / REDIS_URL start embedded servers.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from askesos import embedded

PACKAGE_DIR = Path(__file__).resolve().parent
ENV = os.environ.get("ASKESOS_ENV", "development")
PRODUCTION = ENV == "production"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured("DATABASE_URL must be a postgresql:// URL")
    query = parse_qs(parsed.query)
    return {
        "ENGINE": "django_tenants.postgresql_backend",
        "NAME": unquote(parsed.path.lstrip("/")) or "askesos",
        "USER": unquote(parsed.username or "postgres"),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": query.get("host", [parsed.hostname or ""])[0],
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
        # A database that does not answer fails a request in seconds, not minutes (a
        # refused connection fails at once); askesos.availability answers it with a 503.
        "OPTIONS": {"connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))},
        "TEST": {"NAME": os.environ.get("TEST_DATABASE_NAME") or None},
    }


if PRODUCTION:
    for required in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "NIK_INDEX_KEY"):
        if not os.environ.get(required):
            raise ImproperlyConfigured(f"{required} must be set when ASKESOS_ENV=production")

# Unset: embedded servers, owned by this command and stopped when it ends (askesos/embedded/).
DATABASE_URL, REDIS_URL = embedded.ensure_services()

SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-never-use-in-production-askesos"
DEBUG = env_bool("DEBUG", default=False)
# Key of the HMAC that turns a NIK into the national index's key. Never rotate it
# casually: the index would have to be rebuilt from every LPA's registry.
NIK_INDEX_KEY = os.environ.get("NIK_INDEX_KEY") or "dev-only-nik-index-key"
# Claims: a complete claim should be paid within this many working days (BPJS pays
# death benefits within 3); claims waiting longer are flagged to the LPA and district.
CLAIM_SLA_WORKING_DAYS = int(os.environ.get("CLAIM_SLA_WORKING_DAYS", "3"))
# Claim documents: photos from a phone or scanned PDFs, never more than this each.
CLAIM_DOCUMENT_MAX_BYTES = int(os.environ.get("CLAIM_DOCUMENT_MAX_BYTES", str(5 * 1024 * 1024)))
# Participant imports (programme.participants.imports): a list larger than this is
# refused before it is read; the worker's task reading one stops after
# IMPORT_TIME_LIMIT seconds, and may take IMPORT_MEMORY_MB beyond what its process holds.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
IMPORT_TIME_LIMIT = int(os.environ.get("IMPORT_TIME_LIMIT", "600"))
IMPORT_MEMORY_MB = int(os.environ.get("IMPORT_MEMORY_MB", "512"))
# The bank (programme.bank.connectors): "fake" is the fake bank at BANK_FAKE_URL
# (`python -m programme.bank.fakebank`), for tests and the demo; a real bank's connector
# is the dotted path of its class.
BANK_CONNECTOR = os.environ.get("BANK_CONNECTOR", "fake")
BANK_FAKE_URL = os.environ.get("BANK_FAKE_URL", "http://127.0.0.1:8790")
# Bank reconciliation: a statement line matches a ledger line of the same amount dated
# at most this many days apart; statement files larger than this are refused unread.
RECONCILE_DATE_TOLERANCE_DAYS = int(os.environ.get("RECONCILE_DATE_TOLERANCE_DAYS", "3"))
BANK_STATEMENT_MAX_BYTES = int(os.environ.get("BANK_STATEMENT_MAX_BYTES", str(5 * 1024 * 1024)))
# Reserve adequacy: the claim reserve (1201) must hold this percentage of the claims
# expected in the next three months, or the district gets a reserve_low finding.
RESERVE_ADEQUACY_PERCENT = int(os.environ.get("RESERVE_ADEQUACY_PERCENT", "100"))

# PostgreSQL's client tools for `askesos backup` and `askesos restore` (tenants.backup):
# a folder holding pg_dump and pg_restore of the server's major version or newer. Empty:
# PATH first, then the embedded server's own.
PG_BIN_DIR = os.environ.get("PG_BIN_DIR", "")

# Report reminders by e-mail (reporting.notices): the console in development; set
# EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST etc. in
# production.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "askesos@localhost")

# Tenants are addressed as <slug>.<BASE_DOMAIN>; the portal for government users is
# BASE_DOMAIN itself. "localhost" works in browsers without DNS: *.localhost is loopback.
BASE_DOMAIN = os.environ.get("BASE_DOMAIN", "localhost")
# The portal's public address, printed into member cards' QR codes.
PORTAL_URL = os.environ.get("PORTAL_URL", f"http://{BASE_DOMAIN}:8000")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", f"{BASE_DOMAIN},.{BASE_DOMAIN},127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- applications -------------------------------------------------------------------
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "axes",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "askesos",
    "askesos.geo",
    "askesos.accounts",
    "askesos.workdays",
    "programme.schemes",
    "programme.registry",
    "programme.subsidies",
    "programme.dbfunctions",
    "reporting",
]
TENANT_APPS = [
    "auditlog",
    "askesos.staff",
    "programme",
    "programme.participants",
    "programme.ledger",
    "programme.claims",
    "programme.banking",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Lpa"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "askesos.urls_public"
ROOT_URLCONF = "askesos.urls_tenant"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# Hosts that serve the government portal (public schema): no tenant row is needed.
PORTAL_HOSTS = set(env_list("PORTAL_HOSTS", f"{BASE_DOMAIN},127.0.0.1"))
# A suspended LPA stays readable; signing in and out must still work.
SUSPENDED_WRITE_ALLOWED_PATHS = {"/masuk/", "/keluar/"}
# New tenants are cloned from a migrated template schema instead of replaying every
# migration; `askesos setup` migrates the template with each release (docs/subsystems/tenancy.md).
TENANT_BASE_SCHEMA = "lpa_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_MULTIPROCESSING_MAX_PROCESSES = int(os.environ.get("MIGRATION_PROCESSES", "2"))
# django-tenants sets the search_path once per connection and tenant instead of before
# every query (it forgets it on set_tenant, rollback and savepoint rollback).
TENANT_LIMIT_SET_CALLS = env_bool("TENANT_LIMIT_SET_CALLS", True)
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    # /healthz answers before the tenant is looked up (askesos.health).
    "askesos.health.HealthCheckMiddleware",
    # Pages compressed for slow connections (the collection sheet: 115 KB -> 8 KB).
    # Django's GZipMiddleware pads each response against BREACH (Django >= 4.2).
    "django.middleware.gzip.GZipMiddleware",
    # Permissions-Policy everywhere, no-store on signed-in answers (askesos.headers).
    "askesos.headers.SecurityHeadersMiddleware",
    "askesos.middleware.TenantHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "askesos.middleware.LanguageMiddleware",
    # No NUL, no JSON nested too deep, no body over the limit: before any view reads it.
    "askesos.inputs.InputGuardMiddleware",
    "askesos.accounts.lockout.SignInThrottleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "askesos.middleware.TenantSessionMiddleware",
    "askesos.middleware.TenantStatusMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "askesos.accounts.sessions.SessionTimeoutMiddleware",
    # After the session is known to belong here and to be still alive: a second step
    # still to pass reaches only the second-factor pages (askesos.accounts.second_factor).
    "askesos.accounts.second_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # auditlog's, with the client address from trusted proxies only.
    "askesos.accounts.audit.AuditlogMiddleware",
    "askesos.errors.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The password and the place (this LPA's team, or the portal's government users)
    # are checked together: one refusal for both (askesos.accounts.backends).
    "askesos.accounts.backends.HostBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "askesos.context_processors.platform",
            ],
        },
    }
]

WSGI_APPLICATION = "askesos.wsgi.application"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- language and formats: Bahasa Indonesia first, English selectable ------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- static files (no CDN at run time) -----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", embedded.data_dir() / "static"))
# WhiteNoise warns about a missing folder until `askesos setup` has collected into it.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", embedded.data_dir() / "media"))
MEDIA_URL = "/media/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
WHITENOISE_USE_FINDERS = not PRODUCTION
# Audit exports (reporting/exports.py): one folder per export, named by its id, never
# served directly (the portal checks who downloads). Their manifests are signed with
# HMAC-SHA256 under EXPORT_SIGNING_KEY, or, unset, a key derived from SECRET_KEY: set
# it to keep old exports verifiable across a change of SECRET_KEY.
EXPORT_ROOT = Path(os.environ.get("EXPORT_ROOT", MEDIA_ROOT / "public" / "exports"))
EXPORT_SIGNING_KEY = os.environ.get("EXPORT_SIGNING_KEY", "")

# --- cache: every key carries the tenant schema ---------------------------------------
# With Redis down the cache answers as an empty one (askesos.availability), and gives up
# on an unanswering Redis within a second or two.
CACHES = {
    "default": {
        "BACKEND": "askesos.availability.TolerantRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    },
    # Keys that belong to no tenant: counts of one client address across every host.
    # Not tolerant: while Redis is down, signing in answers 503 rather than unlimited.
    "shared": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "shared",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    },
}

# --- sessions and security -----------------------------------------------------------
# A sign-in lasts 8 hours at most, and for the roles that move money or see many LPAs
# (the Ketua, the Bendahara, every government user) 30 minutes without a request
# (askesos.accounts.sessions).
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_IDLE_TIMEOUT_SECONDS = int(os.environ.get("SESSION_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
SESSION_IDLE_LPA_ROLES = set(env_list("SESSION_IDLE_LPA_ROLES", "ketua,bendahara"))
SESSION_IDLE_TIMEOUT_OTHER_SECONDS = int(os.environ.get("SESSION_IDLE_TIMEOUT_OTHER_SECONDS", "0"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles only from this site's own
# files, no inline <script>, no on* attributes, no style attributes or <style>
# elements (the templates have none; keep it so). The Swagger UI page alone allows
# inline styles (askesos.urls_common): it renders with them and shows no personal data.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        # The collection sheet reads a photographed QR code from a blob: URL.
        "img-src": [csp_constants.SELF, "data:", "blob:"],
        "connect-src": [csp_constants.SELF],
        "font-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
        **({"upgrade-insecure-requests": True} if PRODUCTION else {}),
    }
}
if os.environ.get("CSP_REPORT_URI"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [os.environ["CSP_REPORT_URI"]]
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Client addresses (askesos.client_address): X-Forwarded-For is believed only from these
# reverse proxies (addresses or networks, comma-separated); unset, never.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# Sign-in limits (askesos.accounts.lockout): per username+address, AXES_FAILURE_LIMIT
# free failures, then a wait of SIGN_IN_DELAY_SECONDS doubling with each further failure
# up to SIGN_IN_DELAY_MAX_SECONDS; failures forgotten AXES_COOLOFF_TIME hours after the
# last one. An address failing on SIGN_IN_SPRAY_ACCOUNTS usernames within
# SIGN_IN_SPRAY_WINDOW_SECONDS is refused for every account (password spraying).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 24
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "askesos.accounts.lockout.ProgressiveDelayHandler"
AXES_LOCKOUT_CALLABLE = "askesos.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "askesos.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)
SIGN_IN_DELAY_SECONDS = int(os.environ.get("SIGN_IN_DELAY_SECONDS", "60"))
SIGN_IN_DELAY_MAX_SECONDS = int(os.environ.get("SIGN_IN_DELAY_MAX_SECONDS", str(30 * 60)))
SIGN_IN_SPRAY_ACCOUNTS = int(os.environ.get("SIGN_IN_SPRAY_ACCOUNTS", "10"))
SIGN_IN_SPRAY_WINDOW_SECONDS = int(os.environ.get("SIGN_IN_SPRAY_WINDOW_SECONDS", str(15 * 60)))
# The forms whose posts the "sign_in" throttle rate counts per address.
SIGN_IN_PATHS = {"/masuk/", "/admin/login/"}

# --- API -----------------------------------------------------------------------------
# Every error in one shape (askesos.errors); unknown query parameters refused
# (askesos.api); throttles per signed-in user and per address for anonymous callers,
# generous enough for a field officer's busiest meeting, tight enough for a runaway script.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["askesos.api.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "askesos.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["askesos.api.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "askesos.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "askesos.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "askesos.api.AnonThrottle",
        "askesos.api.UserThrottle",
        "askesos.api.WriteThrottle",
        "askesos.api.ScopedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "300/minute") or None,
        "user": os.environ.get("API_THROTTLE_USER", "1200/minute") or None,
        # Changes per user: a field officer's meeting posts a few a minute.
        "write": os.environ.get("API_THROTTLE_WRITE", "120/minute") or None,
        # Sign-in posts per client address, every host together (a government
        # office's staff arrive at once from behind one address).
        "sign_in": os.environ.get("SIGN_IN_THROTTLE", "30/minute") or None,
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ASKESOS API",
    "DESCRIPTION": (
        "API platform nasional ASKESOS. Endpoint LPA dilayani di <slug>.<domain>, "
        "endpoint pemerintah di portal. / National ASKESOS platform API."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI assets come from the drf-spectacular-sidecar wheel: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "askesos.openapi.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PolicyStatusEnum": "programme.participants.models.PolicyStatus",
        "HeirRelationEnum": "programme.participants.models.HeirRelation",
        "ClaimStatusEnum": "programme.claims.models.ClaimStatus",
        "PaymentRequestStatusEnum": "programme.claims.models.PaymentRequest.Status",
        "ReportStateEnum": "reporting.models.ReportState",
        "ReportLevelEnum": "reporting.models.ReportLevel",
        "PeriodTypeEnum": "reporting.periods.PeriodType",
    },
}

# --- Celery ----------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker touches many LPAs' schemas; its PostgreSQL backend's catalog caches grow with
# each (docs/decisions/0003). Recycle worker processes, and their connections, often.
CELERY_WORKER_MAX_TASKS_PER_CHILD = int(os.environ.get("CELERY_MAX_TASKS_PER_CHILD", "200"))
# A prefork child left larger than this (KiB resident) by its task, a big import for
# one, is replaced after that task (it never stops a task: askesos.limits).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(
    os.environ.get("CELERY_MAX_MEMORY_PER_CHILD_KB", str(512 * 1024))
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker died (SIGKILL, power) is handed out again after this many seconds
# (Redis has no acknowledgement of its own). Longer than any task runs: a task still
# running when it passes would be handed out twice (harmless, every task is idempotent,
# but wasted work).
# The worker looks for such tasks every CELERY_RESTORE_SWEEP_SECONDS (kombu's default
# is about 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": int(os.environ.get("CELERY_RESTORE_SWEEP_SECONDS", "100")),
    "unacked_restore_throttle": 1,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Celery's Django fixup closes the database connection before and after every task
# unless told to reuse it: a new connection per task, and every table of every schema
# looked up again, made posting a transfer 60 ms per LPA instead of 20. The connection
# is kept for this many tasks (then recycled, so that its catalog caches do not grow
# with every schema it touched: docs/decisions/0003).
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "50"))

# --- logging: every line says which tenant it belongs to -------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "tenant_context": {"()": "django_tenants.log.TenantContextFilter"},
        "outage": {"()": "askesos.availability.OutageLogFilter"},
    },
    "formatters": {
        "tenant": {
            "format": "%(asctime)s %(levelname)s [%(schema_name)s:%(domain_url)s] "
            "%(name)s: %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["tenant_context"],
            "formatter": "tenant",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A request failed by an outage: one line, not the same traceback per request.
        "django.request": {"filters": ["outage"]},
        "axes": {"level": "WARNING"},
        # mt-940 logs every line it cannot match, with the bank's data, at ERROR; we
        # report such a line to the user as a LineProblem instead (programme.bank).
        "mt940": {"level": "CRITICAL"},
    },
}

# --- errors to Sentry, when configured -------------------------------------------------
SENTRY_DSN = os.environ.get("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=ENV,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
    )

# Claims and uploads later; for now a sane request size cap for slow links.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

PLATFORM_NAME = _("ASKESOS National Platform")
# The name authenticator apps show beside the six digits.
OTP_TOTP_ISSUER = "ASKESOS"
# Never a second factor's key on an admin page (the device admins are also removed).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
