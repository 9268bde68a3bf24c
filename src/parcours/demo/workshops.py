"""The association's collective work in the demo (issue 11): a workshop series « Rapport à l'argent » of ten
held sessions (plus one cancelled) with people of Horizon and a realistic attendance, a job-counsellor series
« Savoir-être en entreprise » half held and half to come, the Tuesday-morning team meetings with their
decisions written in each file, and the internship of `stagiaire`.

Everything goes through the services (parcours.workshops.services, parcours.followup.meetings,
parcours.onboarding.services), travelling to the day each thing happened; dates are relative to today, every
draw comes from one `random.Random`. Facilitators are a member of the association or a fictional body.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from parcours.accounts.models import InternProfile
from parcours.core import clock
from parcours.followup import meetings
from parcours.followup.models import Domain, MeetingItem, TeamMeeting
from parcours.onboarding import services as onboarding
from parcours.people.models import Person
from parcours.workshops import services
from parcours.workshops.models import Attendance, WorkshopSeries, WorkshopSession

from .common import D

if TYPE_CHECKING:
    from .generator import Generator

SCHOOL = "École de travail social (fictive)"
MONEY_PARTICIPANTS = 8
WORKPLACE_PARTICIPANTS = 6
# present / absent / excused: most come, some are kept away by an appointment, a child, a bad week.
ATTENDANCE = (("present", 75), ("absent", 15), ("excused", 10))
DECISIONS = (
    (Domain.HOUSING, "Relancer le SIAO et proposer une visite de la résidence sociale avant la fin du mois."),
    (Domain.EMPLOYMENT, "Proposer l'atelier « Savoir-être en entreprise » et voir la conseillère emploi."),
    (Domain.HEALTH, "Accompagnement physique au prochain rendez-vous de la PASS par la référente."),
    (Domain.RESIDENCE, "Préparer la demande de renouvellement de l'APS : pièces à réunir sous quinze jours."),
    (Domain.RIGHTS, "Vérifier l'ouverture des droits à l'AFIS et relancer la MSA si besoin."),
    (Domain.OTHER, "Point global positif : maintenir le rythme des entretiens tous les quinze jours."),
)  # fmt: skip


def tuesday_on_or_after(day: dt.date) -> dt.date:
    return day + D(days=(1 - day.weekday()) % 7)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.PARIS)


def draw(rng: random.Random) -> str:
    statuses, weights = zip(*ATTENDANCE, strict=True)
    return rng.choices(statuses, weights=weights)[0]


def build(g: Generator) -> None:
    build_for(
        worker=g.members["travailleuse"], colleague=g.members["travailleuse2"], head=g.members["cheffe"],
        intern=g.members["stagiaire"], today=g.today, rng=random.Random(g.rng.getrandbits(32)),
    )  # fmt: skip


def build_for(*, worker, colleague, head, intern, today: dt.date, rng: random.Random) -> None:
    association = worker.organisation
    people = list(Person.objects.visible_to(worker).filter(archived_on__isnull=True).order_by("pk"))
    chosen = rng.sample(people, min(len(people), MONEY_PARTICIPANTS + 3))
    # « Rapport à l'argent »: eleven Tuesdays from sixteen weeks ago, the fourth cancelled: ten held.
    first = tuesday_on_or_after(today - D(weeks=16))
    with clock.travel_to(at(first - D(days=14))):
        money = services.create_series(
            worker, topic="money", label="Rapport à l'argent", starts_on=first, ends_on=first + D(weeks=11),
            external_facilitator="Point conseil budget fictif",
        )  # fmt: skip
        sessions = [
            services.add_session(
                money, worker, date=first + D(weeks=k), starts_at=dt.time(9, 30), ends_at=dt.time(11, 30)
            )
            for k in range(11)
        ]
        for person in chosen[:MONEY_PARTICIPANTS]:
            services.enrol(money, worker, person)
    with clock.travel_to(at(sessions[3].date - D(days=2))):
        services.cancel_session(sessions[3], worker)
    for session in sessions[:3] + sessions[4:]:
        with clock.travel_to(at(session.date, 12)):
            services.record_attendance(
                session, worker, {p.pk: draw(rng) for p in chosen[:MONEY_PARTICIPANTS]}
            )
    # « Savoir-être en entreprise » (a job-counsellor series): six Thursdays, three held, three to come.
    start = tuesday_on_or_after(today - D(weeks=3)) + D(days=2)
    with clock.travel_to(at(start - D(days=10))):
        workplace = services.create_series(
            worker, topic="workplace", label="Savoir-être en entreprise", starts_on=start,
            ends_on=start + D(weeks=6), facilitator=colleague,
        )  # fmt: skip
        later = [
            services.add_session(
                workplace, worker, date=start + D(weeks=k), starts_at=dt.time(14), ends_at=dt.time(16)
            )
            for k in range(6)
        ]
        group = chosen[-WORKPLACE_PARTICIPANTS:]
        for person in group:
            services.enrol(workplace, worker, person)
    for session in later:
        if session.date <= today:
            with clock.travel_to(at(session.date, 17)):
                services.record_attendance(session, colleague, {p.pk: draw(rng) for p in group})
    build_meetings(worker, head, people, today, rng)
    onboarding.set_intern_profile(
        head, intern, school=SCHOOL, tutor=worker, starts_on=today - D(days=60), ends_on=today + D(days=120)
    )
    assert association.pk == head.organisation_id


def build_meetings(worker, head, people, today: dt.date, rng: random.Random) -> None:
    """The last three Tuesday mornings with their decisions, and next Tuesday's agenda."""
    next_tuesday = tuesday_on_or_after(today + D(days=1))
    days = [next_tuesday - D(weeks=k) for k in (3, 2, 1, 0)]
    with clock.travel_to(at(days[0] - D(days=7), 9)):
        for day in days:
            meeting = meetings.create_meeting(head, day)
            for person in rng.sample(people, min(len(people), 3)):
                meetings.add_to_agenda(meeting, worker, person)
    for meeting in TeamMeeting.objects.filter(association_id=head.organisation_id, held_on__lte=today):
        with clock.travel_to(at(meeting.held_on, 11)):
            for item in MeetingItem.objects.filter(meeting=meeting).select_related("meeting").order_by("pk"):
                domain, text = rng.choice(DECISIONS)
                meetings.record_decision(item, head, domain=domain, text=text)


def summary(today: dt.date) -> dict:
    return {
        "workshop_series": WorkshopSeries.objects.count(),
        "workshop_sessions": WorkshopSession.objects.count(),
        "workshop_attendances": Attendance.objects.count(),
        "team_meetings": TeamMeeting.objects.count(),
        "team_meeting_decisions": MeetingItem.objects.filter(note__isnull=False).count(),
        "intern_profiles": InternProfile.objects.count(),
    }
