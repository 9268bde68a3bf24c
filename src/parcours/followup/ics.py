"""The agenda as an iCalendar file (RFC 5545), written by hand: a few lines do not justify a dependency.

The file leaves Parcours for a phone or a calendar service: it carries no identity. Each event is
"Rendez-vous Parcours" and the person's reference, never her name, never what the appointment is about (a
domain such as "Plainte, justice" is a telling word), and no place when her address is confidential.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable

from django.conf import settings

from .models import Appointment

CRLF = "\r\n"
MAX_OCTETS = 75
SUMMARY = "Rendez-vous Parcours"
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line breaks as \\n."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return _CONTROL.sub("", value)


def fold(line: str) -> str:
    """Fold a content line at 75 octets (§3.1), never inside a UTF-8 character; continuation lines begin
    with one space."""
    if len(line.encode()) <= MAX_OCTETS:
        return line
    parts, current, size = [], "", 0
    for char in line:
        n = len(char.encode())
        if size + n > MAX_OCTETS:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += n
    parts.append(current)
    return CRLF.join(parts)


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _instance_tag() -> str:
    """A stable, meaningless tag that keeps UIDs of two Parcours instances apart."""
    return hashlib.sha256(f"parcours-ics:{settings.SECRET_KEY}".encode()).hexdigest()[:16]


def event_lines(appointment: Appointment, stamp: dt.datetime) -> list[str]:
    person = appointment.person
    lines = [
        "BEGIN:VEVENT",
        f"UID:rdv-{appointment.pk}-{_instance_tag()}@parcours",
        f"DTSTAMP:{utc(stamp)}",
        f"DTSTART:{utc(appointment.starts_at)}",
        f"DTEND:{utc(appointment.ends_at)}",
        f"SUMMARY:{escape_text(f'{SUMMARY} {person.reference}')}",
    ]
    if appointment.place and not person.address_confidential:
        lines.append(f"LOCATION:{escape_text(appointment.place)}")
    lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "CLASS:PRIVATE", "END:VEVENT"]
    return lines


def calendar(appointments: Iterable[Appointment], stamp: dt.datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Parcours//Agenda//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Parcours",
    ]
    for appointment in appointments:
        lines += event_lines(appointment, stamp)
    lines.append("END:VCALENDAR")
    return CRLF.join(fold(line) for line in lines) + CRLF
