"""Optimistic locking of edits: a second editor gets a clear conflict, never a silent overwrite.

Every model that an edit form changes carries an integer `version` (`versions.version_field()`). The
page puts the version it showed into a hidden input named `version`; the service calls
`claim(obj, expected)` inside its transaction, which runs
`UPDATE … SET version = version + 1 WHERE id = %s AND version = %s`. When no row matches, someone saved
meanwhile: `EditConflict` (a `DomainError`), the transaction is rolled back and nothing is written. The
view shows the editor's input again with the values now saved (`differences`, `conflict_context`), and
the hidden input then carries the new version: saving again is deliberate.

The same UPDATE holds the row lock until the end of the transaction (PostgreSQL), and SQLite serialises
writers, so two editors submitting at the same instant cannot both pass. See
docs/decisions/0020-optimistic-locking.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django import forms
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from parcours.core.dates import date_format
from parcours.core.errors import DomainError

from .versions import FIELD

MISSING = -1  # a POST without a readable version: treated as out of date


class EditConflict(DomainError):
    """Someone saved the object after the editor opened it. `current` is the object as now saved."""

    def __init__(self, current: models.Model | None = None, message: str | None = None):
        super().__init__(
            message
            or _("Quelqu'un d'autre a enregistré une modification pendant que vous travailliez : vos "
                 "modifications n'ont pas été enregistrées. Votre saisie est reprise ci-dessous, à côté des "
                 "valeurs enregistrées entre-temps ; vérifiez-les, puis enregistrez de nouveau si vos "
                 "modifications doivent les remplacer.")
        )  # fmt: skip
        self.current = current


def claim(obj: models.Model, expected: int | None) -> int:
    """Take the next version of `obj`'s row if it is still `expected` (None: whatever it is, for commands and
    jobs that act on what they have just read). Must run inside the service's transaction; sets and returns
    the new version, so that a following `obj.save()` writes it. Raises EditConflict otherwise."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim() runs inside the transaction of the service that writes.")
    model = type(obj)
    rows = model._base_manager.filter(pk=obj.pk)
    if expected is not None:
        if not rows.filter(**{FIELD: expected}).update(**{FIELD: F(FIELD) + 1}):
            raise EditConflict(model._base_manager.filter(pk=obj.pk).first())
        new = expected + 1
    else:
        rows.update(**{FIELD: F(FIELD) + 1})
        new = rows.values_list(FIELD, flat=True).get()
    setattr(obj, FIELD, new)
    return new


def posted_version(request) -> int:
    """The version the page was showing, from the hidden input; MISSING when absent or altered."""
    value = request.POST.get(FIELD, "")
    return int(value) if value.isdigit() and len(value) < 10 else MISSING


def shown_version(request, obj: models.Model, conflict: EditConflict | None = None) -> int:
    """The version to put back in the page: the current one on first display and after a conflict (saving
    again is then a deliberate choice), the posted one when the form is shown again for an input error (so
    that a change saved meanwhile is still detected)."""
    if conflict is not None and conflict.current is not None:
        return getattr(conflict.current, FIELD)
    if request.method == "POST":
        return posted_version(request)
    return getattr(obj, FIELD)


# --- Showing the values saved meanwhile ------------------------------------------------------------------
def _display(field: forms.Field | None, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    if isinstance(field, forms.ModelMultipleChoiceField) or isinstance(value, models.Manager):
        return ", ".join(str(v) for v in value.all()) or "—"
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        labels = {str(k): str(v) for k, v in field.choices}
        if isinstance(value, list | tuple):
            return ", ".join(labels.get(str(v), str(v)) for v in value) or "—"
        return labels.get(str(value), str(value))
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def _comparable(value):
    if isinstance(value, models.Manager):
        value = list(value.all())
    if isinstance(value, models.QuerySet):
        value = list(value)
    if isinstance(value, list | tuple):
        return sorted(str(v.pk if isinstance(v, models.Model) else v) for v in value)
    if isinstance(value, models.Model):
        return value.pk
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


def differences(form: forms.Form, current: Mapping[str, object], names: Iterable[str] | None = None) -> list:
    """The fields of `form` whose value now saved differs from the editor's input: [{label, value}]."""
    submitted = getattr(form, "cleaned_data", {}) or {}
    rows = []
    for name in names or current.keys():
        if name not in current:
            continue
        field = form.fields.get(name)
        value = current[name]
        if name in submitted and _comparable(submitted[name]) == _comparable(value):
            continue
        rows.append({"label": field.label if field is not None else name, "value": _display(field, value)})
    return rows


def conflict_context(conflict: EditConflict | None, rows: list | None = None) -> dict | None:
    """What `parcours/edit_conflict.html` shows: the message and the values saved meanwhile."""
    if conflict is None:
        return None
    return {"message": conflict.message, "rows": rows or []}


def extra_row(label: str, value: str) -> dict:
    return {"label": label, "value": value or "—"}
