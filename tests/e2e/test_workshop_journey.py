"""A workshop through the browser (issue 11): on a phone-sized screen, the social worker opens today's session
of a series and records who came; the volunteer then sees the series, its dates and counts, and no name."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.workshops import services
from parcours.workshops.models import Attendance

from .test_request_journey import expect_message, log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


def fits(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_the_worker_records_attendance_on_a_phone_and_the_volunteer_sees_counts_only(page, personas):
    today = clock.today()
    ada = personas.person(first_name="Adélaïdine", last_name="Démo-Atelier")
    bea = personas.person(first_name="Bérangèrine", last_name="Démo-Atelier")
    series = services.create_series(
        personas.worker, topic="money", label="Rapport à l'argent (démonstration)",
        starts_on=today - dt.timedelta(days=7), ends_on=today + dt.timedelta(days=60),
        external_facilitator="Point conseil budget fictif",
    )  # fmt: skip
    services.add_session(
        series, personas.worker, date=today, starts_at=dt.time(9, 30), ends_at=dt.time(11, 30)
    )
    services.enrol(series, personas.worker, ada)
    services.enrol(series, personas.worker, bea)

    # --- The social worker, on her phone ----------------------------------------------------------------
    log_in(page, "travailleuse")
    page.set_viewport_size(PHONE)  # after the login: on a phone « Se déconnecter » sits in the menu
    page.goto("/ateliers/")
    page.get_by_role("link", name="Rapport à l'argent (démonstration)").click()
    expect(page.get_by_role("heading", name="Rapport à l'argent (démonstration)")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Présences")).click()
    expect(page.get_by_role("heading", name="Présences")).to_be_visible()
    assert fits(page), "the attendance form is wider than 375 px"
    page.get_by_role("group", name=re.compile("Adélaïdine")).get_by_text("Présente", exact=True).click()
    page.get_by_role("group", name=re.compile("Bérangèrine")).get_by_text("Excusée", exact=True).click()
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect_message(page, "Présences enregistrées")
    assert fits(page)
    assert dict(Attendance.objects.values_list("person_id", "status")) == {
        ada.pk: "present",
        bea.pk: "excused",
    }
    assert AccessLog.objects.filter(event="workshop_attendance.record").count() == 2
    page.set_viewport_size(DESKTOP)
    log_out(page)

    # --- The volunteer sees the series and its counts, never a name -----------------------------------------
    log_in(page, "benevole")
    page.set_viewport_size(PHONE)
    page.goto("/ateliers/")
    page.get_by_role("link", name="Rapport à l'argent (démonstration)").click()
    expect(page.get_by_text("2 participantes inscrites")).to_be_visible()
    expect(page.get_by_role("cell", name="1", exact=True)).to_be_visible()  # one present today
    assert fits(page)
    content = page.content()
    for text in ("Adélaïdine", "Bérangèrine", "Démo-Atelier", ada.reference, bea.reference):
        assert text not in content
    response = page.goto(f"/personnes/{ada.pk}/")
    assert response is not None and response.status == 404  # not even told the file exists (issue 11)
    assert "Adélaïdine" not in page.content()
