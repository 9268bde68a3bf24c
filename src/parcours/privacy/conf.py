"""Retention settings, read from Django's settings (settings.py reads the environment).

PARCOURS_ARCHIVE_AFTER_MONTHS    months without any activity, and no open pathway, after which a file is
                                 archived (default 24; 6 to 60 allowed). CNIL référentiel of retention
                                 periods for the social and medico-social sector (délibération n° 2023-095),
                                 line "accueil, hébergement et accompagnement social et médico-social": active
                                 base up to 2 years after the last contact.
PARCOURS_ANONYMISE_AFTER_YEARS   years in the intermediate archive before the file is anonymised (default 5;
                                 1 to 10 allowed): the common limitation period (code civil, art. 2224) during
                                 which the préfet's decision and the allowance paid (AFIS) can be challenged
                                 or recovered.
PARCOURS_ERASURE_BLOCK_YEARS     an erasure on request is refused while a préfet's decision is younger than
                                 this (default 5, the same limitation period; 1 to 10 allowed).

docs/security/retention.md explains each default.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ARCHIVE_AFTER_MONTHS = (24, 6, 60)  # default, minimum, maximum
ANONYMISE_AFTER_YEARS = (5, 1, 10)
ERASURE_BLOCK_YEARS = (5, 1, 10)


def _bounded(name: str, bounds: tuple[int, int, int], unit: str) -> int:
    default, low, high = bounds
    value = getattr(settings, name, None)
    if value is None:
        value = default
    try:
        if isinstance(value, bool):
            raise TypeError
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise ImproperlyConfigured(
            f"{name} = {value!r} : indiquez un nombre de {unit} compris entre {low} et {high} "
            f"({default} par défaut, voir docs/security/retention.md)."
        )
    return number


def archive_after_months() -> int:
    return _bounded("PARCOURS_ARCHIVE_AFTER_MONTHS", ARCHIVE_AFTER_MONTHS, "mois")


def anonymise_after_years() -> int:
    return _bounded("PARCOURS_ANONYMISE_AFTER_YEARS", ANONYMISE_AFTER_YEARS, "années")


def erasure_block_years() -> int:
    return _bounded("PARCOURS_ERASURE_BLOCK_YEARS", ERASURE_BLOCK_YEARS, "années")
