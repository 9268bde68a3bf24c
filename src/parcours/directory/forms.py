"""Forms of the directory pages: the shape of the input; the services check its meaning."""

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .models import EntryKind


class EntryForm(DsfrBaseForm):
    kind = forms.ChoiceField(label=_("Type"), choices=EntryKind.choices)
    name = forms.CharField(label=_("Nom de l'organisme"), max_length=150)
    town = forms.CharField(label=_("Commune"), max_length=100, required=False)
    contact = forms.CharField(
        label=_("Contact"),
        max_length=250,
        required=False,
        help_text=_("Le service, un téléphone ou un courriel professionnels : jamais une personne suivie."),
    )
    description = forms.CharField(label=_("Ce qu'il propose"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("En activité"), required=False, initial=True)
