"""The full export of an association (issue 14, item 3; docs/decisions/0052-full-export.md): a ZIP of JSON,
CSV and ODS tables and the documents' files, built in the background, downloadable by the head of service
until it expires, journaled; a canary typed into each family of fields is found in it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.followup import services as followup
from parcours.pathway import transitions
from parcours.people import services as people
from parcours.people.models import Person
from parcours.portability.models import ExportJob
from parcours.records import samples
from parcours.records import services as records

from ..factories import MembershipFactory

NAME = "Canarinette"
NOTE = "Note canari : rendez-vous à la préfecture mardi"
PLACE = "Local canari du centre"
DOC = samples.pdf("PIECE CANARI")


@pytest.fixture
def world(personas):
    head = personas.head
    person = people.create_person(
        head, Person(first_name=NAME, last_name="Exportée", birth_date=dt.date(1991, 2, 3),
                     departement_id="30", nationality="RO", phone="06 11 22 33 44"),
    )  # fmt: skip
    followup.add_note(person, head, domain="health", held_on=dt.date(2026, 5, 4), text=NOTE)
    start = clock.now().replace(hour=14, minute=0) + dt.timedelta(days=3)
    end = start + dt.timedelta(hours=1)
    followup.schedule_appointment(
        person, head, worker=head.user, starts_at=start, ends_at=end, purpose="rights", place=PLACE
    )
    f = SimpleUploadedFile("attestation.pdf", DOC, "application/pdf")
    document = records.add_document(person, head, kind="certificate", title="Attestation canari", upload=f)
    transitions.record_history(person, head, dt.date(2025, 3, 1), 1)
    # A person of another association: nothing of hers may be exported.
    other = MembershipFactory(organisation=personas.other_association, role="head_of_service")
    people.create_person(other, Person(first_name="Autrefictive", last_name="Ailleurs", departement_id="30"))
    return {"person": person, "document": document}


def _table(archive, name):
    text = archive.read(name).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.mark.django_db
def test_the_export_holds_every_family_of_data(client, personas, world):
    client.force_login(personas.head.user)
    reply = client.post("/reprise-et-export/exports/")
    job = ExportJob.objects.get()
    assert reply["Location"] == f"/reprise-et-export/exports/{job.pk}/"
    assert job.status == "ready" and job.steps_done == job.steps_total > 0
    assert job.expires_at == clock.now() + dt.timedelta(hours=24)
    page = client.get(f"/reprise-et-export/exports/{job.pk}/").content.decode()
    assert "Le fichier reste téléchargeable jusqu'au 2 juin 2026 à 10:00" in page

    reply = client.get(f"/reprise-et-export/exports/{job.pk}/telecharger/")
    assert reply.status_code == 200 and reply["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(reply.content))
    names = set(archive.namelist())
    ref = world["person"].reference
    assert {"parcours-export.json", "LISEZMOI.txt", "tables/people.person.csv", "tables/people.person.ods",
            "tables/followup.note.csv", "tables/followup.appointment.csv", "tables/pathway.pathway.csv",
            "tables/pathway.period.csv", "tables/pathway.pathwayrequest.csv", "tables/records.document.csv",
            f"documents/{ref}/{world['document'].pk}-attestation.pdf"} <= names  # fmt: skip
    # The document's file, decrypted, byte for byte.
    assert archive.read(f"documents/{ref}/{world['document'].pk}-attestation.pdf") == DOC

    persons = _table(archive, "tables/people.person.csv")
    header = persons[0]
    assert len(persons) == 2  # the header and her: nobody of the other association
    row = dict(zip(header, persons[1], strict=True))
    assert (row["personne"], row["first_name"], row["last_name"], row["birth_date"], row["nationality"],
            row["phone"]) == (ref, NAME, "Exportée", "1991-02-03", "RO", "06 11 22 33 44")  # fmt: skip
    notes = _table(archive, "tables/followup.note.csv")
    assert [dict(zip(notes[0], r, strict=True))["text"] for r in notes[1:]] == [NOTE]
    appointments = _table(archive, "tables/followup.appointment.csv")
    assert [dict(zip(appointments[0], r, strict=True))["place"] for r in appointments[1:]] == [PLACE]
    periods = _table(archive, "tables/pathway.period.csv")
    assert sorted((r[periods[0].index("start")], r[periods[0].index("end")]) for r in periods[1:]) == [
        ("2025-03-01", "2025-08-31"), ("2025-09-01", "2026-02-28")]  # fmt: skip
    pathways = _table(archive, "tables/pathway.pathway.csv")
    assert [r[pathways[0].index("personne")] for r in pathways[1:]] == [ref]  # once, with her reference
    documents = _table(archive, "tables/records.document.csv")
    assert [r[documents[0].index("title")] for r in documents[1:]] == ["Attestation canari"]

    # The ODS of a table holds the same canary, as text.
    assert NAME.encode() in zipfile.ZipFile(io.BytesIO(archive.read("tables/people.person.ods"))).read(
        "content.xml"
    )
    # The JSON: the association, her file and what points at her.
    data = json.loads(archive.read("parcours-export.json"))
    assert data["format"] == "parcours-export-association-1"
    assert data["association"]["nom"] == "Association fictive du Gard"
    assert [p["personne"]["first_name"] for p in data["personnes"]] == [NAME]
    assert [n["text"] for n in data["personnes"][0]["donnees"]["followup.note"]["lignes"]] == [NOTE]
    blob = json.dumps(data, ensure_ascii=False)
    assert "Autrefictive" not in blob and b"Autrefictive" not in reply.content

    # Journaled: the creation and the download.
    rows = list(
        AccessLog.objects.filter(event__startswith="data_export")
        .order_by("seq")
        .values_list("event", "user_id")
    )
    assert rows == [
        ("data_export.create", personas.head.user_id),
        ("data_export.download", personas.head.user_id),
    ]


@pytest.mark.django_db
def test_the_link_expires_and_the_file_is_deleted(client, personas, world, settings):
    client.force_login(personas.head.user)
    client.post("/reprise-et-export/exports/")
    job = ExportJob.objects.get()
    stored = settings.PARCOURS_DOCUMENTS_DIR / "portability" / job.storage_name
    assert stored.exists() and NAME.encode() not in stored.read_bytes()  # sealed at rest
    with clock.travel_to(clock.now() + dt.timedelta(hours=25)):
        reply = client.get(f"/reprise-et-export/exports/{job.pk}/telecharger/", follow=True)
        client.force_login(personas.head.user)  # the session has ended meanwhile
        reply = client.get(f"/reprise-et-export/exports/{job.pk}/telecharger/", follow=True)
        assert "Cet export n&#x27;est plus disponible : lancez un nouvel export." in reply.content.decode()
    job.refresh_from_db()
    assert job.status == "expired" and job.storage_name == "" and not stored.exists()
    assert AccessLog.objects.filter(event="data_export.delete").count() == 1
    assert AccessLog.objects.filter(event="data_export.download").count() == 0


@pytest.mark.django_db
def test_the_daily_task_deletes_expired_exports(client, personas, world, settings):
    from parcours.portability.tasks import purge_task

    client.force_login(personas.head.user)
    client.post("/reprise-et-export/exports/")
    job = ExportJob.objects.get()
    stored = settings.PARCOURS_DOCUMENTS_DIR / "portability" / job.storage_name
    with clock.travel_to(clock.now() + dt.timedelta(hours=23)):
        purge_task.call()
    assert stored.exists()
    with clock.travel_to(clock.now() + dt.timedelta(hours=24, minutes=1)):
        assert purge_task.call() == 1
    assert not stored.exists()


@pytest.mark.django_db
def test_only_the_head_of_service_exports(client, personas, world):
    client.force_login(personas.head.user)
    client.post("/reprise-et-export/exports/")
    job = ExportJob.objects.get()
    for membership in (personas.worker, personas.volunteer, personas.agent, personas.national):
        client.force_login(membership.user)
        assert client.post("/reprise-et-export/exports/").status_code == 403
        assert client.get(f"/reprise-et-export/exports/{job.pk}/telecharger/").status_code in (403, 404)
    other_head = MembershipFactory(organisation=personas.other_association, role="head_of_service")
    client.force_login(other_head.user)
    assert client.get(f"/reprise-et-export/exports/{job.pk}/telecharger/").status_code == 404
    assert client.get(f"/reprise-et-export/exports/{job.pk}/").status_code == 404
    assert ExportJob.objects.count() == 1
    assert AccessLog.objects.filter(event="data_export.download").count() == 0


@pytest.mark.django_db
def test_a_running_export_shows_its_progress(client, personas):
    job = ExportJob.objects.create(association=personas.association, membership=personas.head, steps_total=8,
                                   steps_done=2)  # fmt: skip
    client.force_login(personas.head.user)
    page = client.get(f"/reprise-et-export/exports/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page and "2 étapes sur 8" in page
    assert "telecharger" not in page
    # A second export is refused while one is being prepared.
    reply = client.post("/reprise-et-export/exports/", follow=True)
    assert "Un export est déjà en préparation : attendez qu&#x27;il soit prêt." in reply.content.decode()
    assert ExportJob.objects.count() == 1
