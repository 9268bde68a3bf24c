"""Forms of the commission as a body (composition, attendance, reconvened session)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from parcours.accounts.models import Organisation

from . import rules
from .forms import DATE

PROFESSIONAL = _("Donnée professionnelle : figure sur la convocation et le procès-verbal.")


class MemberForm(DsfrBaseForm):
    college = forms.ChoiceField(label=_("Collège"), choices=[("", "—"), *rules.College.choices])
    name = forms.CharField(label=_("Nom du membre titulaire"), max_length=150, help_text=PROFESSIONAL)
    function = forms.CharField(label=_("Fonction"), max_length=200)
    email = forms.EmailField(
        label=_("Adresse électronique"), required=False, help_text=_("Pour la convocation.")
    )
    user = forms.ChoiceField(label=_("Compte Parcours du membre"), required=False)
    association = forms.ModelChoiceField(
        label=_("Association représentée"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Le membre ne siège pas sur les demandes préparées par cette association."),
    )
    substitute_name = forms.CharField(label=_("Nom du suppléant"), max_length=150, required=False)
    substitute_function = forms.CharField(label=_("Fonction du suppléant"), max_length=200, required=False)
    substitute_email = forms.EmailField(label=_("Adresse électronique du suppléant"), required=False)
    appointed_on = forms.DateField(label=_("Nommé le"), widget=DATE)

    def __init__(self, *args, accounts=(), associations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", _("— aucun —")), *accounts]
        if associations is not None:
            self.fields["association"].queryset = associations


class EndMemberForm(DsfrBaseForm):
    ended_on = forms.DateField(label=_("Fin du mandat le"), widget=DATE)


class ReconveneForm(DsfrBaseForm):
    date = forms.DateField(label=_("Date de la nouvelle séance"), widget=DATE)
