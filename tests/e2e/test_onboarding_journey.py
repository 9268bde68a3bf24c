"""Issue 9, "Done when": the national administrator creates an association and invites its head of service,
who accepts (the link read from the e-mail sent), sets her password, enrols an authenticator application,
and invites a social worker; the social worker accepts, enrols, logs in again (password, then a recovery
code) and creates a person. The second factor is required (PARCOURS_MFA_REQUIRED), as in production; codes
are computed with django-otp's own TOTP (RFC 6238) from the key the enrolment page shows."""

import base64
import re

import pytest
from django.core import mail
from django_otp.oath import totp
from playwright.sync_api import expect

from parcours.accounts.models import Membership
from parcours.people.models import Person

from .test_request_journey import expect_message, log_in, log_out, menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
NEW_PASSWORD = "une phrase de passe fictive et longue"


def invitation_link(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    return re.search(r"https?://\S+/invitation/[\w-]+/", message.body)[0]


def invite(page, email, role_label):
    page.get_by_role("link", name="Inviter une personne").click()
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Rôle").select_option(label=role_label)
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect_message(page, f"L'invitation est envoyée à {email}")


def accept_and_enrol(page, link, username) -> list[str]:
    """Open the e-mail's link logged out, choose the identifier and password, enrol an application; returns
    the recovery codes shown once."""
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rejoindre")
    page.get_by_label("Identifiant de connexion").fill(username)
    page.get_by_label(re.compile(r"^\s*Mot de passe")).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Créer mon accès").click()
    # Logged in, but nothing opens before a second factor: no menu, every other page sends back here.
    expect(page.get_by_role("heading", name="Sécurité du compte", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Menu principal")).to_have_count(0)
    page.goto("/parcours/a-faire/")
    expect(page.get_by_role("heading", name="Sécurité du compte", level=1)).to_be_visible()
    page.get_by_role("link", name="Ajouter une application d'authentification").click()
    secret = page.locator("#cle-totp").inner_text().replace(" ", "")
    code = f"{totp(base64.b32decode(secret)):06d}"
    page.get_by_label("Code à 6 chiffres affiché par l'application").fill(code)
    page.get_by_role("button", name="Enregistrer l'application").click()
    expect(page.get_by_role("heading", name="Codes de secours", level=1)).to_be_visible()
    page.get_by_role("button", name="Générer mes codes de secours").click()
    codes = page.get_by_role("list", name="Codes de secours").get_by_role("listitem").all_inner_texts()
    page.get_by_role("link", name="Continuer vers Parcours").click()
    return [c.strip() for c in codes]


def test_national_admin_to_head_of_service_to_social_worker_who_creates_a_person(page, personas, settings):
    settings.PARCOURS_MFA_REQUIRED = True

    # The national administration creates the association (not an identity role: password only here).
    log_in(page, "national")
    menu(page, "Administration")
    page.get_by_role("link", name="Nouvelle organisation").click()
    page.get_by_label("Type").select_option(label="Association agréée")
    page.get_by_label("Nom", exact=True).fill("Association Démo-Horizon")
    page.get_by_label("Département (siège d'une association)").select_option(value="34")
    page.get_by_label("SIRET").fill("12345678901234")
    page.get_by_label("Numéro d'agrément").fill("AGR-34-2025-07")
    page.get_by_label("Début de l'agrément").fill("2025-01-15")
    page.get_by_label("Département d'intervention 1").select_option(value="30")
    page.get_by_role("button", name="Enregistrer").click()
    expect_message(page, "L'organisation « Association Démo-Horizon » est créée.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès à Association Démo-Horizon")
    invite(page, "demo-cheffe@example.org", "Cheffe de service")
    expect(page.get_by_role("table", name="Invitations")).to_contain_text("en attente")
    log_out(page)

    # The head of service accepts, enrols, and invites a social worker.
    accept_and_enrol(page, invitation_link("demo-cheffe@example.org"), "demo-cheffe")
    expect(page.get_by_role("heading", name="À faire", exact=True)).to_be_visible()
    menu(page, "Administration")
    page.get_by_role("link", name="Association Démo-Horizon", exact=True).click()
    expect(page.get_by_role("table", name="Membres")).to_contain_text("demo-cheffe")
    expect(page.get_by_role("table", name="Membres")).to_contain_text("enregistrée")
    invite(page, "demo-travailleuse@example.org", "Travailleuse sociale")
    log_out(page)

    # The social worker accepts and enrols, then logs in again: password, then a recovery code.
    codes = accept_and_enrol(page, invitation_link("demo-travailleuse@example.org"), "demo-travailleuse")
    log_out(page)
    page.goto("/compte/connexion/")
    page.get_by_label("Nom d’utilisateur").fill("demo-travailleuse")
    page.get_by_label("Mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Vérification en deux étapes")).to_be_visible()
    page.get_by_label("Code de vérification").fill(codes[0])
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="À faire", exact=True)).to_be_visible()

    # She creates a person in her new association.
    menu(page, "Personnes suivies")
    page.get_by_role("link", name="Nouvelle personne").click()
    page.get_by_label("Prénom").fill("Amina")
    page.get_by_label("Nom", exact=True).fill("Démo-Onboarding")
    page.get_by_label("Date de naissance").fill("1996-04-12")
    page.get_by_label("Département de résidence").select_option(value="34")
    page.get_by_label("Enfants à charge").fill("0")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect_message(page, "Le dossier est créé.")
    person = Person.objects.get()
    worker = Membership.objects.get(user__username="demo-travailleuse")
    assert (person.association.name, worker.role) == ("Association Démo-Horizon", "social_worker")
