"""The version counter of an editable object (optimistic locking, see `locking.py`). Apart from `locking.py`
so that models can use it without importing the domain services."""

from django.db import models
from django.utils.translation import gettext_lazy as _

FIELD = "version"  # the model field and the name of the hidden input of edit forms


def version_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        _("version"), default=0, editable=False,
        help_text=_("Augmente à chaque modification ; sert à détecter les modifications simultanées."),
    )  # fmt: skip
