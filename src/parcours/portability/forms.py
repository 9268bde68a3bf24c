from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier à importer"),
        help_text=_("CSV (UTF-8), XLSX ou ODS, sur le modèle ci-dessous. Rien n'est enregistré avant votre "
                    "confirmation."),
        error_messages={"required": _("Choisissez un fichier."), "empty": _("Le fichier est vide.")},
    )  # fmt: skip


class ConfirmForm(forms.Form):
    valid_only = forms.BooleanField(
        label=_("Importer seulement les lignes valides (les lignes refusées ne seront pas importées)"),
        required=False,
    )
    confirm = forms.BooleanField(
        label=_("Je confirme l'import : les fiches seront créées dans le dossier de l'association."),
        error_messages={"required": _("Cochez la confirmation pour lancer l'import.")},
    )
