"""The association's annual activity report (PDF): its own figures, under the same secrecy (secrecy.py)
for every count of people; the collective activity counts events and hours (outreach/figures.py,
workshops/figures.py), except the people reached (visits, contacts, participants), which hide 1 to 10."""

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from parcours.outreach import figures as outreach_figures
from parcours.people.models import Gender, Person
from parcours.workshops import figures as workshop_figures

from . import secrecy
from .tables import Scope, tables

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
]


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


def association_report(organisation, year: int, today: dt.date) -> dict:
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    out = outreach_figures.year_figures(organisation, year)
    out["hours_volunteer"] = round((out.get("minutes_volunteer") or 0) / 60)
    out["hours_staff"] = round((out.get("minutes_staff") or 0) / 60)
    sources = {"outreach": out, "workshops": workshop_figures.year_figures(organisation, year, today)}
    activity = [(label, _hide(sources[src].get(key, 0), people)) for src, key, label, people in ACTIVITY]
    people, genders = people_followed(organisation, year)
    return {
        "year": year,
        "start": start,
        "end": end,
        "people": people,
        "genders": genders,
        "activity": activity,
        "tables": tables(Scope("association", association=organisation.pk), start, end),
    }
