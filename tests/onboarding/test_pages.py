"""The administration pages and the invitee's page, through the test client: what each user sees, what a
refused request leaves (a 404, a journal row, nothing changed), and the invitation link's one-time use."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from parcours.accounts.models import Invitation, Membership, Organisation, User
from parcours.audit.models import AccessLog
from parcours.core import clock

pytestmark = pytest.mark.django_db
PASSWORD = "une phrase de passe fictive"


def text(response) -> str:
    return response.content.decode()


def test_the_national_administration_creates_an_association_through_the_form(personas, client):
    client.force_login(personas.national.user)
    response = client.post(reverse("onboarding:organisation_create"), {
        "kind": "association", "name": "Association Démo-Formulaire", "departement": "34",
        "siret": "12345678901234", "approval_number": "AGR-34-002", "approval_start": "2025-03-01",
        "departements_served_0": "30",
    })  # fmt: skip
    org = Organisation.objects.get(name="Association Démo-Formulaire")
    assert response.status_code == 302 and response["Location"] == reverse(
        "onboarding:members", args=[org.pk]
    )
    assert (org.siret, org.approval_number, org.departement_id) == ("12345678901234", "AGR-34-002", "34")
    assert sorted(org.departements_served.values_list("code", flat=True)) == ["30", "34"]


def test_an_association_form_without_its_approval_says_which_field_is_missing(personas, client):
    client.force_login(personas.national.user)
    response = client.post(reverse("onboarding:organisation_create"), {
        "kind": "association", "name": "Association Démo-Incomplète", "departement": "34",
    })  # fmt: skip
    assert response.status_code == 200
    assert "Indiquez le numéro de l&#x27;agrément" in text(response)
    assert not Organisation.objects.filter(name="Association Démo-Incomplète").exists()


def test_the_members_page_lists_access_second_factor_and_pending_invitations(personas, client):
    Invitation.objects.create(
        email="demo-attente@example.org", organisation=personas.association, role="volunteer",
        token_hash="a" * 64, created_at=clock.now(), expires_at=clock.now() + dt.timedelta(days=7),
    )  # fmt: skip
    client.force_login(personas.head.user)
    page = text(client.get(reverse("onboarding:members", args=[personas.association.pk])))
    for expected in ("travailleuse", "Cheffe de service", "non enregistrée", "demo-attente@example.org",
                     "en attente", "jamais"):  # fmt: skip
        assert expected in page
    assert "autre-travailleuse" not in page


def test_a_head_of_service_gets_a_404_on_another_association_and_the_refusal_is_journaled(personas, client):
    client.force_login(personas.head.user)
    for name in ("onboarding:members", "onboarding:invite", "onboarding:organisation_edit"):
        assert client.get(reverse(name, args=[personas.other_association.pk])).status_code == 404
    response = client.post(reverse("onboarding:invite", args=[personas.other_association.pk]),
                           {"email": "demo-x@example.org", "role": "social_worker"})  # fmt: skip
    assert response.status_code == 404
    assert not Invitation.objects.exists()
    rows = AccessLog.objects.filter(outcome="denied", user=personas.head.user)
    assert rows.count() == 4 and {r.object_id for r in rows} == {str(personas.other_association.pk)}


def test_an_invitation_to_a_role_the_kind_cannot_hold_is_refused_in_the_form(personas, client):
    client.force_login(personas.head.user)
    response = client.post(reverse("onboarding:invite", args=[personas.association.pk]),
                           {"email": "demo-x@example.org", "role": "prefecture_agent"})  # fmt: skip
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response) or "n&#x27;existe pas" in text(response)
    assert not Invitation.objects.exists() and mail.outbox == []
    assert AccessLog.objects.filter(outcome="denied", user=personas.head.user).count() == 1


def invite_through_the_page(client, personas, email="demo-camille@example.org", role="social_worker"):
    client.force_login(personas.head.user)
    response = client.post(reverse("onboarding:invite", args=[personas.association.pk]),
                           {"email": email, "role": role})  # fmt: skip
    assert response.status_code == 302
    client.logout()
    return re.search(r"http://testserver(/invitation/[\w-]+/)", mail.outbox[-1].body).group(1)


def test_the_invitee_sets_her_password_is_logged_in_and_sent_to_enrol(personas, client, settings):
    link = invite_through_the_page(client, personas)
    settings.PARCOURS_MFA_REQUIRED = True
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse(
        "onboarding:accept"
    )  # token leaves the URL
    page = client.get(reverse("onboarding:accept"))
    assert "Association fictive du Gard" in text(page) and "Travailleuse sociale" in text(page)
    weak = client.post(reverse("onboarding:accept"), {"username": "demo-camille", "password1": "court",
                                                      "password2": "court"})  # fmt: skip
    assert weak.status_code == 200 and "trop court" in text(weak)
    assert not User.objects.filter(username="demo-camille").exists()
    done = client.post(reverse("onboarding:accept"), {"username": "demo-camille", "password1": PASSWORD,
                                                      "password2": PASSWORD})  # fmt: skip
    assert done.status_code == 302 and done["Location"] == reverse("accounts:security")
    # Logged in, but nothing opens before a second factor.
    todo = client.get(reverse("pathway:todo"))
    assert todo.status_code == 302 and todo["Location"].startswith(reverse("accounts:security"))
    # The link does not open a second time, even in another browser.
    client.logout()
    client.get(link)
    again = client.get(reverse("onboarding:accept"))
    assert again.status_code == 410 and "déjà été utilisée" in text(again)


def test_an_expired_link_says_so(personas, client):
    link = invite_through_the_page(client, personas)
    client.get(link)
    with clock.travel_to(clock.now() + dt.timedelta(days=8)):
        response = client.get(reverse("onboarding:accept"))
    assert response.status_code == 410 and "a expiré" in text(response)
    assert AccessLog.objects.filter(outcome="denied", object_type="invitation").count() == 1


def test_an_unknown_link_says_so(client, db):
    client.get("/invitation/jeton-inventé/")
    response = client.get(reverse("onboarding:accept"))
    assert response.status_code == 404 and "pas valide" in text(response)


def test_deactivation_through_the_page_cuts_her_access_at_the_next_request(personas, client):
    from django.test import Client

    hers = Client()
    hers.force_login(personas.worker.user)
    assert hers.get(reverse("people:caseload")).status_code == 200
    client.force_login(personas.head.user)
    response = client.post(
        reverse("onboarding:membership", args=[personas.worker.pk]), {"action": "deactivate"}
    )
    assert response.status_code == 302
    assert not Membership.objects.get(pk=personas.worker.pk).is_active
    assert hers.get(reverse("people:caseload")).status_code == 302  # her session is gone: to the login page
    response = client.post(reverse("onboarding:membership", args=[personas.worker.pk]),
                           {"action": "role", "role": "secretariat"})  # fmt: skip
    assert Membership.objects.get(pk=personas.worker.pk).role == "social_worker"
    client.post(reverse("onboarding:membership", args=[personas.worker.pk]), {"action": "reactivate"})
    assert Membership.objects.get(pk=personas.worker.pk).is_active


def test_the_menu_offers_administration_to_those_who_manage_accesses(personas, client):
    for persona, shown in (("national", True), ("head", True), ("secretariat", True), ("worker", False)):
        client.force_login(getattr(personas, persona).user)
        page = text(client.get(reverse("accounts:organisation")))
        assert (f'href="{reverse("onboarding:organisations")}"' in page) is shown, persona
