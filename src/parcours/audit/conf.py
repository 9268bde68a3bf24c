"""Settings of the access journal, read from Django's settings first, then from the environment.

PARCOURS_AUDIT_RETENTION_DAYS  how long rows are kept (default 365; 180 to 1095 allowed). The CNIL
                               recommendation on logging (délibération n° 2021-122) asks for 6 months to
                               1 year, up to 3 years where a documented internal control requires it.
PARCOURS_AUDIT_CHECKPOINT_FILE where the signed checkpoints are appended (see checkpoint_file()).
PARCOURS_TRUSTED_PROXY         addresses or networks of the reverse proxies (e.g. "127.0.0.1" or
                               "10.0.0.0/8,::1"). Only when the direct peer is one of them is X-Forwarded-For
                               read; otherwise the header, which any client can forge, is ignored.
                               Without it, the count PARCOURS_TRUSTED_PROXIES of the login throttling
                               (settings.py, accounts/throttling.py) is honoured, so both agree.
"""

import ipaddress
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_RETENTION_DAYS = 365
MIN_RETENTION_DAYS = 180
MAX_RETENTION_DAYS = 1095


def _setting(name: str, default=None):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return value


def retention_days() -> int:
    value = _setting("PARCOURS_AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    try:
        if isinstance(value, bool):
            raise TypeError
        days = int(str(value).strip())
    except (TypeError, ValueError):
        days = None
    if days is None or not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"PARCOURS_AUDIT_RETENTION_DAYS = {value!r} : la durée de conservation du journal des accès doit "
            f"être un nombre de jours compris entre {MIN_RETENTION_DAYS} (6 mois) et {MAX_RETENTION_DAYS} "
            "(3 ans), selon la recommandation de la CNIL sur la journalisation (délibération n° 2021-122) ; "
            f"{DEFAULT_RETENTION_DAYS} jours par défaut."
        )
    return days


def trusted_proxies() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    value = _setting("PARCOURS_TRUSTED_PROXY", "") or ""
    items = value.split(",") if isinstance(value, str) else list(value)
    try:
        return tuple(
            ipaddress.ip_network(str(item).strip(), strict=False) for item in items if str(item).strip()
        )
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"PARCOURS_TRUSTED_PROXY = {value!r} : indiquez les adresses ou réseaux des mandataires inverses "
            "séparés par des virgules, par exemple « 127.0.0.1 » ou « 10.0.0.0/8 »."
        ) from exc


def trusted_proxy_count() -> int:
    try:
        return max(0, int(getattr(settings, "PARCOURS_TRUSTED_PROXIES", 0) or 0))
    except (TypeError, ValueError):
        return 0


def checkpoint_file():
    """PARCOURS_AUDIT_CHECKPOINT_FILE: the file the signed checkpoints of the journal are appended to, outside
    the database (ideally on another machine or a write-once mount). Default in demo mode:
    <data dir>/audit-checkpoints.log; outside demo mode, unset means checkpoints go to the logger
    `parcours.audit.checkpoint` only (to ship to a remote syslog), and verification cannot read them back."""
    from pathlib import Path

    value = _setting("PARCOURS_AUDIT_CHECKPOINT_FILE", "")
    if value:
        return Path(value)
    if getattr(settings, "PARCOURS_DEMO", True):
        return Path(settings.DATA_DIR) / "audit-checkpoints.log"
    return None
