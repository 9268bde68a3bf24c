"""Documents and life stories in the demo, through `records.services` (files checked, encrypted and written
to the documents' storage like any upload).

Documents go to the people of the rights cases, whose papers they are: an identity document each; the APS
that ends within 60 days; a first APS, expired, and the renewed one; a receipt about to expire; an asylum
seeker's attestation, expired; certificates without an end date. Two people have a life story in two
versions, saved by their referent: one of `travailleuse`, one of her colleague (closed to `travailleuse`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile

from parcours.core import clock
from parcours.pathway.rules import add_months
from parcours.people.models import Person, ResidenceStatus
from parcours.records import files, samples, services
from parcours.records.models import Document, DocumentKind, LifeStory, LifeStoryVersion

from .common import NON_EU, D, between, moment

if TYPE_CHECKING:
    from .generator import Generator

K = DocumentKind


def build(g: Generator) -> None:
    g.stored: list[str] = []  # storage names written by this run, removed again if it fails
    documents(g)
    life_stories(g)


def remove_files(g: Generator) -> None:
    for name in getattr(g, "stored", ()):
        files.remove(name)


def _add(g: Generator, person: Person, day: dt.date, kind: str, title: str, filename: str,
         expires: dt.date | None = None, image: bool = False) -> Document:  # fmt: skip
    if image:
        content = samples.image("JPEG", colour=(180 + len(title) % 60, 170, 150))
    else:
        content = samples.pdf(f"DOCUMENT FICTIF - {filename}")
    upload = SimpleUploadedFile(filename, content)
    with clock.travel_to(moment(g, min(day, g.today), 10, 40)):
        document = services.add_document(person, g.member(person.referent_id), kind=kind, upload=upload,
                                         title=title, expires_on=expires)  # fmt: skip
    g.stored.append(document.storage_name)
    return document


def _identity(g: Generator, person: Person, day: dt.date) -> None:
    T = g.today
    if person.nationality.code in NON_EU or person.nationality.code in ("RO", "BG"):
        _add(g, person, day, K.PASSPORT, "Passeport (copie, fictif)", "passeport-scan.jpg",
             T + D(days=g.rng.randint(400, 2500)), image=True)  # fmt: skip
    else:
        _add(g, person, day, K.IDENTITY, "Carte nationale d'identité (copie, fictive)", "cni-recto-verso.pdf",
             T + D(days=g.rng.randint(800, 3500)))  # fmt: skip


def documents(g: Generator) -> None:
    rng, T = g.rng, g.today

    def first_day(case: str) -> dt.date:
        return g.case_story[case].chain.starts[0] if case in g.case_story else g.opened_on[id(g.cases[case])]

    # APS issued, ends within 60 days.
    person = g.cases["aps_expiring"]
    start = first_day("aps_expiring")
    _identity(g, person, start + D(days=3))
    aps = person.aps_files.get()
    _add(g, person, aps.issued_on + D(days=1), K.RESIDENCE, "Autorisation provisoire de séjour (fictive)",
         "aps.pdf", aps.expires_on)  # fmt: skip
    _add(g, person, start + D(days=20), K.CERTIFICATE, "Attestation de domiciliation (fictive)",
         "attestation-domiciliation.pdf")  # fmt: skip
    # First APS expired, then the renewed one: only the renewed one counts, the expired one stays filed.
    person = g.cases["aps_renewed"]
    _identity(g, person, first_day("aps_renewed") + D(days=2))
    first, renewed = person.aps_files.order_by("requested_on")
    _add(g, person, first.issued_on + D(days=1), K.RESIDENCE, "Autorisation provisoire de séjour (fictive)",
         "aps-premiere.pdf", first.expires_on)  # fmt: skip
    _add(
        g,
        person,
        renewed.issued_on + D(days=2),
        K.RESIDENCE,
        "Autorisation provisoire de séjour renouvelée (fictive)",
        "aps-renouvelee.pdf",
        renewed.expires_on,
    )
    _add(g, person, between(rng, first.issued_on, T), K.CERTIFICATE,
         "Attestation de suivi par l'association (fictive)", "attestation-suivi.pdf")  # fmt: skip
    # A receipt that ends in a few weeks.
    person = g.cases["aps_receipt"]
    receipt = person.aps_files.get()
    _add(g, person, receipt.receipt_on, K.RESIDENCE, "Récépissé de demande d'APS (fictif)", "recepisse.jpg",
         receipt.receipt_expires_on, image=True)  # fmt: skip
    # An asylum seeker's attestation, expired and not renewed yet.
    person = g.cases["afis_ada"]
    expired = person.residence_permit_expiry
    _add(g, person, max(g.opened_on[id(person)], add_months(expired, -6)), K.RESIDENCE,
         "Attestation de demande d'asile (fictive)", "attestation-asile.pdf", expired)  # fmt: skip
    # Identity and an accommodation certificate, no end date.
    person = g.cases["afis_eligible"]
    _identity(g, person, first_day("afis_eligible") + D(days=4))
    _add(g, person, between(rng, first_day("afis_eligible"), T), K.CERTIFICATE,
         "Attestation d'hébergement (fictive)", "attestation-hebergement.pdf")  # fmt: skip


def life_stories(g: Generator) -> None:
    """Two life stories, each saved twice by the person's referent: version 1 from nothing (based on 0), then
    version 2 from version 1."""
    rng, T = g.rng, g.today
    travailleuse, colleague = g.members["travailleuse"].user_id, g.members["travailleuse2"].user_id
    horizon = [p for p in g.people if g.association_of[id(p)] == "horizon" and p.nationality.code in NON_EU]

    def asylum_first(p: Person):
        return (p.residence_status != ResidenceStatus.ASYLUM_SEEKER, g.people.index(p))

    own = min((p for p in horizon if p.referent_id == travailleuse), key=asylum_first)
    theirs = min((p for p in horizon if p.referent_id == colleague), key=asylum_first)
    g.cases["life_story"], g.cases["life_story_colleague"] = own, theirs
    for person in (own, theirs):
        by = g.member(person.referent_id)
        first = between(rng, max(g.opened_on[id(person)], T - D(days=120)), T - D(days=25))
        second = first + D(days=rng.randint(7, 20))
        for based_on, (day, (text, comment)) in enumerate(zip((first, second), samples.LIFE_STORY_VERSIONS,
                                                             strict=True)):  # fmt: skip
            with clock.travel_to(moment(g, day, 16, 30)):
                services.save_life_story(person, by, text, based_on=based_on, comment=comment)


def summary(today: dt.date) -> dict:
    documents = list(Document.objects.only("expires_on"))
    return {
        "documents": len(documents),
        "documents_expired": sum(d.expires_on is not None and d.expires_on < today for d in documents),
        "life_stories": LifeStory.objects.count(),
        "life_story_versions": LifeStoryVersion.objects.count(),
    }
