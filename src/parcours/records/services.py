"""Every change to the documents and the life story. Each function checks who acts, writes in one transaction
and raises `DomainError` with a French message when it refuses; a refusal leaves everything as it was.

Who may do what (the association's own file, ASVS level 3 for documents and life stories):
- documents: read and add by the association's staff (social workers, head of service); delete by the
  person's referent or the head of service;
- life story: read, write and export by the person's referent and the head of service only.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from parcours.accounts import policy
from parcours.accounts.models import Membership
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.people.models import Person

from . import files
from .models import Document, DocumentKind, LifeStory, LifeStoryVersion

logger = logging.getLogger(__name__)

EARLIEST_EXPIRY = dt.date(1990, 1, 1)
LATEST_EXPIRY_YEARS = 20  # a French identity card is valid 15 years, a passport 10
MAX_LIFE_STORY_CHARS = 200_000


DELETE_REFUSED = _lazy(
    "Seules la référente de la personne et la cheffe de service peuvent supprimer un document."
)


class LifeStoryRestricted(DomainError):
    """The life story is readable by the referent and the head of service only."""


class LifeStoryConflict(DomainError):
    """Someone saved a newer version since the form was opened. `current` is that version."""

    def __init__(self, message: str, current: LifeStoryVersion | None):
        super().__init__(message)
        self.current = current


# --- Who may --------------------------------------------------------------------------------------------
def is_staff_of(by: Membership | None, person: Person) -> bool:
    return policy.can(by, "person_file", person)


def is_referent_or_head(by: Membership | None, person: Person) -> bool:
    """The person's referent worker or the head of service of her association."""
    return policy.can(by, "read_sensitive", person)


def _require_staff(by: Membership | None, person: Person) -> None:
    if not is_staff_of(by, person):
        raise DomainError(_("Votre rôle ne permet pas cette action."))


def can_delete_document(by: Membership | None, document: Document) -> bool:
    return is_referent_or_head(by, document.person)


def can_read_life_story(by: Membership | None, person: Person) -> bool:
    return is_referent_or_head(by, person)


def require_life_story_access(by: Membership | None, person: Person) -> None:
    if not can_read_life_story(by, person):
        raise LifeStoryRestricted(
            _("Le récit de vie n'est accessible qu'à la référente de la personne et à la cheffe de service.")
        )


# --- Documents ------------------------------------------------------------------------------------------
def check_expiry(expires_on: dt.date | None) -> None:
    if expires_on is None:
        return
    latest = dt.date(clock.today().year + LATEST_EXPIRY_YEARS, 12, 31)
    if not EARLIEST_EXPIRY <= expires_on <= latest:
        raise DomainError(
            _(
                "La date de fin de validité n'est pas plausible : elle doit être comprise entre %(min)s et "
                "%(max)s."
            )
            % {"min": EARLIEST_EXPIRY.year, "max": latest.year}
        )


def add_document(
    person: Person,
    by: Membership,
    *,
    kind: str,
    upload,
    title: str = "",
    expires_on: dt.date | None = None,
) -> Document:
    """Check the file on its content, seal it and store it under a random name outside the web root (the
    documents' storage: a folder or an object store), record it."""
    _require_staff(by, person)
    if kind not in DocumentKind.values:
        raise DomainError(_("Choisissez le type de document."))
    title = (title or "").strip() or str(DocumentKind(kind).label)
    if len(title) > 200:
        raise DomainError(_("L'intitulé ne doit pas dépasser 200 caractères."))
    check_expiry(expires_on)
    checked = files.check_upload(upload)
    storage_name = files.new_storage_name()
    try:
        files.write(upload, storage_name)
    except OSError as exc:  # a full disk, an object store unreachable or refusing (core/storage.py)
        logger.error("records: a document could not be stored (%s)", type(exc).__name__)
        raise DomainError(
            _(
                "Le document n'a pas pu être enregistré : le stockage des documents ne répond pas. Rien "
                "n'a été enregistré ; réessayez dans quelques minutes ou signalez-le à la personne qui "
                "administre Parcours."
            )
        ) from exc
    try:
        with transaction.atomic():
            document = Document.objects.create(
                person=person,
                kind=kind,
                title=title,
                expires_on=expires_on,
                storage_name=storage_name,
                original_name=files.clean_filename(getattr(upload, "name", ""), checked.content_type),
                size=checked.size,
                content_type=checked.content_type,
                sha256=checked.sha256,
                uploaded_by=by.user,
                uploaded_at=clock.now(),
            )
            audit.record_event(by, "document.upload", document)
    except BaseException:
        files.remove(storage_name)
        raise
    return document


def delete_document(document: Document, by: Membership) -> None:
    """Remove the row and, once that is committed, the file."""
    if not can_delete_document(by, document):
        raise DomainError(str(DELETE_REFUSED))
    storage_name = document.storage_name
    pk = document.pk
    with transaction.atomic():
        audit.record_event(by, "document.delete", pk, person_id=document.person_id)
        Document.objects.filter(pk=pk).delete()
        transaction.on_commit(lambda: _remove_file(storage_name, pk))


def _remove_file(storage_name: str, pk: int) -> None:
    try:
        files.remove(storage_name)
    except OSError:
        logger.warning("records: the file of deleted document %s could not be removed", pk)


# --- Life story -----------------------------------------------------------------------------------------
def normalise(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def current_version(person: Person) -> LifeStoryVersion | None:
    return LifeStoryVersion.objects.filter(life_story__person=person).select_related("author").first()


def save_life_story(
    person: Person, by: Membership, text: str, *, based_on: int, comment: str = ""
) -> LifeStoryVersion:
    """Save a new version. `based_on` is the number of the version the writer started from (0 for none): if a
    newer one was saved meanwhile, refuse with `LifeStoryConflict` so that nobody's text is overwritten."""
    require_life_story_access(by, person)
    text = normalise(text)
    comment = (comment or "").strip()
    if not text:
        raise DomainError(_("Le récit est vide : écrivez-le avant de l'enregistrer."))
    if len(text) > MAX_LIFE_STORY_CHARS:
        raise DomainError(_("Le récit dépasse 200 000 caractères : il n'a pas été enregistré."))
    if len(comment) > 300:
        raise DomainError(_("Le commentaire ne doit pas dépasser 300 caractères."))
    try:
        with transaction.atomic():
            story = _lock_story(person)
            latest = story.versions.select_related("author").order_by("-number").first()
            latest_number = latest.number if latest else 0
            if based_on != latest_number:
                raise LifeStoryConflict(
                    _("Une version plus récente (version %(n)s) a été enregistrée pendant que vous écriviez. "
                      "Votre texte n'a pas été enregistré : il est repris ci-dessous. Relisez la version "
                      "actuelle, puis enregistrez de nouveau.") % {"n": latest_number},
                    latest,
                )  # fmt: skip
            if latest is not None and latest.text == text:
                raise DomainError(_("Le texte n'a pas changé depuis la version %(n)s : aucune nouvelle "
                                    "version n'a été créée.") % {"n": latest_number})  # fmt: skip
            version = LifeStoryVersion.objects.create(
                life_story=story,
                number=latest_number + 1,
                text=text,
                comment=comment,
                author=by.user,
                created_at=clock.now(),
            )
            audit.record_event(by, "life_story.save", version, person_id=person.pk)
            return version
    except IntegrityError as exc:  # two first versions at once: the other one won
        raise LifeStoryConflict(
            _("Une autre version vient d'être enregistrée : votre texte est repris ci-dessous, "
              "enregistrez de nouveau."), current_version(person)
        ) from exc  # fmt: skip


def _lock_story(person: Person) -> LifeStory:
    story = LifeStory.objects.select_for_update().filter(person=person).first()
    if story is None:
        story = LifeStory.objects.create(person=person, created_at=clock.now())
    return story
