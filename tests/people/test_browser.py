"""A social worker opens a file, records the safe-contact rules, another name and a consent, is warned when
she starts a second file for what may be the same woman, and finds her again with a misspelled name."""

import pytest
from playwright.sync_api import expect

from ..e2e.test_request_journey import expect_message, log_in, menu

SCREENSHOT = "/tmp/e2e-situation.png"  # noqa: S108 -- a fixed place to look at after a run

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def fill_identity(page, first_name, last_name, birth_date):
    page.get_by_label("Prénom").fill(first_name)
    page.get_by_label("Nom", exact=True).fill(last_name)
    page.get_by_label("Date de naissance").fill(birth_date)
    page.get_by_label("Département de résidence").select_option(label="Gard (30)")


def test_worker_keeps_the_file_safe_and_finds_her_again(page, personas):
    log_in(page, "travailleuse")
    menu(page, "Personnes suivies")
    page.get_by_role("link", name="Nouvelle personne").click()
    fill_identity(page, "Chiamaka", "Fictivenom", "1997-05-14")
    page.get_by_label("Langues parlées").fill("anglais, igbo")
    page.get_by_label("Numéro sûr").fill("07 00 00 00 04")
    page.get_by_text("Ne jamais appeler").click()  # DSFR draws the box over the real checkbox
    page.get_by_label("Hébergement").fill("Foyer fictif des Acacias")
    page.get_by_text("Adresse confidentielle").click()
    page.get_by_role("combobox", name="Situation administrative").select_option(label="Demandeuse d'asile")
    page.get_by_label("Consentement au traitement des données recueilli le").fill("2026-01-05")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect_message(page, "Le dossier est créé.")
    banner = page.get_by_role("note")
    expect(banner).to_contain_text("Contact sous conditions")
    expect(banner).to_contain_text("Ne jamais l'appeler.")
    expect(banner).to_contain_text("07 00 00 00 04")

    page.get_by_role("link", name="Identité et situation").click()
    expect(page.get_by_role("heading", name="Lieu de vie confidentiel")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("Contact sous conditions")
    page.get_by_label("Autre nom, alias ou graphie").fill("Tchiamaka Fiktivnom")
    page.get_by_role("button", name="Ajouter ce nom").click()
    expect_message(page, "Le nom est ajouté.")
    expect(page.get_by_role("button", name="Retirer Tchiamaka Fiktivnom")).to_be_visible()

    page.get_by_role("link", name="Enregistrer un consentement").click()
    page.get_by_text("Partage avec un partenaire").click()
    page.get_by_label("Ou nom du partenaire").fill("CIDFF fictif")
    page.get_by_label("Ce qui peut être partagé").fill("situation administrative")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect_message(page, "Le consentement est enregistré.")
    consents = page.get_by_role("table", name="Consentements")
    expect(consents.get_by_role("row").filter(has_text="CIDFF fictif")).to_contain_text("actif")
    consents.get_by_role("row").filter(has_text="CIDFF fictif").get_by_role(
        "button", name="Enregistrer le retrait"
    ).click()
    expect_message(page, "Le retrait du consentement est enregistré.")
    expect(consents.get_by_role("row").filter(has_text="CIDFF fictif")).to_contain_text("retiré")
    page.screenshot(path=SCREENSHOT, full_page=True)

    # A second file for a woman born the same day under a close spelling: warned, then confirmed.
    menu(page, "Personnes suivies")
    page.get_by_role("link", name="Nouvelle personne").click()
    fill_identity(page, "Chiamka", "Fictivenom", "1997-05-14")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="nom proche est déjà suivie")).to_contain_text(
        "Chiamaka FICTIVENOM"
    )
    page.get_by_text("Il s'agit bien d'une autre personne").click()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect_message(page, "Le dossier est créé.")

    menu(page, "Personnes suivies")
    page.get_by_label("Rechercher par nom").fill("Tchiamaka")  # the other name, recorded on the first file
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("1 personne", exact=True)).to_be_visible()
    page.get_by_label("Rechercher par nom").fill("Fiktyvenom")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("2 personnes")).to_be_visible()
    expect(page.get_by_role("table")).not_to_contain_text("Acacias")
