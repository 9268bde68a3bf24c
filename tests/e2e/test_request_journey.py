"""An entry request from the first interview to the préfet's decision, through the browser, by the four
people who take part in it: the social worker, her head of service, the commission's secretariat and the
préfecture's agent. Each logs in through the login form and acts only through what the pages show."""

import datetime as dt
import re

import pytest
from django.utils.formats import date_format
from playwright.sync_api import expect

from parcours.core import clock
from parcours.pathway import rules

PASSWORD = "mot-de-passe-de-test"  # tests/factories.py: UserFactory.password
SCREENSHOT = "/tmp/e2e-person.png"  # noqa: S108 -- a fixed place to look at after a run

# The live server answers from its own thread, so the data must be committed (transaction=True). The flush
# that ends a transactional test also empties the départements that a migration loads: serialized_rollback
# reloads them at the start of this test, whatever transactional test ran before it (a later transactional
# test that needs them must ask the same).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def french(day: dt.date) -> str:
    return date_format(day, "j F Y")


def log_in(page, username):
    page.goto("/compte/connexion/")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()


def menu(page, label):
    """Follow a link of the main menu, opening first the drop-down that holds it (a role with more than seven
    entries reads them in groups: desk/context_processors.py)."""
    nav = page.get_by_role("navigation", name="Menu principal")
    link = nav.get_by_role("link", name=label, exact=True, include_hidden=True)
    if not link.is_visible():
        inner = page.get_by_role("link", name=label, exact=True, include_hidden=True)
        nav.locator("li.fr-nav__item").filter(has=inner).get_by_role("button").click()
    link.click()


def expect_message(page, text):
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def test_entry_request_from_first_interview_to_authorisation(page, personas):
    today = clock.today()
    period_end = rules.period_end(today, 6)

    # --- The social worker opens a file and prepares the entry request ---------------------------------
    with page.expect_response(re.compile(r"/static/dsfr/dist/dsfr/dsfr\.min\.css$")) as css:
        log_in(page, "travailleuse")
    # The live server serves django-dsfr's static files (see conftest.py) and the browser applies them.
    assert css.value.status == 200, css.value.status
    assert "Marianne" in page.evaluate("getComputedStyle(document.body).fontFamily")
    menu(page, "Personnes suivies")
    expect(page.get_by_role("heading", name="Personnes suivies")).to_be_visible()
    page.get_by_role("link", name="Nouvelle personne").click()
    expect(page.get_by_role("heading", name="Nouvelle personne")).to_be_visible()
    page.get_by_label("Prénom").fill("Exempla")
    page.get_by_label("Nom", exact=True).fill("Fictivenom")
    page.get_by_label("Date de naissance").fill("1996-04-12")
    page.get_by_label("Département de résidence").select_option(label="Gard (30)")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect_message(page, "Le dossier est créé.")
    expect(page.get_by_role("heading", name="Exempla FICTIVENOM")).to_be_visible()
    expect(page.get_by_text("Aucun parcours de sortie pour cette personne.")).to_be_visible()

    page.get_by_role("link", name="Préparer une demande d'engagement dans le parcours").click()
    expect(page.get_by_role("heading", name="Demande d'engagement")).to_be_visible()
    page.get_by_label("Motivation et projet d'insertion").fill("Projet fictif : formation d'aide-cuisinière.")
    # DSFR draws its own box over the real (visually hidden) checkbox: the user clicks the label.
    page.get_by_text("L'attestation sur l'honneur de cessation").click()
    expect(page.get_by_label("L'attestation sur l'honneur de cessation")).to_be_checked()
    page.get_by_label("Date de signature par la personne et l'association").fill(today.isoformat())
    page.get_by_label("Domaine").first.select_option(label="Emploi, formation")
    page.get_by_label("Action prévue").first.fill("Inscription à une formation fictive")
    page.get_by_label("Échéance").first.fill((today + dt.timedelta(days=90)).isoformat())
    page.get_by_label("Engagement de la personne").first.fill("Suivre les cours de français")
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect_message(page, "La demande est enregistrée.")
    expect(page.get_by_text("Brouillon", exact=True)).to_be_visible()
    expect(page.get_by_text("Inscription à une formation fictive")).to_be_visible()
    expect(page.get_by_text("Suivre les cours de français")).to_be_visible()
    # The hand-off is said, not guessed (issue 8, point 3).
    page.get_by_role("button", name="Soumettre à la validation").click()
    expect_message(page, "Action enregistrée : Soumettre à la validation.")
    log_out(page)

    # --- The head of service validates it and sends it to the commission ---------------------------------
    log_in(page, "cheffe")
    expect(page.get_by_role("heading", name="À faire", exact=True)).to_be_visible()
    ready = page.get_by_role("region", name="Demandes soumises à la validation : à valider")
    # The to-do line opens the request itself, not the person's summary (issue 8, point 4).
    ready.get_by_role("link", name="Exempla FICTIVENOM").click()
    page.get_by_role("button", name="Valider la demande").click()
    expect_message(page, "Action enregistrée : Valider la demande.")
    expect(page.get_by_text("Validée par l'association", exact=True)).to_be_visible()
    page.get_by_role("button", name="Transmettre à la commission").click()
    expect_message(page, "Action enregistrée : Transmettre à la commission.")
    expect(page.get_by_text("Transmise à la commission", exact=True)).to_be_visible()
    expect(page.get_by_text(f"transmise le {french(today)}")).to_be_visible()
    log_out(page)

    # --- The secretariat plans a session, puts the request on its agenda and records the avis -----------
    log_in(page, "secretariat")
    menu(page, "Séances")
    expect(page.get_by_role("heading", name="Séances de la commission")).to_be_visible()
    page.get_by_label("Date de la séance").fill(today.isoformat())
    page.get_by_label("Lieu").fill("Salle fictive de la préfecture")
    page.get_by_role("button", name="Créer une séance").click()
    expect_message(page, "La séance est créée.")
    expect(page.get_by_role("heading", name=f"Séance du {today:%d/%m/%Y}")).to_be_visible()
    waiting = page.get_by_role("listitem").filter(has_text="Exempla FICTIVENOM")
    waiting.get_by_role("button", name="Inscrire à l'ordre du jour").click()
    expect_message(page, "La demande est inscrite à l'ordre du jour.")
    agenda = page.get_by_role("table", name="Ordre du jour")
    row = agenda.get_by_role("row").filter(has_text="Exempla FICTIVENOM")
    row.get_by_role("combobox", name=re.compile("^Avis")).select_option(label="Favorable")
    page.get_by_role("button", name="Enregistrer les avis").click()
    expect_message(page, "1 avis enregistré.")
    expect(row.get_by_text("Favorable", exact=True)).to_be_visible()
    log_out(page)

    # --- The préfecture's agent authorises the pathway -----------------------------------------------------
    log_in(page, "prefecture")
    menu(page, "Décisions")
    waiting = page.get_by_role("table", name="Demandes en attente de décision")
    row = waiting.get_by_role("row").filter(has_text="Exempla FICTIVENOM")
    expect(row.get_by_text("Avis rendu, en attente de décision")).to_be_visible()
    row.get_by_role("link", name=re.compile("^Demande d'engagement")).click()
    expect(page.get_by_role("heading", name="Avis de la commission : Favorable")).to_be_visible()
    page.get_by_role("link", name="Enregistrer la décision").click()
    expect(page.get_by_role("heading", name="Décision du préfet")).to_be_visible()
    page.get_by_text("Autoriser", exact=True).click()
    expect(page.get_by_label("Autoriser")).to_be_checked()
    page.get_by_label("Date de la décision", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect_message(page, "La décision est enregistrée.")
    expect(page.get_by_text("Autorisée", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Décision du préfet : Autorisation")).to_be_visible()
    log_out(page)

    # --- The social worker finds the pathway running for six months, and its history --------------------
    log_in(page, "travailleuse")
    menu(page, "Personnes suivies")
    page.get_by_role("row").filter(has_text="Exempla FICTIVENOM").get_by_role("link").click()
    pathway = page.get_by_role("region", name=re.compile("^Parcours"))
    expect(pathway.get_by_text("En cours", exact=True)).to_be_visible()
    expect(pathway).to_contain_text(f"n° 1, du {french(today)} au {french(period_end)}")
    expect(pathway).to_contain_text("Mois de parcours utilisés : 0 / 24 — 6 mois autorisés")  # issue 7, 7 d
    expect(pathway.get_by_role("listitem").filter(has_text="Demande d'engagement")).to_contain_text(
        "Autorisée"
    )
    # The history (the last list of the block) tells every step, oldest first, each dated today.
    history = pathway.get_by_role("list").last.get_by_role("listitem")
    expect(history).to_have_count(9)
    expect(history).to_contain_text([
        f"{french(today)} — {step}" for step in (
            "Ouverture du parcours",
            "Demande créée",
            "Demande soumise à la validation de la cheffe de service (Brouillon → Soumise à la validation)",
            "Demande validée par l'association (Soumise à la validation → Validée par l'association)",
            "Demande transmise à la commission (Validée par l'association → Transmise à la commission)",
            "Demande inscrite à l'ordre du jour (Transmise à la commission → Inscrite à une séance)",
            "Avis de la commission (Inscrite à une séance → Avis rendu, en attente de décision)",
            "Autorisation du préfet (Avis rendu, en attente de décision → Autorisée)",
            "Statut du parcours (Demande en préparation → En cours)",
        )
    ])  # fmt: skip
    page.screenshot(path=SCREENSHOT, full_page=True)
