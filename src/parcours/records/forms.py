from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from . import files
from .models import DocumentKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


class UploadInput(forms.FileInput):
    group_class = "fr-upload-group"  # the DSFR upload component


def _file_help() -> str:
    return gettext_now("PDF, JPEG ou PNG, %(max)s au plus.") % {"max": files.human_size(files.max_bytes())}


class DocumentForm(DsfrBaseForm):
    kind = forms.ChoiceField(
        label=_("Type de document"),
        choices=[("", _("Choisir")), *DocumentKind.choices],
        error_messages={"required": _("Choisissez le type de document.")},
    )
    title = forms.CharField(
        label=_("Intitulé"),
        max_length=200,
        required=False,
        help_text=_(
            "Par exemple « Récépissé de demande de titre ». Inutile d'y écrire le nom de la personne."
        ),
    )
    expires_on = forms.DateField(label=_("Fin de validité"), widget=DATE, required=False)
    file = forms.FileField(
        label=_("Fichier"),
        widget=UploadInput(attrs={"class": "fr-upload", "accept": ACCEPT}),
        error_messages={"required": _("Choisissez un fichier à déposer.")},
        allow_empty_file=True,  # an empty file gets the service's clearer message
        help_text=lazy(_file_help, str)(),
    )


class LifeStoryForm(DsfrBaseForm):
    text = forms.CharField(
        label=_("Récit de vie"),
        widget=forms.Textarea(attrs={"rows": 20}),
        strip=False,
        error_messages={"required": _("Le récit est vide : écrivez-le avant de l'enregistrer.")},
        help_text=_("Chaque enregistrement crée une nouvelle version ; les versions précédentes restent "
                    "consultables."),
    )  # fmt: skip
    comment = forms.CharField(label=_("Ce qui change dans cette version"), max_length=300, required=False)
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class CompareForm(DsfrBaseForm):
    old = forms.TypedChoiceField(label=_("Version de départ"), coerce=int)
    new = forms.TypedChoiceField(label=_("Version d'arrivée"), coerce=int)

    def __init__(self, *args, numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, _("Version %(n)s") % {"n": n}) for n in numbers]
        self.fields["old"].choices = self.fields["new"].choices = choices
