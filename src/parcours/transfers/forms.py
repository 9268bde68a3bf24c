from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from parcours.accounts.models import Organisation
from parcours.core import widgets
from parcours.core.models import Departement

from .models import ConsentMethod

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssociationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        served = ", ".join(d.code for d in obj.departements_served.all())
        return f"{obj.name} ({served})" if served else obj.name


class TransferRequestForm(DsfrBaseForm):
    to_association = AssociationChoice(
        label=_("Association qui reprendra le dossier"),
        queryset=Organisation.objects.none(),
        error_messages={"required": _("Choisissez l'association qui reprendra le dossier.")},
    )
    to_departement = forms.ModelChoiceField(
        label=_("Département de résidence après le transfert"),
        queryset=Departement.objects.all(),
        help_text=_("Changez-le si la personne déménage dans un autre département."),
        error_messages={"required": _("Indiquez le département où la personne résidera.")},
    )
    consent_given_on = forms.DateField(
        label=_("Consentement de la personne recueilli le"),
        widget=DATE,
        error_messages={
            "required": _("Le transfert demande le consentement de la personne : indiquez la date à laquelle "
                          "elle l'a donné."),
            "invalid": _("Saisissez une date valide."),
        },
    )  # fmt: skip
    consent_method = forms.ChoiceField(
        label=_("Comment le consentement a été recueilli"),
        choices=ConsentMethod.choices,
        widget=widgets.RadioSelect,
        error_messages={"required": _("Indiquez comment le consentement de la personne a été recueilli.")},
    )
    message = forms.CharField(
        label=_("Message à l'association qui reçoit (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Lu avant l'acceptation : n'y écrivez ni le nom de la personne ni ce qui permet de la "
                    "reconnaître."),
    )  # fmt: skip

    def __init__(self, *args, associations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_association"].queryset = associations


class AcceptForm(DsfrBaseForm):
    referent = forms.ModelChoiceField(
        label=_("Nouvelle référente de la personne"),
        queryset=None,
        error_messages={"required": _("Choisissez la nouvelle référente de la personne.")},
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = staff
        self.fields["referent"].label_from_instance = lambda u: u.get_full_name() or u.username


class RefuseForm(DsfrBaseForm):
    reason = forms.CharField(
        label=_("Motif du refus"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("L'association qui transfère le lira."),
        error_messages={"required": _("Indiquez le motif du refus : l'association qui transfère le lira.")},
    )


class CancelForm(DsfrBaseForm):
    confirmed = forms.BooleanField(
        label=_("Je confirme l'annulation de cette demande de transfert."),
        error_messages={"required": _("Cochez la case pour confirmer l'annulation.")},
    )
