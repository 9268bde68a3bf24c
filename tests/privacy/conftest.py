"""A person's file filled through every app's services, with marker words that must vanish on anonymisation.
All names and texts are fictional."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcours.core import clock
from parcours.employment import services as employment
from parcours.followup import services as followup
from parcours.people import services as people
from parcours.records import samples
from parcours.records import services as records
from parcours.rights.models import AfisFile

from ..conftest import pathway_in_state

CANARIES = {
    "first_name": "Zéphyrine",
    "last_name": "Démo-Canari",
    "alias": "Canarialias",
    "phone": "06 12 34 56 78",
    "address": "12 rue Fictive du Canari",
    "other_name": "Zefirina Kanarinom",
    "note": "Phrase confidentielle du canari fictif",
    "story": "Récit du canari : une phrase fictive qui ne doit pas survivre.",
    "action": "Action canari fictive",
    "place": "Lieu canari fictif",
    "referral": "Orientation canari fictive",
    "document": "Attestation canari fictive",
    "afis": "Commentaire AFIS canari",
    "trade": "Métier canari fictif",
    "support_body": "Organisme canari fictif",
    "dropout": "Motif d'abandon canari fictif",
}
FILE_DAY = dt.date(2024, 12, 2)


@pytest.fixture(autouse=True)
def documents_dir(settings, tmp_path):
    folder = tmp_path / "data" / "documents"
    settings.PARCOURS_DOCUMENTS_DIR = folder
    return folder


def fill_file(personas, person=None):
    """A person with something in every app; her pathway exited on 20 March 2025 (authorised on 10 Feb)."""
    c = CANARIES
    worker = personas.worker
    with clock.travel_to(FILE_DAY):
        person = person or personas.person(
            first_name=c["first_name"], last_name=c["last_name"], alias=c["alias"], phone=c["phone"],
            address=c["address"], referent=worker.user, birth_date=dt.date(1997, 5, 17), nationality="NG",
        )  # fmt: skip
        people.add_other_name(person, worker, c["other_name"])
        people.record_consent(person, worker, purpose="processing", given_on=FILE_DAY)
        followup.add_note(person, worker, domain="health", held_on=FILE_DAY, text=c["note"], sensitive=True)
        followup.add_action(person, worker, domain="housing", description=c["action"])
        start = clock.now() + dt.timedelta(days=1)
        followup.schedule_appointment(person, worker, worker=worker.user, starts_at=start,
                                      ends_at=start + dt.timedelta(hours=1), purpose="health",
                                      place=c["place"])  # fmt: skip
        followup.refer(person, worker, reason=c["referral"], domain="health", referred_on=FILE_DAY,
                       partner_name="Partenaire fictif", oral_agreement=True)  # fmt: skip
        upload = SimpleUploadedFile("piece.pdf", samples.pdf(c["document"]), content_type="application/pdf")
        document = records.add_document(
            person, worker, kind="certificate", upload=upload, title=c["document"]
        )
        records.save_life_story(person, worker, c["story"], based_on=0)
        AfisFile.objects.create(
            person=person, requested_on=FILE_DAY, comment=c["afis"], updated_by=worker.user
        )
        # Employment (issue 12): her project, an aid and a drop-out with its reason.
        employment.save_project(person, worker, target_trades=c["trade"], readiness="building")
        employment.record_support(person, worker, kind="mobility", body=c["support_body"], status="granted",
                                  requested_on=FILE_DAY, decided_on=FILE_DAY)  # fmt: skip
        programme = employment.create_programme(worker, name="Programme fictif")
        cohort = employment.create_cohort(programme, worker, label="Promotion fictive", starts_on=FILE_DAY)
        step = employment.add_step(cohort, worker, kind="training", starts_on=FILE_DAY)
        employment.enrol(cohort, worker, person)
        employment.record_outcome(step, worker, person, kind="dropped_out", on=FILE_DAY, reason=c["dropout"])
    pathway = pathway_in_state(personas, "exited", person=person)
    person.refresh_from_db()
    return SimpleNamespace(person=person, pathway=pathway, document=document)


@pytest.fixture
def full_file(personas):
    return fill_file(personas)
