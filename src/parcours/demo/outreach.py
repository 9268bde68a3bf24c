"""A year (2026) of drop-in sessions and outreach rounds of the association Horizon Fictif (issue 11): every
Tuesday 13:30–18:30 but the holidays, three sessions cancelled, 40 to 80 anonymous visits at each session
held, the hours of the staff, of `benevole` and of `stagiaire`, and about two rounds a month (street and
online) with their contacts, material and a few anonymous callbacks.

The schedule, the sessions, the cancellations and the rounds go through parcours.outreach.services; the
visits and hours of a whole year are written in bulk (a history replayed, not taps: thousands of journal rows
would say nothing). Nothing is drawn from the global `random`: one generator seeded by the demo's seed.
`build_year` returns the totals it wrote, counted here as it writes them: tests/outreach/test_demo_year.py
checks them against `outreach.figures.year_figures` and against plain SQL counts."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from typing import TYPE_CHECKING

from parcours.core import clock
from parcours.outreach import services
from parcours.outreach.models import Callback, DropInSession, Presence, Visit
from parcours.outreach.rules import AgeBand, Language, Service, VisitorGender

from .common import NEUTRAL_PLACES, at

if TYPE_CHECKING:
    from .generator import Generator

YEAR = 2026
MINUTES_KEY = {"social_worker": "minutes_staff", "head_of_service": "minutes_staff",
               "volunteer": "minutes_volunteer", "intern": "minutes_intern"}  # fmt: skip
D = dt.timedelta
CANCELLED = (
    (dt.date(2026, 2, 17), "Locaux fermés (dégât des eaux)"),
    (dt.date(2026, 8, 11), "Fermeture estivale de l'association"),
    (dt.date(2026, 11, 24), "Équipe en formation"),
)
STREET_PLACES = ("Avenue fictive de la Gare, parking du Prototype", "Boulevard Imaginaire, zone des Essais")
ONLINE_PLACES = ("Sites d'annonces fictifs (veille)", "Messageries : comptes de l'association")
# Who is usually there (username, share of the sessions, minutes).
DESK_TEAM = (("travailleuse", 1.0, 300), ("benevole", 0.85, 300), ("stagiaire", 0.7, 270),
             ("travailleuse2", 0.3, 180))  # fmt: skip
GENDERS = ((VisitorGender.WOMAN, 60), (VisitorGender.TRANS_WOMAN, 22), (VisitorGender.MAN, 6),
           (VisitorGender.NON_BINARY, 2), ("", 10))  # fmt: skip
LANGUAGES = ((Language.FRENCH, 25), (Language.ENGLISH, 20), (Language.SPANISH, 15), (Language.ROMANIAN, 12),
             (Language.CHINESE, 8), (Language.PORTUGUESE, 6), (Language.BULGARIAN, 4), ("", 10))  # fmt: skip


def _pick(rng: random.Random, pairs) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _key(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _visit(rng: random.Random, by_user, when: dt.datetime, **target) -> Visit:
    tallied = rng.random() < 0.8  # most taps carry some tallies, some are a bare « + Passage »
    services_ = [s for s in Service.values if rng.random() < {"coffee": 0.8, "prevention": 0.5}.get(s, 0.12)]
    return Visit(
        key=_key(rng), recorded_by=by_user, recorded_at=when,
        gender=_pick(rng, GENDERS) if tallied else "",
        age_band=rng.choice([*AgeBand.values, ""]) if tallied else "",
        language=_pick(rng, LANGUAGES) if tallied else "",
        first_visit=(rng.random() < 0.15) if tallied else None,
        services=sorted(services_) if tallied else [], **target,
    )  # fmt: skip


def build_year(organisation, members: dict, rng: random.Random, year: int = YEAR) -> dict[str, int]:
    """The year's sessions and rounds of `organisation`; `members` maps the usernames of DESK_TEAM and
    `cheffe` to memberships. Returns what it wrote (sessions held, visits, minutes per role, rounds…)."""
    head = members["cheffe"]
    today, now = clock.today(), clock.now()
    totals = Counter()
    with clock.travel_to(dt.date(year, 1, 2)):
        schedule = services.create_schedule(
            head,
            weekday=1,
            starts_at=dt.time(13, 30),
            ends_at=dt.time(18, 30),
            place=NEUTRAL_PLACES["horizon"],
        )
        services.generate_sessions(head, schedule, dt.date(year, 1, 1), dt.date(year, 12, 31))
    for day, reason in CANCELLED:
        session = DropInSession.objects.get(schedule=schedule, day=day)
        with clock.travel_to(day - D(days=6)):
            services.cancel_session(head, session, reason)
    visits, presences, callbacks = [], [], []
    volunteer_user = members["benevole"].user
    for session in DropInSession.objects.filter(schedule=schedule).order_by("day"):
        if session.cancelled or session.day > today:
            continue
        totals["sessions_held"] += 1
        start = at(session.day, 13, 30)
        n = rng.randint(40, 80)
        for i in range(n):
            visits.append(_visit(rng, volunteer_user, start + D(minutes=i * 300 // n), session=session))
            totals["first_visits"] += bool(visits[-1].first_visit)
        totals["visits"] += n
        for username, share, minutes in DESK_TEAM:
            if rng.random() < share:
                m = members[username]
                presences.append(
                    Presence(
                        session=session,
                        membership=m,
                        role=m.role,
                        minutes=minutes,
                        day=session.day,
                        recorded_by=m.user,
                        recorded_at=at(session.day, 18, 45),
                    )
                )
                totals[MINUTES_KEY[m.role]] += minutes
    # About two rounds a month: a street round on the first Thursday evening, an online one the third
    # Wednesday afternoon. Rounds still to come are planned (the volunteers see them on their home page).
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        thursday = first + D(days=(3 - first.weekday()) % 7)
        wednesday = first + D(days=(2 - first.weekday()) % 7 + 14)
        for kind, day, hours, places, team in (
            ("street", thursday, (20, 23), STREET_PLACES[month % 2], ("travailleuse", "benevole")),
            ("online", wednesday, (14, 16), ONLINE_PLACES[month % 2], ("travailleuse2", "stagiaire")),
        ):  # fmt: skip
            with clock.travel_to(day - D(days=10)):
                round_ = services.create_round(head, kind=kind, places=places, starts_at=at(day, hours[0]),
                                               ends_at=at(day, hours[1]))  # fmt: skip
            if round_.starts_at > now:
                continue
            totals["rounds"] += 1
            contacts = rng.randint(6, 25) if kind == "street" else rng.randint(10, 40)
            for i in range(contacts):
                visits.append(
                    _visit(rng, members[team[0]].user, round_.starts_at + D(minutes=i * 4), round=round_)
                )
            totals["contacts"] += contacts
            for username in team:
                m = members[username]
                minutes = (hours[1] - hours[0]) * 60
                presences.append(Presence(round=round_, membership=m, role=m.role, minutes=minutes, day=day,
                                          recorded_by=m.user, recorded_at=round_.ends_at))  # fmt: skip
                totals[MINUTES_KEY[m.role]] += minutes
            round_.condoms = rng.randint(40, 200) if kind == "street" else 0
            round_.leaflets = rng.randint(10, 40)
            round_.hygiene = rng.randint(0, 15) if kind == "street" else 0
            round_.food = rng.randint(10, 40) if kind == "street" else 0
            round_.save(update_fields=["condoms", "leaflets", "hygiene", "food"])
            for _ in range(rng.choice((0, 0, 1, 2))):
                asker = members[team[1]].user
                callbacks.append(
                    Callback(round=round_, organisation=organisation, asked_by=asker, asked_at=round_.ends_at)
                )
                totals["callbacks"] += 1
    Visit.objects.bulk_create(visits, batch_size=500)
    Presence.objects.bulk_create(presences, batch_size=500)
    Callback.objects.bulk_create(callbacks)
    return dict(totals)


def build(g: Generator) -> dict[str, int]:
    members = {u: g.members[u] for u in ("cheffe", "travailleuse", "travailleuse2", "benevole", "stagiaire")}
    # Its own generator, seeded from the demo's (drawn once): the other parts' draws stay as they were.
    return build_year(g.orgs["horizon"], members, random.Random(g.outreach_seed))
