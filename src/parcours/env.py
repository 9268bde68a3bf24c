"""The one reader of the environment: settings.py reads every variable once through these typed helpers,
and the rest of the code reads `django.conf.settings` only.

Plain Python (no Django settings needed), so that settings.py can import it before Django is set up. A
malformed value stops the start-up with `ConfigurationError` (an ImproperlyConfigured) naming the variable
and what is expected, never a silent default.

`python -m parcours.env` prints a fresh set of production keys (SECRET_KEY, PARCOURS_ENCRYPTION_KEYS,
PARCOURS_BLIND_INDEX_KEY, PARCOURS_AUDIT_KEY), to be stored by the operator outside the data folder.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on", "oui"}
FALSE = {"0", "false", "no", "off", "non"}


class ConfigurationError(ImproperlyConfigured):
    """A variable of the environment has a value Parcours cannot use."""


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def string(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    raw = _raw(name, environ)
    return default if raw is None else raw


def flag(name: str, default: bool = False, *, environ: Mapping[str, str] | None = None) -> bool:
    raw = _raw(name, environ)
    if raw is None:
        return default
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    raise ConfigurationError(f"{name} = {raw!r} : indiquez 1 (activé) ou 0 (désactivé).")


def integer(
    name: str,
    default: int,
    *,
    low: int | None = None,
    high: int | None = None,
    hint: str = "",
    environ: Mapping[str, str] | None = None,
) -> int:
    raw = _raw(name, environ)
    if raw is None:
        return default
    try:
        number = int(raw)
    except ValueError:
        number = None
    if number is None or (low is not None and number < low) or (high is not None and number > high):
        bounds = (
            f"entre {low} et {high}"
            if low is not None and high is not None
            else f"au moins {low}"
            if low is not None
            else f"au plus {high}"
            if high is not None
            else "entier"
        )
        raise ConfigurationError(
            f"{name} = {raw!r} : indiquez un nombre entier {bounds} ({default} par défaut){hint}."
        )
    return number


def strings(
    name: str, default: tuple[str, ...] = (), *, environ: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    raw = _raw(name, environ)
    if raw is None:
        return tuple(default)
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def choice(
    name: str, choices: tuple[str, ...], default: str, *, environ: Mapping[str, str] | None = None
) -> str:
    raw = _raw(name, environ)
    if raw is None:
        return default
    if raw.lower() not in choices:
        raise ConfigurationError(
            f"{name} = {raw!r} : indiquez {' ou '.join(choices)} ({default} par défaut)."
        )
    return raw.lower()


def path(name: str, default: Path | str, *, environ: Mapping[str, str] | None = None) -> Path:
    raw = _raw(name, environ)
    return Path(default if raw is None else raw).expanduser().resolve()


def secret(name: str, *, environ: Mapping[str, str] | None = None) -> str | None:
    """A key or password: its value is never repeated in an error message; None when unset."""
    return _raw(name, environ)


def networks(name: str, *, environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Comma-separated addresses or networks ("127.0.0.1", "10.0.0.0/8,::1"), normalised."""
    items = strings(name, environ=environ)
    try:
        return tuple(str(ipaddress.ip_network(item, strict=False)) for item in items)
    except ValueError as exc:
        raise ConfigurationError(
            f"{name} = {','.join(items)!r} : indiquez les adresses ou réseaux des mandataires inverses "
            "séparés par des virgules, par exemple « 127.0.0.1 » ou « 10.0.0.0/8,::1 » (une liste "
            "d'adresses, pas un nombre de mandataires)."
        ) from exc


# --- Object storage of the uploaded documents (docs/deploy/scaling.md) --------------------------------------
S3_VARIABLES = (
    "PARCOURS_S3_BUCKET",
    "PARCOURS_S3_ENDPOINT_URL",
    "PARCOURS_S3_REGION",
    "PARCOURS_S3_ACCESS_KEY_ID",
    "PARCOURS_S3_SECRET_ACCESS_KEY",
    "PARCOURS_S3_ADDRESSING_STYLE",
    "PARCOURS_S3_PREFIX",
    "PARCOURS_S3_CA_BUNDLE",
)
S3_ADDRESSING_STYLES = ("auto", "path", "virtual")
LOOPBACK_HOSTS = {"localhost", "localhost.localdomain"}


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def object_storage(*, environ: Mapping[str, str] | None = None) -> dict | None:
    """The options of the S3-compatible object store of the uploaded documents (core/storage.py), or None
    when no PARCOURS_S3_* variable is set (the documents stay in PARCOURS_DOCUMENTS_DIR).

    Fails closed: a store configured by half (a key without the bucket, the bucket without its keys), an
    endpoint that is not a URL, or plain http:// to anything but this machine stops the start-up. The keys
    are read here only: never from the AWS_* variables or files boto3 would otherwise look for."""
    given = [name for name in S3_VARIABLES if _raw(name, environ) is not None]
    if not given:
        return None
    bucket = string("PARCOURS_S3_BUCKET", environ=environ)
    key_id = string("PARCOURS_S3_ACCESS_KEY_ID", environ=environ)
    key_secret = secret("PARCOURS_S3_SECRET_ACCESS_KEY", environ=environ)
    missing = [
        name
        for name, value in (
            ("PARCOURS_S3_BUCKET", bucket),
            ("PARCOURS_S3_ACCESS_KEY_ID", key_id),
            ("PARCOURS_S3_SECRET_ACCESS_KEY", key_secret),
        )
        if not value
    ]
    if missing:
        raise ConfigurationError(
            f"Stockage objet configuré à moitié ({', '.join(given)} renseignée(s)) : {', '.join(missing)} "
            "manque. Indiquez le compartiment et ses deux clés d'accès, ou aucune variable PARCOURS_S3_* "
            "pour garder les documents dans PARCOURS_DOCUMENTS_DIR."
        )
    endpoint = string("PARCOURS_S3_ENDPOINT_URL", environ=environ) or None
    if endpoint is not None:
        parts = urlsplit(endpoint)
        if parts.scheme not in {"https", "http"} or not parts.hostname:
            raise ConfigurationError(
                f"PARCOURS_S3_ENDPOINT_URL = {endpoint!r} : indiquez l'adresse du service S3, par exemple "
                "« https://s3.fr-par.scw.cloud » (vide pour Amazon S3)."
            )
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise ConfigurationError(
                f"PARCOURS_S3_ENDPOINT_URL = {endpoint!r} : hors de cette machine, le stockage objet se "
                "joint en https:// (les documents sont chiffrés, mais ni leurs noms ni les requêtes signées "
                "ne doivent circuler en clair)."
            )
    style = string("PARCOURS_S3_ADDRESSING_STYLE", "auto", environ=environ).lower()
    if style not in S3_ADDRESSING_STYLES:
        raise ConfigurationError(
            f"PARCOURS_S3_ADDRESSING_STYLE = {style!r} : indiquez auto, path (https://hôte/compartiment/…) "
            "ou virtual (https://compartiment.hôte/…)."
        )
    prefix = string("PARCOURS_S3_PREFIX", "documents", environ=environ).strip("/")
    if any(part in {"", ".", ".."} for part in prefix.split("/")) and prefix:
        raise ConfigurationError(
            f"PARCOURS_S3_PREFIX = {prefix!r} : indiquez un préfixe de clés simple, par exemple "
            "« documents »."
        )
    ca_bundle = string("PARCOURS_S3_CA_BUNDLE", environ=environ)
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": string("PARCOURS_S3_REGION", "us-east-1", environ=environ),
        "access_key": key_id,
        "secret_key": key_secret,
        "addressing_style": None if style == "auto" else style,
        "location": prefix,
        "verify": str(Path(ca_bundle).expanduser().resolve()) if ca_bundle else None,
    }


# Variables that no longer exist: set, they would be silently ignored (an operator would believe a setting
# applied), so the start-up stops and says what replaced them.
LEGACY = {
    "PARCOURS_TRUSTED_PROXY": "remplacée par PARCOURS_TRUSTED_PROXIES, la seule liste des adresses ou "
    "réseaux des mandataires inverses (par exemple « 127.0.0.1 » ou « 10.0.0.0/8,::1 »)",
}


def refuse_legacy(*, environ: Mapping[str, str] | None = None) -> None:
    found = [
        f"{name} n'existe plus : {why}." for name, why in LEGACY.items() if _raw(name, environ) is not None
    ]
    if found:
        raise ConfigurationError(" ".join(found))


def generate_production_keys() -> dict[str, str]:
    def b64(size: int = 32) -> str:
        return base64.b64encode(secrets.token_bytes(size)).decode()

    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PARCOURS_ENCRYPTION_KEYS": f"{secrets.token_hex(4)}:{b64()}",
        "PARCOURS_BLIND_INDEX_KEY": b64(),
        "PARCOURS_AUDIT_KEY": b64(),
    }


if __name__ == "__main__":  # pragma: no cover (a helper for operators)
    for key, value in generate_production_keys().items():
        print(f"{key}={value}")
