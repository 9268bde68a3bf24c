"""What the official papers cite, as data: the legal basis of each letter and the remedies against a refusal.

A reference that the project's domain notes (shared domain.md, pathway/rules.py, rights/rules.py) do not give
as read in the text is marked `verified=False` and printed with « à vérifier » on the paper, so that the
préfecture checks it before signing (docs/decisions/0040-official-papers.md). Nothing here is invented: an
article number that was not read is either left out or marked.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from parcours.pathway.rules import CIRCULAR_2017, DURATION, EARLY_END, L121_9, Basis
from parcours.rights.rules import AFIS_PAYER, AFIS_PSP, APS

__all__ = [
    "AFIS_PAYER",
    "AFIS_PSP",
    "APS",
    "CIRCULAR_2017",
    "DURATION",
    "EARLY_END",
    "L121_9",
    "REMEDIES",
    "REMEDY_INTERRUPTION",
    "Remedy",
]

# --- The procedure (printed in the « Vu » lines of the préfet's letters) ---------------------------------
DECREE_2016 = Basis(
    "Décret n° 2016-1467 du 28 octobre 2016 (CASF art. R121-12-1 et suivants) : commission départementale, "
    "contenu et étapes du parcours"
)
ANNEXES_LAYOUT = Basis(
    "Annexes 6 (demande d'engagement) et 7 (demande de renouvellement) de la circulaire du 31 janvier 2017 : "
    "le document suit leur structure (identité, projet, actions, engagements, signatures) ; les intitulés "
    "exacts des rubriques des annexes n'ont pas été relus",
    verified=False,
)
# The commission members read the request file pseudonymised (domain.md §3: the default where the law is
# silent; pathway/visibility.py: identity for the secretariat and the préfecture only).
PSEUDONYMISED_FILE = Basis(
    "Pratique retenue (textes muets) : les membres de la commission lisent les demandes sous forme "
    "pseudonymisée ; l'identité est réservée au secrétariat et à la préfecture",
    verified=False,
)


# --- Remedies against a refusal (or an early end) -------------------------------------------------------
@dataclass(frozen=True)
class Remedy:
    title: str
    text: str
    basis: Basis


# Two months from the notification. Texts read on 2026-12-05 (Légifrance, consolidated versions): CJA R421-1
# (the court is seized within two months of the notification), CJA R421-5 (these deadlines bind the person
# only if the notification states them and the remedies: hence this block on every refusal and early end),
# CRPA L411-2 (a recours gracieux or hiérarchique made within that time interrupts it), CJA R421-2 (two
# months of silence on a request is an implicit rejection).
REMEDY_DEADLINE_MONTHS = 2

REMEDIES: tuple[Remedy, ...] = (
    Remedy(
        _("Recours gracieux"),
        _(
            "adressé au préfet, auteur de la décision, dans un délai de deux mois à compter de sa "
            "notification."
        ),
        Basis("Code des relations entre le public et l'administration, art. L411-2"),
    ),
    Remedy(
        _("Recours hiérarchique"),
        _(
            "adressé au ministre chargé des droits des femmes, dans un délai de deux mois à compter de la "
            "notification de la décision."
        ),
        Basis("Code des relations entre le public et l'administration, art. L411-2"),
    ),
    Remedy(
        _("Recours contentieux"),
        _(
            "devant le tribunal administratif territorialement compétent, dans un délai de deux mois à "
            "compter de la notification de la décision (ou du rejet d'un recours gracieux ou hiérarchique)."
        ),
        Basis("Code de justice administrative, art. R421-1"),
    ),
)
# The sentence on the interruption of the deadline by an administrative remedy.
REMEDY_INTERRUPTION = Basis(
    "Code des relations entre le public et l'administration, art. L411-2 ; code de justice administrative, "
    "art. R421-2"
)


# --- Age bands of the pseudonymised file ----------------------------------------------------------------
# (lowest age, label): a band says little more than the birth year the session page already shows, and
# less than a birth date.
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (0, _("moins de 18 ans")),
    (18, _("18-24 ans")),
    (25, _("25-34 ans")),
    (35, _("35-44 ans")),
    (45, _("45-54 ans")),
    (55, _("55 ans et plus")),
)


def age_band(age: int | None) -> str:
    if age is None:
        return str(_("âge non renseigné"))
    label = AGE_BANDS[0][1]
    for lowest, band in AGE_BANDS:
        if age >= lowest:
            label = band
    return str(label)
