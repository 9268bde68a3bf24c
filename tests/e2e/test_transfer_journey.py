"""Moving a person's file through the browser: her referent asks for the transfer from her page, with her
consent; the head of service of the receiving association finds it on her to-do page, reads a summary without
the name, accepts it and lands on the file; the former referent can no longer open it."""

import re

import pytest
from playwright.sync_api import expect

from parcours.core import clock

from ..factories import MembershipFactory
from .test_request_journey import expect_message, log_in, log_out, menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_file_moves_from_one_association_to_another(page, personas):
    receiver = personas.other_association
    MembershipFactory(organisation=receiver, role="head_of_service", user__username="cheffe-accueil",
                      user__first_name="Ombeline", user__last_name="Démo-Accueil")  # fmt: skip
    person = personas.person(
        referent=personas.worker.user, first_name="Transferina", last_name="Démo-Voyageuse"
    )
    person_url = f"/personnes/{person.pk}/"

    # --- Her referent asks for the transfer, with her consent ----------------------------------------------
    log_in(page, "travailleuse")
    page.goto(person_url)
    page.get_by_role("link", name="Transférer le dossier à une autre association").click()
    expect(page.get_by_role("heading", name="Transférer le dossier à une autre association")).to_be_visible()
    page.get_by_label("Association qui reprendra le dossier").select_option(label=f"{receiver.name} (30)")
    expect(page.get_by_label("Consentement de la personne recueilli le")).to_have_value(
        clock.today().isoformat()
    )
    page.get_by_text("Accord écrit signé par la personne").click()
    page.get_by_role("button", name="Demander le transfert").click()
    expect_message(page, "La demande de transfert est envoyée")
    reference = page.get_by_role("heading", name=re.compile(r"Transfert de dossier T-\d+")).inner_text()
    expect(page.get_by_text("Transferina DÉMO-VOYAGEUSE")).to_be_visible()  # still her file
    log_out(page)

    # --- The receiving head of service accepts it from her to-do page ---------------------------------------
    log_in(page, "cheffe-accueil")
    menu(page, "À faire")
    page.get_by_role("link", name=f"Dossier {person.reference} à reprendre").click()
    expect(page.get_by_role("heading", name=reference)).to_be_visible()
    expect(page.get_by_text("Résumé sans identité")).to_be_visible()
    assert "Transferina" not in page.content()
    page.get_by_role("link", name="Accepter le transfert").click()
    expect(page.get_by_label("Nouvelle référente de la personne")).to_have_value(re.compile(r"\d+"))
    page.get_by_role("button", name="Accepter et reprendre le dossier").click()
    expect_message(page, "Le transfert est accepté")
    expect(page.get_by_role("heading", name="Transferina DÉMO-VOYAGEUSE")).to_be_visible()
    log_out(page)

    # --- The former referent no longer reaches the file -----------------------------------------------------
    log_in(page, "travailleuse")
    response = page.goto(person_url)
    assert response is not None and response.status == 404
    menu(page, "À faire")
    page.get_by_role("link", name="Tous les transferts de dossiers").click()
    expect(page.get_by_role("cell", name=person.reference)).to_be_visible()
    assert "Transferina" not in page.content()
