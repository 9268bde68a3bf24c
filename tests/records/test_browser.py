"""The referent files a document and writes two versions of a life story through the browser, then exports
it; a colleague who is not the referent is told why she cannot read it. Debian's chromium, as in tests/e2e."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from ..e2e.conftest import browser, page  # noqa: F401 -- the browser fixtures of the journeys
from .conftest import pdf_bytes

PASSWORD = "mot-de-passe-de-test"  # tests/factories.py: UserFactory.password
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in(page, username):  # noqa: F811 -- the page fixture
    page.goto("/compte/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def sections(browser_page):
    return browser_page.get_by_role("navigation", name="Sections du dossier")


def test_referent_files_a_document_and_writes_the_life_story(page, personas, colleague, tmp_path):  # noqa: F811
    person = personas.person(first_name="Exempla", last_name="Fictivenom", referent=personas.worker.user)
    scan = tmp_path / "récépissé préfecture.pdf"
    scan.write_bytes(pdf_bytes())
    fake = tmp_path / "facture.pdf"
    fake.write_bytes(b"MZ" + b"\x00" * 500)  # an executable with a .pdf name

    log_in(page, "travailleuse")
    page.goto(f"/personnes/{person.pk}/")
    sections(page).get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", name="Documents", exact=True)).to_be_visible()

    # A renamed executable is refused on its content.
    page.get_by_label("Type de document").select_option(label="Attestation")
    page.get_by_label("Fichier").set_input_files(str(fake))
    page.get_by_role("button", name="Enregistrer le document").click()
    expect(page.get_by_role("alert").filter(has_text="n'est pas un PDF")).to_be_visible()
    expect(page.get_by_text("Aucun document pour cette personne.")).to_be_visible()

    page.get_by_label("Type de document").select_option(label="Titre de séjour, récépissé ou APS")
    page.get_by_label("Intitulé").fill("Récépissé de demande de titre")
    page.get_by_label("Fin de validité").fill("2030-06-30")
    page.get_by_label("Fichier").set_input_files(str(scan))
    page.get_by_role("button", name="Enregistrer le document").click()
    expect(page.get_by_role("status").filter(has_text="Le document est enregistré.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Récépissé de demande de titre")
    expect(row).to_contain_text("30 juin 2030")
    with page.expect_download() as download:
        row.get_by_role("link", name="Télécharger").click()
    assert download.value.suggested_filename == "récépissé préfecture.pdf"
    assert Path(download.value.path()).read_bytes() == pdf_bytes()

    sections(page).get_by_role("link", name="Récit de vie").click()
    expect(page.get_by_text("Aucun récit n'a encore été écrit pour cette personne.")).to_be_visible()
    page.get_by_label("Récit de vie").fill(
        "Je suis arrivée en France en 2019.\nJ'ai été hébergée par une « tante »."
    )
    page.get_by_label("Ce qui change dans cette version").fill("Premier entretien")
    page.get_by_role("button", name="Enregistrer la première version").click()
    expect(
        page.get_by_role("status").filter(has_text="La nouvelle version du récit est enregistrée.")
    ).to_be_visible()
    # Saving the same text again creates nothing.
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(
        page.get_by_role("alert").filter(has_text="Le texte n'a pas changé depuis la version 1")
    ).to_be_visible()
    text = page.get_by_label("Récit de vie")
    text.fill(text.input_value() + "\nJ'ai commencé les cours de français.")
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(page.get_by_role("heading", name="Version actuelle : version 2")).to_be_visible()

    page.get_by_role("button", name="Comparer").click()
    expect(page.get_by_role("heading", name="Récit de vie : de la version 1 à la version 2")).to_be_visible()
    expect(page.locator("ins")).to_contain_text("J'ai commencé les cours de français.")
    page.get_by_role("link", name="Retour au récit de vie").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter en PDF pour l'OFPRA").click()
    assert download.value.suggested_filename == f"recit-de-vie-{person.reference}-v2.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    page.get_by_role("button", name="Se déconnecter").click()

    log_in(page, "collegue")
    page.goto(f"/personnes/{person.pk}/")
    sections(page).get_by_role("link", name="Récit de vie").click()
    expect(page.get_by_role("heading", name="Accès réservé")).to_be_visible()
    expect(page.get_by_text("Je suis arrivée en France")).to_have_count(0)
