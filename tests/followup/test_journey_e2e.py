"""The follow-up in a browser: the referent records a sensitive note, an appointment and a referral, finds
the appointment in her week and exports it without any name; a colleague sees only that the note exists."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from parcours.core import clock

from ..e2e.conftest import browser, page  # noqa: F401 (browser fixtures shared with the journeys)
from ..e2e.test_request_journey import expect_message, log_in, log_out
from ..factories import MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
CANARY = "Canari-journee-5b2e"


@pytest.fixture(autouse=True)
def frozen_today():
    """The live server runs in its own thread, on the real clock: this journey does not freeze time."""
    yield


def test_referent_follows_a_person_and_a_colleague_cannot_read_the_sensitive_note(page, personas):  # noqa: F811
    MembershipFactory(organisation=personas.association, role="social_worker", user__username="collegue")
    person = personas.person(
        referent=personas.worker.user, first_name="Journeeprenom", last_name="Journeenom"
    )
    tomorrow = clock.today() + dt.timedelta(days=1)
    year, week, _day = tomorrow.isocalendar()

    log_in(page, "travailleuse")
    page.goto(f"/suivi/personnes/{person.pk}/entretiens/")
    expect(page.get_by_role("heading", name="Notes d'entretien")).to_be_visible()
    page.get_by_label("Domaine", exact=True).select_option(label="Plainte, justice")
    page.get_by_label("Compte rendu").fill(f"Entretien fictif. {CANARY}")
    page.locator("label[for=id_sensitive]").click()  # DSFR draws its box over the hidden checkbox
    expect(page.get_by_label("Note confidentielle")).to_be_checked()
    page.get_by_role("button", name="Enregistrer la note").click()
    expect_message(page, "La note d'entretien est enregistrée.")
    expect(page.get_by_text(CANARY)).to_be_visible()

    page.get_by_role("link", name="Rendez-vous", exact=True).click()
    page.get_by_label("Jour").fill(tomorrow.isoformat())
    page.get_by_label("Heure de début").fill("10:00")
    page.get_by_label("Heure de fin").fill("09:30")
    page.get_by_role("button", name="Enregistrer le rendez-vous").click()
    expect(
        page.get_by_role("alert").filter(has_text="Le rendez-vous doit finir après son début.")
    ).to_be_visible()
    page.get_by_label("Heure de fin").fill("10:45")
    page.get_by_label("Objet").select_option(label="Santé")
    page.get_by_label("Lieu").fill("Locaux de l'association")
    page.get_by_role("button", name="Enregistrer le rendez-vous").click()
    expect_message(page, "Le rendez-vous est enregistré.")

    page.get_by_role("link", name="Orientations", exact=True).click()
    page.get_by_label("Autre partenaire").fill("CIDFF fictif")
    page.get_by_label("Motif de l'orientation").fill("Information sur les droits")
    page.locator("label[for=id_oral_agreement]").click()
    expect(page.get_by_label("Accord oral de la personne")).to_be_checked()
    page.get_by_role("button", name="Enregistrer l'orientation").click()
    expect_message(page, "L'orientation est enregistrée.")
    expect(page.get_by_role("cell", name=re.compile("CIDFF fictif"))).to_be_visible()

    page.goto(f"/suivi/agenda/?semaine={year}-W{week:02d}")
    expect(page.get_by_role("link", name="Journeeprenom JOURNEENOM")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Exporter mes rendez-vous")).click()
    with open(download.value.path(), "rb") as ics:
        body = ics.read().decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert f"SUMMARY:Rendez-vous Parcours {person.reference}" in body
    assert "Journee" not in body and "JOURNEE" not in body
    assert f"DTSTART:{tomorrow:%Y%m%d}T" in body  # 10:00 in Paris is 08:00 or 09:00 UTC: same day

    log_out(page)
    log_in(page, "collegue")
    page.goto(f"/suivi/personnes/{person.pk}/entretiens/")
    expect(page.get_by_text(re.compile(r"Note confidentielle \(Plainte, justice, "))).to_be_visible()
    assert CANARY not in page.content()
