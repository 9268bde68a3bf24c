"""Password rules beyond Django's (ANSSI, CNIL délibération 2022-100): length rather than composition, and
nothing an attacker would try first. Django's validators already refuse the 20,000 most common passwords
and those close to the user name or the person's own names; this one refuses the organisation's name."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_WORD = 5  # shorter words of a name ("du", "Gard") are too common to forbid


def _letters(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", text)


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return [w for w in re.split(r"[^a-z0-9]+", text) if len(w) >= MIN_WORD]


class OrganisationNameValidator:
    """Refuse a password that contains the name of one of the user's organisations, or one of its words of
    five letters or more, whatever the accents, case and punctuation."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        from .models import Organisation

        candidate = _letters(password)
        for name in Organisation.objects.filter(memberships__user=user).values_list("name", flat=True):
            whole = _letters(name)
            if (whole and whole in candidate) or any(w in candidate for w in _words(name)):
                raise ValidationError(
                    _("Le mot de passe ne doit pas contenir le nom de votre organisation."),
                    code="password_contains_organisation",
                )

    def get_help_text(self):
        return _("Votre mot de passe ne doit pas contenir le nom de votre organisation.")
