"""Settings of the access journal, read from Django's settings (settings.py reads the environment).

PARCOURS_AUDIT_RETENTION_DAYS  how long rows are kept (default 365; 180 to 1095 allowed). The CNIL
                               recommendation on logging (délibération n° 2021-122) asks for 6 months to
                               1 year, up to 3 years where a documented internal control requires it.
PARCOURS_AUDIT_CHECKPOINT_FILE where the signed checkpoints are appended (see checkpoint_file()); "log":
                               to the logger parcours.audit.checkpoint only (an explicit choice).
PARCOURS_AUDIT_CHECKPOINT_EVERY a checkpoint every N rows appended (default 1000), besides the daily one.
The reverse proxies are PARCOURS_TRUSTED_PROXIES (settings.py, core/network.py).
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_RETENTION_DAYS = 365
MIN_RETENTION_DAYS = 180
MAX_RETENTION_DAYS = 1095
DEFAULT_CHECKPOINT_EVERY = 1000
LOGGER_ONLY = "log"


def _setting(name: str, default=None):
    value = getattr(settings, name, None)
    return default if value is None else value


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


def checkpoint_file():
    """PARCOURS_AUDIT_CHECKPOINT_FILE: the file the signed checkpoints of the journal are appended to, outside
    the database (ideally on another machine or a write-once mount). Default in demo mode:
    <data dir>/audit-checkpoints.log. Outside demo mode it is required (settings.configuration_problems),
    unless set to "log": checkpoints then go to the logger `parcours.audit.checkpoint` only (to ship to a
    remote syslog), and verification cannot read them back (None here)."""
    from pathlib import Path

    value = _setting("PARCOURS_AUDIT_CHECKPOINT_FILE", None)
    if value and str(value).strip().lower() == LOGGER_ONLY:
        return None
    if value:
        return Path(value)
    if settings.PARCOURS_DEMO:
        return Path(settings.DATA_DIR) / "audit-checkpoints.log"
    return None


def logger_only() -> bool:
    """True when the operator chose the logger only for checkpoints (PARCOURS_AUDIT_CHECKPOINT_FILE=log)."""
    return str(_setting("PARCOURS_AUDIT_CHECKPOINT_FILE", "")).strip().lower() == LOGGER_ONLY


def checkpoint_every() -> int:
    value = _setting("PARCOURS_AUDIT_CHECKPOINT_EVERY", DEFAULT_CHECKPOINT_EVERY)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ImproperlyConfigured(
            f"PARCOURS_AUDIT_CHECKPOINT_EVERY = {value!r} : indiquez un nombre de lignes d'au moins 1 "
            f"({DEFAULT_CHECKPOINT_EVERY} par défaut)."
        )
    return value
