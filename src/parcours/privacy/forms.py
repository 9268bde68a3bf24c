from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ErasureGround


class ErasureForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Motif de l'effacement"),
        choices=ErasureGround.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Indiquez le motif de l'effacement.")},
    )
    confirm = forms.BooleanField(
        label=_("Je confirme l'effacement définitif de ce dossier : il ne pourra pas être rétabli."),
        error_messages={"required": _("Cochez la case de confirmation pour effacer le dossier.")},
    )
