"""Forms of the funding pages. They check the shape of the input; the services check its meaning."""

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from . import indicators
from .models import FunderKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NO_NAME = _("Décrivez l'action de l'association : aucun nom de personne.")


class FunderForm(DsfrBaseForm):
    kind = forms.ChoiceField(label=_("Type de financeur"), choices=FunderKind.choices)
    name = forms.CharField(
        label=_("Nom"), max_length=150, help_text=_("Par exemple : « DDETS du Gard — droits des femmes »")
    )


class GrantForm(DsfrBaseForm):
    funder = forms.ModelChoiceField(label=_("Financeur"), queryset=None)
    label = forms.CharField(
        label=_("Intitulé"),
        max_length=150,
        help_text=_("Par exemple : « Convention 2026 — accompagnement PSP »"),
    )
    starts_on = forms.DateField(label=_("Début de la période"), widget=DATE)
    ends_on = forms.DateField(label=_("Fin de la période"), widget=DATE)
    amount = forms.DecimalField(label=_("Montant accordé (€)"), max_digits=12, decimal_places=2, min_value=0)
    purpose = forms.CharField(label=_("Objet"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=NO_NAME)  # fmt: skip
    conditions = forms.CharField(label=_("Conditions"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}), help_text=NO_NAME)  # fmt: skip
    indicators = forms.MultipleChoiceField(
        label=_("Indicateurs à rendre"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    report_due_on = forms.DateField(
        label=_("Rapport à rendre avant le"), widget=DATE, required=False,
        help_text=_("La date fixée par la convention : Parcours le rappelle un mois avant."),
    )  # fmt: skip
    report_sent_on = forms.DateField(label=_("Rapport envoyé le"), widget=DATE, required=False)

    def __init__(self, *args, funders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders
        self.fields["indicators"].choices = indicators.choices()


class PostForm(DsfrBaseForm):
    role = forms.CharField(label=_("Poste"), max_length=150,
                           help_text=_("Le rôle, jamais le nom de la personne : « conseillère en insertion "
                                       "professionnelle »"))  # fmt: skip
    sites = forms.CharField(label=_("Sites"), max_length=200, required=False)
    months = forms.IntegerField(label=_("Mois financés"), min_value=1, max_value=120)
    starts_on = forms.DateField(label=_("Début"), widget=DATE)
    ends_on = forms.DateField(label=_("Fin"), widget=DATE)


class ChargeForm(DsfrBaseForm):
    date = forms.DateField(label=_("Date"), widget=DATE)
    label = forms.CharField(
        label=_("Libellé"), max_length=150,
        help_text=_("Par exemple : « Loyer du local — mars ». Aucun nom de personne."),
    )  # fmt: skip
    amount = forms.DecimalField(label=_("Montant (€)"), max_digits=12, decimal_places=2, min_value=0,
                                required=False)  # fmt: skip
    hours = forms.DecimalField(label=_("Heures"), max_digits=8, decimal_places=2, min_value=0, required=False)
