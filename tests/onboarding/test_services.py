"""Onboarding services: organisations, invitations (hashed, one-time, expiring), roles and access, each change
journaled, each refusal in French, journaled, and changing nothing."""

import datetime as dt
import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail

from parcours.accounts import mfa
from parcours.accounts.models import Invitation, Membership, Organisation, User
from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.onboarding import services

from ..factories import departement

pytestmark = pytest.mark.django_db
BASE = "https://parcours.example.org"
PASSWORD = "une phrase de passe fictive"


def link_token(body: str) -> str:
    return re.search(r"https://parcours\.example\.org/invitation/([\w-]+)/", body).group(1)


def denied_rows():
    return list(AccessLog.objects.filter(outcome="denied").values_list("object_type", "role"))


def new_association(by, name="Association Démo-Nouvelle"):
    org = Organisation(kind="association", name=name, departement=departement("34"),
                       approval_number="AGR-34-001", approval_start=dt.date(2025, 2, 1))  # fmt: skip
    return services.create_organisation(by, org, [departement("30")])


def test_the_national_administration_creates_an_association_journaled(personas):
    org = new_association(personas.national)
    assert sorted(d.code for d in org.departements_served.all()) == ["30", "34"]  # the seat is added
    row = AccessLog.objects.get(event="organisation.create")
    assert (row.object_id, row.role, row.user_id) == (
        str(org.pk),
        "national_admin",
        personas.national.user_id,
    )


def test_an_association_without_its_approval_is_refused_and_nothing_is_created(personas):
    org = Organisation(kind="association", name="Association Démo-Incomplète", departement=departement("34"))
    with pytest.raises(DomainError, match="numéro de l'agrément"):
        services.create_organisation(personas.national, org)
    assert not Organisation.objects.filter(name="Association Démo-Incomplète").exists()


def test_a_head_of_service_cannot_create_an_organisation(personas):
    with pytest.raises(DomainError, match="Seule l'administration nationale"):
        new_association(personas.head)
    assert not Organisation.objects.filter(name="Association Démo-Nouvelle").exists()
    assert denied_rows() == [("organisation", "head_of_service")]


def test_an_invitation_is_mailed_with_a_token_stored_only_as_its_hash(personas, settings):
    settings.PARCOURS_INVITATION_DAYS = 3
    invitation, link = services.invite(
        personas.head,
        personas.association,
        email="Demo-Camille@Example.ORG",
        role="social_worker",
        base_url=BASE,
    )
    assert invitation.email == "Demo-Camille@example.org"
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=3)
    [message] = mail.outbox
    assert message.to == ["Demo-Camille@example.org"]
    assert link in message.body and "Travailleuse sociale" in message.body
    token = link_token(message.body)
    assert len(token) >= 40
    stored = Invitation.objects.filter(pk=invitation.pk).values()[0]
    assert token not in repr(stored)
    assert AccessLog.objects.filter(event="invitation.send", object_id=str(invitation.pk)).count() == 1


def test_an_invitation_to_a_role_the_kind_cannot_hold_is_refused_and_journaled(personas):
    with pytest.raises(
        DomainError, match="n'existe pas dans une organisation de type « Association agréée »"
    ):
        services.invite(personas.head, personas.association, email="demo-x@example.org",
                        role="prefecture_agent", base_url=BASE)  # fmt: skip
    assert not Invitation.objects.exists() and mail.outbox == []
    assert denied_rows() == [("organisation", "head_of_service")]


def test_a_head_of_service_cannot_invite_into_another_organisation(personas):
    with pytest.raises(DomainError, match="autre organisation que la vôtre"):
        services.invite(personas.head, personas.other_association, email="demo-x@example.org",
                        role="social_worker", base_url=BASE)  # fmt: skip
    assert not Invitation.objects.exists()
    assert denied_rows() == [("organisation", "head_of_service")]


def test_the_secretariat_invites_into_its_commission_only(personas):
    services.invite(personas.secretariat, personas.commission, email="demo-m@example.org",
                    role="commission_member", base_url=BASE)  # fmt: skip
    with pytest.raises(DomainError):
        services.invite(personas.secretariat, personas.other_commission, email="demo-n@example.org",
                        role="commission_member", base_url=BASE)  # fmt: skip
    assert Invitation.objects.count() == 1


def invited(personas, role="social_worker", email="demo-camille@example.org"):
    _invitation, link = services.invite(
        personas.head, personas.association, email=email, role=role, base_url=BASE
    )
    return link.rstrip("/").rsplit("/", 1)[1]


def test_acceptance_creates_the_account_once_and_a_reused_link_is_refused(personas, settings):
    token = invited(personas)
    m = services.accept_with_new_account(token, username="demo-camille", password=PASSWORD)
    assert (m.organisation, m.role, m.user.email) == (
        personas.association,
        "social_worker",
        "demo-camille@example.org",
    )
    assert m.user.check_password(PASSWORD)
    assert AccessLog.objects.filter(event="invitation.accept", user=m.user).count() == 1
    settings.PARCOURS_MFA_REQUIRED = True
    assert mfa.mfa_required(m.user)
    with pytest.raises(DomainError, match="déjà été utilisée"):
        services.accept_with_new_account(token, username="demo-autre", password=PASSWORD)
    assert not User.objects.filter(username="demo-autre").exists()
    assert ("invitation", "system") in denied_rows()


def test_an_expired_invitation_is_refused(personas):
    token = invited(personas)
    with clock.travel_to(clock.now() + dt.timedelta(days=8)), pytest.raises(DomainError, match="a expiré"):
        services.accept_with_new_account(token, username="demo-camille", password=PASSWORD)
    assert not User.objects.filter(username="demo-camille").exists()
    assert denied_rows() == [("invitation", "system")]


def test_a_revoked_invitation_is_refused(personas):
    token = invited(personas)
    services.revoke_invitation(personas.head, Invitation.objects.get())
    with pytest.raises(DomainError, match="révoquée"):
        services.check_invitation(token)


def test_a_weak_password_is_refused_and_nothing_is_created(personas):
    token = invited(personas)
    with pytest.raises(DomainError):
        services.accept_with_new_account(token, username="demo-camille", password="court")
    assert not User.objects.filter(username="demo-camille").exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_invitee_who_has_an_account_gets_a_membership_added(personas):
    user = personas.volunteer.user
    user.email = "demo-benevole@example.org"
    user.save()
    token = invited(personas, role="intern", email="demo-benevole@example.org")
    with pytest.raises(DomainError, match="compte existe déjà"):
        services.accept_with_new_account(token, username="demo-double", password=PASSWORD)
    with pytest.raises(DomainError, match="autre adresse"):
        services.accept_for_existing_account(token, personas.worker.user)
    m = services.accept_for_existing_account(token, user)
    assert set(user.memberships.values_list("role", flat=True)) == {"volunteer", "intern"}
    assert m.role == "intern"


def test_an_invited_volunteer_must_enrol_a_second_factor(personas, settings):
    settings.PARCOURS_MFA_REQUIRED = True
    token = invited(personas, role="volunteer")
    m = services.accept_with_new_account(token, username="demo-vol", password=PASSWORD)
    assert mfa.mfa_required(m.user)
    assert not mfa.mfa_required(personas.volunteer.user)  # not invited: the role alone decides


def test_change_of_role_deactivation_ends_her_sessions_and_reactivation(personas, client):
    client.force_login(personas.worker.user)
    assert client.get("/compte/organisation/").status_code == 200
    services.change_role(personas.head, personas.worker, "head_of_service")
    assert Membership.objects.get(pk=personas.worker.pk).role == "head_of_service"
    with pytest.raises(DomainError, match="n'existe pas"):
        services.change_role(personas.head, personas.worker, "secretariat")
    services.set_membership_active(personas.head, personas.worker, False)
    sessions = [
        s
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(personas.worker.user_id)
    ]
    assert sessions == []
    assert client.get("/compte/organisation/").status_code == 302  # logged out: to the login page
    events = list(AccessLog.objects.exclude(event="").order_by("seq").values_list("event", flat=True))
    assert events == ["membership.role", "membership.deactivate"]
    services.set_membership_active(personas.head, personas.worker, True)
    assert Membership.objects.get(pk=personas.worker.pk).is_active


def test_nobody_deactivates_herself_and_only_the_national_administration_deactivates_an_account(personas):
    with pytest.raises(DomainError, match="propre accès"):
        services.set_membership_active(personas.head, personas.head, False)
    with pytest.raises(DomainError, match="Seule l'administration nationale"):
        services.set_user_active(personas.head, personas.worker.user, False)
    assert User.objects.get(pk=personas.worker.user_id).is_active
    services.set_user_active(personas.national, personas.worker.user, False)
    assert not User.objects.get(pk=personas.worker.user_id).is_active
    assert AccessLog.objects.filter(event="user.deactivate").count() == 1


def test_a_head_of_service_cannot_manage_a_member_of_another_association(personas):
    with pytest.raises(DomainError, match="autre organisation"):
        services.set_membership_active(personas.head, personas.outsider, False)
    assert Membership.objects.get(pk=personas.outsider.pk).is_active
    assert denied_rows() == [("membership", "head_of_service")]
