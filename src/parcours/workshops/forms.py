"""Forms of the workshop pages. They check the shape of the input; the services check its meaning."""

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .models import Topic

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class SeriesForm(DsfrBaseForm):
    topic = forms.ChoiceField(label=_("Thème"), choices=Topic.choices)
    label = forms.CharField(
        label=_("Intitulé"), max_length=150, help_text=_("Par exemple : « Rapport à l'argent — automne »")
    )
    facilitator = forms.ModelChoiceField(
        label=_("Animatrice (membre de l'association)"), queryset=None, required=False
    )
    external_facilitator = forms.CharField(
        label=_("Ou organisme animateur extérieur"), max_length=150, required=False,
        help_text=_("Le nom de l'organisme seulement."),
    )  # fmt: skip
    starts_on = forms.DateField(label=_("Début de la série"), widget=DATE)
    ends_on = forms.DateField(label=_("Fin de la série"), widget=DATE)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = members
        self.fields["facilitator"].label_from_instance = lambda m: (
            f"{m.user.get_full_name() or m.user.username} ({m.get_role_display()})"
        )


class SessionForm(DsfrBaseForm):
    date = forms.DateField(label=_("Jour"), widget=DATE)
    starts_at = forms.TimeField(label=_("Heure de début"), widget=TIME)
    ends_at = forms.TimeField(label=_("Heure de fin"), widget=TIME)


class EnrolForm(DsfrBaseForm):
    person = forms.TypedChoiceField(label=_("Personne suivie"), coerce=int, choices=())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—")] + [
            (p.pk, f"{p.full_name} ({p.reference})") for p in people
        ]
