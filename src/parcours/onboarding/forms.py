from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from parcours.accounts.models import Membership, Organisation, User
from parcours.accounts.roles import ASSOCIATION_STAFF
from parcours.core import widgets

from . import services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganisationForm(DsfrBaseForm, forms.ModelForm):
    """An organisation; the kind is chosen at creation and does not change afterwards. What each kind needs
    is `services.organisation_problems`, shown next to each field."""

    class Meta:
        model = Organisation
        fields = [*services.ORGANISATION_FIELDS, "departements_served"]
        widgets = {
            "approval_start": DATE,
        }
        labels = {"departement": _("Département (siège d'une association)")}
        help_texts = {
            "approval_number": _("Association agréée seulement (CASF R121-12-1)."),
            "approval_start": _("Association agréée seulement : l'agrément vaut 3 ans."),
            "departements_served": _("Association seulement ; le département du siège s'y ajoute."),
            "siret": _("14 chiffres : il relie les comptes ProConnect des agents à l'organisation."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        served = self.fields["departements_served"]
        served.required = False
        # Built here, not in Meta: the widget lists its choices at construction (a query of the départements).
        served.widget = widgets.SelectsMultiple(
            item_label=_("Département d'intervention %s"), empty_label=_("— aucun —")
        )
        served.widget.choices = list(served.choices)
        if self.instance.pk:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("Le type d'une organisation ne change pas après sa création.")

    def clean(self):
        cleaned = super().clean()
        probe = self.instance
        for name in services.ORGANISATION_FIELDS:
            if name in cleaned:
                setattr(probe, name, cleaned[name])
        if probe.kind:
            for field, message in services.organisation_problems(
                probe, cleaned.get("departements_served") or []
            ).items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, message)
        return cleaned


class RoleChoiceForm(DsfrBaseForm):
    """A role among those the organisation's kind can give (the service checks it again, and the database)."""

    role = forms.ChoiceField(label=_("Rôle"))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["role"].choices = services.roles_for(organisation.kind)

    def clean_role(self):
        role = self.cleaned_data["role"]
        problem = services.role_problem(self.organisation, role)
        if problem:
            raise forms.ValidationError(problem)
        return role


class InviteForm(RoleChoiceForm):
    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("Le lien d'invitation y sera envoyé ; il ne sert qu'une fois."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    field_order = ["email", "role"]


class AcceptForm(DsfrBaseForm):
    """The invitee's identifier and password (AUTH_PASSWORD_VALIDATORS, checked here and by the service)."""

    username = forms.CharField(
        label=_("Identifiant de connexion"),
        max_length=150,
        help_text=_("Par défaut, votre adresse électronique."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        help_text=_("Au moins 12 caractères ; une phrase de passe se retient mieux."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Cet identifiant est déjà pris : choisissez-en un autre."))
        return username

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif first:
            problems = services.password_problems(first, cleaned.get("username", ""), self.email)
            for problem in problems:
                self.add_error("password1", problem)
        return cleaned


class InternProfileForm(DsfrBaseForm):
    school = forms.CharField(label=_("École ou centre de formation"), max_length=150)
    tutor = forms.ModelChoiceField(label=_("Tutrice ou tuteur"), queryset=Membership.objects.none())
    starts_on = forms.DateField(label=_("Début du stage"), widget=forms.DateInput(attrs={"type": "date"},
                                format="%Y-%m-%d"))  # fmt: skip
    ends_on = forms.DateField(label=_("Fin du stage"), widget=forms.DateInput(attrs={"type": "date"},
                              format="%Y-%m-%d"))  # fmt: skip

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tutor"].queryset = (
            Membership.objects.filter(organisation=organisation, is_active=True, role__in=ASSOCIATION_STAFF)
            .select_related("user").order_by("user__last_name", "pk")
        )  # fmt: skip
        self.fields["tutor"].label_from_instance = lambda m: (
            f"{m.user.get_full_name() or m.user.username} ({m.get_role_display()})"
        )
