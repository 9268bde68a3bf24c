import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.core import clock

from . import tokens


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        help_text=_("Pour le reconnaître : l'outil qui l'utilise, par exemple."),
    )
    read = forms.MultipleChoiceField(label=_("Lecture"), required=False, widget=forms.CheckboxSelectMultiple)
    write = forms.MultipleChoiceField(
        label=_("Écriture"), required=False, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        label=_("Expire le"),
        help_text=_("Au plus un an. Format : JJ/MM/AAAA."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {code: label for code, (_rule, label, _w) in tokens.RESOURCES.items()}
        self.fields["read"].choices = [(c, labels[c]) for c in tokens.resources_for(membership)]
        self.fields["write"].choices = [(c, labels[c]) for c in tokens.writable_for(membership)]
        self.fields["expires_on"].initial = clock.today() + dt.timedelta(days=90)
