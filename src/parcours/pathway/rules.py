"""The law of the exit pathway (PSP) as the system applies it.

Every duration, deadline and allowed transition lives here, with the text that grounds it. A rule that the
texts leave open is marked `verified=False` and follows the practice described in docs/domain (shared
domain.md); change it here and nowhere else. Dossiers keep the rule version they started under.

Date arithmetic follows art. 641 of the code de procédure civile: a duration in months ends on the day
before the one that bears the same number, and, when the target month has no such day, on its last day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.approval import APPROVAL_YEARS, approval_end  # noqa: F401 (R121_12_3, part of the rules)
from parcours.accounts.roles import ASSOCIATION_STAFF, Role
from parcours.core.periods import add_months, period_end


@dataclass(frozen=True)
class Basis:
    """Where a rule comes from. `verified` is False where the text was not read and practice is followed."""

    text: str
    verified: bool = True


# --- Legal bases --------------------------------------------------------------------------------------
L121_9 = Basis(
    "CASF art. L121-9 (loi n° 2016-444 du 13 avril 2016) : parcours autorisé par le préfet après avis"
)
R121_12_3 = Basis("CASF art. R121-12-3 (décret n° 2016-1467) : agrément de 3 ans, renouvelable")
DURATION = Basis(
    "Parcours de 6 mois renouvelable dans la limite de 24 mois (ministère chargé des droits des femmes, "
    "page AFIS ; documents budgétaires « renouvelable 3 fois ») — article réglementaire exact à vérifier",
    verified=False,
)
CIRCULAR_2017 = Basis(
    "Circulaire DGCS/B2/2017/18 du 31 janvier 2017 : demande déposée auprès du secrétariat de la commission "
    "du département de résidence (annexe 6 engagement, annexe 7 renouvellement)"
)
PRACTICE_VALIDATION = Basis("Pratique des associations : validation interne par la cheffe de service", False)
PRACTICE_HAND_OFF = Basis(
    "Pratique des associations : la travailleuse sociale soumet le brouillon complet à la validation de la "
    "cheffe de service, et peut le reprendre tant qu'il n'est pas validé (étape interne, non prévue par les "
    "textes)",
    verified=False,
)
PRACTICE_RENEWAL_LEAD = Basis("Pratique : demande de renouvellement 1 à 2 mois avant la fin", verified=False)
PRACTICE_EXIT = Basis("Pratique : la sortie est constatée par l'association (fin, retrait, départ…)", False)
EARLY_END = Basis(
    "CASF L121-9 et D121-12-14 ss : le préfet peut mettre fin au parcours si les engagements ne sont pas "
    "respectés ou les conditions plus remplies (l'AFIS cesse le mois suivant)",
    verified=False,
)
SWORN_STATEMENT = Basis(
    "CE, 19 novembre 2021, n° 440802 (mentionné aux Tables) : ne pas avoir encore cessé la prostitution ne "
    "peut à lui seul justifier un refus ; la demande est jugée sur la situation à la date où l'on statue. "
    "L'attestation sur l'honneur de cessation (pièce demandée par la circulaire du 31 janvier 2017) est donc "
    "une information pour la commission et le préfet, pas une condition de validation ni de transmission — "
    "décision lue dans son analyse et un commentaire, texte intégral non lu",
    verified=False,
)
CLOSING_PERIOD = Basis(
    "CASF L121-9 : le parcours autorisé prend fin à la sortie ou à la décision du préfet d'y mettre fin ; "
    "la période en cours se termine ce jour-là (la fin initialement prévue reste dans l'historique)",
    verified=False,
)
MONTHS_COUNT = Basis(
    "Mois de parcours utilisés = mois révolus depuis le début de chaque période autorisée, comptés comme les "
    "durées (art. 641 CPC) : un mois est utilisé le jour qui précède le même quantième du mois suivant "
    "(ou le dernier jour d'un mois plus court). Les mois autorisés sont la durée des périodes accordées",
    verified=False,
)
CAP_PER_PATHWAY = Basis(
    "Le plafond de 24 mois (« 6 mois renouvelable dans la limite de 24 mois ») s'applique à un parcours : "
    "les textes lus ne disent pas si les mois d'un parcours antérieur, clos par une sortie, s'imputent sur "
    "une nouvelle demande d'engagement. Ils ne sont pas décomptés, mais sont montrés à l'association, à la "
    "commission et au préfet, qui en tiennent compte — à vérifier dans l'article réglementaire",
    verified=False,
)


# --- Durations, by rule version ----------------------------------------------------------------------
@dataclass(frozen=True)
class RuleVersion:
    code: str
    in_force_from: dt.date
    period_months: int  # length of each authorised period
    max_total_months: int  # cap on the sum of authorised periods
    basis: Basis


RULE_VERSIONS: tuple[RuleVersion, ...] = (
    RuleVersion("2016", dt.date(2016, 10, 30), period_months=6, max_total_months=24, basis=DURATION),
)

# Lead time before a period's end by which the renewal request is due. Not set by the texts: a setting.
DEFAULT_RENEWAL_LEAD_MONTHS = 2  # PRACTICE_RENEWAL_LEAD


def renewal_lead_months() -> int:
    return getattr(settings, "PARCOURS_RENEWAL_LEAD_MONTHS", DEFAULT_RENEWAL_LEAD_MONTHS)


def rule_version_on(day: dt.date) -> RuleVersion:
    applicable = [v for v in RULE_VERSIONS if v.in_force_from <= day]
    if not applicable:
        raise ValueError(f"No PSP rule in force on {day.isoformat()}")
    return max(applicable, key=lambda v: v.in_force_from)


def rule_version(code: str) -> RuleVersion:
    return next(v for v in RULE_VERSIONS if v.code == code)


# --- Date arithmetic: parcours.core.periods (art. 641 CPC); the approval: parcours.accounts.approval -----
def months_elapsed(start: dt.date, day: dt.date) -> int:
    """Whole months completed from `start` to `day` inclusive (MONTHS_COUNT): 0 on the first day, 1 on
    `period_end(start, 1)`, 6 on the last day of a 6-month period."""
    if day < start:
        return 0
    months = max((day.year - start.year) * 12 + day.month - start.month - 1, 0)
    while period_end(start, months + 1) <= day:
        months += 1
    return months


def renewal_due(end: dt.date) -> dt.date:
    """Date by which the renewal request should reach the commission."""
    return add_months(end, -renewal_lead_months())


@dataclass(frozen=True)
class PeriodDates:
    start: dt.date
    end: dt.date
    months: int


class CapReached(Exception):
    """The 24 months are used up: no further period can be authorised."""


def next_period(rule: RuleVersion, start: dt.date, months_used: int) -> PeriodDates:
    """The period authorised from `start`, shortened so that the total never passes the cap."""
    remaining = rule.max_total_months - months_used
    if remaining <= 0:
        raise CapReached
    months = min(rule.period_months, remaining)
    return PeriodDates(start, period_end(start, months), months)


def renewal_start(previous_end: dt.date, submitted_on: dt.date, decided_on: dt.date) -> dt.date:
    """A renewal requested before the period ended continues it without a gap, even when the commission
    or the préfet decide after the end (the person must not lose her rights to the calendar of sessions).
    A renewal requested after the end starts on the day of the decision."""
    if submitted_on <= previous_end:
        return previous_end + dt.timedelta(days=1)
    return max(decided_on, previous_end + dt.timedelta(days=1))


# --- States ------------------------------------------------------------------------------------------
class PathwayStatus(models.TextChoices):
    PREPARING = "preparing", _("Demande en préparation")
    ACTIVE = "active", _("En cours")
    LAPSED = "lapsed", _("Période échue")
    REFUSED = "refused", _("Entrée refusée")
    EXITED = "exited", _("Sorti")


class RequestKind(models.TextChoices):
    ENTRY = "entry", _("Demande d'engagement")
    RENEWAL = "renewal", _("Demande de renouvellement")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    READY = "ready", _("Soumise à la validation")
    VALIDATED = "validated", _("Validée par l'association")
    SUBMITTED = "submitted", _("Transmise à la commission")
    SCHEDULED = "scheduled", _("Inscrite à une séance")
    ADJOURNED = "adjourned", _("Ajournée : à compléter")
    AVIS_GIVEN = "avis_given", _("Avis rendu, en attente de décision")
    AUTHORISED = "authorised", _("Autorisée")
    REFUSED = "refused", _("Refusée")
    WITHDRAWN = "withdrawn", _("Retirée")


OPEN_REQUEST_STATUSES = frozenset(
    {
        RequestStatus.DRAFT,
        RequestStatus.READY,
        RequestStatus.VALIDATED,
        RequestStatus.SUBMITTED,
        RequestStatus.SCHEDULED,
        RequestStatus.ADJOURNED,
        RequestStatus.AVIS_GIVEN,
    }
)


class AvisKind(models.TextChoices):
    FAVOURABLE = "favourable", _("Favorable")
    UNFAVOURABLE = "unfavourable", _("Défavorable")
    ADJOURNED = "adjourned", _("Ajourné (complément demandé)")


class ExitReason(models.TextChoices):
    COMPLETED = "completed", _("Parcours achevé")
    ENDED_EARLY = "ended_early", _("Fin anticipée décidée par le préfet")
    WITHDRAWN = "withdrawn", _("Retrait de la personne")
    MOVED = "moved", _("Départ vers un autre département")
    LOST_CONTACT = "lost_contact", _("Perte de contact")
    DEATH = "death", _("Décès")
    OTHER = "other", _("Autre")


class RefusalReason(models.TextChoices):
    CONDITIONS = "conditions", _("Conditions d'accès non remplies")
    PROJECT = "project", _("Projet d'insertion insuffisamment construit")
    COMMITMENTS = "commitments", _("Engagements du parcours non respectés")
    PUBLIC_ORDER = "public_order", _("Menace pour l'ordre public")
    OTHER = "other", _("Autre motif")


# --- Transitions -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Transition:
    action: str
    label: str  # what the button says
    done: str  # what the timeline says
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    basis: Basis


def _t(action, label, done, sources, target, roles, basis) -> Transition:
    return Transition(action, label, done, frozenset(sources), target, frozenset(roles), basis)


RS = RequestStatus
PS = PathwayStatus
SECRETARIAT = {Role.SECRETARIAT}
PREFECTURE = {Role.PREFECTURE_AGENT}
HEAD = {Role.HEAD_OF_SERVICE}
OPEN_BEFORE_AVIS = {RS.DRAFT, RS.READY, RS.VALIDATED, RS.SUBMITTED, RS.ADJOURNED}

# action: (button label, timeline label, from, to, who, basis)
REQUEST_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("submit_for_validation", _("Soumettre à la validation"),
           _("Demande soumise à la validation de la cheffe de service"),
           {RS.DRAFT}, RS.READY, ASSOCIATION_STAFF, PRACTICE_HAND_OFF),
        _t("take_back", _("Reprendre la demande"), _("Demande reprise en brouillon"),
           {RS.READY}, RS.DRAFT, ASSOCIATION_STAFF, PRACTICE_HAND_OFF),
        _t("validate", _("Valider la demande"), _("Demande validée par l'association"),
           {RS.DRAFT, RS.READY}, RS.VALIDATED, HEAD, PRACTICE_VALIDATION),
        _t("return_to_draft", _("Renvoyer en brouillon"), _("Demande renvoyée en brouillon"),
           {RS.READY, RS.VALIDATED}, RS.DRAFT, HEAD, PRACTICE_VALIDATION),
        _t("submit", _("Transmettre à la commission"), _("Demande transmise à la commission"),
           {RS.VALIDATED}, RS.SUBMITTED, ASSOCIATION_STAFF, CIRCULAR_2017),
        _t("schedule", _("Inscrire à l'ordre du jour"), _("Demande inscrite à l'ordre du jour"),
           {RS.SUBMITTED}, RS.SCHEDULED, SECRETARIAT, L121_9),
        _t("unschedule", _("Retirer de l'ordre du jour"), _("Demande retirée de l'ordre du jour"),
           {RS.SCHEDULED}, RS.SUBMITTED, SECRETARIAT, L121_9),
        _t("record_avis", _("Enregistrer l'avis"), _("Avis de la commission"),
           {RS.SCHEDULED}, RS.AVIS_GIVEN, SECRETARIAT, L121_9),
        _t("adjourn", _("Ajourner"), _("Demande ajournée par la commission"),
           {RS.SCHEDULED}, RS.ADJOURNED, SECRETARIAT, L121_9),
        _t("resubmit", _("Transmettre à nouveau"), _("Demande complétée et transmise à nouveau"),
           {RS.ADJOURNED}, RS.SUBMITTED, ASSOCIATION_STAFF, CIRCULAR_2017),
        _t("authorise", _("Autoriser"), _("Autorisation du préfet"),
           {RS.AVIS_GIVEN}, RS.AUTHORISED, PREFECTURE, L121_9),
        _t("refuse", _("Refuser"), _("Refus du préfet"),
           {RS.AVIS_GIVEN}, RS.REFUSED, PREFECTURE, L121_9),
        _t("withdraw", _("Retirer la demande"), _("Demande retirée"),
           OPEN_BEFORE_AVIS, RS.WITHDRAWN, ASSOCIATION_STAFF, PRACTICE_EXIT),
    )
}  # fmt: skip

PATHWAY_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("record_exit", _("Enregistrer la sortie"), _("Sortie du parcours"),
           {PS.ACTIVE, PS.LAPSED}, PS.EXITED, ASSOCIATION_STAFF, PRACTICE_EXIT),
        _t("end_early", _("Mettre fin au parcours"), _("Fin anticipée décidée par le préfet"),
           {PS.ACTIVE, PS.LAPSED}, PS.EXITED, PREFECTURE, EARLY_END),
        # Done by the daily deadline job, not by a person.
        _t("expire_period", _("Constater la fin de période"), _("Fin de la période autorisée"),
           {PS.ACTIVE}, PS.LAPSED, set(), DURATION),
    )
}  # fmt: skip

# The sworn statement of cessation is recorded when signed, shown to the commission and the préfet when it
# is missing, and never blocks validation or submission (SWORN_STATEMENT).
SWORN_STATEMENT_REQUIRED = False

# Pathway states from which a request of each kind may be opened.
REQUEST_OPENING_STATES = {
    RequestKind.ENTRY: frozenset({PS.PREPARING, PS.REFUSED}),
    RequestKind.RENEWAL: frozenset({PS.ACTIVE, PS.LAPSED}),
}

# What a decided request does to its pathway.
PATHWAY_STATUS_AFTER = {
    (RequestKind.ENTRY, RS.AUTHORISED): PS.ACTIVE,
    (RequestKind.ENTRY, RS.REFUSED): PS.REFUSED,
    (RequestKind.ENTRY, RS.WITHDRAWN): PS.EXITED,
    (RequestKind.RENEWAL, RS.AUTHORISED): PS.ACTIVE,
}


# --- The commission as a body (docs/decisions/0039) --------------------------------------------------
# The general rules of consultative administrative commissions (décret n° 2006-672 du 8 juin 2006, arts 9 to
# 14, codified at CRPA R133-3 ss) are applied to the departmental commission: domain.md infers their
# applicability (CASF R121-12-6 refers to the décret n° 2006-665), so `verified=False` on applicability.
CONVOCATION_NOTICE = Basis(
    "Décret n° 2006-672 du 8 juin 2006, art. 9 (CRPA art. R133-8) : sauf urgence, les membres reçoivent, "
    "cinq jours au moins avant la réunion, une convocation comportant l'ordre du jour — application à la "
    "commission départementale déduite des règles générales des commissions consultatives",
    verified=False,
)
QUORUM = Basis(
    "Décret n° 2006-672 du 8 juin 2006, art. 11 (CRPA art. R133-10) : le quorum est atteint lorsque la "
    "moitié au moins des membres composant la commission sont présents ou ont donné mandat ; à défaut, la "
    "commission délibère valablement sans condition de quorum après une nouvelle convocation portant sur le "
    "même ordre du jour — application déduite des règles générales des commissions consultatives",
    verified=False,
)
ONE_MANDATE = Basis(
    "Décret n° 2006-672 du 8 juin 2006, art. 10 (CRPA art. R133-9) : un membre empêché peut donner mandat à "
    "un autre membre ; nul ne peut détenir plus d'un mandat",
    verified=False,
)
CONFLICT_OF_INTEREST = Basis(
    "Décret n° 2006-672 du 8 juin 2006, art. 13 (CRPA art. R133-12) : un membre ne prend pas part aux "
    "délibérations sur une affaire où il a un intérêt personnel ; pratique : l'association qui a préparé la "
    "demande ne siège pas sur ce point",
    verified=False,
)
MEETINGS_2016 = Basis(
    "Décret n° 2016-1467 du 28 octobre 2016 (CASF R121-12-6 ss) : la commission se réunit au moins une fois "
    "par an — article exact à vérifier",
    verified=False,
)
MEETINGS_2025 = Basis(
    "Décret du 30 décembre 2025 (numéro non trouvé) : la commission se réunit au moins deux fois par an ; "
    "entrée en vigueur retenue : 1er janvier 2026 — à vérifier au Journal officiel",
    verified=False,
)

CONVOCATION_DAYS = 5  # CONVOCATION_NOTICE


class College(models.TextChoices):
    """The colleges of the commission's composition (CASF L121-9, R121-12-7; the list changed in 2021, 2023
    and 2025: members are dated rows, the colleges a stable grouping)."""

    STATE = "state", _("Services de l'État")
    LOCAL_AUTHORITIES = "local", _("Collectivités territoriales")
    JUSTICE = "justice", _("Justice")
    HEALTH = "health", _("Santé")
    ASSOCIATIONS = "associations", _("Associations")
    QUALIFIED = "qualified", _("Personnalités qualifiées")


class Presence(models.TextChoices):
    PRESENT = "present", _("Présent")
    SUBSTITUTE = "substitute", _("Représenté par son suppléant")
    MANDATE = "mandate", _("A donné mandat")
    ABSENT = "absent", _("Absent")


# Who counts towards the quorum (QUORUM): present, represented by the substitute, or having given a mandate.
COUNTS_FOR_QUORUM = frozenset({Presence.PRESENT, Presence.SUBSTITUTE, Presence.MANDATE})
# Who sits and can hold a mandate (ONE_MANDATE).
SITS = frozenset({Presence.PRESENT, Presence.SUBSTITUTE})
MAX_MANDATES_HELD = 1  # ONE_MANDATE


def quorum_reached(members: int, counted: int) -> bool:
    """Half at least of the members composing the commission (QUORUM): 4 of 8, 5 of 9."""
    return members > 0 and 2 * counted >= members


def quorum_needed(members: int) -> int:
    return (members + 1) // 2


def convocation_deadline(session_date: dt.date) -> dt.date:
    """The last day the convocation may go: five full days before the session (CONVOCATION_NOTICE)."""
    return session_date - dt.timedelta(days=CONVOCATION_DAYS)


@dataclass(frozen=True)
class MeetingRule:
    in_force_from: dt.date
    per_year: int
    basis: Basis


MEETING_RULES: tuple[MeetingRule, ...] = (
    MeetingRule(dt.date(2016, 10, 30), 1, MEETINGS_2016),
    MeetingRule(dt.date(2026, 1, 1), 2, MEETINGS_2025),
)


def meetings_required(year: int) -> MeetingRule:
    """The rule in force for a calendar year: the one in force on its last day."""
    day = dt.date(year, 12, 31)
    applicable = [r for r in MEETING_RULES if r.in_force_from <= day]
    if not applicable:
        raise ValueError(f"No meeting rule in force in {year}")
    return max(applicable, key=lambda r: r.in_force_from)
