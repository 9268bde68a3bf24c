"""The role-versus-organisation-kind invariant holds in the database itself: a row written around the ORM's
validation (raw SQL, `objects.create` without `clean()`) is refused by the triggers of accounts/0005."""

import itertools

import pytest
from django.db import IntegrityError, connection, transaction

from parcours.accounts.models import Invitation, Membership, Organisation
from parcours.core import clock

from ..factories import MembershipFactory, OrganisationFactory, UserFactory, commission

pytestmark = pytest.mark.django_db

# The expected pairs, written out here (not read from accounts/roles.py): the oracle of the tests below.
ALLOWED = {
    ("association", "social_worker"), ("association", "head_of_service"), ("association", "volunteer"),
    ("association", "intern"), ("commission", "secretariat"), ("commission", "commission_member"),
    ("prefecture", "prefecture_agent"), ("partner", "partner_counsellor"), ("national", "national_admin"),
}  # fmt: skip
KINDS = ("association", "commission", "prefecture", "partner", "national")
ROLES = ("social_worker", "head_of_service", "volunteer", "intern", "secretariat", "commission_member",
         "prefecture_agent", "national_admin", "partner_counsellor")  # fmt: skip


def insert_membership(user_id, organisation_id, role):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_membership (user_id, organisation_id, role, is_active) "
            "VALUES (%s, %s, %s, %s)",
            [user_id, organisation_id, role, True],
        )


def test_a_raw_insert_of_a_role_the_kind_cannot_hold_is_refused():
    user = UserFactory()
    association = OrganisationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_membership(user.pk, association.pk, "prefecture_agent")
    assert not Membership.objects.filter(user=user).exists()
    insert_membership(user.pk, association.pk, "social_worker")  # the same path accepts an allowed pair
    assert Membership.objects.filter(user=user, role="social_worker").exists()


def test_every_pair_of_kind_and_role_is_accepted_or_refused_as_the_law_says():
    organisations = {
        kind: OrganisationFactory(kind=kind, **({} if kind == "association" else {"departement": None}))
        for kind in KINDS
    }
    user = UserFactory()
    wrong = []
    for kind, role in itertools.product(KINDS, ROLES):
        try:
            with transaction.atomic():
                Membership.objects.create(user=user, organisation=organisations[kind], role=role)
            accepted = True
        except IntegrityError:
            accepted = False
        if accepted != ((kind, role) in ALLOWED):
            wrong.append((kind, role, accepted))
    assert wrong == []


def test_an_update_to_a_bad_role_and_a_change_of_kind_are_refused():
    m = MembershipFactory(role="head_of_service")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=m.pk).update(role="secretariat")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=m.organisation_id).update(kind="prefecture")
    m.refresh_from_db()
    assert m.role == "head_of_service" and m.organisation.kind == "association"


def test_an_invitation_to_a_role_the_kind_cannot_hold_is_refused_by_the_database():
    now = clock.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            email="demo-x@example.org", organisation=commission("30"), role="social_worker",
            token_hash="0" * 64, created_at=now, expires_at=now,
        )  # fmt: skip
    assert not Invitation.objects.exists()
