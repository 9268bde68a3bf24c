"""The indicators a grant may have to report, each declared ONCE here: a code, a French name, its definition
(printed in the report's definitions sheet), a unit, and the function `(association, start, end) → number`
that computes it from the data. A grant lists the codes it must report (Grant.indicators).

Adding an indicator, from any app below this one, is one declaration (as `employment_placements` below).

`small_counts`: the value counts people, or their presences and visits; a report that leaves the association
shows a count from 1 to the statistics threshold (10) as « moins de 11 » (docs/decisions/0047-funding.md).
Sessions, rounds and hours are not about people and are shown as they are.

Periods are any dates (a grant runs from 1 July to 31 December of the next year): both days included; what
happens on a day still to come is not counted (sessions held are those on or before today).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.employment import figures as employment_figures
from parcours.outreach import figures as outreach_figures
from parcours.pathway.models import Period
from parcours.people.models import Person
from parcours.workshops import figures as workshop_figures

Number = int | Decimal
Compute = Callable[[object, dt.date, dt.date], Number]

PEOPLE = _("personnes")
PATHWAYS = _("parcours")
SESSIONS = _("séances")
PRESENCES = _("présences")
VISITS = _("passages")
ROUNDS = _("maraudes")
CONTACTS = _("contacts")
HOURS = _("heures")


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    definition: str
    unit: str
    compute: Compute
    small_counts: bool


REGISTRY: dict[str, Indicator] = {}


def indicator(
    code: str, name, definition, unit, *, small_counts: bool = True
) -> Callable[[Compute], Compute]:
    """Declare the decorated function as the indicator `code`."""

    def declare(compute: Compute) -> Compute:
        if code in REGISTRY:
            raise ValueError(f"Indicateur déclaré deux fois : {code}")
        REGISTRY[code] = Indicator(code, name, definition, unit, compute, small_counts)
        return compute

    return declare


def choices() -> list[tuple[str, str]]:
    return [(i.code, i.name) for i in REGISTRY.values()]


def compute(code: str, organisation, start: dt.date, end: dt.date) -> Number:
    return REGISTRY[code].compute(organisation, start, end)


# --- People and pathways -----------------------------------------------------------------------------------
@indicator("people_followed", _("Personnes suivies"), _(
    "Personnes dont le dossier était ouvert dans l'association pendant la période : dossier créé au plus "
    "tard "
    "le dernier jour, et non archivé avant le premier jour."), PEOPLE)  # fmt: skip
def _people_followed(org, start, end):
    return (
        Person.objects.filter(association=org, created_at__date__lte=end)
        .filter(Q(archived_on__isnull=True) | Q(archived_on__gte=start))
        .count()
    )


@indicator("psp_people", _("Personnes en parcours de sortie de la prostitution"), _(
    "Personnes ayant au moins un jour de période autorisée du parcours de sortie (PSP), accompagné par "
    "l'association, pendant la période."), PEOPLE)  # fmt: skip
def _psp_people(org, start, end):
    periods = Period.objects.filter(pathway__association=org, start__lte=end, end__gte=start)
    return periods.values("pathway__person_id").distinct().count()


@indicator("psp_new", _("Nouveaux parcours de sortie"), _(
    "Parcours de sortie accompagnés par l'association dont la première période autorisée commence pendant "
    "la période."), PATHWAYS)  # fmt: skip
def _psp_new(org, start, end):
    return Period.objects.filter(pathway__association=org, number=1, start__gte=start, start__lte=end).count()


# --- Workshops (parcours.workshops.figures) ----------------------------------------------------------------
@indicator("workshop_sessions", _("Séances d'ateliers tenues"), _(
    "Séances d'ateliers de la période, non annulées, tenues au plus tard aujourd'hui."), SESSIONS,
    small_counts=False)  # fmt: skip
def _workshop_sessions(org, start, end):
    return workshop_figures.period_figures(org, start, end)["sessions_held"]


@indicator("workshop_attendances", _("Présences aux ateliers"), _(
    "Présences notées « présente » aux séances d'ateliers tenues pendant la période (une personne venue à "
    "trois séances compte trois fois)."), PRESENCES)  # fmt: skip
def _workshop_attendances(org, start, end):
    return workshop_figures.period_figures(org, start, end)["attendances"]


@indicator("workshop_participants", _("Participantes aux ateliers"), _(
    "Personnes différentes présentes à au moins une séance d'atelier tenue pendant la période."),
    PEOPLE)  # fmt: skip
def _workshop_participants(org, start, end):
    return workshop_figures.period_figures(org, start, end)["participants"]


# --- Drop-in sessions and outreach (parcours.outreach.figures) ---------------------------------------------
@indicator("dropin_sessions", _("Permanences tenues"), _(
    "Permanences d'accueil de la période, non annulées, tenues au plus tard aujourd'hui."), SESSIONS,
    small_counts=False)  # fmt: skip
def _dropin_sessions(org, start, end):
    return outreach_figures.period_figures(org, start, end)["sessions_held"]


@indicator("dropin_visits", _("Passages aux permanences"), _(
    "Passages comptés anonymement aux permanences tenues pendant la période."), VISITS)  # fmt: skip
def _dropin_visits(org, start, end):
    return outreach_figures.period_figures(org, start, end)["visits"]


@indicator("volunteer_hours", _("Heures de bénévolat"), _(
    "Heures de présence des bénévoles aux permanences et en maraude pendant la période (au dixième "
    "d'heure)."), HOURS, small_counts=False)  # fmt: skip
def _volunteer_hours(org, start, end):
    minutes = outreach_figures.period_figures(org, start, end)["minutes_volunteer"]
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@indicator("outreach_rounds", _("Maraudes"), _(
    "Maraudes de rue et numériques commencées pendant la période, au plus tard aujourd'hui."), ROUNDS,
    small_counts=False)  # fmt: skip
def _outreach_rounds(org, start, end):
    return outreach_figures.period_figures(org, start, end)["rounds"]


@indicator("outreach_contacts", _("Contacts en maraude"), _(
    "Contacts comptés anonymement au cours des maraudes de la période."), CONTACTS)  # fmt: skip
def _outreach_contacts(org, start, end):
    return outreach_figures.period_figures(org, start, end)["contacts"]


@indicator("employment_participants", _("Participantes aux programmes emploi"), _(
    "Personnes inscrites dans une promotion d'un programme emploi de l'association qui a une étape pendant "
    "la période."), PEOPLE)  # fmt: skip
def _employment_participants(org, start, end):
    return employment_figures.period_figures(org, start, end)["participants"]


@indicator("employment_placements", _("Personnes en emploi"), _(
    "Personnes dont une sortie datée de la période est une embauche d'emblée ou un emploi (CDD, CDI, "
    "mission d'intérim, contrat aidé)."), PEOPLE)  # fmt: skip
def _employment_placements(org, start, end):
    return employment_figures.period_figures(org, start, end)["placements"]


@indicator("employment_supports", _("Aides obtenues"), _(
    "Aides accordées (logement, mobilité, garde d'enfants, rémunération de formation) dont la décision est "
    "datée de la période ; une personne peut en avoir plusieurs."), _("aides"))  # fmt: skip
def _employment_supports(org, start, end):
    return employment_figures.period_figures(org, start, end)["supports_granted"]
