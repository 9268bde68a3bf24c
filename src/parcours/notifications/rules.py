"""How far ahead the daily pass tells people, and when the weekly digest goes: practice, not law, written
here so that it is read and changed in one place (the legal deadlines themselves stay in pathway/rules.py and
rights/rules.py, where the daily pass reads them)."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

# A renewal request is told as the « À faire » page lists it: due within 31 days (pathway/rules.renewal_due
# already places the due date 2 months before the period ends, PRACTICE_RENEWAL_LEAD).
RENEWAL_HORIZON_DAYS = 31
# The APS and the AFIS chase as the « À faire » page lists them (rights/deadlines.DEFAULT_HORIZON_DAYS).
RIGHTS_HORIZON_DAYS = 31
# A pathway that reaches its 24 months (art. R121-12-7 CASF: 6 months, renewable, 24 months at most) is told
# 3 months before its last day: time to prepare the exit and the hand-over to common law.
PATHWAY_END_HORIZON_DAYS = 92
# A commission session is told to its secretariat a month before: time to close the agenda and to convene
# the members, at least 5 days before the session (issue 10).
SESSION_HORIZON_DAYS = 31
# The weekly digest leaves on Mondays (Python's weekday(): Monday is 0).
WEEKLY_DIGEST_WEEKDAY = 0


class Kind(models.TextChoices):
    RENEWAL = "renewal", _("Renouvellement à préparer")
    ADJOURNED = "adjourned", _("Demande ajournée à compléter")
    PATHWAY_END = "pathway_end", _("Parcours proche des 24 mois")
    APS = "aps", _("Titre de séjour (APS) à renouveler")
    AFIS_PAYMENT = "afis_payment", _("AFIS sans premier versement")
    DOCUMENT = "document", _("Document qui expire")
    SESSION = "session", _("Séance de la commission à venir")
    # parcours.employment (employment/deadlines.py, a month ahead): an agreement, a person's support under it.
    AGREEMENT_END = "agreement_end", _("Convention de partenariat qui se termine")
    SUPPORT_END = "support_end", _("Accompagnement sous convention qui se termine")
    # parcours.funding (funding/reports_due.py, 30 days ahead, then late until sent): the head of service.
    FUNDER_REPORT = "funder_report", _("Rapport à rendre à un financeur")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Chaque jour")
    WEEKLY = "weekly", _("Chaque semaine (le lundi)")
    NONE = "none", _("Jamais (notifications dans l'application seulement)")


def digest_due(frequency: str, today: dt.date) -> bool:
    """Does a digest of this frequency leave today?"""
    if frequency == Frequency.DAILY:
        return True
    if frequency == Frequency.WEEKLY:
        return today.weekday() == WEEKLY_DIGEST_WEEKDAY
    return False
