"""The personal calendar feed: the commission sessions a user attends or prepares, and her appointments, as
one iCalendar file. Written with followup/ics.py's writer and its rules (no name, no telling word: a person
is her reference)."""

from __future__ import annotations

import datetime as dt

from parcours.accounts.models import Membership
from parcours.accounts.roles import ASSOCIATION_STAFF, Role
from parcours.core import clock
from parcours.followup import ics
from parcours.followup.models import Appointment, AppointmentStatus
from parcours.pathway.models import CommissionSession

PAST_DAYS = 31  # what a calendar app keeps showing behind today
SESSION_SUMMARY = "Séance de la commission Parcours"


def session_lines(session: CommissionSession, stamp: dt.datetime) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:seance-{session.pk}-{ics._instance_tag()}@parcours",
        f"DTSTAMP:{ics.utc(stamp)}",
        f"DTSTART;VALUE=DATE:{session.date:%Y%m%d}",
        f"DTEND;VALUE=DATE:{session.date + dt.timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{ics.escape_text(SESSION_SUMMARY)}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "CLASS:PRIVATE",
        "END:VEVENT",
    ]


def events_of(user):
    """(sessions, appointments) of `user`, through the visibility rule of each of her active memberships."""
    since = clock.today() - dt.timedelta(days=PAST_DAYS)
    sessions, appointments = {}, {}
    for m in Membership.objects.filter(user=user, is_active=True).select_related("organisation", "user"):
        if m.role in (Role.SECRETARIAT, Role.COMMISSION_MEMBER):
            for s in (
                CommissionSession.objects.visible_to(m)
                .filter(commission_id=m.organisation_id, date__gte=since)
                .exclude(status="cancelled")
            ):
                sessions[s.pk] = s
        if m.role in ASSOCIATION_STAFF:
            for a in (
                Appointment.objects.visible_to(m)
                .filter(worker=user, status=AppointmentStatus.PLANNED,
                        starts_at__gte=clock.now() - dt.timedelta(days=PAST_DAYS))
                .select_related("person")
            ):  # fmt: skip
                appointments[a.pk] = a
    return (
        sorted(sessions.values(), key=lambda s: (s.date, s.pk)),
        sorted(appointments.values(), key=lambda a: (a.starts_at, a.pk)),
    )


def feed(user) -> str:
    stamp = clock.now()
    sessions, appointments = events_of(user)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Parcours//Agenda personnel//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Parcours",
    ]
    for session in sessions:
        lines += session_lines(session, stamp)
    for appointment in appointments:
        lines += ics.event_lines(appointment, stamp)
    lines.append("END:VCALENDAR")
    return ics.CRLF.join(ics.fold(line) for line in lines) + ics.CRLF
