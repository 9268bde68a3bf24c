"""Parcours settings: one module, configured by environment variables.

PARCOURS_DATA_DIR   folder for the SQLite database, generated keys and uploads (default: ./var)
DATABASE_URL        e.g. postgres://user@127.0.0.1:5432/parcours (default: SQLite in the data folder)
SECRET_KEY          required in production; the demo generates one into the data folder
DEBUG               "1" to enable Django's debug pages (never in production)
ALLOWED_HOSTS       comma-separated host names (default: 127.0.0.1,localhost)
PARCOURS_STATE_BRANDING  "1" only on instances run by the State (Marianne block); associations get a
                    neutral header, as the DSFR licence requires
HTTPS               "1" behind TLS: secure cookies, HSTS, CSP upgrade-insecure-requests
PARCOURS_MFA_REQUIRED  "0" lets the roles that see identities log in without a second factor (demo only;
                    default "1")
PARCOURS_SESSION_IDLE_MINUTES, PARCOURS_SESSION_MAX_HOURS  session limits (default 30 minutes, 8 hours)
PARCOURS_LOGIN_FAILURE_LIMIT, PARCOURS_LOGIN_LOCK_MINUTES  login throttling (default 5 failures, 15 minutes)
PARCOURS_TRUSTED_PROXIES  number of reverse proxies in front of Django that append to X-Forwarded-For
                    (default 0: the address is REMOTE_ADDR)
PARCOURS_WEBAUTHN_RP_ID, PARCOURS_WEBAUTHN_ORIGINS  domain and origins of security keys (default: the
                    first name of ALLOWED_HOSTS that is not an address, https://<it> under HTTPS=1)
PARCOURS_HSTS_PRELOAD  "1" adds the preload token to HSTS (only for a domain submitted to the list)
"""

import datetime as dt
import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("PARCOURS_DATA_DIR", PROJECT_DIR / "var")).resolve()


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    # Demo and development: a key generated once and kept in the (git-ignored) data folder.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_flag("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "widget_tweaks",
    "django_countries",
    "parcours.accounts",  # before django_otp_webauthn: its templates override the package's
    "dsfr",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "parcours.core",
    "parcours.people",
    "parcours.pathway",
    "parcours.followup",
    "parcours.rights",
    "parcours.records",
    "parcours.demo",
    "parcours.audit",
    "parcours.privacy",
    "parcours.sharing",
    "parcours.desk",  # top layer: pages combining apps (docs/decisions/0027-layered-apps.md)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "parcours.accounts.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "parcours.accounts.middleware.SessionLimitsMiddleware",
    "parcours.accounts.middleware.MembershipMiddleware",
    "parcours.audit.context.RequestContextMiddleware",
    "parcours.audit.middleware.DeniedAccessMiddleware",
    "parcours.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "parcours.urls"
WSGI_APPLICATION = "parcours.wsgi.application"

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
                "dsfr.context_processors.site_config",
                "parcours.desk.context_processors.parcours",
                "parcours.accounts.context_processors.csp_nonce",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
DSFR_MARK_OPTIONAL_FIELDS = True

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'parcours.sqlite3'}"),
        conn_max_age=60,  # persistent connections: a connection per request cut throughput by five
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked account or address before the password
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    # CNIL / ANSSI: length rather than composition rules, no forced periodic change.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "parcours.accounts.validators.OrganisationNameValidator"},
]
# Argon2id (ANSSI, OWASP); hashes made with PBKDF2 before are upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
PARCOURS_DOCUMENTS_DIR = Path(os.environ.get("PARCOURS_DOCUMENTS_DIR", DATA_DIR / "documents")).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "deadlines"]}}

# Sessions end with the browser, after PARCOURS_SESSION_IDLE_MINUTES without a request and after
# PARCOURS_SESSION_MAX_HOURS at most (accounts.middleware.SessionLimitsMiddleware).
PARCOURS_SESSION_IDLE_MINUTES = int(os.environ.get("PARCOURS_SESSION_IDLE_MINUTES", "30"))
PARCOURS_SESSION_MAX_HOURS = int(os.environ.get("PARCOURS_SESSION_MAX_HOURS", "8"))
SESSION_COOKIE_AGE = PARCOURS_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
HTTPS = env_flag("HTTPS")
if HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"  # a __Host- cookie is Secure, host-only, Path=/
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    # Subdomains of the instance's own host name (not of the association's domain) are HTTPS too.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The preload list takes registrable domains, and an instance usually lives on a subdomain of its
# operator: the token is added only on request, and Django's reminder is silenced otherwise.
SECURE_HSTS_PRELOAD = env_flag("PARCOURS_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content Security Policy (django-csp): everything from this origin, scripts only from it or with the
# request's nonce (django-dsfr's script tags carry it), no inline style or script, no frame, no plugin.
# The DSFR's CSS draws some icons from data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": HTTPS,
    }
}
PARCOURS_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), publickey-credentials-create=(self), publickey-credentials-get=(self)"
)

# Second factor (docs/decisions/0013-authentication.md): required for the roles that can see an identity
# (accounts.roles.IDENTITY_ROLES) unless PARCOURS_MFA_REQUIRED=0, which only the demo uses.
PARCOURS_MFA_REQUIRED = env_flag("PARCOURS_MFA_REQUIRED", default=True)
OTP_TOTP_ISSUER = os.environ.get("PARCOURS_SITE_TITLE", "Parcours")
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "parcours.security"


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


# A security key is bound to a domain name (an IP address cannot be one): http://localhost:8000 for the
# demo, https://<host> in production.
OTP_WEBAUTHN_RP_ID = os.environ.get("PARCOURS_WEBAUTHN_RP_ID") or next(
    (h.lstrip(".") for h in ALLOWED_HOSTS if h != "*" and not _is_address(h)), "localhost"
)
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    o.strip()
    for o in os.environ.get(
        "PARCOURS_WEBAUTHN_ORIGINS",
        f"https://{OTP_WEBAUTHN_RP_ID}" if HTTPS else f"http://{OTP_WEBAUTHN_RP_ID}:8000",
    ).split(",")
    if o.strip()
]

# Login throttling (django-axes): PARCOURS_LOGIN_FAILURE_LIMIT failures for one account, or from one
# address, lock further attempts for PARCOURS_LOGIN_LOCK_MINUTES; the password is never recorded.
PARCOURS_LOGIN_FAILURE_LIMIT = int(os.environ.get("PARCOURS_LOGIN_FAILURE_LIMIT", "5"))
PARCOURS_LOGIN_LOCK_MINUTES = int(os.environ.get("PARCOURS_LOGIN_LOCK_MINUTES", "15"))
PARCOURS_TRUSTED_PROXIES = int(os.environ.get("PARCOURS_TRUSTED_PROXIES", "0"))
AXES_FAILURE_LIMIT = PARCOURS_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=PARCOURS_LOGIN_LOCK_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "parcours.accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "parcours.accounts.throttling.lockout_response"
AXES_RESET_ON_SUCCESS = False  # a success must not wipe an address's failures on other accounts
AXES_ENABLE_ADMIN = False

PARCOURS_STATE_BRANDING = env_flag("PARCOURS_STATE_BRANDING")
PARCOURS_SITE_TITLE = os.environ.get("PARCOURS_SITE_TITLE", "Parcours")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Second factors, expired sessions, login failures and locks: user ids only (axes masks the account and
    # the address in its lines, keeping them in its table), never a password or a code.
    "loggers": {
        "parcours.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
