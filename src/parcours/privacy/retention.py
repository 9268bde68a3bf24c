"""Retention of the people's files: a closed file is archived, then anonymised (docs/security/retention.md).

A file is *closed* when the person has no open pathway (every pathway exited or refused with no request in
progress, or none at all) and nothing happened in it for `conf.archive_after_months()` months: no note,
appointment, action, referral, document, life-story version, request, pathway event, consent or right. A
closed file is *archived*: hidden from the caseload, read-only (guard.py), still visible to the head of
service under « Dossiers archivés ». After `conf.anonymise_after_years()` years in the archive it is
*anonymised* (anonymise.py). The daily job `retention_task` does both; it is idempotent and journals each
change with `audit.log.record_system`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.pathway import rules
from parcours.pathway.rules import add_months
from parcours.people.models import Person

from . import conf
from .guard import maintenance

logger = logging.getLogger("parcours.privacy")

CLOSED_PATHWAY_STATUSES = frozenset({rules.PathwayStatus.EXITED, rules.PathwayStatus.REFUSED})

# Where activity on a file is dated: (model label, path to the person, date or datetime fields).
ACTIVITY_SOURCES = (
    ("followup.Note", "person", ("held_on", "created_at", "corrected_at")),
    ("followup.ActionItem", "person", ("created_at", "updated_at")),
    ("followup.Appointment", "person", ("starts_at", "updated_at")),
    ("followup.Referral", "person", ("referred_on", "outcome_on", "updated_at")),
    ("records.Document", "person", ("uploaded_at",)),
    ("records.LifeStoryVersion", "life_story__person", ("created_at",)),
    ("pathway.PathwayRequest", "pathway__person", ("created_at", "submitted_on")),
    ("pathway.Event", "pathway__person", ("at",)),
    ("pathway.Exit", "pathway__person", ("date",)),
    ("people.Consent", "person", ("given_on", "withdrawn_on")),
    ("rights.AfisFile", "person", ("updated_at",)),
    ("rights.ApsFile", "person", ("updated_at",)),
    ("transfers.Transfer", "person", ("requested_at", "decided_at")),
)


def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, clock.PARIS).date() if timezone.is_aware(value) else value.date()
    return value


def last_activities(people) -> dict[int, dt.date]:
    """The date of the last activity of each person of the queryset `people` (her file's creation at least):
    one query per source, whatever the number of people."""
    latest: dict[int, dt.date] = {}

    def keep(person_id, value):
        day = _as_date(value)
        if day is not None and (person_id not in latest or day > latest[person_id]):
            latest[person_id] = day

    for person_id, created_at in people.values_list("pk", "created_at"):
        keep(person_id, created_at)
    ids = people.values("pk")
    for label, path, fields in ACTIVITY_SOURCES:
        model = apps.get_model(label)
        rows = (
            model.objects.filter(**{f"{path}__in": ids})
            .values(f"{path}_id" if "__" not in path else f"{path}__id")
            .annotate(**{f"last_{f}": Max(f) for f in fields})
        )
        key = f"{path}_id" if "__" not in path else f"{path}__id"
        for row in rows:
            for f in fields:
                keep(row[key], row[f"last_{f}"])
    return latest


def last_activity(person: Person) -> dt.date:
    return last_activities(Person.objects.filter(pk=person.pk))[person.pk]


def open_pathway_people():
    """Ids of the people with a pathway in progress, or a request still open on a refused one."""
    Pathway = apps.get_model("pathway.Pathway")
    return Pathway.objects.filter(
        ~Q(status__in=CLOSED_PATHWAY_STATUSES) | Q(requests__status__in=rules.OPEN_REQUEST_STATUSES)
    ).values("person_id")


def has_open_pathway(person: Person) -> bool:
    return open_pathway_people().filter(person_id=person.pk).exists()


def archive_due_on(last: dt.date) -> dt.date:
    """The first day a file whose last activity was `last` may be archived."""
    return add_months(last, conf.archive_after_months())


def anonymise_due_on(archived_on: dt.date) -> dt.date:
    return add_months(archived_on, 12 * conf.anonymise_after_years())


@dataclass(frozen=True)
class Status:
    """Where a file stands in its retention, for the « Vie privée » page."""

    last_activity: dt.date
    open_pathway: bool
    archive_due_on: dt.date | None  # None while a pathway is open
    archived_on: dt.date | None
    anonymise_due_on: dt.date | None
    anonymised_on: dt.date | None


def status(person: Person) -> Status:
    last = last_activity(person)
    open_ = has_open_pathway(person)
    return Status(
        last_activity=last,
        open_pathway=open_,
        archive_due_on=None if open_ else archive_due_on(last),
        archived_on=person.archived_on,
        anonymise_due_on=anonymise_due_on(person.archived_on) if person.archived_on else None,
        anonymised_on=person.anonymised_on,
    )


# --- Changes ---------------------------------------------------------------------------------------------
def archive(person: Person, on: dt.date | None = None) -> None:
    with transaction.atomic(), maintenance():
        person.archived_on = on or clock.today()
        person.save(update_fields=["archived_on"])
        audit.record_system("update", "person_archive", person.pk, person_id=person.pk)


def reactivate(person: Person, by) -> None:
    """The person comes back: the head of service brings her archived (not anonymised) file back to the
    caseload."""
    from parcours.accounts import policy

    if not policy.can(by, "reactivate_person", person):
        raise DomainError(_("Seule la cheffe de service de l'association peut réactiver un dossier."))
    if person.anonymised_on is not None:
        raise DomainError(_("Ce dossier est anonymisé : il ne peut plus être réactivé."))
    if person.archived_on is None:
        raise DomainError(_("Ce dossier n'est pas archivé."))
    with transaction.atomic(), maintenance():
        person.archived_on = None
        person.save(update_fields=["archived_on"])
        audit.record_system(
            "update", "person_reactivate", person.pk, person_id=person.pk,
            user=by.user, organisation=by.organisation, role=by.role,
        )  # fmt: skip


def files_to_archive(today: dt.date):
    candidates = Person.objects.filter(archived_on__isnull=True, anonymised_on__isnull=True).exclude(
        pk__in=open_pathway_people()
    )
    latest = last_activities(candidates)
    return [pk for pk, last in sorted(latest.items()) if archive_due_on(last) <= today]


def files_to_anonymise(today: dt.date):
    return [
        pk
        for pk, archived_on in Person.objects.filter(archived_on__isnull=False, anonymised_on__isnull=True)
        .order_by("pk")
        .values_list("pk", "archived_on")
        if anonymise_due_on(archived_on) <= today
    ]


def apply_retention(today: dt.date | None = None) -> dict[str, int]:
    """Archive the closed files and anonymise the archived ones that are due. Each file in its own
    transaction; running it twice the same day changes nothing the second time."""
    from .anonymise import anonymise

    today = today or clock.today()
    done = {"archived": 0, "anonymised": 0, "failed": 0}
    for pk in files_to_archive(today):
        archive(Person.objects.get(pk=pk), today)
        done["archived"] += 1
    for pk in files_to_anonymise(today):
        try:
            anonymise(Person.objects.get(pk=pk), today=today)
        except DomainError:
            logger.exception("Anonymisation impossible du dossier %s", pk)
            done["failed"] += 1
        else:
            done["anonymised"] += 1
    return done
