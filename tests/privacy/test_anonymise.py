"""Anonymisation leaves nothing that identifies the person or tells her story, and keeps what statistics
need."""

import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from parcours.core.errors import DomainError
from parcours.pathway.models import Decision, Exit, Pathway, Period
from parcours.privacy import anonymise as anon
from parcours.records import files

from .conftest import CANARIES


def stored_path(storage_name: str) -> Path:
    """Where the folder storage (the default, core/storage.py) keeps a document's sealed file."""
    return Path(files.storage().path(files.stored_name(storage_name)))


SCANNED_APPS = ("people", "followup", "records", "rights", "pathway", "privacy", "employment")


def texts_in_rows():
    """Every text value of every row of the apps about people, decrypted by the ORM."""
    for app in SCANNED_APPS:
        for model in apps.get_app_config(app).get_models():
            for row in model.objects.all():
                for field in model._meta.concrete_fields:
                    value = getattr(row, field.attname)
                    if isinstance(value, str) and value:
                        yield f"{model._meta.label}.{field.name}", value


def raw_text_columns():
    """Every text column of the database as stored (ciphertext stays ciphertext)."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, str) and value:
                        yield table, value


@pytest.fixture
def anonymised(full_file):
    anon.anonymise(full_file.person, today=dt.date(2031, 1, 1))
    full_file.person.refresh_from_db()
    return full_file


def test_no_identity_nor_story_is_left_in_any_row(anonymised):
    found = [(where, marker) for where, value in texts_in_rows() for marker in CANARIES.values()
             if marker.lower() in value.lower()]  # fmt: skip
    assert found == []


def test_no_identity_is_left_in_the_raw_database(anonymised):
    found = [(table, m) for table, value in raw_text_columns() for m in CANARIES.values() if m in value]
    assert found == []


def test_the_markers_were_there_before(full_file):
    text = " ".join(value for _where, value in texts_in_rows())
    assert all(marker in text for marker in CANARIES.values())


def test_statistics_fields_are_kept(anonymised):
    person = anonymised.person
    assert (person.gender, person.nationality.code, person.departement_id) == ("woman", "NG", "30")
    assert person.birth_date == dt.date(1995, 1, 1)  # born in 1997: the band 1995–1999
    assert person.identity_index == ""
    pathway = Pathway.objects.get(person=person)
    assert pathway.status == "exited"
    assert Exit.objects.get(pathway=pathway).date == dt.date(2025, 3, 20)
    assert Period.objects.filter(pathway=pathway).values_list("start", flat=True)[0] == dt.date(2025, 2, 10)
    assert Decision.objects.filter(request__pathway=pathway, kind="authorised").exists()
    assert person.afis_files.get().requested_on is not None


def test_the_follow_up_rows_and_the_document_file_are_gone(anonymised, django_capture_on_commit_callbacks):
    person = anonymised.person
    for related in (
        "notes",
        "action_items",
        "appointments",
        "referrals",
        "documents",
        "other_names",
        "consents",
    ):
        assert not getattr(person, related).exists(), related
    assert not hasattr(person, "life_story") or person.life_story is None


def test_the_document_file_is_removed_from_disk(full_file, django_capture_on_commit_callbacks):
    path = stored_path(full_file.document.storage_name)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        anon.anonymise(full_file.person, today=dt.date(2031, 1, 1))
    assert not path.exists()


def test_every_table_that_points_at_a_person_is_handled_by_the_anonymisation():
    assert sorted(set(anon.person_relations()) - anon.HANDLED) == []


def test_an_unknown_table_stops_the_anonymisation_and_changes_nothing(full_file, monkeypatch):
    monkeypatch.setattr(anon, "HANDLED", anon.HANDLED - {"followup.note"})
    with pytest.raises(DomainError, match=r"followup\.note"):
        anon.anonymise(full_file.person)
    full_file.person.refresh_from_db()
    assert full_file.person.first_name == CANARIES["first_name"]
