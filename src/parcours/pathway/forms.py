import re
from functools import partial
from types import SimpleNamespace

from django import forms
from django.forms import formset_factory
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from parcours.core import widgets

from . import rules
from .models import Domain, OutcomeActivity, OutcomeHousing

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Free text the secretariat types on a session reaches the commission members (who must not identify anyone)
# and the préfecture: said on every such field.
READ_BY_MEMBERS = _(
    "Ce texte est lu par les membres de la commission et par la préfecture : n'y écrivez ni nom, ni "
    "élément permettant de reconnaître une personne."
)


class ConditionallyRequired:
    """A field required in some cases only (the form's clean() says which). DSFR marks optional fields, not
    required ones: such a field is neither marked « (optionnel) » nor given the browser's `required`
    attribute, and its hint says when it must be filled (`required_when`)."""

    def __init__(self, *args, required_when, **kwargs):
        hint = kwargs.pop("help_text", "")
        kwargs["help_text"] = format_lazy("{} {}", required_when, hint) if hint else required_when
        super().__init__(*args, required=True, **kwargs)
        self.widget.use_required_attribute = lambda initial: False
        self.widget.is_required = False

    def validate(self, value):
        self.required = False  # an empty value is the form's clean() to judge
        try:
            super().validate(value)
        finally:
            self.required = True


class ConditionalCharField(ConditionallyRequired, forms.CharField):
    pass


class ConditionalMultipleChoiceField(ConditionallyRequired, forms.MultipleChoiceField):
    pass


class RequestForm(DsfrBaseForm):
    situation = forms.CharField(
        label=_("Situation de la personne"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    motivation = forms.CharField(
        label=_("Motivation et projet d'insertion sociale et professionnelle"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    evaluation = forms.CharField(
        label=_("Évaluation de la période écoulée (renouvellement)"),
        help_text=_("Actions réalisées, engagements tenus, prochaines étapes."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    sworn_statement = forms.BooleanField(
        label=_("L'attestation sur l'honneur de cessation de l'activité de prostitution est signée"),
        required=False,
    )
    sworn_statement_on = forms.DateField(
        label=_("Attestation sur l'honneur signée le"),
        help_text=_(
            "Facultatif : une demande peut être validée et transmise sans attestation signée ; son absence "
            "est signalée à la commission et au préfet (CE, 19 novembre 2021, n° 440802)."
        ),
        widget=DATE,
        required=False,
    )
    signed_on = forms.DateField(
        label=_("Date de signature par la personne et l'association"), widget=DATE, required=False
    )

    def __init__(self, *args, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != rules.RequestKind.RENEWAL:
            del self.fields["evaluation"]


class PlanActionForm(DsfrBaseForm):
    domain = forms.ChoiceField(label=_("Domaine"), choices=Domain.choices)
    description = forms.CharField(label=_("Action prévue"), max_length=300, required=False)
    target_date = forms.DateField(label=_("Échéance"), widget=DATE, required=False)


class CommitmentForm(DsfrBaseForm):
    text = forms.CharField(label=_("Engagement de la personne"), max_length=300, required=False)


# Empty lines offered on each display (a new request's plan usually has three to six actions); « Ajouter une
# ligne » adds one more without saving (pathway/views.py).
MAX_LINES = 30
PlanActionFormSet = formset_factory(PlanActionForm, extra=3, max_num=MAX_LINES, validate_max=True)
CommitmentFormSet = formset_factory(CommitmentForm, extra=2, max_num=MAX_LINES, validate_max=True)


class CommentForm(DsfrBaseForm):
    comment = forms.CharField(
        label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class SessionForm(DsfrBaseForm):
    date = forms.DateField(label=_("Date de la séance"), widget=DATE)
    place = forms.CharField(label=_("Lieu"), max_length=200, required=False, help_text=READ_BY_MEMBERS)


class SessionDetailsForm(DsfrBaseForm):
    place = forms.CharField(label=_("Lieu"), max_length=200, required=False, help_text=READ_BY_MEMBERS)
    attendance = forms.CharField(
        label=_("Membres présents"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=READ_BY_MEMBERS,
    )


class AvisForm(DsfrBaseForm):
    kind = forms.ChoiceField(
        label=_("Avis"), choices=[("", _("— non examinée —")), *rules.AvisKind.choices], required=False
    )
    reason = ConditionalCharField(
        label=_("Motif"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required_when=_("Obligatoire pour un avis défavorable ou un ajournement."),
        help_text=READ_BY_MEMBERS,
    )
    # The vote (docs/decisions/0039): required once the commission's composition is kept in Parcours.
    votes_for = forms.IntegerField(label=_("Voix pour"), min_value=0, max_value=99, required=False)
    votes_against = forms.IntegerField(label=_("Voix contre"), min_value=0, max_value=99, required=False)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, max_value=99, required=False)

    def votes(self):
        d = self.cleaned_data
        values = (d.get("votes_for"), d.get("votes_against"), d.get("abstentions"))
        if all(v is None for v in values):
            return None
        return tuple(v or 0 for v in values)

    def clean(self):
        data = super().clean()
        if (
            data.get("kind")
            and data["kind"] != rules.AvisKind.FAVOURABLE
            and not data.get("reason", "").strip()
        ):
            self.add_error("reason", _("Un avis défavorable ou un ajournement doit être motivé."))
        return data


class BlankAvisForms:
    """The avis fields of every agenda item no one has filled in yet, rendered once for the whole session
    page (issue 15: a Django form rendered per item was most of the page's time and weight). Each item gets
    the same markup as `AvisForm(prefix=f"item{pk}")`, its prefix put in; whitespace runs become one."""

    _PREFIX = "item__pk__"

    def __init__(self):
        self._form = AvisForm(prefix=self._PREFIX)
        self._html: dict[str, str] = {}

    def field(self, name: str, pk: int) -> str:
        if name not in self._html:
            self._html[name] = re.sub(r"\s*\n\s*", "\n", self._form[name].as_field_group())
        return mark_safe(self._html[name].replace(self._PREFIX, f"item{int(pk)}"))  # noqa: S308 (rendered by Django)

    def for_item(self, pk: int) -> SimpleNamespace:
        """Stands for an unbound AvisForm in the template: `form.kind.as_field_group`, no errors."""
        fields = {
            name: SimpleNamespace(as_field_group=partial(self.field, name, pk))
            for name in AvisForm.base_fields
        }
        return SimpleNamespace(non_field_errors=(), **fields)


class DecisionForm(DsfrBaseForm):
    kind = forms.ChoiceField(
        label=_("Décision"),
        choices=[("authorised", _("Autoriser")), ("refused", _("Refuser"))],
        widget=widgets.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Date de la décision"), widget=DATE)
    start = forms.DateField(
        label=_("Début du parcours (engagement)"),
        help_text=_("Par défaut, la date de la décision. Un renouvellement suit la période précédente."),
        widget=DATE,
        required=False,
    )
    refusal_reasons = ConditionalMultipleChoiceField(
        label=_("Motifs de refus"),
        choices=rules.RefusalReason.choices,
        widget=widgets.CheckboxSelectMultiple,
        required_when=_("Obligatoire en cas de refus : au moins un motif."),
    )
    motivation = ConditionalCharField(
        label=_("Motivation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required_when=_("Obligatoire en cas de refus."),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == "refused":
            if not data.get("refusal_reasons"):
                self.add_error("refusal_reasons", _("Un refus doit indiquer au moins un motif."))
            if not data.get("motivation", "").strip():
                self.add_error("motivation", _("Un refus doit être motivé par écrit."))
        return data


class ExitForm(DsfrBaseForm):
    date = forms.DateField(label=_("Date de sortie"), widget=DATE)
    reason = forms.ChoiceField(
        label=_("Motif de sortie"),
        choices=[c for c in rules.ExitReason.choices if c[0] != rules.ExitReason.ENDED_EARLY],
    )
    housing = forms.ChoiceField(
        label=_("Logement à la sortie"), choices=OutcomeHousing.choices, required=False
    )
    activity = forms.ChoiceField(
        label=_("Activité à la sortie"), choices=OutcomeActivity.choices, required=False
    )
    comment = forms.CharField(
        label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class EndEarlyForm(DsfrBaseForm):
    date = forms.DateField(label=_("Date de fin"), widget=DATE)
    motivation = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 3}))
