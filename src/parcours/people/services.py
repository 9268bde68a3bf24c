"""Every change to a person's file: creation, identity and situation, other names, consents.

Each function checks who acts (the staff of the person's association), checks the input, writes in one
transaction and raises `DomainError` with a French message when it refuses; a refusal leaves everything
as it was. Views, the API, commands and the demo generator call these; none of them saves a file itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership, Organisation, User
from parcours.accounts.roles import ASSOCIATION_STAFF, OrganisationKind
from parcours.audit import log as audit
from parcours.core import clock, locking
from parcours.core.dates import date_format
from parcours.core.errors import DomainError

from .models import Consent, ConsentPurpose, HealthCover, OtherName, Person, ResidenceStatus, SharingScope
from .search import normalise, possible_duplicates

# Plausibility of the file (practice; the texts are silent).
EARLIEST_BIRTH = dt.date(1900, 1, 1)
MIN_AGE = 13  # minors are followed too (décret of 30 December 2025); a younger age is a typing error
MAX_AGE = 100
EARLIEST_PAPER = dt.date(2000, 1, 1)  # titles, receipts and health rights ending before are typing errors
PERMIT_MAX_YEARS = 10  # the longest residence card (carte de résident) lasts 10 years
HEALTH_MAX_YEARS = 5  # CSS and AME are granted for a year; PUMa rights are checked every few years
MAX_CHILDREN = 20
MAX_RESOURCES = Decimal("100000")
EARLIEST_CONSENT = dt.date(2000, 1, 1)
PAPER_STATUSES = {ResidenceStatus.ASYLUM_SEEKER, ResidenceStatus.RECEIPT, ResidenceStatus.RECEIPT_RENEWAL,
                  ResidenceStatus.APS, ResidenceStatus.PERMIT}  # fmt: skip
COVERED = {HealthCover.PUMA, HealthCover.CSS, HealthCover.AME}
PHONE = re.compile(r"^\+?[0-9][0-9 .()\-]{4,28}[0-9]$")


class PossibleDuplicate(DomainError):
    """The association already follows people with the same birth date and a similar name."""

    def __init__(self, matches: list[Person]):
        super().__init__(
            _("L'association suit déjà une personne née le même jour sous un nom proche. Vérifiez qu'il "
              "s'agit bien d'une autre personne avant d'enregistrer.")
        )  # fmt: skip
        self.matches = matches


# --- Who may ---------------------------------------------------------------------------------------------
def is_staff_of(by: Membership | None, person: Person) -> bool:
    return policy.can(by, "person_file", person)


def _require_staff(by: Membership | None, person: Person) -> None:
    if not is_staff_of(by, person):
        raise DomainError(_("Votre rôle ne permet pas cette action."))


def staff_users(association: Organisation):
    """The people who may be a person's referent: active social workers and heads of service."""
    return (
        User.objects.filter(memberships__organisation=association, memberships__role__in=ASSOCIATION_STAFF,
                            memberships__is_active=True)
        .distinct().order_by("last_name", "first_name")
    )  # fmt: skip


def may_change_referent(by: Membership | None, person: Person) -> bool:
    """The referent reads the sensitive notes and the life story: only the head of service or the current
    referent (handing the file over) may change her, so that nobody grants herself that access."""
    return policy.can(by, "change_referent", person)


# --- Plausibility of the file ------------------------------------------------------------------------------
def _d(day: dt.date) -> str:
    return date_format(day, "j F Y")


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def file_problems(values: Mapping, today: dt.date) -> dict[str, str]:
    """What is implausible in these values of a person's file: {field name: French message}."""
    problems: dict[str, str] = {}
    born = values.get("birth_date")
    if born:
        if born > today:
            problems["birth_date"] = _("La date de naissance ne peut pas être dans le futur.")
        elif born < EARLIEST_BIRTH or age_on(born, today) > MAX_AGE:
            problems["birth_date"] = _(
                "Cette date de naissance donne plus de %(max)d ans : vérifiez l'année."
            ) % {"max": MAX_AGE}
        elif age_on(born, today) < MIN_AGE:
            problems["birth_date"] = _(
                "Cette date de naissance donne moins de %(min)d ans : vérifiez l'année."
            ) % {"min": MIN_AGE}
    expiry = values.get("residence_permit_expiry")
    if expiry:
        if values.get("residence_status") not in PAPER_STATUSES:
            problems["residence_permit_expiry"] = _(
                "Une fin de validité ne s'indique que pour une attestation de demande d'asile, un récépissé, "
                "une APS ou un titre de séjour."
            )
        elif expiry < EARLIEST_PAPER:
            problems["residence_permit_expiry"] = _(
                "La fin de validité doit être postérieure au %(day)s."
            ) % {"day": _d(EARLIEST_PAPER)}
        elif expiry > _years_after(today, PERMIT_MAX_YEARS):
            problems["residence_permit_expiry"] = _(
                "Aucun titre ne dure plus de %(n)d ans : la fin de validité ne peut pas dépasser le %(day)s."
            ) % {"n": PERMIT_MAX_YEARS, "day": _d(_years_after(today, PERMIT_MAX_YEARS))}
    health_end = values.get("health_cover_expiry")
    if health_end:
        if values.get("health_cover") not in COVERED:
            problems["health_cover_expiry"] = _(
                "Une fin de droits ne s'indique que pour une couverture maladie."
            )
        elif health_end < EARLIEST_PAPER:
            problems["health_cover_expiry"] = _("La fin de droits doit être postérieure au %(day)s.") % {
                "day": _d(EARLIEST_PAPER)}  # fmt: skip
        elif health_end > _years_after(today, HEALTH_MAX_YEARS):
            problems["health_cover_expiry"] = _("La fin de droits ne peut pas dépasser le %(day)s.") % {
                "day": _d(_years_after(today, HEALTH_MAX_YEARS))}  # fmt: skip
    resources = values.get("monthly_resources")
    if resources is not None and not (0 <= resources <= MAX_RESOURCES):
        problems["monthly_resources"] = _(
            "Les ressources mensuelles doivent être comprises entre 0 et 100 000 €."
        )
    if (values.get("dependent_children") or 0) > MAX_CHILDREN:
        problems["dependent_children"] = _("Le nombre d'enfants à charge n'est pas plausible.")
    for field in ("phone", "safe_phone"):
        number = (values.get(field) or "").strip()
        if number and (not PHONE.match(number) or sum(c.isdigit() for c in number) < 6):
            problems[field] = _(
                "Un numéro ne contient que des chiffres (au moins six), des espaces, des points, des "
                "tirets, des parenthèses et un « + » initial."
            )
    if not (values.get("first_name") or "").strip():
        problems["first_name"] = _("Le prénom est obligatoire.")
    if not (values.get("last_name") or "").strip():
        problems["last_name"] = _("Le nom est obligatoire.")
    return problems


FILE_FIELDS = (
    "first_name", "last_name", "usage_name", "alias", "birth_date", "birth_country", "nationality",
    "other_nationalities", "gender", "languages", "french_level", "departement", "dependent_children",
    "phone", "safe_phone", "safe_times", "never_call", "no_written_messages", "contact_notes",
    "shelter_name", "address", "address_confidential", "residence_status", "residence_permit_expiry",
    "health_cover", "health_cover_expiry", "monthly_resources", "receives_rsa", "receives_ada", "referent",
)  # fmt: skip


def _check_file(person: Person, by: Membership) -> None:
    problems = file_problems({f: getattr(person, f) for f in FILE_FIELDS if f != "referent"}, clock.today())
    if problems:
        raise DomainError(next(iter(problems.values())))
    association = by.organisation
    if not association.departements_served.filter(pk=person.departement_id).exists():
        raise DomainError(_("L'association n'intervient pas dans ce département."))
    if person.referent_id is not None and not staff_users(association).filter(pk=person.referent_id).exists():
        raise DomainError(_("La référente doit être une travailleuse sociale ou la cheffe de service de "
                            "l'association."))  # fmt: skip


# --- Creation and changes ---------------------------------------------------------------------------------
def create_person(by: Membership, person: Person, *, distinct_confirmed: bool = False,
                  processing_consent_on: dt.date | None = None) -> Person:  # fmt: skip
    """Open the file of `person` (unsaved) in the association of `by`. When the association already follows
    someone born the same day under a similar name, raises PossibleDuplicate unless `distinct_confirmed`."""
    if not policy.can(by, "person_create"):
        raise DomainError(_("Votre rôle ne permet pas cette action."))
    if person.pk is not None:
        raise DomainError(_("Ce dossier existe déjà."))
    person.association = by.organisation
    if person.referent_id is None:
        person.referent = by.user
    _check_file(person, by)
    if processing_consent_on is not None:
        _check_consent_dates(processing_consent_on, None)
    if not distinct_confirmed:
        matches = possible_duplicates(Person.objects.visible_to(by), person.first_name, person.last_name,
                                      person.birth_date)  # fmt: skip
        if matches:
            raise PossibleDuplicate(matches)
    with transaction.atomic():
        person.save()
        if processing_consent_on is not None:
            Consent.objects.create(person=person, purpose=ConsentPurpose.PROCESSING,
                                   given_on=processing_consent_on, recorded_by=by.user)  # fmt: skip
        audit.record_event(by, "person.create", person, person_id=person.pk)
    return person


@transaction.atomic
def update_file(person: Person, by: Membership, *, expected_version: int | None = None) -> Person:
    """Save the identity and situation of `person` as changed in memory (by a form). `expected_version` is
    the version the form showed: if the file was saved since, raises `locking.EditConflict`."""
    _require_staff(by, person)
    saved = Person.objects.get(pk=person.pk)
    if saved.association_id != person.association_id:
        raise DomainError(_("Un dossier ne change pas d'association ici."))
    if person.referent_id != saved.referent_id and not may_change_referent(by, saved):
        raise DomainError(
            _("Seules la cheffe de service et la référente actuelle peuvent changer la référente.")
        )
    _check_file(person, by)
    locking.claim(person, expected_version)
    person.save()
    audit.record_event(by, "person.update", person, person_id=person.pk)
    return person


def add_other_name(person: Person, by: Membership, name: str) -> OtherName:
    _require_staff(by, person)
    name = " ".join((name or "").split())
    if not normalise(name):
        raise DomainError(_("Saisissez le nom, l'alias ou l'autre graphie à ajouter."))
    if len(name) > OtherName._meta.get_field("name").max_length:
        raise DomainError(_("Un nom ne doit pas dépasser 200 caractères."))
    known = [
        person.first_name, person.last_name, person.usage_name, person.alias,
        f"{person.first_name} {person.last_name}", *person.other_names.values_list("name", flat=True),
    ]  # fmt: skip
    if normalise(name) in {normalise(k) for k in known if k}:
        raise DomainError(_("Ce nom figure déjà dans le dossier."))
    with transaction.atomic():
        other = OtherName.objects.create(person=person, name=name)
        audit.record_event(by, "other_name.add", other)
        return other


def remove_other_name(other: OtherName, by: Membership) -> None:
    _require_staff(by, other.person)
    with transaction.atomic():
        audit.record_event(by, "other_name.remove", other.pk, person_id=other.person_id)
        other.delete()


# --- Consents ---------------------------------------------------------------------------------------------
def _check_consent_dates(given_on: dt.date | None, expires_on: dt.date | None) -> None:
    today = clock.today()
    if given_on is None:
        raise DomainError(_("Indiquez la date à laquelle le consentement a été recueilli."))
    if given_on > today:
        raise DomainError(_("Un consentement ne peut pas être recueilli dans le futur."))
    if given_on < EARLIEST_CONSENT:
        raise DomainError(
            _("La date de recueil doit être postérieure au %(day)s.") % {"day": _d(EARLIEST_CONSENT)}
        )
    if expires_on is not None and expires_on < given_on:
        raise DomainError(_("La date d'expiration ne peut pas précéder la date de recueil."))


def record_consent(
    person: Person, by: Membership, *, purpose: str, given_on: dt.date, expires_on: dt.date | None = None,
    partner: Organisation | None = None, partner_name: str = "", scope: str = "", text_version: str = "",
    scopes: Iterable[str] = (),
) -> Consent:  # fmt: skip
    """Record a consent given by the person: to the association's processing of her data, or to sharing a
    scope of it with one named partner (an organisation of Parcours or a free name). `scopes` (SharingScope
    values) are the parts of the file a partner of Parcours then sees (parcours.sharing)."""
    _require_staff(by, person)
    scopes = list(dict.fromkeys(scopes or ()))
    if any(s not in SharingScope.values for s in scopes):
        raise DomainError(_("Choisissez ce qui peut être partagé dans la liste."))
    scopes = [s for s in SharingScope.values if s in scopes]
    partner_name = " ".join((partner_name or "").split())
    scope = (scope or "").strip()
    text_version = (text_version or "").strip() or Consent._meta.get_field("text_version").default
    if purpose not in ConsentPurpose.values:
        raise DomainError(_("Choisissez l'objet du consentement."))
    if purpose == ConsentPurpose.SHARING:
        if (partner is None) == (not partner_name):
            raise DomainError(
                _("Indiquez un seul partenaire : choisi dans la liste ou saisi en toutes lettres.")
            )
        if partner is not None and partner.kind != OrganisationKind.PARTNER:
            raise DomainError(_("Le partage ne se consent qu'avec un partenaire."))
        if not scope and scopes:
            scope = ", ".join(str(SharingScope(s).label) for s in scopes)
        if not scope:
            raise DomainError(_("Précisez ce qui peut être partagé avec ce partenaire."))
    elif scopes:
        raise DomainError(_("Seul un partage avec un partenaire précise ce qui peut être partagé."))
    elif partner is not None or partner_name:
        raise DomainError(_("Le consentement au traitement des données ne désigne pas de partenaire."))
    if len(partner_name) > 200 or len(scope) > 300 or len(text_version) > 20:
        raise DomainError(_("Un des textes saisis est trop long."))
    _check_consent_dates(given_on, expires_on)
    with transaction.atomic():
        consent = Consent.objects.create(
            person=person, purpose=purpose, partner=partner, partner_name=partner_name, scope=scope,
            scopes=scopes, text_version=text_version, given_on=given_on, expires_on=expires_on,
            recorded_by=by.user,
        )  # fmt: skip
        audit.record_event(by, "consent.record", consent)
        return consent


def withdraw_consent(consent: Consent, by: Membership, on: dt.date | None = None) -> Consent:
    """The person withdraws her consent from `on` (today by default). It is kept, marked withdrawn."""
    _require_staff(by, consent.person)
    on = on or clock.today()
    if consent.withdrawn_on is not None:
        raise DomainError(
            _("Ce consentement a déjà été retiré le %(day)s.") % {"day": _d(consent.withdrawn_on)}
        )
    if on > clock.today():
        raise DomainError(_("Le retrait ne peut pas être daté dans le futur."))
    if consent.expires_on is not None and consent.expires_on < on:
        raise DomainError(_("Ce consentement a expiré le %(day)s : il n'y a rien à retirer.") % {
            "day": _d(consent.expires_on)})  # fmt: skip
    if on < consent.given_on:
        raise DomainError(_("Le retrait ne peut pas précéder le recueil du consentement (%(day)s).") % {
            "day": _d(consent.given_on)})  # fmt: skip
    with transaction.atomic():
        updated = Consent.objects.filter(pk=consent.pk, withdrawn_on__isnull=True).update(withdrawn_on=on)
        if not updated:
            raise DomainError(_("Ce consentement a déjà été retiré."))
        audit.record_event(by, "consent.withdraw", consent)
    consent.withdrawn_on = on
    return consent


def active_consent(person: Person, partner: Organisation | str, on: dt.date | None = None) -> Consent | None:
    """The consent in force on `on` (today by default) for sharing with `partner`: an organisation of Parcours
    (the very one), or a partner's name (compared without accents, case or punctuation with the name given
    in the consent). None when there is none: then nothing is shared."""
    on = on or clock.today()
    consents = person.consents.filter(purpose=ConsentPurpose.SHARING).select_related("partner")
    if isinstance(partner, Organisation):
        candidates = [c for c in consents if c.partner_id == partner.pk]
    else:
        wanted = normalise(partner)
        candidates = [c for c in consents if wanted and normalise(c.partner_label) == wanted]
    return next((c for c in candidates if c.is_active(on)), None)
