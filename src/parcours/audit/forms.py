import re

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .models import Action

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REFERENCE = re.compile(r"(?:P-?)?0*(\d{1,12})", re.IGNORECASE)


class JournalFilterForm(DsfrBaseForm):
    user = forms.TypedChoiceField(label=_("Utilisateur·rice"), required=False, coerce=int, empty_value=None)
    person = forms.CharField(
        label=_("Référence de la personne"),
        help_text=_("Par exemple P-000123."),
        required=False,
        max_length=20,
    )
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("Toutes")), *Action.choices], required=False
    )
    start = forms.DateField(label=_("Du"), widget=DATE, required=False)
    end = forms.DateField(label=_("Au"), widget=DATE, required=False)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", _("Toutes et tous"))] + [
            (u.pk, u.get_full_name() or u.username) for u in users
        ]

    def clean_person(self) -> int | None:
        value = self.cleaned_data["person"].strip()
        if not value:
            return None
        match = REFERENCE.fullmatch(value)
        if not match:
            raise forms.ValidationError(_("Indiquez une référence de la forme P-000123."))
        return int(match.group(1))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("La date de fin précède la date de début."))
        return data
