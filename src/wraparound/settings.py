"""Settings come from environment variables, so one build runs on a laptop and in production.

- ``DATABASE_URL``: defaults to an embedded SQLite file ``var/wraparound.sqlite3`` under the
  working directory; PostgreSQL in production (``postgres://user@host:port/db``).
- ``WRAPAROUND_SECRET_KEY``: required when ``WRAPAROUND_DEBUG`` is off.
- ``WRAPAROUND_DEBUG``: ``1`` for development (the default for ``make demo``).
- ``WRAPAROUND_ALLOWED_HOSTS``: comma-separated.
- ``WRAPAROUND_AGREEMENT``: path of the information sharing agreement file.
- ``WRAPAROUND_IDLE_MINUTES``: sign out after this many minutes without activity (30).
- ``WRAPAROUND_LOGIN_FAILURE_LIMIT`` / ``WRAPAROUND_ADDRESS_FAILURE_LIMIT``: wrong passwords
  before a username at one address (5), or an address for everybody (20), is locked.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("WRAPAROUND_VAR_DIR", Path.cwd() / "var"))


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def _whole_number(name: str, default: int) -> int:
    """A positive whole number from the environment, or a clear error naming the variable."""
    raw = os.environ.get(name, str(default)).strip()
    if not raw.isdigit() or int(raw) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of 1 or more (got {raw!r}).")
    return int(raw)


DEBUG = _flag("WRAPAROUND_DEBUG", "0")
# The key that signs sessions and CSRF tokens: from the environment, or from a file only its
# owner may read (``make demo`` writes ``var/secret_key``). Outside development (DEBUG on, the
# test suite, or WRAPAROUND_INSECURE_DEV_KEY=1 said out loud) there is no built-in key: a
# forged cookie signed with a key published in the source must never be accepted.
SECRET_KEY_FILE = VAR_DIR / "secret_key"
SECRET_KEY = os.environ.get("WRAPAROUND_SECRET_KEY", "")
if not SECRET_KEY and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
if not SECRET_KEY:
    if DEBUG or os.environ.get("PYTEST_VERSION") or _flag("WRAPAROUND_INSECURE_DEV_KEY", "0"):
        # A fixed key is acceptable only for local synthetic data; production sets its own.
        SECRET_KEY = "wraparound-development-key-not-for-production-use-0123456789"
    else:
        raise ImproperlyConfigured(
            "No secret key: set WRAPAROUND_SECRET_KEY to a long random string (or put one in "
            f"{SECRET_KEY_FILE}, readable by this account only). For development on this "
            "machine only, set WRAPAROUND_DEBUG=1."
        )

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("WRAPAROUND_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "wraparound.core",
    "wraparound.sources",
    "wraparound.identity",
    "wraparound.governance",
    "wraparound.plans",
    "wraparound.notes",
    "wraparound.frontdoor",
    "wraparound.demand",
    "wraparound.meetings",
    "wraparound.record",
    "wraparound.synthetic",
    "wraparound.accounts",
    "wraparound.spc",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wraparound.governance.middleware.IdleTimeout",
    "wraparound.governance.middleware.StartPageForRole",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "wraparound.governance.middleware.NoStoreForStaff",
]

ROOT_URLCONF = "wraparound.urls"
WSGI_APPLICATION = "wraparound.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'wraparound.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # WAL lets readers carry on while a feed is loading; IMMEDIATE avoids
            # "database is locked" upgrades mid-transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
            "transaction_mode": "IMMEDIATE",
        }
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Session security: a shared laptop in a clinic must not stay logged in.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Served over HTTPS (``WRAPAROUND_HTTPS=1``, behind a proxy that terminates TLS): cookies go
# only over HTTPS and browsers are told to use nothing else (HSTS, a year).
HTTPS = _flag("WRAPAROUND_HTTPS", "0")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Idle timeout: a signed-in session ends after this long without a request (sliding); the page
# warns WRAPAROUND_IDLE_WARNING before (governance.middleware.IdleTimeout).
WRAPAROUND_IDLE_TIMEOUT = timedelta(minutes=_whole_number("WRAPAROUND_IDLE_MINUTES", 30))
WRAPAROUND_IDLE_WARNING = timedelta(minutes=2)

# Login throttling (django-axes): a username at one address is locked after
# WRAPAROUND_LOGIN_FAILURE_LIMIT wrong passwords (5); an address is locked for every username
# after WRAPAROUND_ADDRESS_FAILURE_LIMIT wrong passwords across all usernames (20), which stops
# password spraying (one password tried against many usernames). Axes compares one limit, so
# the handler applies the second (accounts.login_throttle). Both for 15 minutes.
AXES_FAILURE_LIMIT = _whole_number("WRAPAROUND_LOGIN_FAILURE_LIMIT", 5)
WRAPAROUND_ADDRESS_FAILURE_LIMIT = _whole_number("WRAPAROUND_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "wraparound.accounts.login_throttle.AccountAndAddressHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"

# Content Security Policy (django-csp 4): everything from our own origin, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# Uploads: refuse oversized requests before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# collectstatic fills STATIC_ROOT in production; in development the finders serve assets.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

WRAPAROUND_AGREEMENT = Path(
    os.environ.get("WRAPAROUND_AGREEMENT", PACKAGE_DIR / "governance" / "agreement.yaml")
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WRAPAROUND_LOG_LEVEL", "WARNING")},
}
