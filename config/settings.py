"""Settings for the referral directory, read from the environment (see .env.example)."""

import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    NEW_KEY_COMMAND,
    SECRET_KEY_MIN_LENGTH,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
    secret_key_weakness,
)

BASE_DIR = Path(__file__).resolve().parent.parent

_INSECURE_KEY = "django-insecure-development-only-key-change-me"

DEBUG = env_bool("DEBUG", default=False)
_GIVEN_SECRET_KEY = env_str("SECRET_KEY") or ""
SECRET_KEY = _GIVEN_SECRET_KEY or _INSECURE_KEY
# Loopback names are always allowed so that health checks from inside the container work.
ALLOWED_HOSTS = [*env_list("ALLOWED_HOSTS", ["testserver"]), "127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Production is anything that is not explicitly a development run: it must not run with the
# default key or with DEBUG on, because both leak confidential data.
DEVELOPMENT = env_bool("DEVELOPMENT", default=False)
if not DEVELOPMENT:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG=true is only allowed together with DEVELOPMENT=true.")
    if weakness := secret_key_weakness(_GIVEN_SECRET_KEY):
        raise ImproperlyConfigured(
            f"SECRET_KEY {weakness}: set one of {SECRET_KEY_MIN_LENGTH}+ random characters "
            f"({NEW_KEY_COMMAND}) or DEVELOPMENT=true."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "rest_framework_api_key",
    "axes",
    "corsheaders",
    "simple_history",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_countries",
    "referrals",
    "api",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every answer (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Before anything reads the query or body: odd charsets (415), oversized (413) or garbled lengths (400).
    "api.middleware_request.RequestHygieneMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Compress last (it is listed first): phones on 2G pay per byte.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # ETags on the uncompressed body, and 304 for an If-None-Match that still matches.
    "django.middleware.http.ConditionalGetMiddleware",
    "api.middleware.ApiCacheHeadersMiddleware",
    # A view's database outage answers 503 + Retry-After (handler500 does it for the middleware's own).
    "api.unavailable.DatabaseUnavailableMiddleware",
    # Messages in the reader's listing language, for the page cache's answers (429) and the views' alike.
    "api.middleware.ApiLanguageMiddleware",
    "api.middleware.AnonymousPageCacheMiddleware",
    "referrals.routers.PrimaryPinMiddleware",
    # The pages' language (the "Language" control's cookie, else Accept-Language); the API keeps its own.
    "web.middleware.PageLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # The pages' Cache-Control: nothing a signed-in person saw is stored (web.middleware).
    "web.middleware.PageCacheHeadersMiddleware",
    # Last, as django-axes asks: it turns a locked-out admin login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses logins for locked-out usernames before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
# A failed CSRF check answers JSON like every other error, or a page to a browser on the app's pages.
CSRF_FAILURE_VIEW = "web.errors.csrf_failure"
# Largest request body, in bytes (REQUEST_BODY_MAX_BYTES, default 1 MiB): the API takes small JSON documents.
# api.middleware_request refuses bigger declared bodies with a 413 before reading them (DRF's parser has no limit).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("REQUEST_BODY_MAX_BYTES", 1024 * 1024)
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],  # overrides of third-party templates
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.page",
            ],
        },
    },
]

# DATABASE_URL unset means SQLite in the project folder (zero-setup); PostgreSQL in production.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction begins, so concurrent writers queue instead of failing
    # (or overwriting each other's capacity counts).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
# A slow or partitioned database must not hold a web worker until gunicorn kills it (30 s) with no answer:
# connecting gives up after DATABASE_CONNECT_TIMEOUT, keepalives and tcp_user_timeout notice a dead peer in
# seconds, and web requests' statements and lock waits are cancelled (api.unavailable answers 503).
# config/wsgi.py marks web processes; management commands (migrate, generate_directory, benchmark) run long
# statements on purpose and keep MANAGEMENT_STATEMENT_TIMEOUT_MS (0: none).
WEB_PROCESS = env_str("DIRECTORY_PROCESS", "") == "web"
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 3)
DATABASE_TCP_USER_TIMEOUT_MS = env_int("DATABASE_TCP_USER_TIMEOUT_MS", 5000)
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 15000)
DATABASE_LOCK_TIMEOUT_MS = env_int("DATABASE_LOCK_TIMEOUT_MS", 5000)
MANAGEMENT_STATEMENT_TIMEOUT_MS = env_int("MANAGEMENT_STATEMENT_TIMEOUT_MS", 0)
# The search page's query is planned once per connection (referrals.services.prepared); off behind a pooler
# that shares sessions between clients (PgBouncer in transaction mode).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", default=True)


def _postgres_options() -> dict:
    """libpq connection options: timeouts for this process's role, and JIT off."""
    # Search queries are short OLTP queries; PostgreSQL's JIT only adds compile time to them.
    server = ["-c jit=off"]
    if WEB_PROCESS:
        server.append(f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}")
        server.append(f"-c lock_timeout={DATABASE_LOCK_TIMEOUT_MS}")
    elif MANAGEMENT_STATEMENT_TIMEOUT_MS > 0:
        server.append(f"-c statement_timeout={MANAGEMENT_STATEMENT_TIMEOUT_MS}")
    return {
        "options": " ".join(server),
        "connect_timeout": DATABASE_CONNECT_TIMEOUT,
        # Probe an idle connection after 5 s, every 2 s, 3 times; give up on unacknowledged data after the timeout.
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": DATABASE_TCP_USER_TIMEOUT_MS,
    }


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(_postgres_options())

# A read-only replica (streaming replication) takes the reads of requests that wrote nothing; see
# referrals.routers. Writes, and a client's reads for REPLICA_PIN_SECONDS after its last write, go to the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        # A partitioned replica would hang reads just as a partitioned primary would.
        DATABASES["replica"].setdefault("OPTIONS", {}).update(_postgres_options())
    DATABASE_ROUTERS = ["referrals.routers.PrimaryReplicaRouter"]

# The cache: Redis (shared by every app process) when REDIS_URL is set, else this process's memory.
# It holds vocabulary codes, place-name look-ups and anonymous search pages (api.middleware).
REDIS_URL = env_str("REDIS_URL", "")
# A hung Redis must cost a fraction of a second, not redis-py's default wait per call: short socket
# timeouts, and after a failure config.cache's breaker skips Redis for REDIS_BREAKER_SECONDS (this process's
# memory stands in meanwhile, so rate limits keep counting).
REDIS_TIMEOUT_SECONDS = env_float("REDIS_TIMEOUT_SECONDS", 0.25)
REDIS_BREAKER_SECONDS = env_float("REDIS_BREAKER_SECONDS", 10.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "referrals",
            # A cache outage slows the directory down; it must not take it down.
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_SECONDS,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT_SECONDS,
                "BREAKER_SECONDS": REDIS_BREAKER_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "referrals"}}
# How long an anonymous search page may be served from the cache (a listing change invalidates it at once).
ANONYMOUS_PAGE_CACHE_SECONDS = env_int("ANONYMOUS_PAGE_CACHE_SECONDS", 300)
# Lists count their matches exactly up to this many; past it `count` stops there and `count_is_exact` is false.
SEARCH_COUNT_LIMIT = env_int("SEARCH_COUNT_LIMIT", 1000)
if SEARCH_COUNT_LIMIT < 100:
    raise ImproperlyConfigured("SEARCH_COUNT_LIMIT must be 100 or more.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", "") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Production serves hashed, compressed files made by collectstatic; development serves the sources.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEVELOPMENT
        else "config.storage.StaticFilesStorage"
    },
}
# Without collectstatic (development, tests) WhiteNoise serves straight from the apps' folders.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", default=DEVELOPMENT)
# Before collectstatic has run (development, tests) STATIC_ROOT does not exist yet; that is expected.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

# Production is HTTPS only (behind a TLS-terminating proxy that sets X-Forwarded-Proto).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEVELOPMENT)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's own health check speaks plain HTTP on loopback
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEVELOPMENT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# A signed-in caseworker's session (the web app's sign-in) ends after this many idle hours: a lost or seized
# phone must not stay signed in to safe-house addresses. Every request of a signed-in person renews it.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_HOURS", 8) * 3600
SESSION_SAVE_EVERY_REQUEST = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEVELOPMENT else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEVELOPMENT)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEVELOPMENT)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The pages' language cookie, kept like the session's.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# django-csp: the pages load nothing but this site's own files, and no inline script or style at all.
# Swagger UI, ReDoc and the admin are left out: they are tools for developers and staff, with inline code.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs/", "/api/redoc/", "/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.schema.DirectoryAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.DirectoryPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.DirectoryJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.DirectoryJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.PartnerKeyAuthentication",  # Authorization: Api-Key <key>
        "api.authentication.DirectoryTokenAuthentication",  # Authorization: Token <token> (knox)
        "rest_framework.authentication.SessionAuthentication",  # browsable API and admin, with CSRF
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ReadOrEditOwn"],
    # Client IPs for the throttles: trust X-Forwarded-For only as far as our own proxies append to it.
    "NUM_PROXIES": env_int("NUM_PROXIES", 1 if env_bool("BEHIND_TLS_PROXY", False) else 0),
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonymousThrottle",
        "api.throttling.PartnerKeyThrottle",
        "api.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anonymous": env_str("THROTTLE_ANONYMOUS", "120/min"),
        "partner": env_str("THROTTLE_PARTNER", "1200/min"),
        "user": env_str("THROTTLE_USER", "600/min"),
        "login": env_str("THROTTLE_LOGIN", "10/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Victim-support referral directory API",
    "DESCRIPTION": (
        "Find housing, counselling, medical, psychological, legal and other services for survivors of "
        "human trafficking in East Asia and the Pacific, by location and special needs. Confidential "
        "locations (safe houses) are only ever shown by their public face to public readers: no street "
        "address, no exact point, no location phone; coordinates are snapped to a coarse grid cell."
    ),
    "VERSION": "1.0.0",
    # Relative, so resolved against wherever the schema was read from (OpenAPI 3.0.3, Server Object): a partner
    # app reading https://<host>/api/schema/ calls https://<host>/api/v1/..., behind any host name, proxy or TLS
    # terminator, with no trust in forwarded headers, and every server hands out the same schema.
    "SERVERS": [{"url": "/", "description": "The server this schema was read from."}],
    "LICENSE": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},  # the LICENSE file
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",  # drf-spectacular's default; it writes the NullEnum
        "api.schema.postprocess_nullable_types",
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ServiceStatusEnum": "referrals.choices.ServiceStatus",
        "LocationTypeEnum": "referrals.choices.LocationType",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Accounts ------------------------------------------------------------------------------------
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("TOKEN_TTL_HOURS", 12)),
    "TOKEN_LIMIT_PER_USER": env_int("TOKEN_LIMIT_PER_USER", 20),
    "AUTO_REFRESH": False,
}
# Lock a username (whoever tries it, from wherever) after repeated failures, for a while.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "web.errors.lockout_response"  # the API's JSON 429, or the sign-in page saying so
# Per-IP brakes are DRF's login throttle (THROTTLE_LOGIN); locking whole IPs would lock out NGO offices behind NAT.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Partner web apps calling the API from browsers.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = ["accept", "authorization", "content-type", "if-none-match", "accept-language"]

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEVELOPMENT else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "directory@example.org")
# Where the app is reached from outside: the links in emails (vetting decisions, invitations, reports, reminders).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Seconds an SMTP server may take: a sign-up sends its mail before it answers, and must not hang on a dead relay.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

# --- Directory rules -----------------------------------------------------------------------------
# Size of the grid cell (degrees) that a confidential location's public point is snapped to.
# 0.05 degrees is about 5.5 km north-south: enough to hide a house, fine enough to pick a town.
CONFIDENTIAL_GRID_DEGREES = env_float("CONFIDENTIAL_GRID_DEGREES", 0.05)
if not 0.01 <= CONFIDENTIAL_GRID_DEGREES <= 1:
    # A finer grid would publish (nearly) the exact point of a safe house.
    raise ImproperlyConfigured("CONFIDENTIAL_GRID_DEGREES must be between 0.01 and 1 (about 1 km to 110 km).")
# Capacity counts for `has_capacity` only when a person updated it within this many hours.
CAPACITY_FRESH_HOURS = env_int("CAPACITY_FRESH_HOURS", 48)
# An organisation admin's invitation link (by email) works for this many days, once.
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)
# How long shared caches may keep an anonymous API response, in seconds.
API_PUBLIC_MAX_AGE = env_int("API_PUBLIC_MAX_AGE", 60)
# Languages listings can be written and translated in (ISO 639-1), and that `lang=` / Accept-Language
# choose among. Listings keep their own texts in `text_language`; translations fill in the others.
LISTING_LANGUAGES = {
    "en": "English",
    "th": "Thai",
    "vi": "Vietnamese",
    "km": "Khmer",
    "my": "Burmese",
    "lo": "Lao",
    "id": "Indonesian",
    "ms": "Malay",
    "tl": "Tagalog / Filipino",
    "zh": "Chinese",
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ListingLanguageEnum"] = list(LISTING_LANGUAGES)
# Django's and DRF's own messages follow the listing language asked for (api.middleware.ApiLanguageMiddleware),
# in the catalogs they ship (Thai, Vietnamese, Indonesian, Malay, Khmer, Burmese, Chinese; English where a
# catalog lacks a message). Chinese listings are Simplified Chinese: its catalogs are Django's zh-hans.
MESSAGE_LANGUAGES = {"zh": "zh-hans"}
LANGUAGES = [(MESSAGE_LANGUAGES.get(code, code), name) for code, name in LISTING_LANGUAGES.items()]
# The country the caseworker app's "Save for offline" takes when the person has not searched a place yet
# (ISO 3166-1 alpha-2): the one the deployment serves first.
HOME_COUNTRY = env_str("HOME_COUNTRY", "TH").upper()
# Longest accepted `q` search text, in characters.
SEARCH_QUERY_MAX_LENGTH = env_int("SEARCH_QUERY_MAX_LENGTH", 200)
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# A listing not verified by a person for this many days is marked stale.
STALE_AFTER_DAYS = env_int("STALE_AFTER_DAYS", 180)
# Geocoding through geopy: addresses of locations saved without coordinates, and place names the offline
# gazetteer does not know. "nominatim" (the production default) or "" for none (the development default:
# a demo on a closed network should not try to reach out); failures fall back to the gazetteer.
GEOCODER = env_str("GEOCODER", "" if DEVELOPMENT else "nominatim")
GEOCODER_DOMAIN = env_str("GEOCODER_DOMAIN", "nominatim.openstreetmap.org")
GEOCODER_USER_AGENT = env_str("GEOCODER_USER_AGENT", "victim-support-referral-directory")
GEOCODER_TIMEOUT = env_float("GEOCODER_TIMEOUT", 3.0)
# Seconds between calls (the public Nominatim allows one a second).
GEOCODER_MIN_DELAY = env_float("GEOCODER_MIN_DELAY", 1.0)
# Send confidential street addresses to the geocoder only if it is your own (self-hosted) service.
GEOCODER_TRUSTED_FOR_CONFIDENTIAL = env_bool("GEOCODER_TRUSTED_FOR_CONFIDENTIAL", default=False)
