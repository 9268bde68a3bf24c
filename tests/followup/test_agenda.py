"""The worker's week and its iCalendar export, which carries no identity."""

import datetime as dt

import pytest
from django.urls import reverse

from parcours.core import clock
from parcours.followup import ics, services
from parcours.followup.views import parse_week

from ..factories import MembershipFactory
from .conftest import TODAY, login

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.PARIS)


def book(person, by, worker, day, hour=10, **kwargs):
    values = dict(worker=worker, starts_at=at(day, hour), ends_at=at(day, hour, 45), purpose="justice",
                  place="Locaux de l'association")  # fmt: skip
    values.update(kwargs)
    return services.schedule_appointment(person, by, **values)


# --- Week view ---------------------------------------------------------------------------------------
def test_the_worker_sees_her_week_by_day_and_only_hers(client, personas, file, colleague):
    other = personas.person(first_name="Autreprenom", last_name="Autrenom")
    book(file, personas.worker, personas.worker.user, dt.date(2026, 3, 11), 14)
    book(other, colleague, colleague.user, dt.date(2026, 3, 11), 9)
    book(file, personas.worker, personas.worker.user, dt.date(2026, 3, 17), 9)  # next week
    page = login(client, personas.worker).get(reverse("followup:agenda")).content.decode()
    assert "semaine 11 de 2026, du 9 mars au 15 mars 2026" in page
    assert "Prenomfictive" in page and "14:00 – 14:45" in page
    assert "Autreprenom" not in page
    assert "1 rendez-vous cette semaine." in page
    assert page.index("mercredi 11 mars") < page.index("Prenomfictive") < page.index("jeudi 12 mars")


def test_week_navigation(client, personas, file):
    book(file, personas.worker, personas.worker.user, dt.date(2026, 3, 17), 9)
    login(client, personas.worker)
    page = client.get(reverse("followup:agenda"), {"semaine": "2026-W12"}).content.decode()
    assert "Prenomfictive" in page and "du 16 mars au 22 mars 2026" in page
    assert "?semaine=2026-W11" in page and "?semaine=2026-W13" in page


def test_a_wrong_week_shows_the_current_one_with_a_message(client, personas):
    page = (
        login(client, personas.worker)
        .get(reverse("followup:agenda"), {"semaine": "2026-W60"})
        .content.decode()
    )
    assert "Semaine non reconnue" in page and "du 9 mars au 15 mars 2026" in page


def test_parse_week_crosses_years():
    assert parse_week("2026-W01", TODAY) == (dt.date(2025, 12, 29), True)
    assert parse_week("2020-W53", TODAY) == (dt.date(2020, 12, 28), True)
    assert parse_week("2025-W53", TODAY) == (dt.date(2026, 3, 9), False)
    assert parse_week("semaine", TODAY) == (dt.date(2026, 3, 9), False)


def test_the_head_of_service_picks_a_worker_of_her_association(client, personas, file, colleague):
    book(file, personas.worker, colleague.user, dt.date(2026, 3, 12), 11)
    book(file, personas.worker, personas.worker.user, dt.date(2026, 3, 12), 15)
    login(client, personas.head)
    page = client.get(reverse("followup:agenda"), {"intervenante": colleague.user.pk}).content.decode()
    assert "Rendez-vous de Camille Collègue" in page
    assert "11:00 – 11:45" in page and "15:00 – 15:45" not in page
    assert (
        client.get(reverse("followup:agenda"), {"intervenante": personas.outsider.user.pk}).status_code == 404
    )
    assert (
        client.get(reverse("followup:agenda"), {"intervenante": personas.volunteer.user.pk}).status_code
        == 404
    )


def test_a_worker_cannot_look_at_a_colleagues_week(client, personas, file, colleague):
    book(file, personas.worker, colleague.user, dt.date(2026, 3, 12), 11)
    login(client, personas.worker)
    page = client.get(reverse("followup:agenda"), {"intervenante": colleague.user.pk}).content.decode()
    assert "Vos rendez-vous" in page and "11:00 – 11:45" not in page


def test_the_week_shows_only_appointments_of_the_current_association(client, personas, file):
    """A worker who also works for another association sees, under this one, only this one's."""
    elsewhere = MembershipFactory(organisation=personas.other_association, role="social_worker",
                                  user=personas.worker.user)  # fmt: skip
    from ..factories import PersonFactory

    other_file = PersonFactory(association=personas.other_association, first_name="Ailleursprenom")
    book(other_file, elsewhere, personas.worker.user, dt.date(2026, 3, 12), 16)
    book(file, personas.worker, personas.worker.user, dt.date(2026, 3, 12), 9)
    page = login(client, personas.worker).get(reverse("followup:agenda")).content.decode()
    assert "Prenomfictive" in page and "Ailleursprenom" not in page


@pytest.mark.parametrize("role", ["volunteer", "intern", "secretariat", "agent"])
def test_the_agenda_is_for_association_staff(client, personas, role):
    login(client, getattr(personas, role))
    assert client.get(reverse("followup:agenda")).status_code == 403
    assert client.get(reverse("followup:agenda_ics")).status_code == 403


# --- iCalendar export --------------------------------------------------------------------------------
def unfold(body: str) -> list[str]:
    assert body.endswith("\r\n")
    assert "\n" not in body.replace("\r\n", "")  # every line ends with CRLF, no bare LF
    return body.replace("\r\n ", "").split("\r\n")[:-1]


def events(lines: list[str]) -> list[dict[str, str]]:
    found, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, _sep, value = line.partition(":")
            current[name] = value
    return found


def test_the_export_is_a_calendar_without_any_name(client, personas, file):
    file.alias = "Aliasfictif"
    file.save()
    book(file, personas.worker, personas.worker.user, dt.date(2026, 3, 12), 10,
         place="Locaux de l'association, salle 2; rez-de-chaussée")  # fmt: skip
    response = login(client, personas.worker).get(reverse("followup:agenda_ics"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    body = response.content.decode()
    for identity in ("Prenomfictive", "Nomfictive", "NOMFICTIVE", "Aliasfictif", "1995"):
        assert identity.casefold() not in body.casefold()
    assert "Plainte" not in body and "justice" not in body  # what it is about is a telling word
    for raw in body.split("\r\n"):
        assert len(raw.encode()) <= 75
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    [event] = events(lines)
    assert event["SUMMARY"] == f"Rendez-vous Parcours {file.reference}"
    assert event["DTSTART"] == "20260312T090000Z" and event["DTEND"] == "20260312T094500Z"
    assert event["DTSTAMP"] == "20260310T090000Z"
    assert event["UID"].startswith("rdv-") and event["UID"].endswith("@parcours")
    assert event["LOCATION"] == "Locaux de l'association\\, salle 2\\; rez-de-chaussée"


def test_no_place_in_the_export_when_the_address_is_confidential(client, personas, file):
    file.address_confidential = True
    file.save()
    book(file, personas.worker, personas.worker.user, dt.date(2026, 3, 12), 10, place="Permanence du centre")
    body = login(client, personas.worker).get(reverse("followup:agenda_ics")).content.decode()
    [event] = events(unfold(body))
    assert "LOCATION" not in event and "Permanence du centre" not in body


def test_the_export_holds_only_her_coming_planned_appointments(client, personas, file, colleague):
    with clock.travel_to(dt.date(2026, 3, 2)):
        book(file, personas.worker, personas.worker.user, dt.date(2026, 3, 5), 10)  # past
    cancelled = book(file, personas.worker, personas.worker.user, dt.date(2026, 3, 13), 10)
    services.record_appointment_outcome(cancelled, personas.worker, "cancelled")
    book(file, personas.worker, colleague.user, dt.date(2026, 3, 13), 14)  # a colleague's
    kept = book(file, personas.worker, personas.worker.user, dt.date(2026, 3, 20), 10)
    body = login(client, personas.worker).get(reverse("followup:agenda_ics")).content.decode()
    assert [e["UID"].split("-")[1] for e in events(unfold(body))] == [str(kept.pk)]


def test_text_escaping_and_folding_at_75_octets():
    assert ics.escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    assert ics.escape_text("bip\x07") == "bip"
    line = "LOCATION:" + "é" * 100 + "x" * 30
    folded = ics.fold(line)
    physical = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in physical)
    assert all(p.startswith(" ") for p in physical[1:])
    assert folded.replace("\r\n ", "") == line
    assert ics.fold("SUMMARY:court") == "SUMMARY:court"
