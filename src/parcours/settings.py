"""Parcours settings: one module, configured by environment variables, each read once here through the
typed reader parcours/env.py (a malformed value stops the start-up with its name). The rest of the code
reads django.conf.settings only. docs/security/configuration.md says what is guaranteed.

PARCOURS_DEMO       "1" for the demonstration and the test suite (`make demo`, `make test`): keys are then
                    generated into <data folder>/keys, SQLite and DEBUG are allowed and the `demo` app is
                    installed. Outside demo mode (production), the process refuses to start without
                    SECRET_KEY, PARCOURS_ENCRYPTION_KEYS, PARCOURS_BLIND_INDEX_KEY and PARCOURS_AUDIT_KEY,
                    with DEBUG on or with SQLite (`python -m parcours.env` prints fresh keys).
PARCOURS_DATA_DIR   folder for the SQLite database, the demo's keys, static files and uploads (default:
                    ./var); in demo mode it is made private to its owner (0700, files 0600)
PARCOURS_DOCUMENTS_DIR  uploaded documents (default: <data folder>/documents), unless an object store is set
PARCOURS_S3_BUCKET, PARCOURS_S3_ENDPOINT_URL, PARCOURS_S3_REGION, PARCOURS_S3_ACCESS_KEY_ID,
PARCOURS_S3_SECRET_ACCESS_KEY, PARCOURS_S3_ADDRESSING_STYLE, PARCOURS_S3_PREFIX, PARCOURS_S3_CA_BUNDLE
                    uploaded documents in an S3-compatible object store (env.object_storage(),
                    docs/deploy/scaling.md); all-or-nothing: a store configured by half stops the start-up
DATABASE_URL        e.g. postgres://user@127.0.0.1:5432/parcours (default: SQLite in the data folder, which
                    only demo mode accepts)
SECRET_KEY          required outside demo mode
PARCOURS_ENCRYPTION_KEYS, PARCOURS_BLIND_INDEX_KEY, PARCOURS_AUDIT_KEY  keys outside the database
                    (core/crypto.py): required outside demo mode
DEBUG               "1" to enable Django's debug pages (demo mode only)
ALLOWED_HOSTS       comma-separated host names (default: 127.0.0.1,localhost)
PARCOURS_STATE_BRANDING  "1" only on instances run by the State (Marianne block); associations get a
                    neutral header, as the DSFR licence requires
PARCOURS_SITE_TITLE title of the site and of the second-factor entries (default: Parcours)
HTTPS               "1" behind TLS: secure cookies, HSTS, CSP upgrade-insecure-requests
PARCOURS_MFA_REQUIRED  "0" lets the roles that see identities log in without a second factor (demo only;
                    default "1")
PARCOURS_SESSION_IDLE_MINUTES, PARCOURS_SESSION_MAX_HOURS  session limits (default 30 minutes, 8 hours)
PARCOURS_LOGIN_FAILURE_LIMIT, PARCOURS_LOGIN_LOCK_MINUTES  login throttling (default 5 failures, 15 minutes)
PARCOURS_API_CALLS_PER_MINUTE  calls per minute and per personal token of the JSON API, then 429 (default 120)
PARCOURS_TRUSTED_PROXIES  comma-separated addresses or networks of the reverse proxies in front of Django
                    (e.g. "127.0.0.1" or "10.0.0.0/8,::1"). Only when the direct peer is one of them is
                    X-Forwarded-For read, from the right; both the journal and the login throttling use this
                    one list (core/network.py). Default: none, the address is REMOTE_ADDR.
PARCOURS_WEBAUTHN_RP_ID, PARCOURS_WEBAUTHN_ORIGINS  domain and origins of security keys (default: the
                    first name of ALLOWED_HOSTS that is not an address, https://<it> under HTTPS=1)
PARCOURS_HSTS_PRELOAD  "1" adds the preload token to HSTS (only for a domain submitted to the list)
PARCOURS_AUDIT_RETENTION_DAYS  retention of the access journal (audit/conf.py: 180 to 1095, default 365)
PARCOURS_AUDIT_CHECKPOINT_FILE  file the signed checkpoints of the journal are appended to (required
                    outside demo mode; "log": to the logger parcours.audit.checkpoint only, see
                    docs/security/audit.md)
PARCOURS_AUDIT_CHECKPOINT_EVERY  a checkpoint every N rows appended to the journal (default 1000)
PARCOURS_ARCHIVE_AFTER_MONTHS, PARCOURS_ANONYMISE_AFTER_YEARS, PARCOURS_ERASURE_BLOCK_YEARS  retention of
                    the files (privacy/conf.py, docs/security/retention.md)
LOG_LEVEL           level of the root logger (default WARNING)
PARCOURS_INVITATION_DAYS, PARCOURS_PUBLIC_URL, DEFAULT_FROM_EMAIL, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
EMAIL_HOST_PASSWORD (secret), EMAIL_USE_TLS, EMAIL_USE_SSL  invitations and the SMTP relay
                    (docs/operations/provisioning.md, docs/deploy/environment.md)
PARCOURS_LOG_FORMAT "json" (one JSON object per line, the default outside demo mode) or "text" (demo default)
PARCOURS_SENTRY_DSN, PARCOURS_SENTRY_ENVIRONMENT  optional error reporting (Sentry or GlitchTip), scrubbed of
                    personal data (core/reporting.py); environment name default "production"
PARCOURS_HEALTH_TOKEN  optional: the health endpoint /sante/ gives the reason of a failed check only to
                    `Authorization: Bearer <token>`
PARCOURS_HEALTH_QUEUE_MINUTES, PARCOURS_HEALTH_DAILY_HOURS  the worker check fails when a ready task waits
                    longer (default 15 minutes) or the daily pass has not succeeded for longer (default 26 h)
PARCOURS_IMPORT_MAX_BYTES, PARCOURS_IMPORT_MAX_ROWS, PARCOURS_IMPORT_MAX_UNCOMPRESSED_BYTES,
PARCOURS_IMPORT_MAX_MEMBERS, PARCOURS_EXPORT_HOURS  the import of a caseload and the full export
                    (parcours.portability, docs/decisions/0051-import.md and 0052-full-export.md)
Every variable is described for operators in docs/deploy/environment.md (tests/core/test_deploy_docs.py).
PARCOURS_PROCONNECT_CLIENT_ID, PARCOURS_PROCONNECT_CLIENT_SECRET, PARCOURS_PROCONNECT_DISCOVERY_URL  the
                    ProConnect login (docs/deploy/proconnect.md): the three together, or none of them (a
                    partial configuration refuses to start); the secret is a secret
PARCOURS_PROCONNECT_MFA_ACR  acr values of ProConnect that count as a second factor (besides amr "mfa")
PARCOURS_BENCH_FLOOR  "1" mounts the benchmark's floor page /banc/plancher/ (bench/run.py; demo only,
                    refused otherwise; docs/performance.md)
"""

import datetime as dt
import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from parcours import env

env.refuse_legacy()
BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
PARCOURS_DEMO = env.flag("PARCOURS_DEMO")
DATA_DIR = env.path("PARCOURS_DATA_DIR", PROJECT_DIR / "var")
PARCOURS_KEYS_DIR = DATA_DIR / "keys"


def _private_data_dir() -> None:
    """Demo mode: the data folder (database, keys, documents) is readable by its owner only. Every file the
    process creates is 0600 (umask), and the SQLite files made before are narrowed too."""
    os.umask(0o077)
    DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    info = DATA_DIR.stat()
    # Never narrow a shared folder such as /tmp (sticky bit) or one that belongs to someone else.
    if info.st_uid == os.getuid() and not info.st_mode & 0o1000:
        DATA_DIR.chmod(0o700)
    for name in ("parcours.sqlite3", "parcours.sqlite3-wal", "parcours.sqlite3-shm", "secret_key"):
        if (DATA_DIR / name).is_file():
            (DATA_DIR / name).chmod(0o600)


def _demo_secret_key() -> str:
    """Demo mode only: a key generated once and kept in the (git-ignored) data folder."""
    PARCOURS_KEYS_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_file = PARCOURS_KEYS_DIR / "secret_key"
    if not key_file.exists():
        legacy = DATA_DIR / "secret_key"  # where demos made before the keys folder kept it
        key_file.write_text(legacy.read_text() if legacy.is_file() else secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PARCOURS_DEMO:
    _private_data_dir()

# Keys outside the database (core/crypto.py reads the last three from here, or in demo mode from
# <data folder>/keys, generated by crypto.ensure_local_keys).
PARCOURS_ENCRYPTION_KEYS = env.secret("PARCOURS_ENCRYPTION_KEYS")
PARCOURS_BLIND_INDEX_KEY = env.secret("PARCOURS_BLIND_INDEX_KEY")
PARCOURS_AUDIT_KEY = env.secret("PARCOURS_AUDIT_KEY")
SECRET_KEY = env.secret("SECRET_KEY") or (_demo_secret_key() if PARCOURS_DEMO else "")
DEBUG = env.flag("DEBUG")
ALLOWED_HOSTS = list(env.strings("ALLOWED_HOSTS", ("127.0.0.1", "localhost")))

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
    "health_check",
    "parcours.core",
    "parcours.people",
    "parcours.pathway",
    "parcours.followup",
    "parcours.rights",
    "parcours.records",
    *(["parcours.demo"] if PARCOURS_DEMO else []),  # fictional data and `manage.py demo`: demo mode only
    "parcours.proconnect",  # models always installed; the login itself only when configured
    "parcours.audit",
    "parcours.onboarding",
    "parcours.privacy",
    "parcours.sharing",
    "parcours.notifications",  # inbox and e-mail digest of what is due (issue 10)
    "parcours.statistics",  # indicators, secrecy, dashboards (issue 13, docs/decisions/0048)
    "parcours.workshops",  # workshop series, sessions and attendance (issue 11, docs/decisions/0043)
    "parcours.funding",  # funders, grants, posts, charges, grant reports (issue 12, docs/decisions/0047)
    "parcours.papers",  # official papers as PDF (issue 10)
    "parcours.directory",  # the directory of partners of a département (issue 12, docs/decisions/0046)
    "parcours.employment",  # employment programmes, agreements, supports (issue 12, docs/decisions/0045)
    "parcours.outreach",  # drop-in sessions and outreach rounds (docs/decisions/0042)
    "parcours.transfers",  # moving a file between associations (docs/decisions/0034-file-transfer.md)
    "parcours.api",  # JSON API and personal tokens (issue 14, docs/decisions/0050-json-api.md)
    "parcours.portability",  # import of a caseload, full export (issue 14, docs/decisions/0051, 0052)
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
    "parcours.accounts.middleware.ChangesStampMiddleware",
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
                "parcours.desk.site_config.site_config",  # dsfr's, cached
                "parcours.desk.context_processors.parcours",
                "parcours.accounts.context_processors.csp_nonce",
                "parcours.notifications.context_processors.unread",
            ],
            # « 1er février » for the first of the month in every |date (core/dates.py).
            "builtins": ["parcours.core.templatetags.french_dates"],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
DSFR_MARK_OPTIONAL_FIELDS = True

DATABASES = {
    "default": dj_database_url.parse(
        env.string("DATABASE_URL", f"sqlite:///{DATA_DIR / 'parcours.sqlite3'}"),
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
# --- Stored files and shared state (docs/deploy/scaling.md, docs/decisions/0037-…) -------------------------
# Uploaded documents, sealed by core/crypto.py before they are written (records/files.py): in the folder
# PARCOURS_DOCUMENTS_DIR (default), or, as soon as PARCOURS_S3_BUCKET is set, in an S3-compatible object store
# shared by every app server (PARCOURS_S3_*: env.object_storage(), which refuses a store configured by half).
# Nothing else is stored as a file between requests: PDFs and exports are built in memory and sent.
PARCOURS_DOCUMENTS_DIR = env.path("PARCOURS_DOCUMENTS_DIR", DATA_DIR / "documents")
PARCOURS_S3 = env.object_storage()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": (
        {"BACKEND": "parcours.core.storage.DocumentS3Storage", "OPTIONS": PARCOURS_S3}
        if PARCOURS_S3
        else {"BACKEND": "parcours.core.storage.DocumentFileStorage"}
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Stateless app servers: sessions in the database (any server reads them; cookies signed with the SECRET_KEY
# every server shares), login throttling in django-axes' database tables, the task queue in the database. The
# per-process memory cache holds nothing that must be shared (nothing in Parcours uses the cache).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WHITENOISE_USE_FINDERS = DEBUG

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "deadlines"]}}

# Sessions end with the browser, after PARCOURS_SESSION_IDLE_MINUTES without a request and after
# PARCOURS_SESSION_MAX_HOURS at most (accounts.middleware.SessionLimitsMiddleware).
PARCOURS_SESSION_IDLE_MINUTES = env.integer("PARCOURS_SESSION_IDLE_MINUTES", 30, low=1)
PARCOURS_SESSION_MAX_HOURS = env.integer("PARCOURS_SESSION_MAX_HOURS", 8, low=1, high=24)
SESSION_COOKIE_AGE = PARCOURS_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
HTTPS = env.flag("HTTPS")
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
SECURE_HSTS_PRELOAD = env.flag("PARCOURS_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # An index's included columns (people.Person, decision 0063) serve PostgreSQL only; SQLite builds the
    # index without them, which is all the demo needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

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
PARCOURS_MFA_REQUIRED = env.flag("PARCOURS_MFA_REQUIRED", default=True)
PARCOURS_SITE_TITLE = env.string("PARCOURS_SITE_TITLE", "Parcours")
OTP_TOTP_ISSUER = PARCOURS_SITE_TITLE
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
OTP_WEBAUTHN_RP_ID = env.string("PARCOURS_WEBAUTHN_RP_ID") or next(
    (h.lstrip(".") for h in ALLOWED_HOSTS if h != "*" and not _is_address(h)), "localhost"
)
OTP_WEBAUTHN_ALLOWED_ORIGINS = list(
    env.strings(
        "PARCOURS_WEBAUTHN_ORIGINS",
        (f"https://{OTP_WEBAUTHN_RP_ID}" if HTTPS else f"http://{OTP_WEBAUTHN_RP_ID}:8000",),
    )
)

# Login throttling (django-axes): PARCOURS_LOGIN_FAILURE_LIMIT failures for one account, or from one
# address, lock further attempts for PARCOURS_LOGIN_LOCK_MINUTES; the password is never recorded.
PARCOURS_LOGIN_FAILURE_LIMIT = env.integer("PARCOURS_LOGIN_FAILURE_LIMIT", 5, low=1)
# The JSON API (docs/decisions/0050-json-api.md): calls per minute and per token, beyond which it answers 429.
PARCOURS_API_CALLS_PER_MINUTE = env.integer("PARCOURS_API_CALLS_PER_MINUTE", 120, low=1, high=10_000)
PARCOURS_LOGIN_LOCK_MINUTES = env.integer("PARCOURS_LOGIN_LOCK_MINUTES", 15, low=1)
# The one proxy setting: addresses or networks of the reverse proxies, used by the journal and the login
# throttling alike (core/network.client_ip).
PARCOURS_TRUSTED_PROXIES = env.networks("PARCOURS_TRUSTED_PROXIES")
AXES_FAILURE_LIMIT = PARCOURS_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=PARCOURS_LOGIN_LOCK_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "parcours.accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "parcours.accounts.throttling.lockout_response"
AXES_RESET_ON_SUCCESS = False  # a success must not wipe an address's failures on other accounts
AXES_ENABLE_ADMIN = False

PARCOURS_STATE_BRANDING = env.flag("PARCOURS_STATE_BRANDING")

# --- ProConnect (docs/deploy/proconnect.md, docs/decisions/0035-proconnect.md) ------------------------------
# The State's login for professionals, through mozilla-django-oidc. On only when the three variables are set;
# a partial configuration stops the start-up, in every mode. The endpoints come from
# the discovery document, read when a login starts.
PARCOURS_PROCONNECT_CLIENT_ID = env.string("PARCOURS_PROCONNECT_CLIENT_ID")
PARCOURS_PROCONNECT_CLIENT_SECRET = env.secret("PARCOURS_PROCONNECT_CLIENT_SECRET") or ""
PARCOURS_PROCONNECT_DISCOVERY_URL = env.string("PARCOURS_PROCONNECT_DISCOVERY_URL")
# acr values that prove a second factor at ProConnect, besides amr containing "mfa" (none by default).
PARCOURS_PROCONNECT_MFA_ACR = env.strings("PARCOURS_PROCONNECT_MFA_ACR")
PARCOURS_PROCONNECT_ENABLED = bool(
    PARCOURS_PROCONNECT_CLIENT_ID and PARCOURS_PROCONNECT_CLIENT_SECRET and PARCOURS_PROCONNECT_DISCOVERY_URL
)
_proconnect_missing = [
    name
    for name, value in (
        ("PARCOURS_PROCONNECT_CLIENT_ID", PARCOURS_PROCONNECT_CLIENT_ID),
        ("PARCOURS_PROCONNECT_CLIENT_SECRET", PARCOURS_PROCONNECT_CLIENT_SECRET),
        ("PARCOURS_PROCONNECT_DISCOVERY_URL", PARCOURS_PROCONNECT_DISCOVERY_URL),
    )
    if not value
]
if 0 < len(_proconnect_missing) < 3:  # fail closed: never a half-configured login, in any mode
    raise env.ConfigurationError(
        "ProConnect est configuré à moitié : " + ", ".join(_proconnect_missing) + " manque(nt). Indiquez "
        "l'identifiant, le secret et l'adresse de découverte donnés par ProConnect, ou aucun des trois "
        "(docs/deploy/proconnect.md)."
    )
if (
    PARCOURS_PROCONNECT_ENABLED
    and not PARCOURS_DEMO
    and not PARCOURS_PROCONNECT_DISCOVERY_URL.startswith("https://")
):
    raise env.ConfigurationError(
        f"PARCOURS_PROCONNECT_DISCOVERY_URL = {PARCOURS_PROCONNECT_DISCOVERY_URL!r} : hors démonstration, "
        "l'adresse de découverte de ProConnect commence par https://."
    )
# Always listed: it authenticates nothing but the ProConnect callback, and refuses while ProConnect is off.
AUTHENTICATION_BACKENDS.append("parcours.proconnect.backends.ProConnectBackend")
# mozilla-django-oidc's settings; the client id and secret and the endpoints come from the variables above
# (parcours/proconnect/conf.py answers them).
OIDC_RP_SIGN_ALGO = "RS256"  # id_token and userinfo (a JWT at ProConnect)
OIDC_RP_SCOPES = "openid email given_name usual_name siret uid idp_id"
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {
    "acr_values": "eidas1",
    "claims": '{"id_token":{"amr":{"essential":true}}}',  # amr says if MFA was done
}
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of the logout
OIDC_CREATE_USER = False  # an account is linked, never created
OIDC_AUTHENTICATION_CALLBACK_URL = "proconnect:callback"
OIDC_TIMEOUT = 10
OIDC_VERIFY_SSL = True

# Retention (validated against their legal range by audit/conf.py and privacy/conf.py; None = the default).
PARCOURS_AUDIT_RETENTION_DAYS = env.integer("PARCOURS_AUDIT_RETENTION_DAYS", None)
# Signed checkpoints of the journal outside the database (audit/chain.py): a file, or "log" for the logger
# parcours.audit.checkpoint only (shipped to a remote syslog); demo: <data folder>/audit-checkpoints.log.
PARCOURS_AUDIT_CHECKPOINT_FILE = env.string("PARCOURS_AUDIT_CHECKPOINT_FILE") or None
PARCOURS_AUDIT_CHECKPOINT_EVERY = env.integer("PARCOURS_AUDIT_CHECKPOINT_EVERY", 1000, low=1)
PARCOURS_ARCHIVE_AFTER_MONTHS = env.integer("PARCOURS_ARCHIVE_AFTER_MONTHS", None)
PARCOURS_ANONYMISE_AFTER_YEARS = env.integer("PARCOURS_ANONYMISE_AFTER_YEARS", None)
PARCOURS_ERASURE_BLOCK_YEARS = env.integer("PARCOURS_ERASURE_BLOCK_YEARS", None)

# --- Invitations and e-mail (parcours.onboarding; docs/operations/provisioning.md) -------------------------
# PARCOURS_INVITATION_DAYS  days an invitation link stays valid (default 7, 1 to 30)
# PARCOURS_PUBLIC_URL       address of the site in links sent by e-mail from a command (`provision`), e.g.
#                           https://parcours.example.org (pages use the address of the request)
# DEFAULT_FROM_EMAIL        sender of the e-mails (default: Parcours <ne-pas-repondre@localhost>)
# EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD (secret), EMAIL_USE_TLS, EMAIL_USE_SSL
#                           the SMTP relay (default: localhost:25, the Debian MTA). Demo mode without
#                           EMAIL_HOST writes the e-mails as files into <data folder>/mails instead.
PARCOURS_INVITATION_DAYS = env.integer("PARCOURS_INVITATION_DAYS", 7, low=1, high=30)

# --- Import of a caseload and full export (parcours.portability; docs/decisions/0051, 0052) -----------------
PARCOURS_IMPORT_MAX_BYTES = env.integer("PARCOURS_IMPORT_MAX_BYTES", 5 * 1024 * 1024, low=1024)
PARCOURS_IMPORT_MAX_ROWS = env.integer("PARCOURS_IMPORT_MAX_ROWS", 5000, low=1)
PARCOURS_IMPORT_MAX_UNCOMPRESSED_BYTES = env.integer(
    "PARCOURS_IMPORT_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024, low=1024 * 1024
)
PARCOURS_IMPORT_MAX_MEMBERS = env.integer("PARCOURS_IMPORT_MAX_MEMBERS", 200, low=10)
PARCOURS_EXPORT_HOURS = env.integer("PARCOURS_EXPORT_HOURS", 24, low=1, high=168)
PARCOURS_PUBLIC_URL = env.string("PARCOURS_PUBLIC_URL").rstrip("/")
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "Parcours <ne-pas-repondre@localhost>")
if PARCOURS_DEMO and not env.string("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mails"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.string("EMAIL_HOST", "localhost")
    EMAIL_PORT = env.integer("EMAIL_PORT", 25, low=1, high=65535)
    EMAIL_HOST_USER = env.string("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env.secret("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = env.flag("EMAIL_USE_TLS")
    EMAIL_USE_SSL = env.flag("EMAIL_USE_SSL")
    EMAIL_TIMEOUT = 20

# --- Production: logs, error reporting, health endpoint (docs/deploy/monitoring.md) -------------------------
LOG_LEVEL = env.string("LOG_LEVEL", "WARNING").upper()
# JSON lines for the log collector in production, plain text for the demo and a terminal.
PARCOURS_LOG_FORMAT = env.choice("PARCOURS_LOG_FORMAT", ("json", "text"), "text" if PARCOURS_DEMO else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refusal (403, 404, 400: PermissionDenied, Http404, SuspiciousOperation) is one line, without the
    # traceback Django's django.request and django.security loggers attach to it; errors (5xx) keep theirs.
    # No line carries an identity: query strings, e-mail addresses, PostgreSQL DETAIL lines are masked and
    # the request object attached to a line is reduced to its method and path (core/logging.NoIdentity).
    "filters": {
        "one_line_refusals": {"()": "parcours.core.logging.OneLineRefusals"},
        "no_identity": {"()": "parcours.core.logging.NoIdentity"},
    },
    "formatters": {
        "json": {"()": "parcours.core.logging.JsonLines"},
        "text": {"format": "%(message)s"},  # journald dates each line
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["one_line_refusals", "no_identity"],
            "formatter": PARCOURS_LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Second factors, expired sessions, login failures and locks: user ids only (axes masks the account and
    # the address in its lines, keeping them in its table), never a password or a code.
    "loggers": {
        # Replaces Django's own handlers (its console handler under DEBUG would print the traceback again).
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "parcours.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # The journal's signed checkpoints (INFO) must reach the log whatever LOG_LEVEL says.
        "parcours.audit.checkpoint": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
# Optional error reporting to a Sentry-compatible service (Sentry, GlitchTip), only when a DSN is given:
# no personal data is sent (core/reporting.scrub_event removes the request's body, query string, cookies and
# headers, local variables, user names and e-mail addresses).
PARCOURS_SENTRY_DSN = env.secret("PARCOURS_SENTRY_DSN")
PARCOURS_SENTRY_ENVIRONMENT = env.string("PARCOURS_SENTRY_ENVIRONMENT", "production")
if PARCOURS_SENTRY_DSN:
    from parcours.core import reporting

    reporting.start(PARCOURS_SENTRY_DSN, environment=PARCOURS_SENTRY_ENVIRONMENT)
# Health endpoint /sante/ (core/health.py): database, documents storage, task worker. Anonymous callers get
# each check's name and OK or KO; the reasons only with `Authorization: Bearer <PARCOURS_HEALTH_TOKEN>`.
PARCOURS_HEALTH_TOKEN = env.secret("PARCOURS_HEALTH_TOKEN")
PARCOURS_HEALTH_QUEUE_MINUTES = env.integer("PARCOURS_HEALTH_QUEUE_MINUTES", 15, low=1)
PARCOURS_HEALTH_DAILY_HOURS = env.integer("PARCOURS_HEALTH_DAILY_HOURS", 26, low=1)
# A load balancer may probe an app server directly over HTTP on its private address.
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
# The default file storage (django-health-check writes, reads and deletes a probe in it) lives with the
# documents, on the same volume.
MEDIA_ROOT = PARCOURS_DOCUMENTS_DIR


# The floor of the load benchmark (bench/run.py, docs/performance.md): /banc/plancher/, a minimal view reading
# one row through the same middleware and database. Demo mode only: refused in production below.
PARCOURS_BENCH_FLOOR = env.flag("PARCOURS_BENCH_FLOOR")


# --- Fail closed (docs/security/configuration.md) ----------------------------------------------------------
def configuration_problems() -> list[str]:
    """What forbids a start outside demo mode; empty in demo mode."""
    if PARCOURS_DEMO:
        return []
    problems = [
        f"{name} manque : hors démonstration, la clé doit venir de l'environnement (aucune clé n'est "
        "générée dans le dossier de données)."
        for name, value in (
            ("SECRET_KEY", SECRET_KEY),
            ("PARCOURS_ENCRYPTION_KEYS", PARCOURS_ENCRYPTION_KEYS),
            ("PARCOURS_BLIND_INDEX_KEY", PARCOURS_BLIND_INDEX_KEY),
            ("PARCOURS_AUDIT_KEY", PARCOURS_AUDIT_KEY),
        )
        if not value
    ]
    if not PARCOURS_AUDIT_CHECKPOINT_FILE:
        problems.append(
            "PARCOURS_AUDIT_CHECKPOINT_FILE manque : les points de contrôle signés du journal des accès "
            "doivent sortir de la base (chemin d'un fichier, idéalement sur un autre support), ou "
            "PARCOURS_AUDIT_CHECKPOINT_FILE=log pour les envoyer au seul journal applicatif "
            "parcours.audit.checkpoint (à expédier vers un syslog distant)."
        )
    if DEBUG:
        problems.append("DEBUG=1 : les pages de débogage sont réservées à la démonstration.")
    if PARCOURS_BENCH_FLOOR:
        problems.append(
            "PARCOURS_BENCH_FLOOR=1 : la page plancher du banc d'essai est réservée à la démonstration."
        )
    if not HTTPS:
        problems.append(
            "HTTPS manque : hors démonstration, Parcours se sert derrière TLS (HTTPS=1 : cookies Secure, "
            "HSTS, redirection vers https)."
        )
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        problems.append(
            "DATABASE_URL manque ou désigne SQLite : hors démonstration, Parcours demande PostgreSQL "
            "(DATABASE_URL=postgres://…)."
        )
    return problems


if _problems := configuration_problems():
    raise ImproperlyConfigured(
        "Parcours refuse de démarrer (PARCOURS_DEMO n'est pas activé, réglages de production) :\n- "
        + "\n- ".join(_problems)
        + "\nLes clés se génèrent avec `python -m parcours.env` et se gardent hors du dossier de données ; "
        "pour la démonstration ou les tests : PARCOURS_DEMO=1 (ce que font `make demo` et `make test`)."
    )
