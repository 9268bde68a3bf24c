"""A person's file from the first interview to her rights, through the browser (issue 3): the social worker
opens the file of a woman she will be the referent of, writes a sensitive interview note (which a colleague
of the same association sees only as « Note confidentielle »), plans an appointment, refers her to a
partner, files a document, writes two versions of her life story, reads her AFIS amount for 0, 1 and 4
children and the amount for a woman living in Mayotte, records her APS and reads its renewal deadline, and
finally finds her again in the caseload under a misspelled name."""

import datetime as dt
import re

import pytest
from django.utils.formats import date_format
from playwright.sync_api import expect

from parcours.core import clock
from parcours.people.models import Person
from parcours.records import samples
from parcours.rights import rules

from ..conftest import authorised_pathway
from ..factories import MembershipFactory, departement
from .test_request_journey import expect_message, log_in, log_out, menu

SCREENSHOT = "/tmp/e2e-person-file.png"  # noqa: S108 -- a fixed place to look at after a run
CANARY = "Canari-dossier-7c41"  # the sensitive note's text, which the colleague must never receive
NAME = "Chiamaka DÉMO-OKONKWO"
MAYOTTE_NAME = "Zaïna DÉMO-MADI"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def french(day: dt.date) -> str:
    return date_format(day, "j F Y")


def euros(amount) -> str:
    """An amount as the rights page prints it (`floatformat:2` in French): 343,20."""
    return f"{amount:.2f}".replace(".", ",")


def section(page, label):
    sections = page.get_by_role("navigation", name="Sections du dossier")
    sections.get_by_role("link", name=label, exact=True).click()


def create_person(page, first_name, last_name, birth_date, departement_label, *, referent=None, **situation):
    """Fill the creation form and save; returns the new file's number, read from the address."""
    menu(page, "Personnes suivies")
    page.get_by_role("link", name="Nouvelle personne").click()
    expect(page.get_by_role("heading", name="Nouvelle personne")).to_be_visible()
    if referent is not None:  # the form proposes the worker who opens the file as her referent
        expect(page.get_by_label("Travailleuse sociale référente").locator("option:checked")).to_have_text(
            referent
        )
    page.get_by_label("Prénom").fill(first_name)
    page.get_by_label("Nom", exact=True).fill(last_name)
    page.get_by_label("Date de naissance").fill(birth_date)
    page.get_by_label("Département de résidence").select_option(label=departement_label)
    page.get_by_label("Enfants à charge").fill(str(situation.get("children", 0)))
    if "nationality" in situation:
        page.get_by_role("combobox", name=re.compile("^Nationalité")).select_option(
            label=situation["nationality"]
        )
        page.get_by_label("Genre").select_option(label="Femme")
        page.get_by_role("combobox", name="Situation administrative").select_option(
            label="Autorisation provisoire de séjour (APS)"
        )
        page.get_by_label("Fin de validité du titre ou récépissé").fill(situation["permit_expiry"])
        page.get_by_label("Ressources mensuelles du foyer (€)").fill(situation["resources"])
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect_message(page, "Le dossier est créé.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{first_name} {last_name.upper()}")
    return int(re.search(r"/personnes/(\d+)/$", page.url)[1])


def set_children(page, count):
    section(page, "Identité et situation")
    page.get_by_role("link", name="Modifier").click()
    page.get_by_label("Enfants à charge").fill(str(count))
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect_message(page, "L'identité et la situation sont enregistrées.")
    section(page, "Droits")


def afis_amount(page, amount, territory):
    afis = page.get_by_role("region", name=re.compile("^AFIS"))
    expect(afis.get_by_text(f"{amount} € par mois", exact=True)).to_be_visible()
    expect(afis).to_contain_text(f"{amount} € par mois pour ")
    expect(afis).to_contain_text(f"à charge — {territory}")
    return afis


def test_worker_builds_a_person_file_and_checks_her_rights(page, personas, settings, tmp_path):
    settings.PARCOURS_DOCUMENTS_DIR = tmp_path / "documents"
    # A social worker of the same association who will not be the referent (password: the factory's).
    MembershipFactory(organisation=personas.association, role="social_worker", user__username="collegue")
    # The association also serves Mayotte, where the AFIS has a scale of its own.
    personas.association.departements_served.add(departement("976"))
    today = clock.today()
    tomorrow = today + dt.timedelta(days=1)
    aps_issued = today - dt.timedelta(days=20)
    aps_expiry = rules.add_months(aps_issued, 6) - dt.timedelta(days=1)
    scan = tmp_path / "aps-fictive.pdf"
    scan.write_bytes(samples.pdf("DOCUMENT FICTIF - APS"))

    # --- She opens the file; the creation form makes her the referent ----------------------------------
    log_in(page, "travailleuse")
    worker = str(personas.worker.user)
    pk = create_person(
        page, "Chiamaka", "Démo-Okonkwo", "1997-05-14", "Gard (30)", referent=worker, nationality="Nigeria",
        permit_expiry=aps_expiry.isoformat(), resources="150", children=0,
    )  # fmt: skip
    identity = page.get_by_role("definition")
    expect(identity.filter(has_text="Nigeria")).to_have_count(1)
    expect(identity.filter(has_text=worker)).to_have_count(1)

    # --- A sensitive interview note ---------------------------------------------------------------------
    section(page, "Entretiens")
    expect(page.get_by_role("heading", name="Notes d'entretien")).to_be_visible()
    expect(page.get_by_text("Aucune note d'entretien pour l'instant.")).to_be_visible()
    page.get_by_label("Domaine", exact=True).select_option(label="Plainte, justice")
    page.get_by_label("Compte rendu").fill(f"Entretien fictif sur la plainte. {CANARY}")
    # DSFR draws its own box over the real (visually hidden) checkbox: the user clicks the label.
    page.get_by_text("Note confidentielle").click()
    expect(page.get_by_label("Note confidentielle")).to_be_checked()
    page.get_by_role("button", name="Enregistrer la note").click()
    expect_message(page, "La note d'entretien est enregistrée.")
    note = page.get_by_role("article").filter(has_text=CANARY)
    expect(note.get_by_role("heading")).to_contain_text(f"{french(today)} — Plainte, justice")
    expect(note.get_by_text("Confidentielle", exact=True)).to_be_visible()

    # --- A colleague of the same association, not the referent, sees that the note exists, not its text --
    log_out(page)
    log_in(page, "collegue")
    menu(page, "Personnes suivies")
    page.get_by_role("link", name=NAME).click()
    section(page, "Entretiens")
    expect(page.get_by_text(f"Note confidentielle (Plainte, justice, {french(today)}, ")).to_be_visible()
    expect(page.get_by_text(CANARY)).to_have_count(0)
    assert CANARY not in page.content()
    log_out(page)
    log_in(page, "travailleuse")
    page.goto(f"/personnes/{pk}/")

    # --- An appointment ---------------------------------------------------------------------------------
    section(page, "Rendez-vous")
    page.get_by_label("Jour").fill(tomorrow.isoformat())
    page.get_by_label("Heure de début").fill("10:00")
    page.get_by_label("Heure de fin").fill("10:45")
    page.get_by_label("Objet").select_option(label="Séjour, asile")
    page.get_by_label("Lieu").fill("Locaux de l'association")
    page.get_by_role("button", name="Enregistrer le rendez-vous").click()
    expect_message(page, "Le rendez-vous est enregistré.")
    coming = page.get_by_role("table", name="Rendez-vous à venir")
    expect(coming).to_contain_text("Locaux de l'association")

    # --- A referral, with her oral agreement ------------------------------------------------------------
    section(page, "Orientations")
    expect(page.get_by_text("Aucune orientation pour l'instant.")).to_be_visible()
    page.get_by_label("Autre partenaire").fill("CIDFF fictif")
    page.get_by_label("Domaine", exact=True).select_option(label="Accès aux droits, papiers")
    page.get_by_label("Motif de l'orientation").fill("Information sur les droits des victimes")
    page.get_by_text("Accord oral de la personne").click()
    expect(page.get_by_label("Accord oral de la personne")).to_be_checked()
    page.get_by_role("button", name="Enregistrer l'orientation").click()
    expect_message(page, "L'orientation est enregistrée.")
    referral = (
        page.get_by_role("table", name="Orientations").get_by_role("row").filter(has_text="CIDFF fictif")
    )
    expect(referral).to_contain_text("accord oral")
    expect(referral).to_contain_text("Information sur les droits des victimes")

    # --- A document -------------------------------------------------------------------------------------
    section(page, "Documents")
    expect(page.get_by_text("Aucun document pour cette personne.")).to_be_visible()
    page.get_by_label("Type de document").select_option(label="Titre de séjour, récépissé ou APS")
    page.get_by_label("Intitulé").fill("Autorisation provisoire de séjour")
    page.get_by_label("Fin de validité").fill(aps_expiry.isoformat())
    page.get_by_label("Fichier").set_input_files(str(scan))
    page.get_by_role("button", name="Enregistrer le document").click()
    expect_message(page, "Le document est enregistré.")
    document = (
        page.get_by_role("table", name="Documents de la personne")
        .get_by_role("row")
        .filter(has_text="Autorisation provisoire de séjour")
    )
    expect(document).to_contain_text(french(aps_expiry))
    expect(document).to_contain_text("aps-fictive.pdf")
    expect(document.get_by_role("link", name="Télécharger")).to_be_visible()

    # --- Two versions of the life story -----------------------------------------------------------------
    section(page, "Récit de vie")
    expect(page.get_by_text("Aucun récit n'a encore été écrit pour cette personne.")).to_be_visible()
    story = page.get_by_label("Récit de vie")
    story.fill("Je suis arrivée en France en 2019.")
    page.get_by_label("Ce qui change dans cette version").fill("Premier entretien")
    page.get_by_role("button", name="Enregistrer la première version").click()
    expect_message(page, "La nouvelle version du récit est enregistrée.")
    expect(page.get_by_role("heading", name=re.compile("^Version actuelle : version 1 du"))).to_be_visible()
    story.fill(story.input_value() + "\nJ'ai commencé les cours de français.")
    page.get_by_label("Ce qui change dans cette version").fill("Cours de français")
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(page.get_by_role("heading", name=re.compile("^Version actuelle : version 2 du"))).to_be_visible()
    history = page.get_by_role("table", name="Historique des versions").get_by_role("row")
    expect(history).to_have_count(3)  # the header and both versions, the newest first
    expect(history.nth(1)).to_contain_text("Cours de français")
    expect(history.nth(1).get_by_role("link", name="Voir la version 2")).to_be_visible()
    expect(history.nth(2)).to_contain_text("Premier entretien")
    expect(history.nth(2).get_by_role("link", name="Voir la version 1")).to_be_visible()

    # --- Her rights: the AFIS amount for 0, 1 and 4 children --------------------------------------------
    # The AFIS needs an authorised period of the exit pathway. The browser journey of a request, from the
    # first interview to the préfet's decision, is tests/e2e/test_request_journey.py: here the period is
    # authorised through the services, all steps today (no clock travel needed).
    pathway = authorised_pathway(personas, Person.objects.get(pk=pk),
                                 submitted_on=today, session_on=today, decided_on=today)  # fmt: skip
    period_end = pathway.periods.get().end
    section(page, "Droits")
    mainland = "Métropole et outre-mer (hors Mayotte)"
    afis = afis_amount(page, "343,20", mainland)
    expect(afis.get_by_text("Éligible", exact=True)).to_be_visible()
    conditions = afis.get_by_role("table", name="Conditions de l'AFIS")
    expect(conditions.get_by_text("Remplie", exact=True)).to_have_count(5)
    expect(conditions).to_contain_text(f"Période autorisée du {french(today)} au {french(period_end)}.")
    expect(afis).to_contain_text("Barème « 2022 »")
    expect(afis.get_by_text("montant à vérifier", exact=True)).to_have_count(0)
    set_children(page, 1)
    afis_amount(page, "449,28", mainland)
    expect(afis).to_contain_text("pour 1 enfant à charge")
    set_children(page, 4)
    afis_amount(page, "767,52", mainland)
    expect(afis).to_contain_text("pour 4 enfants à charge")

    # The request to the MSA, and the reminder two months later if nothing was paid.
    afis_form = page.get_by_role("form", name="Dossier d’AFIS")
    afis_form.get_by_label("Demande adressée à la MSA le").fill(today.isoformat())
    afis_form.get_by_role("button", name="Enregistrer la demande d'AFIS").click()
    expect_message(page, "Le dossier d'AFIS est enregistré.")
    expect(afis.get_by_role("heading", name="AFIS en cours")).to_be_visible()
    expect(afis).to_contain_text(
        "Prochaine échéance : Relancer la MSA : aucun premier versement depuis la demande du "
        f"{french(today)} — {french(rules.msa_chase_on(today))}"
    )

    # --- Her APS and its renewal deadline ---------------------------------------------------------------
    aps = page.get_by_role("region", name=re.compile("^APS"))
    expect(aps).to_contain_text("Prochaine échéance : Aucune échéance")
    lead = rules.aps_renewal_lead_days()
    expect(aps).to_contain_text(f"Le renouvellement est à demander {lead} jours avant l'expiration.")
    aps_form = page.get_by_role("form", name="Dossier d’APS")
    aps_form.get_by_label("Demande d'APS déposée à la préfecture le").fill(
        (aps_issued - dt.timedelta(days=30)).isoformat()
    )
    aps_form.get_by_label("APS délivrée le").fill(aps_issued.isoformat())
    aps_form.get_by_label("APS valable jusqu'au").fill(aps_expiry.isoformat())
    aps_form.get_by_role("button", name="Enregistrer l'APS").click()
    expect_message(page, "La nouvelle APS est enregistrée.")
    renewal_due = rules.aps_renewal_due(aps_expiry)
    assert renewal_due == aps_expiry - dt.timedelta(days=lead)
    deadline = (
        f"Renouvellement de l'APS à demander (expire le {french(aps_expiry)} ; période de parcours "
        f"jusqu'au {french(period_end)}) — {french(renewal_due)}"
    )
    expect(aps).to_contain_text(f"Prochaine échéance : {deadline}")
    expect(aps).to_contain_text(f"APS délivrée : {french(aps_issued)}, valable jusqu'au {french(aps_expiry)}")
    expect(conditions).to_contain_text(f"APS délivrée, valable jusqu'au {french(aps_expiry)}")

    # --- A woman living in Mayotte: the amount of the Mayotte scale in force today ----------------------
    expected = rules.afis_amount(4, rules.Territory.MAYOTTE, today)
    assert expected.scale.code.endswith("-976")
    create_person(page, "Zaïna", "Démo-Madi", "1994-02-03", "Mayotte (976)", children=4)
    section(page, "Droits")
    mayotte = afis_amount(page, euros(expected.amount), "Mayotte")
    expect(mayotte).to_contain_text(f"Barème « {expected.scale.code} »")
    expect(mayotte.get_by_text("montant à vérifier", exact=True)).to_have_count(0 if expected.verified else 1)

    # --- She finds Chiamaka again under a misspelled name -------------------------------------------------
    for typed in ("Chiamka Okonkwo", "chiamaka okonkow"):
        menu(page, "Personnes suivies")
        page.get_by_label("Rechercher par nom").fill(typed)
        page.get_by_role("button", name="Filtrer").click()
        expect(page.get_by_text("1 personne", exact=True)).to_be_visible()
        found = page.get_by_role("table", name="Personnes suivies")
        expect(found.get_by_role("link")).to_have_text([NAME])  # her, and not Zaïna
        expect(found).not_to_contain_text(MAYOTTE_NAME)
    row = found.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text("En cours")
    row.get_by_role("link", name=NAME).click()

    # --- The synthesis gathers it all -------------------------------------------------------------------
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    follow_up = page.get_by_role("region", name="Suivi", exact=True)
    expect(follow_up).to_contain_text(f"{date_format(tomorrow, 'l j F Y')} à 10:00 — Séjour, asile")
    expect(follow_up).to_contain_text(f"Dernier entretien {french(today)}")
    records = page.get_by_role("region", name="Documents et récit de vie")
    expect(records).to_contain_text("1 document, aucun à renouveler dans les 60 jours.")
    expect(records).to_contain_text(f"Récit de vie : version 2 du {french(today)}.")
    rights = page.get_by_role("region", name="Droits", exact=True)
    expect(rights).to_contain_text(f"APS : {deadline}")
    expect(rights).to_contain_text("AFIS : Relancer la MSA")
    expect(page.get_by_role("region", name=re.compile("^Parcours"))).to_contain_text(
        f"du {french(today)} au {french(period_end)}"
    )
    page.screenshot(path=SCREENSHOT, full_page=True)
