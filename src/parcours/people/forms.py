from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from parcours.accounts.models import Organisation
from parcours.accounts.roles import OrganisationKind
from parcours.core import clock, widgets

from . import services
from .models import ConsentPurpose, Person, SharingScope

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class PersonForm(DsfrBaseForm, forms.ModelForm):
    """The person's identity and situation, for creating a file and for changing it. The checks are those
    of `services.file_problems`, shown next to each field."""

    GROUPS = (
        ("identity", _("Identité"), ("first_name", "last_name", "usage_name", "alias", "birth_date",
                                     "birth_country", "nationality", "other_nationalities", "gender")),
        ("languages", _("Langues et enfants"), ("languages", "french_level", "dependent_children")),
        ("contact", _("Contact et consignes de sécurité"), ("phone", "safe_phone", "safe_times", "never_call",
                                                            "no_written_messages", "contact_notes")),
        ("housing", _("Lieu de vie"), ("departement", "shelter_name", "address", "address_confidential")),
        ("residence", _("Situation administrative et santé"), ("residence_status", "residence_permit_expiry",
                                                               "health_cover", "health_cover_expiry")),
        ("resources", _("Ressources"), ("monthly_resources", "receives_rsa", "receives_ada")),
        ("follow", _("Suivi"), ("referent",)),
    )  # fmt: skip

    class Meta:
        model = Person
        fields = services.FILE_FIELDS
        widgets = {
            "birth_date": DATE,
            "residence_permit_expiry": DATE,
            "health_cover_expiry": DATE,
            "address": forms.Textarea(attrs={"rows": 3}),
            "contact_notes": forms.Textarea(attrs={"rows": 3}),
            "other_nationalities": widgets.SelectsMultiple(
                item_label=_("Autre nationalité %s"), empty_label=_("— aucune —")
            ),
            "phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
            "safe_phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        }
        help_texts = {
            "alias": _("Le nom sous lequel elle se présente, s'il diffère. D'autres graphies s'ajoutent "
                       "ensuite sur la page « Identité et situation »."),
            "languages": _("Séparées par des virgules, par exemple : anglais, pidgin, edo."),
            "other_nationalities": _("Une nationalité par liste."),
        }  # fmt: skip
        labels = {"alias": _("Alias"), "referent": _("Travailleuse sociale référente")}
        field_classes = {"referent": StaffChoiceField}

    def __init__(self, *args, membership, can_change_referent=True, **kwargs):
        super().__init__(*args, **kwargs)
        association = membership.organisation
        served = association.departements_served.all()
        self.fields["departement"].queryset = served
        if not self.is_bound and not self.initial.get("departement") and len(served) == 1:
            # An association serving one département: nothing to choose (issue 8, a click saved).
            self.initial["departement"] = served[0].pk
        self.fields["referent"].queryset = services.staff_users(association)
        if not can_change_referent:
            self.fields["referent"].disabled = True
            self.fields["referent"].help_text = _(
                "Seules la cheffe de service et la référente actuelle peuvent la changer."
            )
            self._bound_fields_cache.pop("referent", None)  # built by DsfrBaseForm before the change

    def groups(self):
        return [{"id": key, "legend": legend, "fields": [self[name] for name in names if name in self.fields]}
                for key, legend, names in self.GROUPS]  # fmt: skip

    def clean(self):
        data = super().clean()
        for field, message in services.file_problems(data, clock.today()).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return data


class PersonCreateForm(PersonForm):
    """Creation adds the consent to processing and, when a similar file exists, the confirmation."""

    processing_consent_on = forms.DateField(
        label=_("Consentement au traitement des données recueilli le"),
        help_text=_("Laissez vide s'il n'a pas encore été recueilli ; il s'ajoute ensuite sur la page du "
                    "dossier."),
        widget=DATE, required=False,
    )  # fmt: skip
    distinct_confirmed = forms.BooleanField(label=_("Il s'agit bien d'une autre personne"), required=False)

    GROUPS = (*PersonForm.GROUPS, ("consent", _("Consentement"), ("processing_consent_on",)))


class OtherNameForm(DsfrBaseForm):
    name = forms.CharField(
        label=_("Autre nom, alias ou graphie"), max_length=200,
        help_text=_("Par exemple une autre transcription du nom ou un nom d'emprunt."),
    )  # fmt: skip


class ConsentForm(DsfrBaseForm):
    purpose = forms.ChoiceField(label=_("Objet"), choices=ConsentPurpose.choices, widget=forms.RadioSelect)
    partner = forms.ModelChoiceField(label=_("Partenaire de Parcours"), queryset=Organisation.objects.none(),
                                     required=False, empty_label=_("— aucun —"))  # fmt: skip
    partner_name = forms.CharField(label=_("Ou nom du partenaire"), max_length=200, required=False,
                                   help_text=_("S'il n'est pas dans la liste."))  # fmt: skip
    scope = forms.CharField(label=_("Ce qui peut être partagé"), max_length=300, required=False,
                            help_text=_("Obligatoire pour un partage, par exemple : coordonnées et situation "
                                        "administrative pour l'accompagnement global."))  # fmt: skip
    scopes = forms.MultipleChoiceField(
        label=_("Ce que le partenaire de Parcours verra"),
        choices=SharingScope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pour un partenaire choisi dans la liste : ses conseillers ne verront que ces parties."),
    )
    given_on = forms.DateField(label=_("Recueilli le"), widget=DATE)
    expires_on = forms.DateField(label=_("Expire le"), widget=DATE, required=False)
    text_version = forms.CharField(label=_("Version du texte présenté"), max_length=20, initial="2026-1")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Organisation.objects.filter(kind=OrganisationKind.PARTNER)


class WithdrawConsentForm(DsfrBaseForm):
    withdrawn_on = forms.DateField(label=_("Retiré le"), widget=DATE)
