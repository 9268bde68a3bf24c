"""Anonymisation of a person's file: what identifies or tells her story goes, what statistics need stays.

Kept (docs/security/retention.md): her association and département of residence, gender, nationality, the
birth year brought down to the first year of its five-year band (1995 for 1995–1999), the administrative
situation, the pathway's facts and dates (requests, avis, decisions with their reason codes, periods, exit
with its outcome), the dates of AFIS and APS, her workshop enrolments and attendance (codes and dates),
her place in employment programmes, agreements and aids (codes and dates), the access journal (which names
nobody).
Deleted: other names, consents, notes and their versions, team-meeting agenda points, actions, appointments,
referrals, documents with their files on disk, the life story, the professional project. Emptied: every
other field of the person (names, contact, address, situation, referent…) and every free text of the pathway
and the rights.

A model that reaches the person and is not listed here stops the anonymisation with an error rather than
keeping what it holds: a new app must say what becomes of its rows (tests/privacy/test_anonymise.py).
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import models, transaction
from django.utils.translation import gettext as _

from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.people.models import Person

from .guard import maintenance

# Fields of Person that statistics keep as they are (birth_date is generalised, identity_index recomputed).
KEPT_PERSON_FIELDS = frozenset({
    "id", "association", "departement", "gender", "nationality", "residence_status", "created_at",
    "archived_on", "anonymised_on", "identity_index", "birth_index", "birth_date", "version",
})  # fmt: skip
BIRTH_BAND_YEARS = 5

# Related rows deleted with the person's identity (in this order: referrals point to consents).
DELETED = (
    "followup.meetingitem",  # her place on a team meeting's agenda; the decision is a note, deleted below
    "followup.referral", "followup.note", "followup.actionitem", "followup.appointment",
    "people.othername", "people.consent", "records.document", "records.lifestory",
    "employment.projectversion",  # her professional project: nothing but words about her
)  # fmt: skip
# Related rows kept for statistics, with their free texts emptied: model → (person path, text fields).
EMPTIED = {
    "pathway.pathway": ("person", ()),
    "pathway.pathwayrequest": ("pathway__person", ("situation", "motivation", "evaluation")),
    "pathway.planaction": ("request__pathway__person", ("description",)),
    "pathway.avis": ("request__pathway__person", ("reason",)),
    "pathway.decision": ("request__pathway__person", ("motivation",)),
    "pathway.exit": ("pathway__person", ("comment",)),
    "pathway.event": ("pathway__person", ("comment",)),
    "rights.afisfile": ("person", ("comment",)),
    "rights.apsfile": ("person", ("comment",)),
    "privacy.erasure": ("person", ()),  # the record of an erasure names nobody
    # The facts of a transfer (associations, départements, dates) stay; its words go.
    "transfers.transfer": ("person", ("message", "refusal_reason")),
    # Her enrolment in a workshop series and her attendance: codes and dates only, counted by the year's
    # figures (parcours.workshops.figures).
    "workshops.participant": ("person", ()),
    "workshops.attendance": ("person", ()),
    # Her place in an employment programme, its outcomes (a drop-out's reason goes), her enrolment under an
    # agreement and the aids she obtained (the granting body's name goes): codes and dates for the figures
    # (parcours.employment.figures).
    "employment.participant": ("person", ()),
    "employment.outcome": ("participant__person", ("reason",)),
    "employment.enrolment": ("person", ()),
    "employment.support": ("person", ("body",)),
    # The natural key of an imported row (parcours.portability): a keyed hash of the association and of its
    # own file number, kept so that importing the same file again does not recreate her file.
    "portability.importedrow": ("person", ()),
}
# Deleted because they are nothing but words about her.
DELETED_UNDER_PATHWAY = {"pathway.commitment": "request__pathway__person"}
HANDLED = frozenset(DELETED) | frozenset(EMPTIED) | frozenset(DELETED_UNDER_PATHWAY)


def person_relations() -> list[str]:
    """The models that point at Person."""
    return sorted(
        rel.related_model._meta.label_lower
        for rel in Person._meta.related_objects
        if rel.related_model._meta.app_label not in {"audit"}
    )


def birth_band_start(birth_date: dt.date | None) -> dt.date | None:
    if birth_date is None:
        return None
    return dt.date(birth_date.year - birth_date.year % BIRTH_BAND_YEARS, 1, 1)


def _empty_value(field: models.Field):
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    return ""


def anonymise(person: Person, *, today: dt.date | None = None) -> None:
    """Anonymise the file of `person` in one transaction; the files on disk go once it is committed.
    Journals a `delete` row (system). Raises DomainError when a model it does not know reaches her."""
    from parcours.records import files

    unknown = sorted(set(person_relations()) - HANDLED)
    if unknown:
        raise DomainError(
            _("L'anonymisation ne sait pas traiter ces données : %(models)s. Rien n'a été modifié.")
            % {"models": ", ".join(unknown)}
        )
    today = today or clock.today()
    with transaction.atomic(), maintenance():
        storage_names = list(person.documents.values_list("storage_name", flat=True))
        for label, path in DELETED_UNDER_PATHWAY.items():
            apps.get_model(label).objects.filter(**{path: person}).delete()
        LifeStoryVersion = apps.get_model("records.lifestoryversion")
        LifeStoryVersion.objects.filter(life_story__person=person).delete()
        for label in DELETED:
            apps.get_model(label).objects.filter(person=person).delete()
        for label, (path, fields) in EMPTIED.items():
            if fields:
                model = apps.get_model(label)
                model.objects.filter(**{path: person}).update(
                    **{f: _empty_value(model._meta.get_field(f)) for f in fields}
                )
        for field in Person._meta.concrete_fields:
            if field.name not in KEPT_PERSON_FIELDS:
                setattr(person, field.attname, _empty_value(field))
        person.birth_date = birth_band_start(person.birth_date)
        person.archived_on = person.archived_on or today
        person.anonymised_on = today
        person.save()  # recomputes identity_index: empty without names
        audit.record_system("delete", "person_anonymise", person.pk, person_id=person.pk)
        transaction.on_commit(lambda: [files.remove(name) for name in storage_names])
