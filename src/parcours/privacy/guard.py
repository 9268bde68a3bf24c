"""An archived file is read-only: every save or deletion of the person, or of a row hanging from her, is
refused with a French message (a `DomainError`, which the views show as an error and which rolls back the
service's transaction). Only the retention services themselves (`maintenance()`) write to an archived file.

The guard follows the models, not the views: a page, an API call, a command or a job added later is held by
it without knowing it exists. Bulk `QuerySet.update()` bypasses model signals; no service uses it on these
models.
"""

from __future__ import annotations

import contextlib
import threading

from django.apps import apps
from django.db.models.signals import pre_delete, pre_save
from django.utils.translation import gettext as _

from parcours.core.errors import DomainError

_state = threading.local()

# Rows that reach the person through another row: model label → path to the person's id.
INDIRECT = {
    "records.lifestoryversion": "life_story__person_id",
    "followup.noteversion": "note__person_id",
    "followup.actionitemchange": "item__person_id",
    "pathway.pathwayrequest": "pathway__person_id",
}


class ArchivedFileError(DomainError):
    def __init__(self):
        super().__init__(
            _("Ce dossier est archivé : il se consulte mais ne se modifie plus. La cheffe de service peut le "
              "réactiver depuis la page « Vie privée » de la personne.")
        )  # fmt: skip


@contextlib.contextmanager
def maintenance():
    """Let the retention services (archive, reactivate, anonymise, erase) write to archived files."""
    previous = getattr(_state, "allowed", False)
    _state.allowed = True
    try:
        yield
    finally:
        _state.allowed = previous


def _person_id(instance) -> int | None:
    label = instance._meta.label_lower
    if label == "people.person":
        return instance.pk
    if label in INDIRECT:
        path = INDIRECT[label]
        head, _sep, rest = path.partition("__")
        related = getattr(instance, head, None) if getattr(instance, f"{head}_id", None) else None
        return getattr(related, rest, None) if related is not None else None
    return getattr(instance, "person_id", None)


def _check(sender, instance, **kwargs) -> None:
    if getattr(_state, "allowed", False) or kwargs.get("raw"):
        return
    person_id = _person_id(instance)
    if person_id is None:
        return
    from parcours.people.models import Person

    if Person.objects.filter(pk=person_id, archived_on__isnull=False).exists():
        raise ArchivedFileError


def guarded_models() -> list:
    """Person, every model with a `person` foreign key to it, and the INDIRECT ones."""
    from parcours.people.models import Person

    found = []
    for model in apps.get_models():
        label = model._meta.label_lower
        field = next((f for f in model._meta.concrete_fields if f.name == "person"), None)
        if (
            model is Person
            or label in INDIRECT
            or (field is not None and field.is_relation and field.related_model is Person)
        ):
            found.append(model)
    return found


def connect() -> None:
    for model in guarded_models():
        pre_save.connect(_check, sender=model, dispatch_uid=f"privacy-guard-save-{model._meta.label_lower}")
        pre_delete.connect(_check, sender=model, dispatch_uid=f"privacy-guard-del-{model._meta.label_lower}")
