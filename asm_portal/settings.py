"""Settings for the ASM Care Portal.

One module for every environment: each difference between development, CI
and production is an environment variable, listed with its meaning in
``.env.example`` and the README. With ``DJANGO_DEBUG`` off (the default) the
secret key and the allowed hosts must be given, or start-up stops.
"""

import os
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

# Lets generic admin and queryset classes be subscripted at run time, as mypy sees them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _required_in_production(name: str, development_default: str) -> str:
    value: str = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return development_default
    raise ImproperlyConfigured(
        f"{name} is not set. It is required when DJANGO_DEBUG is off; "
        "see .env.example and the README's configuration table."
    )


SECRET_KEY = _required_in_production(
    "DJANGO_SECRET_KEY", "django-insecure-development-only-key-never-use-in-production"
)
ALLOWED_HOSTS = [
    host.strip()
    for host in _required_in_production("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "ninja",
    "policies",
    "claims",
    "shop_api",
]

MIDDLEWARE = [
    "asm_portal.health.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that can answer early (e.g. CommonMiddleware's 400 for an unknown
    # host), so that every response, error pages included, carries the header.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the path or the query string into a database query.
    "asm_portal.input_guard.RejectControlCharactersMiddleware",
    # The shop's API answers an unknown address or method with its JSON problems, not a page.
    "shop_api.middleware.ApiProblemsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "asm_portal.private_pages.PrivatePagesMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A sign-in's response carries the person's stored language to this browser (its cookie).
    "claims.languages.SignInLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "asm_portal.urls"
WSGI_APPLICATION = "asm_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "claims.portal.context_processors.care_contacts",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` puts the web server, the worker and beat on one SQLite file. Readers never
    # wait for the writer (WAL); a writer takes the write lock when its transaction
    # begins (IMMEDIATE), so two writers queue for up to `timeout` seconds instead of
    # failing with "database is locked" when one of them upgrades a read to a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # The tests' database is a file as well, one per test process: in Django's shared in-memory
    # one, the live server's, the Celery worker's and the test's connections lock whole tables,
    # which no busy timeout waits for ("database table is locked").
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users --------------------------------------------------------------------
AUTH_USER_MODEL = "claims.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Redis, cache -------------------------------------------------------------
# The cache holds rate-limit counters that every web process must share, so it
# lives in Redis whenever Redis is configured.
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": env.cache(
        "CACHE_URL",
        default=REDIS_URL or f"filecache://{VAR_DIR / 'cache'}",
    ),
}
CACHES["default"]["KEY_PREFIX"] = "asm"
# django-redis, which (unlike Django's own backend) can treat a Redis that is
# down as a cache miss: pages, sessions and claims go on without it.
REDIS_CACHE_OPTIONS = {
    "IGNORE_EXCEPTIONS": True,
    "SOCKET_CONNECT_TIMEOUT": 0.5,
    "SOCKET_TIMEOUT": 0.5,
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "django_redis.cache.RedisCache"
    CACHES["default"]["OPTIONS"] = REDIS_CACHE_OPTIONS
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# A signed-in page reads its session from the cache; the database keeps every
# session too, so a cache flush (or a Redis outage) signs no one out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Internationalisation, dates ----------------------------------------------
# A visitor gets the browser's language (Accept-Language) when it is one of these,
# else Vietnamese; a signed-in person's stored choice comes first (claims.languages).
LANGUAGE_CODE = env.str("ASM_LANGUAGE_CODE", default="vi")
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# One date format and one number format per language, for pages and emails alike.
FORMAT_MODULE_PATH = ["asm_portal.formats"]
USE_TZ = True
# PRODUCT.md: dates are local dates in this zone; public holidays come from
# this country. Set both for ASM's real location.
TIME_ZONE = env.str("ASM_TIME_ZONE", default="Asia/Ho_Chi_Minh")
ASM_HOLIDAY_COUNTRY = env.str("ASM_HOLIDAY_COUNTRY", default="VN")

# --- Static files and uploads -------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even before collectstatic
WHITENOISE_USE_FINDERS = DEBUG
# Production serves hashed, compressed files through WhiteNoise (after `collectstatic`);
# development and tests serve the source files as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "asm_portal.static_files.StaticFilesStorage"
    },
}
# Claim photos are private: they live outside the static files and are served
# only through a view that checks access.
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# --- Email --------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_FILE_PATH = Path(env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail")))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ASM Care <care@asm.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who hears of claims whose target date passed, and of broken deadlines.
ASM_CARE_STAFF_EMAIL = env.str("ASM_CARE_STAFF_EMAIL", default="care-duty@asm.example")
ASM_CARE_MANAGERS_EMAIL = env.str("ASM_CARE_MANAGERS_EMAIL", default="care-managers@asm.example")
# The address customers' links in emails point to.
ASM_SITE_URL = env.str("ASM_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Celery -------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "redis://127.0.0.1:6379/0")
CELERY_TIMEZONE = TIME_ZONE
# Tasks report through the outbox rows, never through a result backend.
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged when it ends, and requeued if its worker dies; each
# worker process reserves one message at a time, so a dying worker strands
# at most one.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The hard limit stays below the outbox lease (ASM_OUTBOX_LEASE_SECONDS), so
# no live send can outlast its lease; the relay stops taking rows well before
# the soft limit.
CELERY_TASK_SOFT_TIME_LIMIT = 200
CELERY_TASK_TIME_LIMIT = 240
# Emails, sweeps and webhooks have their own queues, so a backlog of one never delays another;
# anything unrouted goes to Celery's default queue, "celery".
CELERY_TASK_ROUTES = {
    "claims.tasks.deliver_notification": {"queue": "emails"},
    "claims.tasks.relay_outbox": {"queue": "emails"},
    "claims.tasks.sweep_deadlines": {"queue": "sweeps"},
    "shop_api.tasks.deliver_webhook": {"queue": "webhooks"},
    "shop_api.tasks.relay_webhooks": {"queue": "webhooks"},
}
# Publishing must never hold a web request, then the relay takes over. One retry
# is enough to replace a pooled connection that a restarted Redis closed. A Redis
# that refuses connections costs next to nothing; one that hangs without closing
# them about 1.5 s: web requests publish (and /readyz probes) on connections of
# their own with the socket timeout below, far shorter than the workers' (8 s
# through the workers' pool, measured); see claims.outbox.enqueue_delivery.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
ASM_BROKER_PUBLISH_SOCKET_TIMEOUT = 0.5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, float | str] = {
    # Longer than any task may run; no task is ever scheduled with a countdown,
    # so Redis never redelivers a message that is merely waiting.
    "visibility_timeout": 3600,
    "socket_connect_timeout": 0.5,
    # Above the 1 s BRPOP poll a worker's connection blocks in.
    "socket_timeout": 2,
}
ASM_SWEEP_INTERVAL_MINUTES = env.int("ASM_SWEEP_INTERVAL_MINUTES", default=15)
# Exactly one beat process runs these (see the README); stale runs expire
# unstarted rather than pile up behind a stopped worker.
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {
        "task": "claims.tasks.relay_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "relay-webhooks": {
        "task": "shop_api.tasks.relay_webhooks",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "sweep-deadlines": {
        "task": "claims.tasks.sweep_deadlines",
        "schedule": ASM_SWEEP_INTERVAL_MINUTES * 60.0,
        "options": {"expires": ASM_SWEEP_INTERVAL_MINUTES * 60.0 - 5},
    },
    "delete-abandoned-photos": {
        "task": "claims.tasks.delete_abandoned_photos",
        "schedule": 3600.0,
        "options": {"expires": 3500},
    },
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # `make run` without Redis: kombu's filesystem transport, for one machine only.
    _BROKER_DIR = VAR_DIR / "broker"
    for _folder in ("queue", "processed"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
    }

# --- Outbox -------------------------------------------------------------------
# Retries of an email that failed: after about base × 2^(attempt-1) seconds,
# jittered, until the attempt limit marks the row failed for managers to retry.
ASM_OUTBOX_BACKOFF_BASE_SECONDS = env.int("ASM_OUTBOX_BACKOFF_BASE_SECONDS", default=60)
ASM_OUTBOX_MAX_ATTEMPTS = env.int("ASM_OUTBOX_MAX_ATTEMPTS", default=8)
# How long a worker owns a row while sending it; longer than CELERY_TASK_TIME_LIMIT.
ASM_OUTBOX_LEASE_SECONDS = env.int("ASM_OUTBOX_LEASE_SECONDS", default=300)

# --- Webhooks (shop_api.webhooks) -------------------------------------------------
# A POST that has not answered in this many seconds is a failed attempt, retried
# with the outbox's backoff until the attempt limit marks it failed for managers.
ASM_WEBHOOK_TIMEOUT_SECONDS = env.int("ASM_WEBHOOK_TIMEOUT_SECONDS", default=10)
ASM_WEBHOOK_MAX_ATTEMPTS = env.int("ASM_WEBHOOK_MAX_ATTEMPTS", default=12)

# --- Forms --------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGIN_URL = "portal:sign_in"

# --- Portal -------------------------------------------------------------------
# Customers sign in by a one-time link (django-sesame); staff use the admin login.
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out staff login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "asm_portal.auth_backends.PasswordBackend",
    "asm_portal.auth_backends.SignInLinkBackend",
]
SESAME_MAX_AGE = 30 * 60  # seconds: the sign-in link expires within 30 minutes
SESAME_ONE_TIME = True  # signing in updates last_login, which spends the link
# The name of the link's query parameter, not a secret.
SESAME_TOKEN_NAME = "token"  # noqa: S105  # nosec B105
# Rate limits, counted in the shared cache: requests per window, per identity.
ASM_SIGNIN_RATE_PER_EMAIL = env.int("ASM_SIGNIN_RATE_PER_EMAIL", default=5)
ASM_SIGNIN_RATE_PER_IP = env.int("ASM_SIGNIN_RATE_PER_IP", default=30)
ASM_SIGNIN_RATE_WINDOW_MINUTES = env.int("ASM_SIGNIN_RATE_WINDOW_MINUTES", default=15)
ASM_CLAIM_RATE_PER_CUSTOMER = env.int("ASM_CLAIM_RATE_PER_CUSTOMER", default=10)
ASM_CLAIM_RATE_WINDOW_MINUTES = env.int("ASM_CLAIM_RATE_WINDOW_MINUTES", default=60)
ASM_UPLOAD_RATE_PER_CUSTOMER = env.int("ASM_UPLOAD_RATE_PER_CUSTOMER", default=80)
ASM_UPLOAD_RATE_WINDOW_MINUTES = env.int("ASM_UPLOAD_RATE_WINDOW_MINUTES", default=60)
# The shop's API (shop_api): requests per key per window.
ASM_API_RATE_PER_KEY = env.int("ASM_API_RATE_PER_KEY", default=600)
ASM_API_RATE_WINDOW_SECONDS = env.int("ASM_API_RATE_WINDOW_SECONDS", default=60)
# How many proxies (load balancers) in front of the web processes append to
# X-Forwarded-For; 0 trusts REMOTE_ADDR alone. Sets the client address the
# per-IP sign-in limit counts.
ASM_TRUSTED_PROXY_HOPS = env.int("ASM_TRUSTED_PROXY_HOPS", default=0)
# Uploads: at most 8 photos per claim (claims.services), 10 MB each (claims.photos);
# a request with more files than this gets the friendly 400 page.
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=20)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# Photos uploaded to a claim form that was never submitted are deleted after this long.
ASM_ABANDONED_PHOTO_HOURS = env.int("ASM_ABANDONED_PHOTO_HOURS", default=24)

# --- Staff login lockout ------------------------------------------------------
# django-axes counts failed admin logins per (email, client address) in the
# database; at the limit that pair is refused with a 429 page and Retry-After
# until the cool-off ends (each further failure restarts it). Customers' sign-in
# links are never counted (claims.admin.lockout); they have the rate limits above.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("ASM_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ASM_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # lockouts are still logged; the start-up banner on every command is not
AXES_USERNAME_FORM_FIELD = "username"  # the admin login form's field, holding the email
AXES_USERNAME_CALLABLE = "claims.admin.lockout.login_username"
AXES_WHITELIST_CALLABLE = "claims.admin.lockout.is_link_sign_in"
AXES_LOCKOUT_CALLABLE = "claims.admin.lockout.lockout_response"
# The same client address as the portal's per-IP limit (ASM_TRUSTED_PROXY_HOPS).
AXES_CLIENT_IP_CALLABLE = "claims.portal.rate_limits.client_ip"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]

# --- Security -----------------------------------------------------------------
# TLS ends at the load balancer, which must set (overwrite) X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# The switcher's choice (claims.languages): no script reads it, and it travels like the session's.
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preload (check W021) is left off on purpose: it is a commitment for the whole
# domain that is hard to undo; ASM opts in once every subdomain serves HTTPS.
SECURE_HSTS_PRELOAD = False
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline scripts or styles anywhere: every script and stylesheet is a file under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"without_tokens": {"()": "asm_portal.access_log.WithoutTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # The development server's request lines, without sign-in links' tokens (gunicorn: gunicorn.conf.py).
    "loggers": {
        "django.server": {"handlers": ["console"], "filters": ["without_tokens"], "propagate": False}
    },
}
