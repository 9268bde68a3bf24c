import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from parcours.core import clock

from .models import Person


class PersonForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["first_name", "last_name", "alias", "birth_date", "nationality", "gender", "languages",
                  "departement"]  # fmt: skip
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, departements=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departements is not None:
            self.fields["departement"].queryset = departements

    def clean_birth_date(self):
        born = self.cleaned_data.get("birth_date")
        if born and (born > clock.today() or born < dt.date(1900, 1, 1)):
            raise forms.ValidationError(_("La date de naissance n'est pas plausible."))
        return born
