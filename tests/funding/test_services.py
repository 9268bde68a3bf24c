"""The funding services: each change journaled in its transaction, bad input refused with a French message
and nothing saved, the association's own objects only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from parcours.audit.models import AccessLog
from parcours.core.errors import DomainError
from parcours.funding import services
from parcours.funding.models import Charge, FundedPost, Funder, Grant

from ..factories import MembershipFactory

pytestmark = pytest.mark.django_db

YEAR = {"starts_on": dt.date(2026, 1, 1), "ends_on": dt.date(2026, 12, 31)}


def events(since: int) -> list[str]:
    return list(AccessLog.objects.order_by("seq")[since:].values_list("event", flat=True))


@pytest.fixture
def grant(personas):
    funder = services.create_funder(personas.head, kind="agrasc", name="AGRASC (fictif)")
    return services.create_grant(
        personas.head, funder=funder, label="Poste CIP", amount=Decimal("36000"), indicators=["psp_people"],
        purpose="Poste de conseillère en insertion.", **YEAR,
    )  # fmt: skip


def test_each_change_writes_its_journal_row(personas):
    head = personas.head
    before = AccessLog.objects.count()
    funder = services.create_funder(head, kind="state_ddfe", name="DDFE du Gard (fictive)")
    services.update_funder(funder, head, kind="state_ddfe", name="Délégation du Gard (fictive)")
    grant = services.create_grant(head, funder=funder, label="Convention", amount=Decimal("1000"), **YEAR)
    services.update_grant(grant, head, funder=funder, label="Convention 2026", amount=Decimal("1200"), **YEAR)
    post = services.add_post(grant, head, role="CIP", sites="Nîmes", months=6,
                             starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30))  # fmt: skip
    services.update_post(post, head, role="CIP", sites="Alès", months=6,
                         starts_on=dt.date(2026, 7, 1), ends_on=dt.date(2026, 12, 31))  # fmt: skip
    charge = services.add_charge(grant, head, date=dt.date(2026, 3, 1), label="Loyer", amount=Decimal("900"))
    services.update_charge(charge, head, date=dt.date(2026, 3, 1), label="Loyer", hours=Decimal("7.5"))
    services.delete_charge(charge, head)
    services.delete_post(post, head)
    services.delete_grant(grant, head)
    assert services.close_funder(funder, head) is None  # no grant left: deleted
    assert events(before) == [
        "funder.create", "funder.update", "grant.create", "grant.update", "funded_post.create",
        "funded_post.update", "grant_charge.create", "grant_charge.update", "grant_charge.delete",
        "funded_post.delete", "grant.delete", "funder.delete",
    ]  # fmt: skip
    assert not Funder.objects.exists() and not Grant.objects.exists()


def test_a_grant_that_ends_before_it_starts_is_refused(personas):
    funder = services.create_funder(personas.head, kind="region", name="Région (fictive)")
    with pytest.raises(DomainError) as refused:
        services.create_grant(personas.head, funder=funder, label="Convention", amount=Decimal("1"),
                              starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 5, 31))  # fmt: skip
    assert refused.value.message == "La fin de la subvention (31 mai 2026) précède son début (1er juin 2026)."
    assert not Grant.objects.exists()
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(funder=funder, label="x", amount=1, starts_on=dt.date(2026, 6, 1),
                             ends_on=dt.date(2026, 5, 31), created_by=personas.head.user)  # fmt: skip


def test_a_post_beyond_the_grant_period_is_refused(personas, grant):
    with pytest.raises(DomainError) as refused:
        services.add_post(grant, personas.head, role="CIP", months=6, starts_on=dt.date(2026, 9, 1),
                          ends_on=dt.date(2027, 2, 28))  # fmt: skip
    assert refused.value.message == (
        "Le poste doit être financé pendant la subvention, du 1er janvier 2026 au 31 décembre 2026."
    )
    with pytest.raises(DomainError, match="7 mois financés ne tiennent pas"):
        services.add_post(grant, personas.head, role="CIP", months=7, starts_on=dt.date(2026, 1, 1),
                          ends_on=dt.date(2026, 6, 30))  # fmt: skip
    assert not FundedPost.objects.exists()
    # Shortening the grant under an existing post is refused too.
    services.add_post(grant, personas.head, role="CIP", months=6, starts_on=dt.date(2026, 7, 1),
                      ends_on=dt.date(2026, 12, 31))  # fmt: skip
    with pytest.raises(DomainError, match="Un poste financé sortirait de la nouvelle période"):
        services.update_grant(grant, personas.head, funder=grant.funder, label=grant.label,
                              amount=grant.amount,
                              starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 9, 30))  # fmt: skip
    grant.refresh_from_db()
    assert grant.ends_on == dt.date(2026, 12, 31)


def test_charges_need_an_amount_or_hours_within_the_grant(personas, grant):
    with pytest.raises(DomainError, match="Indiquez un montant, des heures, ou les deux"):
        services.add_charge(grant, personas.head, date=dt.date(2026, 2, 1), label="Loyer")
    with pytest.raises(DomainError, match="La dépense doit dater de la subvention"):
        services.add_charge(grant, personas.head, date=dt.date(2027, 1, 2), label="Loyer", amount=Decimal(1))
    with pytest.raises(DomainError, match="négatifs"):
        services.add_charge(grant, personas.head, date=dt.date(2026, 2, 1), label="Loyer", amount=Decimal(-1))
    assert not Charge.objects.exists()
    with pytest.raises(DomainError, match="rattachés à cette subvention"):
        services.add_charge(grant, personas.head, date=dt.date(2026, 2, 1), label="Loyer", amount=Decimal(5))
        services.delete_grant(grant, personas.head)
    assert Grant.objects.filter(pk=grant.pk).exists()


def test_a_funder_with_grants_is_closed_not_deleted(personas, grant):
    closed = services.close_funder(grant.funder, personas.head)
    assert closed.closed_on is not None and Grant.objects.filter(pk=grant.pk).exists()
    with pytest.raises(DomainError, match="Ce financeur est clos"):
        services.create_grant(personas.head, funder=closed, label="Autre", amount=Decimal(1), **YEAR)


def test_only_the_head_of_service_of_the_association_acts(personas, grant):
    other_head = MembershipFactory(organisation=personas.other_association, role="head_of_service")
    for who in (personas.worker, personas.volunteer, personas.intern):
        with pytest.raises(DomainError, match="Votre rôle ne permet pas de gérer les financements"):
            services.create_funder(who, kind="other", name="Fondation (fictive)")
    with pytest.raises(DomainError, match="appartient à une autre association"):
        services.add_charge(grant, other_head, date=dt.date(2026, 2, 1), label="Loyer", amount=Decimal(5))
    with pytest.raises(DomainError, match="Choisissez un financeur de votre association"):
        services.create_grant(other_head, funder=grant.funder, label="x", amount=Decimal(1), **YEAR)
    with pytest.raises(DomainError, match="Indicateur inconnu"):
        services.update_grant(grant, personas.head, funder=grant.funder, label="x", amount=Decimal(1),
                              indicators=["placements"], **YEAR)  # fmt: skip
