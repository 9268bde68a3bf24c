"""The association's annual activity report (PDF): its own figures, under the same secrecy (secrecy.py)
for every count of people; the collective activity counts events and hours (outreach/figures.py,
workshops/figures.py), except the people reached (visits, contacts, participants), which hide 1 to 10."""

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from parcours.core.models import Departement
from parcours.employment import figures as employment_figures
from parcours.followup.models import Note
from parcours.outreach import figures as outreach_figures
from parcours.pathway.models import CommissionSession, Domain, SessionStatus
from parcours.people.models import Gender, Person
from parcours.records.models import LifeStoryVersion
from parcours.workshops import figures as workshop_figures

from . import secrecy, sections
from .tables import Scope, delay_rows, national_series, tables

ACTIVITY = [
    ("outreach", "sessions_held", _("Permanences (accueils) tenues"), False),
    ("outreach", "visits", _("Passages aux permanences"), True),
    ("outreach", "first_visits", _("Premiers passages"), True),
    ("outreach", "rounds", _("Maraudes (rue et en ligne)"), False),
    ("outreach", "contacts", _("Contacts en maraude"), True),
    ("outreach", "hours_volunteer", _("Heures de bénévolat"), False),
    ("outreach", "hours_staff", _("Heures des salariées"), False),
    ("workshops", "series", _("Cycles d'ateliers"), False),
    ("workshops", "sessions_held", _("Séances d'ateliers tenues"), False),
    ("workshops", "participants", _("Participantes aux ateliers"), True),
    ("workshops", "attendances", _("Présences aux ateliers"), True),
    ("employment", "projects", _("Personnes ayant un projet professionnel écrit"), True),
    ("employment", "participants", _("Participantes aux programmes d'emploi"), True),
    ("employment", "placements", _("Personnes en emploi (embauche ou mission)"), True),
    ("employment", "in_training", _("Personnes entrées en formation"), True),
    ("employment", "supports_granted", _("Aides à l'emploi accordées"), True),  # each to one person
    ("files", "life_stories", _("Personnes dont le récit de vie a été écrit ou repris"), True),
    ("files", "justice", _("Personnes accompagnées dans une plainte ou une procédure"), True),
]


def file_figures(organisation, year: int) -> dict[str, int]:
    """From the people's files: people whose life story got a version in the year (records), people with a
    follow-up note of the « Plainte, justice » domain held in the year (followup). Counts of people."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    stories = LifeStoryVersion.objects.filter(
        life_story__person__association=organisation, created_at__date__range=(start, end)
    )
    justice = Note.objects.filter(person__association=organisation, domain=Domain.JUSTICE,
                                  held_on__range=(start, end))  # fmt: skip
    return {
        "life_stories": stories.values("life_story__person_id").distinct().count(),
        "justice": justice.values("person_id").distinct().count(),
    }


def _hide(n: int, about_people: bool):
    return None if about_people and 0 < n <= secrecy.threshold() else n


def people_followed(organisation, year: int):
    """People of the association by gender, in and outside a pathway during the year (suppressed)."""
    end = dt.date(year, 12, 31)
    in_pathway = Q(pathways__periods__start__lte=end, pathways__periods__end__gte=dt.date(year, 1, 1))
    rows = (
        Person.objects.filter(association=organisation, created_at__date__lte=end)
        .values("gender")
        .annotate(inside=Count("pk", filter=in_pathway, distinct=True), total=Count("pk", distinct=True))
        .order_by()
    )
    atoms = {}
    for r in rows:
        atoms[(_("Dans un parcours de sortie"), r["gender"], organisation.pk)] = r["inside"]
        atoms[(_("Hors parcours"), r["gender"], organisation.pk)] = r["total"] - r["inside"]
    return secrecy.publish(atoms, columns=list(Gender.values)), dict(Gender.choices)


def _sources(organisation, year: int, today: dt.date) -> dict:
    out = outreach_figures.year_figures(organisation, year)
    out["hours_volunteer"] = round((out.get("minutes_volunteer") or 0) / 60)
    out["hours_staff"] = round((out.get("minutes_staff") or 0) / 60)
    return {
        "outreach": out,
        "workshops": workshop_figures.year_figures(organisation, year, today),
        "employment": employment_figures.year_figures(organisation, year),
        "files": file_figures(organisation, year),
    }


def activity(organisation, year: int, today: dt.date) -> list:
    """The association's collective activity in the year: (label, value or None when hidden)."""
    sources = _sources(organisation, year, today)
    return [(label, _hide(sources.get(src, {}).get(key, 0), people)) for src, key, label, people in ACTIVITY]


def departement_activity(departement: str, year: int, today: dt.date) -> list:
    """The collective activity of the associations seated in the département, added up: sessions, rounds
    and hours as they are; a count of people is hidden when it, or one association's share of it, counts 1
    to 10 (an association reading the sum knows its own share: rule (1) of secrecy.py)."""
    from parcours.accounts.models import Organisation

    per = [
        _sources(org, year, today)
        for org in Organisation.objects.filter(kind="association", departement_id=departement)
    ]
    out = []
    for src, key, label, people in ACTIVITY:
        values = [f.get(src, {}).get(key, 0) for f in per]
        small = any(0 < v <= secrecy.threshold() for v in [*values, sum(values)])
        out.append((label, None if people and small else sum(values)))
    return out


def association_report(organisation, year: int, today: dt.date) -> dict:
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    people, genders = people_followed(organisation, year)
    return {
        "year": year,
        "start": start,
        "end": end,
        "people": people,
        "genders": genders,
        "activity": activity(organisation, year, today),
        "tables": tables(Scope("association", association=organisation.pk), start, end),
        "sections": sections.for_association(organisation, start, end),
    }


# The commission's annual review for the préfet: what the commission examined and what followed.
REVIEW_CODES = (
    "requests", "avis", "decisions", "first_decisions", "balance", "entries", "renewals", "exits", "active",
    "afis", "aps",
)  # fmt: skip


def sessions_held(departement: str, start: dt.date, end: dt.date) -> int:
    """Sessions held by the commission of the département (a public body: counted as it is)."""
    return CommissionSession.objects.filter(
        commission__kind="commission",
        commission__departement_id=departement,
        status=SessionStatus.HELD,
        date__range=(start, end),
    ).count()


def commission_review(departement: str, year: int, today: dt.date) -> dict:
    """The département's row of the national tables (the same suppressed values as on the dashboard)."""
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    scope = Scope("departement", departement, label=departement)
    by_code = {t.indicator.code: t for t in tables(scope, start, end)}
    return {
        "year": year,
        "start": start,
        "end": end,
        "departement": Departement.objects.get(code=departement),
        "sessions_held": sessions_held(departement, start, end),
        "activity": departement_activity(departement, year, today),
        "tables": [by_code[c] for c in REVIEW_CODES if c in by_code],
        "delays": delay_rows(scope, start, end),
    }


def national_review(year: int, today: dt.date) -> dict:
    """The official shape (people in a pathway on 31 December since 2017, AFIS recipients, refusal rate of
    first requests, commissions that met and did not), then the year's national totals and delays."""
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    scope = Scope("national", label=_("France entière"))
    by_code = {t.indicator.code: t for t in tables(scope, start, end)}
    return {
        "year": year,
        "start": start,
        "end": end,
        "series": [row for row in national_series(today) if row[0] <= year],
        "tables": [by_code[c] for c in REVIEW_CODES if c in by_code],
        "delays": delay_rows(scope, start, end),
    }
