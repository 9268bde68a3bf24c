"""Forms of the employment pages: they check the shape of the input; the services check its meaning."""

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .models import (
    AgreementOutcome,
    Cefr,
    Contract,
    OutcomeKind,
    Readiness,
    StepKind,
    SupportKind,
    SupportStatus,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _people_choices(people):
    return [("", "—")] + [(p.pk, f"{p.full_name} ({p.reference})") for p in people]


class ProjectForm(DsfrBaseForm):
    target_trades = forms.CharField(label=_("Métiers visés"), max_length=300, required=False)
    french_level = forms.ChoiceField(
        label=_("Niveau de français (CECRL)"), choices=Cefr.choices, required=False
    )
    qualifications = forms.CharField(
        label=_("Diplômes et qualifications"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    childcare = forms.BooleanField(label=_("Garde d'enfants"), required=False)
    mobility = forms.BooleanField(label=_("Mobilité"), required=False)
    health = forms.BooleanField(label=_("Santé"), required=False)
    constraints_note = forms.CharField(
        label=_("Précisions sur les contraintes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    readiness = forms.ChoiceField(label=_("Où en est-elle ?"), choices=Readiness.choices)


class SupportForm(DsfrBaseForm):
    kind = forms.ChoiceField(label=_("Aide"), choices=SupportKind.choices)
    body = forms.CharField(label=_("Organisme qui l'accorde"), max_length=150)
    status = forms.ChoiceField(label=_("Statut"), choices=SupportStatus.choices)
    requested_on = forms.DateField(label=_("Demandée le"), widget=DATE)
    decided_on = forms.DateField(label=_("Décidée le"), widget=DATE, required=False)
    ends_on = forms.DateField(label=_("Jusqu'au"), widget=DATE, required=False)


class ProgrammeForm(DsfrBaseForm):
    name = forms.CharField(label=_("Nom du programme"), max_length=150)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    partners = forms.ModelMultipleChoiceField(
        label=_("Partenaires de Parcours"), queryset=None, required=False
    )
    directory_entries = forms.ModelMultipleChoiceField(
        label=_("Partenaires de l'annuaire"), queryset=None, required=False
    )

    def __init__(self, *args, partners, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = partners
        self.fields["directory_entries"].queryset = entries


class CohortForm(DsfrBaseForm):
    label = forms.CharField(label=_("Intitulé de la promotion"), max_length=150)
    starts_on = forms.DateField(label=_("Début"), widget=DATE)


class StepForm(DsfrBaseForm):
    kind = forms.ChoiceField(label=_("Type d'étape"), choices=StepKind.choices)
    starts_on = forms.DateField(label=_("Début"), widget=DATE)
    ends_on = forms.DateField(label=_("Fin"), widget=DATE, required=False)
    employers = forms.ModelMultipleChoiceField(
        label=_("Employeurs et agences présents (job-dating)"), queryset=None, required=False
    )
    interviews = forms.IntegerField(label=_("Entretiens tenus (job-dating)"), min_value=0, required=False)

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employers"].queryset = entries


class PersonForm(DsfrBaseForm):
    person = forms.TypedChoiceField(label=_("Personne suivie"), coerce=int, choices=())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = _people_choices(people)


class OutcomeForm(PersonForm):
    kind = forms.ChoiceField(label=_("Issue"), choices=OutcomeKind.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    contract = forms.ChoiceField(
        label=_("Contrat (emploi)"), choices=[("", "—"), *Contract.choices], required=False
    )
    weekly_hours = forms.IntegerField(label=_("Heures par semaine (emploi)"), required=False)
    reason = forms.CharField(
        label=_("Motif (abandon)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AgreementForm(DsfrBaseForm):
    label = forms.CharField(label=_("Intitulé"), max_length=150)
    partner = forms.ModelChoiceField(label=_("Partenaire de Parcours"), queryset=None, required=False)
    partner_entry = forms.ModelChoiceField(
        label=_("Ou partenaire de l'annuaire"), queryset=None, required=False
    )
    starts_on = forms.DateField(label=_("Début"), widget=DATE)
    ends_on = forms.DateField(label=_("Fin"), widget=DATE)
    support_months = forms.IntegerField(label=_("Durée de l'accompagnement par personne (mois)"), initial=12)
    terms = forms.CharField(
        label=_("Termes de la convention"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Les engagements des parties : rien sur une personne."),
    )

    def __init__(self, *args, partners, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["partner_entry"].queryset = entries


class EndAgreementForm(DsfrBaseForm):
    on = forms.DateField(
        label=_("Terminée le"),
        widget=DATE,
        help_text=_(
            "Aujourd'hui ou un jour passé : plus aucune personne ne pourra être inscrite sous la convention."
        ),
    )


class EnrolmentForm(PersonForm):
    starts_on = forms.DateField(label=_("Début de l'accompagnement"), widget=DATE)


class CloseForm(DsfrBaseForm):
    enrolment = forms.TypedChoiceField(label=_("Personne"), coerce=int, choices=())
    outcome = forms.ChoiceField(label=_("Situation à la fin"), choices=AgreementOutcome.choices)
    on = forms.DateField(label=_("Constatée le"), widget=DATE)

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].choices = [("", "—")] + [
            (e.pk, f"{e.person.full_name} ({e.person.reference})") for e in enrolments
        ]
