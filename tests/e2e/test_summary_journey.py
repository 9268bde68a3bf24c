"""The person's summary through the browser: on her page, her referent finds « Résumé pour la personne »
with the language of her file already chosen, picks another one in the list and downloads the PDF, which is
in that language (read by pdftotext)."""

import pytest
from playwright.sync_api import expect

from ..tools import pdf_text
from .test_request_journey import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_referent_downloads_the_summary_in_the_language_she_chooses(page, personas):
    person = personas.person(referent=personas.worker.user, first_name="Resumina", last_name="Démo-Langues",
                             languages="roumain, français")  # fmt: skip
    log_in(page, "travailleuse")
    page.goto(f"/personnes/{person.pk}/")
    expect(page.get_by_role("heading", name="Résumé pour la personne")).to_be_visible()
    language = page.get_by_label("Langue du résumé")
    expect(language).to_have_value("ro")  # the first of her languages that the paper speaks
    language.select_option(label="Español (espagnol)")
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger le résumé (PDF)").click()
    assert download.value.suggested_filename == f"resume-{person.reference}-es.pdf"
    with open(download.value.path(), "rb") as f:
        text = pdf_text(f.read())
    assert "Su itinerario: resumen personal" in text
    assert "Resumina DÉMO-LANGUES" in text
