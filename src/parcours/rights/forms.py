"""Forms of the rights page. They only parse; the services check the order and plausibility of the dates."""

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .rules import AfisStopReason
from .services import AfisDates, ApsDates

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label, help_text=""):
    return forms.DateField(label=label, widget=DATE, required=False, help_text=help_text)


class AfisForm(DsfrBaseForm):
    requested_on = forms.DateField(
        label=_("Demande adressée à la MSA le"),
        widget=DATE,
        help_text=_("L'AFIS est versée par la caisse de MSA, pas par la CAF."),
    )
    first_payment_on = _date(_("Premier versement reçu le"))
    stopped_on = _date(_("Arrêt du versement le"))
    stop_reason = forms.ChoiceField(
        label=_("Motif de l'arrêt"), required=False, choices=[("", _("— aucun —")), *AfisStopReason.choices]
    )
    comment = forms.CharField(
        label=_("Commentaire"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def dates(self) -> AfisDates:
        return AfisDates(**self.cleaned_data)


class ApsForm(DsfrBaseForm):
    requested_on = forms.DateField(label=_("Demande d'APS déposée à la préfecture le"), widget=DATE)
    receipt_on = _date(_("Récépissé délivré le"))
    receipt_expires_on = _date(_("Récépissé valable jusqu'au"))
    issued_on = _date(_("APS délivrée le"))
    expires_on = _date(_("APS valable jusqu'au"))
    renewal_requested_on = _date(_("Renouvellement demandé le"))
    comment = forms.CharField(
        label=_("Commentaire"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def dates(self) -> ApsDates:
        return ApsDates(**self.cleaned_data)


def initial_from(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names} if obj is not None else {}
