import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from parcours.accounts.models import Organisation
from parcours.core import clock, crypto
from parcours.core.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField
from parcours.core.models import Departement
from parcours.core.versions import version_field

from .visibility import PersonQuerySet


class Gender(models.TextChoices):
    WOMAN = "woman", _("Femme")
    MAN = "man", _("Homme")
    TRANS_WOMAN = "trans_woman", _("Femme trans")
    TRANS_MAN = "trans_man", _("Homme trans")
    NON_BINARY = "non_binary", _("Non binaire")
    UNDISCLOSED = "undisclosed", _("Non précisé")


def identity_index(first_name: str, last_name: str, birth_date: dt.date | None) -> str:
    """Same person, same index, whatever the order of her names, their accents or case."""
    from .search import normalise

    if not (first_name or last_name) or birth_date is None:
        return ""
    words = sorted(normalise(f"{first_name} {last_name}").split())
    return crypto.blind_index(" ".join(words), birth_date.isoformat())


def birth_index(birth_date: dt.date | None) -> str:
    """Same birth date, same index (keyed, truncated like identity_index): the duplicate check reads the
    people born on a day through it instead of decrypting the birth date of the whole association."""
    if birth_date is None:
        return ""
    return crypto.blind_index("birth", birth_date.isoformat())


class FrenchLevel(models.TextChoices):
    UNKNOWN = "", _("Non évalué")
    NONE = "none", _("Aucune notion")
    A1 = "A1", _("A1 (découverte)")
    A2 = "A2", _("A2 (survie)")
    B1 = "B1", _("B1 (seuil)")
    B2 = "B2", _("B2 (avancé)")
    C = "C", _("C1-C2 (autonome)")
    NATIVE = "native", _("Langue maternelle")


class ResidenceStatus(models.TextChoices):
    UNKNOWN = "", _("Non renseigné")
    FRENCH = "french", _("Nationalité française")
    EU = "eu", _("Ressortissante UE, EEE ou Suisse")
    NONE = "none", _("Sans titre de séjour")
    ASYLUM_SEEKER = "asylum_seeker", _("Demandeuse d'asile")
    RECEIPT = "receipt", _("Récépissé de première demande de titre")
    RECEIPT_RENEWAL = "receipt_renewal", _("Récépissé de demande de renouvellement de titre")
    APS = "aps", _("Autorisation provisoire de séjour (APS)")
    PERMIT = "permit", _("Titre de séjour")


class HealthCover(models.TextChoices):
    UNKNOWN = "", _("Non renseigné")
    NONE = "none", _("Aucune")
    PUMA = "puma", _("Protection universelle maladie (PUMa)")
    CSS = "css", _("PUMa et complémentaire santé solidaire (CSS)")
    AME = "ame", _("Aide médicale de l'État (AME)")


# Encrypted columns no list or deadline reads (contact details, other names, languages): lists of many people
# defer them, so that a page of the largest association does not decrypt what it does not show (issue 15).
# A deferred field read anyway costs one query per person: the bounded-query tests (tests/perf) catch it.
LIST_DEFERRED = (
    "alias", "usage_name", "languages", "phone", "safe_phone", "safe_times", "contact_notes", "address",
    "shelter_name",
)  # fmt: skip


def own_or_unassigned(user_id: int | None, prefix: str = "") -> models.Q:
    """The people a social worker's to-do page shows by default: those she is the referent of, and those of
    nobody (her team's to share). `None`: everyone (the head of service, or « toute l'association »)."""
    if user_id is None:
        return models.Q()
    return models.Q(**{f"{prefix}referent_id": user_id}) | models.Q(**{f"{prefix}referent__isnull": True})


class Person(models.Model):
    """A person followed by an approved association (personne accompagnée). Minimal record; the full file
    (contacts, safe-contact rules, consents, encryption at rest) comes with the person's-file issue."""

    association = models.ForeignKey(
        Organisation, verbose_name=_("association"), on_delete=models.PROTECT, related_name="people"
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("référente"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    first_name = EncryptedCharField(_("prénom"), max_length=100)
    last_name = EncryptedCharField(_("nom"), max_length=100)
    alias = EncryptedCharField(_("nom d'usage ou alias"), max_length=200, blank=True)
    birth_date = EncryptedDateField(_("date de naissance"), null=True, blank=True)
    nationality = CountryField(_("nationalité"), blank=True)
    gender = models.CharField(_("genre"), max_length=20, choices=Gender.choices, default=Gender.UNDISCLOSED)
    languages = EncryptedCharField(_("langues parlées"), max_length=200, blank=True)
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département de résidence"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    # Identity and situation (the person's file).
    usage_name = EncryptedCharField(_("nom d'usage"), max_length=100, blank=True)
    birth_country = CountryField(_("pays de naissance"), blank=True)
    other_nationalities = CountryField(_("autres nationalités"), multiple=True, blank=True)
    french_level = models.CharField(_("niveau de français"), max_length=10, choices=FrenchLevel.choices,
                                    blank=True)  # fmt: skip
    dependent_children = models.PositiveSmallIntegerField(
        _("enfants à charge"), default=0, help_text=_("Ils déterminent le montant de l'AFIS.")
    )
    # Contact, and how to contact her without putting her at risk.
    phone = EncryptedCharField(_("téléphone"), max_length=30, blank=True)
    safe_phone = EncryptedCharField(
        _("numéro sûr"),
        max_length=30,
        blank=True,
        help_text=_("Le seul numéro à utiliser, s'il diffère du téléphone."),
    )
    safe_times = EncryptedCharField(_("moments où l'appeler sans risque"), max_length=200, blank=True)
    never_call = models.BooleanField(_("ne jamais appeler"), default=False)
    no_written_messages = models.BooleanField(
        _("aucun message écrit (SMS, courrier, messagerie)"), default=False
    )
    contact_notes = EncryptedTextField(_("consignes de contact"), blank=True)
    # Where she lives or is sheltered.
    address = EncryptedTextField(_("adresse"), blank=True)
    shelter_name = EncryptedCharField(_("hébergement"), max_length=200, blank=True)
    address_confidential = models.BooleanField(
        _("adresse confidentielle"), default=False,
        help_text=_("Lieu de mise à l'abri : n'apparaît ni dans les listes ni dans les documents transmis."),
    )  # fmt: skip
    # Residence, health cover, resources.
    residence_status = models.CharField(_("situation administrative"), max_length=20,
                                        choices=ResidenceStatus.choices, blank=True)  # fmt: skip
    residence_permit_expiry = models.DateField(
        _("fin de validité du titre ou récépissé"), null=True, blank=True
    )
    health_cover = models.CharField(_("couverture maladie"), max_length=10, choices=HealthCover.choices,
                                    blank=True)  # fmt: skip
    health_cover_expiry = models.DateField(_("fin de droits santé"), null=True, blank=True)
    monthly_resources = models.DecimalField(
        _("ressources mensuelles du foyer (€)"), max_digits=8, decimal_places=2, null=True, blank=True,
        help_text=_("Ressources du mois précédant la demande d'AFIS."),
    )  # fmt: skip
    receives_rsa = models.BooleanField(_("perçoit le RSA ou y a droit"), default=False)
    receives_ada = models.BooleanField(_("perçoit l'allocation pour demandeur d'asile (ADA)"), default=False)
    version = version_field()  # optimistic locking of edits (core/locking.py)

    # Keyed hash of the normalised identity (core/crypto.py): finds the same person across associations and
    # départements without storing or revealing who she is.
    identity_index = models.CharField(max_length=16, blank=True, db_index=True, editable=False)
    # Keyed hash of the birth date alone (issue 15): the duplicate check of a new file reads only the people
    # born that day (and the few others the truncated hash puts with them).
    birth_index = models.CharField(max_length=16, blank=True, db_index=True, editable=False)

    # Retention (parcours.privacy, docs/security/retention.md): a closed file is archived (hidden from the
    # caseload, read-only), then anonymised.
    archived_on = models.DateField(_("archivé le"), null=True, blank=True, editable=False)
    anonymised_on = models.DateField(_("anonymisé le"), null=True, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("personne accompagnée")
        ordering = ["pk"]  # names are encrypted: lists sort in Python (people.search)
        indexes = [
            # The fingerprint of an association's files (search.rows_fingerprint, on every view of the
            # caseload and every search): read from the index alone, in key order (decision 0063).
            models.Index(
                fields=["association", "id"],
                include=["version"],
                condition=models.Q(archived_on__isnull=True),
                name="person_live_by_association",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        # A derived column, kept in step with the identity it hashes (the hash itself lives in core/crypto).
        self.identity_index = identity_index(self.first_name, self.last_name, self.birth_date)
        self.birth_index = birth_index(self.birth_date)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "identity_index", "birth_index"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"

    @property
    def reference(self) -> str:
        """A case number that says nothing about the person, for URLs, exports and commission members."""
        return self.reference_of(self.pk)

    @staticmethod
    def reference_of(pk: int) -> str:
        """The reference of the person `pk`, without loading her."""
        return f"P-{pk:06d}"

    @property
    def contact_restricted(self) -> bool:
        return self.never_call or self.no_written_messages or bool(self.safe_phone or self.safe_times)

    def age(self, on: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}. {self.last_name[:1]}.".upper()


class OtherName(models.Model):
    """Further aliases and spellings: Nigerian, Chinese or Romanian names are written in many ways."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    name = EncryptedCharField(_("nom, alias ou autre graphie"), max_length=200)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("autre nom")


class ConsentPurpose(models.TextChoices):
    PROCESSING = "processing", _("Traitement des données par l'association")
    SHARING = "sharing", _("Partage avec un partenaire")


class SharingScope(models.TextChoices):
    """What a person may consent to share with a partner: a small fixed list, so that the partner's pages
    can show exactly the consented parts and nothing else (parcours.sharing)."""

    IDENTITY_CONTACT = "identity_contact", _("Identité et contact sûr")
    ADMINISTRATIVE = "administrative", _("Situation administrative")
    EMPLOYMENT = "employment", _("Projet professionnel et actions emploi/formation")
    APPOINTMENTS = "appointments", _("Rendez-vous")


class ConsentStatus(models.TextChoices):
    ACTIVE = "active", _("actif")
    NOT_YET = "not_yet", _("à venir")
    EXPIRED = "expired", _("expiré")
    WITHDRAWN = "withdrawn", _("retiré")


class Consent(models.Model):
    """A consent is dated, may expire and may be withdrawn; it is never deleted (Aidants Connect model)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("objet"), max_length=20, choices=ConsentPurpose.choices)
    partner = models.ForeignKey(
        Organisation, verbose_name=_("partenaire"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    partner_name = EncryptedCharField(_("partenaire (hors Parcours)"), max_length=200, blank=True)
    scope = EncryptedCharField(_("ce qui peut être partagé"), max_length=300, blank=True)
    # The consented parts (SharingScope values) that a partner of Parcours sees; `scope` stays the words of
    # the consent as shown to the person.
    scopes = models.JSONField(_("parties partagées"), default=list, blank=True)
    text_version = models.CharField(_("version du texte présenté"), max_length=20, default="2026-1")
    given_on = models.DateField(_("recueilli le"))
    expires_on = models.DateField(_("expire le"), null=True, blank=True)
    withdrawn_on = models.DateField(_("retiré le"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("consentement")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=F("given_on")),
                name="consent_expires_after_given",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True) | models.Q(withdrawn_on__gte=F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]

    @property
    def partner_label(self) -> str:
        return self.partner.name if self.partner_id else self.partner_name

    def status(self, on: dt.date) -> ConsentStatus:
        if self.withdrawn_on is not None and self.withdrawn_on <= on:
            return ConsentStatus.WITHDRAWN
        if self.expires_on is not None and self.expires_on < on:
            return ConsentStatus.EXPIRED
        if self.given_on > on:
            return ConsentStatus.NOT_YET
        return ConsentStatus.ACTIVE

    def is_active(self, on: dt.date) -> bool:
        return (
            self.given_on <= on
            and (self.expires_on is None or on <= self.expires_on)
            and (self.withdrawn_on is None or on < self.withdrawn_on)
        )
