"""The migrations that encrypted the free-text columns (issue 7) encrypt the rows already there, and give
them back in clear when unapplied. The columns are read raw, in SQL, not through the model."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from parcours.core import clock, crypto
from parcours.followup import services as followup
from parcours.rights.models import AfisFile

BEFORE = [
    ("people", "0008_law_receipt_renewal"),
    ("pathway", "0005_law_period_planned_end_sworn_statement_on"),
    ("followup", "0003_version"),
    ("rights", "0002_version"),
]


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 (test literals)
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_encrypting_migrations_encrypt_existing_rows_and_are_reversible(personas):
    person = personas.person(languages="tigrinya, arabe")
    with clock.travel_to(dt.date(2026, 3, 2)):
        referral = followup.refer(
            person, personas.worker, reason="Motif fictif de l'orientation", domain="rights",
            referred_on=dt.date(2026, 3, 2), partner_name="Foyer fictif", oral_agreement=True,
        )  # fmt: skip
    afis = AfisFile.objects.create(person=person, requested_on=dt.date(2026, 3, 2), comment="Dossier fictif",
                                   updated_by=personas.worker.user)  # fmt: skip
    expected = [
        ("people_person", "languages", person.pk, "tigrinya, arabe"),
        ("followup_referral", "reason", referral.pk, "Motif fictif de l'orientation"),
        ("followup_referral", "partner_name", referral.pk, "Foyer fictif"),
        ("rights_afisfile", "comment", afis.pk, "Dossier fictif"),
    ]
    assert all(crypto.key_id_of(raw(t, c, pk)) for t, c, pk, _ in expected)

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    assert [raw(t, c, pk) for t, c, pk, _ in expected] == [v for *_, v in expected]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    stored = [raw(t, c, pk) for t, c, pk, _ in expected]
    assert all(crypto.key_id_of(s) for s in stored)
    assert [crypto.decrypt(s, f"{t.replace('_', '.', 1)}.{c}") for s, (t, c, *_) in zip(stored, expected,
            strict=True)] == [v for *_, v in expected]  # fmt: skip
    referral.refresh_from_db()
    assert referral.partner_name == "Foyer fictif"


@pytest.mark.django_db
def test_a_referral_still_needs_a_partner_in_the_database_once_its_name_is_encrypted(personas):
    from django.db import IntegrityError, transaction

    from parcours.followup.models import Referral

    values = dict(person=personas.person(), reason="Motif fictif", domain="rights",
                  referred_on=dt.date(2026, 3, 2), created_by=personas.worker.user,
                  updated_by=personas.worker.user)  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(partner_name="", **values)
    assert Referral.objects.create(partner_name="Foyer fictif", **values).pk
