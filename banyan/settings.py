"""Banyan CRM settings: everything that varies between installs comes from the environment."""

from pathlib import Path

import environ

from banyan.core import keyfile

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
VAR_DIR = Path(env.str("BANYAN_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# The key that signs sessions, CSRF and password-reset values: SECRET_KEY, else the file
# SECRET_KEY_FILE names (default var/secret_key, which `make run` creates). Without a key only
# DEBUG starts, with a public development key.
SECRET_KEY = keyfile.secret_key(env, VAR_DIR, debug=DEBUG)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "captcha",
    "axes",
    "simple_history",
    "django_htmx",
    "template_partials",
    "banyan.core",
    "banyan.accounts",
    "banyan.exports",
    "banyan.customers",
    "banyan.activities",
    "banyan.opportunities",
    "banyan.products",
    "banyan.agreements",
    "banyan.finance",
    "banyan.purchasing",
    "banyan.inventory",
    "banyan.targets",
    "banyan.messaging",
    "banyan.workbench",
    "banyan.reports",
    "banyan.imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "banyan.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "banyan.accounts.middleware.CompanyAccessMiddleware",
    "axes.middleware.AxesMiddleware",
]

FORM_RENDERER = "banyan.core.renderers.FormRenderer"
ROOT_URLCONF = "banyan.urls"
WSGI_APPLICATION = "banyan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "banyan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "banyan.core.context_processors.layout",
            ],
        },
    },
]

# Cache: counts of the API's throttles. In-process by default; with several server processes
# give them a shared one, e.g. `dbcache://banyan_cache` (after `manage.py createcachetable`).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Database: SQLite under var/ by default (WAL), PostgreSQL for real deployments.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'banyan.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": None}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    # PostgreSQL's JIT compiler costs a list page more than it saves: our queries are
    # index range scans with a limit, and compiling one took 1.5 s on the pipeline board.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
    # Choice fields iterate their querysets; as server-side cursors that is three round trips
    # (DECLARE, FETCH, CLOSE) for a few dozen rows. Also what a pooler in front needs.
    DATABASES["default"].setdefault("DISABLE_SERVER_SIDE_CURSORS", True)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "banyan.accounts.backends.CompanyUserBackend",
]
# Usernames are unique inside a company, not globally; the login backend takes the company.
# axes.W006 asks for the address among axes' lockout parameters: our handler locks addresses
# itself (banyan/accounts/lockout.py), so that one person's typos do not lock a whole office.
SILENCED_SYSTEM_CHECKS = ["auth.E003", "auth.W004", "axes.W006"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Chinese by default, English complete.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Sessions and browser security. HTTPS=true in production turns on secure cookies and HSTS.
HTTPS = env.bool("HTTPS", default=False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],  # style attributes only; scripts stay strict
        "script-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# Login protection: image captcha on the login and registration pages, lockout after failures.
CAPTCHA_TEST_MODE = env.bool("CAPTCHA_TEST_MODE", default=False)
CAPTCHA_LENGTH = 4
CAPTCHA_IMAGE_SIZE = (110, 38)
CAPTCHA_FONT_SIZE = 28
CAPTCHA_TIMEOUT = 10
# A company + username locks after AXES_FAILURE_LIMIT failures; a network address only after
# LOGIN_ADDRESS_FAILURE_LIMIT failures across LOGIN_ADDRESS_USERNAME_LIMIT distinct usernames,
# both within the cool-off time (banyan/accounts/lockout.py). Only a user's own successful
# login clears their count; nothing clears an address's count but time.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=50)
LOGIN_ADDRESS_USERNAME_LIMIT = env.int("LOGIN_ADDRESS_USERNAME_LIMIT", default=10)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_HANDLER = "banyan.accounts.lockout.LoginLockoutHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the address count
AXES_USERNAME_CALLABLE = "banyan.accounts.backends.axes_username"
AXES_CLIENT_IP_CALLABLE = "banyan.core.net.client_address"
AXES_LOCKOUT_CALLABLE = "banyan.accounts.backends.lockout_response"
AXES_RESET_ON_SUCCESS = False  # the login backend resets the user's own count, nothing else
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lock lifts on time
AXES_VERBOSE = False
# Reverse proxies in front of the app: the client address is the X-Forwarded-For entry this
# many places from the right (banyan/core/net.py). 0: REMOTE_ADDR, the header is ignored.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# The API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "banyan.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["banyan.accounts.permissions.IsCompanyMember"],
    "DEFAULT_PAGINATION_CLASS": "banyan.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "banyan.core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Throttles that do not ask `core.net.client_address` (DRF's own) read PROXY_COUNT too.
    "NUM_PROXIES": PROXY_COUNT,
}
# API tokens: how long one lives, and how often one client address may ask for one.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=30)
API_TOKEN_RATE = env.str("API_TOKEN_RATE", default="10/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Banyan CRM API",
    "DESCRIPTION": "The REST API of Banyan CRM (榕树CRM). Authenticate with "
    "`POST /api/v1/auth/token/` and send `Authorization: Token <token>`. A token lasts "
    f"{API_TOKEN_DAYS} days; each login gives another (one per device), "
    "`GET /api/v1/auth/tokens/` lists yours and `DELETE /api/v1/auth/tokens/{id}/` revokes "
    "one. Changing your password or being deactivated revokes them all.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a field named `kind`: each choice set gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "banyan.accounts.dictionary.KINDS.items",
        "CustomerKindEnum": "banyan.customers.models.Customer.Kind",
        "AgreementKindEnum": "banyan.agreements.models.Agreement.Kind",
        "AgreementStatusEnum": "banyan.agreements.models.Agreement.Status",
        "StatusEnum": "banyan.opportunities.models.Opportunity.Status",
        "StocktakeStatusEnum": "banyan.inventory.models.Stocktake.Status",
        "ImportKindEnum": "banyan.imports.models.ImportJob.Kind",
        "ImportStatusEnum": "banyan.imports.models.ImportJob.Status",
    },
    # Swagger UI is served from our own static files (no CDN), its script as a file (CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Background work: the database queue; tests switch to the immediate backend.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Exports: past this many rows an .xlsx (and any export from the API) is produced on the task
# worker and downloaded from the export log; every file is kept this many days.
EXPORT_INLINE_ROWS = env.int("EXPORT_INLINE_ROWS", default=5_000)
# A page's CSV streams to the browser up to this many rows (past it, the worker makes it).
EXPORT_STREAM_ROWS = env.int("EXPORT_STREAM_ROWS", default=300_000)
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)

# Imports: the largest file (bytes) and the most rows one upload may hold.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
# An uploaded file (customers' names and phones) is removed this many days after its upload
# (`manage.py sweep_imports`); the job and what a revert needs stay.
IMPORT_KEEP_DAYS = env.int("IMPORT_KEEP_DAYS", default=7)

# E-mail: console by default, SMTP (or any backend) through EMAIL_URL.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Banyan CRM <noreply@banyan.local>")
# SMS: "log" (records, sends nothing), "aliyun" (dysmsapi) or "tencent" (Tencent Cloud SMS).
SMS_BACKEND = env.str("SMS_BACKEND", default="log")
SMS_ALIYUN_ACCESS_KEY_ID = env.str("SMS_ALIYUN_ACCESS_KEY_ID", default="")
SMS_ALIYUN_ACCESS_KEY_SECRET = env.str("SMS_ALIYUN_ACCESS_KEY_SECRET", default="")
SMS_ALIYUN_SIGN_NAME = env.str("SMS_ALIYUN_SIGN_NAME", default="")
SMS_ALIYUN_TEMPLATE_CODE = env.str("SMS_ALIYUN_TEMPLATE_CODE", default="")
SMS_ALIYUN_ENDPOINT = env.str("SMS_ALIYUN_ENDPOINT", default="https://dysmsapi.aliyuncs.com/")
SMS_TENCENT_SECRET_ID = env.str("SMS_TENCENT_SECRET_ID", default="")
SMS_TENCENT_SECRET_KEY = env.str("SMS_TENCENT_SECRET_KEY", default="")
SMS_TENCENT_SDK_APP_ID = env.str("SMS_TENCENT_SDK_APP_ID", default="")
SMS_TENCENT_SIGN_NAME = env.str("SMS_TENCENT_SIGN_NAME", default="")
SMS_TENCENT_TEMPLATE_ID = env.str("SMS_TENCENT_TEMPLATE_ID", default="")
SMS_TENCENT_ENDPOINT = env.str("SMS_TENCENT_ENDPOINT", default="https://sms.tencentcloudapi.com/")
SMS_TENCENT_REGION = env.str("SMS_TENCENT_REGION", default="ap-guangzhou")
# Send limits (SMS and e-mail together, rolling windows, 0 = no limit): per user per hour,
# per company per 24 hours, and for the public demo company per 24 hours (whose messages
# only ever go to the log).
SEND_LIMIT_PER_USER_HOUR = env.int("SEND_LIMIT_PER_USER_HOUR", default=200)
SEND_LIMIT_PER_COMPANY_DAY = env.int("SEND_LIMIT_PER_COMPANY_DAY", default=2000)
SEND_LIMIT_DEMO_DAY = env.int("SEND_LIMIT_DEMO_DAY", default=20)

# Banyan's own settings.
BANYAN_TRIAL_DAYS = env.int("BANYAN_TRIAL_DAYS", default=30)
BANYAN_DEMO_COMPANY_CODE = env.str("BANYAN_DEMO_COMPANY_CODE", default="demo")
BANYAN_LOGO_MAX_BYTES = 2 * 1024 * 1024
# Width × height an uploaded image may declare; larger ones are refused before decoding
# (a 20 KB PNG can declare 13,000 × 13,000 pixels: gigabytes once decoded).
BANYAN_IMAGE_MAX_PIXELS = env.int("BANYAN_IMAGE_MAX_PIXELS", default=4096 * 4096)
BANYAN_SUPPORT_CONTACT = env.str("BANYAN_SUPPORT_CONTACT", default="sales@banyan.local")
# How long a form token or an API Idempotency-Key is remembered (core/idempotency.py).
IDEMPOTENCY_KEY_HOURS = env.float("IDEMPOTENCY_KEY_HOURS", default=24)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
