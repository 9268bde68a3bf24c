"""Forms of the follow-up pages. They check the shape of the input; the services check its meaning."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from parcours.accounts.models import Organisation
from parcours.accounts.roles import OrganisationKind
from parcours.core import clock
from parcours.directory.models import DirectoryEntry

from .models import ActionStatus, AppointmentStatus, Domain, ReferralOutcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class NoteForm(DsfrBaseForm):
    domain = forms.ChoiceField(label=_("Domaine"), choices=Domain.choices)
    held_on = forms.DateField(label=_("Date de l'entretien"), widget=DATE)
    text = forms.CharField(label=_("Compte rendu"), widget=forms.Textarea(attrs={"rows": 6}))
    sensitive = forms.BooleanField(
        label=_("Note confidentielle"),
        help_text=_("Seules la référente de la personne et la cheffe de service pourront la lire. Si vous "
                    "n'êtes pas la référente, vous ne pourrez plus la relire."),
        required=False,
    )  # fmt: skip


class ActionForm(DsfrBaseForm):
    domain = forms.ChoiceField(label=_("Domaine"), choices=Domain.choices)
    description = forms.CharField(label=_("Action"), max_length=300)
    due_date = forms.DateField(label=_("Échéance"), widget=DATE, required=False)


class ActionEditForm(DsfrBaseForm):
    description = forms.CharField(label=_("Action"), max_length=300)
    status = forms.ChoiceField(label=_("État"), choices=ActionStatus.choices)
    due_date = forms.DateField(label=_("Échéance"), widget=DATE, required=False)


class ActionStatusForm(DsfrBaseForm):
    status = forms.ChoiceField(label=_("Nouvel état"), choices=ActionStatus.choices)


class AppointmentForm(DsfrBaseForm):
    day = forms.DateField(label=_("Jour"), widget=DATE)
    start = forms.TimeField(label=_("Heure de début"), widget=TIME)
    end = forms.TimeField(label=_("Heure de fin"), widget=TIME)
    worker = forms.ModelChoiceField(label=_("Intervenante"), queryset=None, empty_label=None)
    purpose = forms.ChoiceField(label=_("Objet"), choices=Domain.choices)
    place = forms.CharField(label=_("Lieu"), max_length=200, required=False)

    def __init__(self, *args, workers, confidential_address=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda u: u.get_full_name() or u.username
        if confidential_address:
            # DsfrBaseForm has already bound the fields: the bound field keeps its own copy of the help text.
            self["place"].help_text = self.fields["place"].help_text = _(
                "Adresse confidentielle : indiquez un lieu neutre, jamais son lieu d'hébergement."
            )

    def starts_and_ends(self) -> tuple[dt.datetime, dt.datetime]:
        day = self.cleaned_data["day"]
        return (
            dt.datetime.combine(day, self.cleaned_data["start"], tzinfo=clock.PARIS),
            dt.datetime.combine(day, self.cleaned_data["end"], tzinfo=clock.PARIS),
        )


class AppointmentOutcomeForm(DsfrBaseForm):
    status = forms.ChoiceField(label=_("Issue du rendez-vous"), choices=AppointmentStatus.choices)


class ReferralForm(DsfrBaseForm):
    partner = forms.ModelChoiceField(
        label=_("Partenaire"), queryset=Organisation.objects.filter(kind=OrganisationKind.PARTNER),
        required=False, empty_label="—",
    )  # fmt: skip
    entry = forms.ModelChoiceField(
        label=_("Ou service de l'annuaire du département"), queryset=DirectoryEntry.objects.none(),
        required=False, empty_label="—",
    )  # fmt: skip
    partner_name = forms.CharField(
        label=_("Autre partenaire"), max_length=200, required=False,
        help_text=_("S'il n'est ni dans Parcours ni dans l'annuaire."),
    )  # fmt: skip
    domain = forms.ChoiceField(label=_("Domaine"), choices=Domain.choices)
    reason = forms.CharField(label=_("Motif de l'orientation"), max_length=300)
    referred_on = forms.DateField(label=_("Date de l'orientation"), widget=DATE)
    oral_agreement = forms.BooleanField(
        label=_("Accord oral de la personne"),
        help_text=_("À cocher si elle a accepté que sa situation soit partagée avec ce partenaire et "
                    "qu'aucun consentement écrit n'est enregistré dans son dossier."),
        required=False,
    )  # fmt: skip
    comment = forms.CharField(
        label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, entries=None, **kwargs):
        super().__init__(*args, **kwargs)
        if entries is not None:  # the active services of the caller's département (DirectoryEntry.visible_to)
            self.fields["entry"].queryset = entries


class ReferralOutcomeForm(DsfrBaseForm):
    outcome = forms.ChoiceField(label=_("Suite donnée"), choices=ReferralOutcome.choices)
    outcome_on = forms.DateField(label=_("Date de la réponse"), widget=DATE, required=False)
    comment = forms.CharField(
        label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class MeetingForm(DsfrBaseForm):
    held_on = forms.DateField(label=_("Date de la réunion"), widget=DATE)


class AgendaForm(DsfrBaseForm):
    person = forms.TypedChoiceField(label=_("Personne à revoir"), coerce=int, choices=())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(p.pk, f"{p.full_name} ({p.reference})") for p in people]
        self.fields["person"].choices = [("", "—"), *choices]


class DecisionForm(DsfrBaseForm):
    domain = forms.ChoiceField(label=_("Domaine"), choices=Domain.choices)
    text = forms.CharField(label=_("Décision"), widget=forms.Textarea(attrs={"rows": 4}))
    sensitive = forms.BooleanField(
        label=_("Note confidentielle"),
        help_text=_("Seules la référente de la personne et la cheffe de service pourront la lire."),
        required=False,
    )
