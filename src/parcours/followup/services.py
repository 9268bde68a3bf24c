"""Every change of the follow-up: one function per action, each checking who acts and what she asks, writing
in one transaction, and raising `DomainError` with a French message (nothing saved) when refused.

Only the staff of the person's association (social workers, heads of service) act here; volunteers and
interns never reach an individual file.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership, Organisation, User
from parcours.accounts.roles import ASSOCIATION_STAFF, OrganisationKind
from parcours.audit import log as audit
from parcours.core import clock, locking
from parcours.core.dates import date_format
from parcours.core.errors import DomainError
from parcours.directory.models import DirectoryEntry
from parcours.pathway import rules as pathway_rules
from parcours.pathway.models import Pathway, PathwayRequest, PlanAction
from parcours.people.models import Consent, ConsentPurpose, Person

from .access import can_follow
from .models import (
    ActionItem,
    ActionItemChange,
    ActionStatus,
    Appointment,
    AppointmentStatus,
    Domain,
    Note,
    NoteVersion,
    Referral,
    ReferralOutcome,
    domain_of_plan,
)

__all__ = ["DomainError"]

# --- Plausibility of dates (practice; the texts are silent) ------------------------------------------
# A note, an action, an appointment or a referral may be recorded after the fact, from the paper file of a
# follow-up that began before the person's file was opened in Parcours: up to this many months earlier.
BACKDATE_MONTHS = 12
# An action plan runs at most over the 24 months of a pathway and what follows: 3 years ahead.
ACTION_AHEAD_MONTHS = 36
# Nobody books a social appointment more than a year ahead.
APPOINTMENT_AHEAD_MONTHS = 12
APPOINTMENT_MAX_HOURS = 12


def _d(day: dt.date) -> str:
    return date_format(day, "j F Y")


def earliest_date(person: Person) -> dt.date:
    opened = timezone.localdate(person.created_at, clock.PARIS)
    return pathway_rules.add_months(opened, -BACKDATE_MONTHS)


def _require_staff(by: Membership | None, person: Person) -> None:
    if not policy.can(by, "person_file"):
        raise DomainError(_("Votre rôle ne permet pas cette action."))
    if not can_follow(by, person):
        raise DomainError(_("Cette personne est suivie par une autre association."))


def _require_past_date(person: Person, day: dt.date | None, what: str) -> None:
    if day is None:
        raise DomainError(_("%(what)s est obligatoire.") % {"what": what})
    if day > clock.today():
        raise DomainError(_("%(what)s ne peut pas être dans le futur.") % {"what": what})
    if day < earliest_date(person):
        raise DomainError(
            _("%(what)s n'est pas plausible : elle précède de plus d'un an l'ouverture du dossier (%(d)s).")
            % {"what": what, "d": _d(earliest_date(person))}
        )


def _require_domain(domain: str) -> None:
    if domain not in Domain.values:
        raise DomainError(_("Choisissez un domaine de la liste."))


def _clean_text(text: str | None, what: str, max_length: int | None = None) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("%(what)s est obligatoire.") % {"what": what})
    if max_length and len(text) > max_length:
        raise DomainError(_("%(what)s dépasse %(n)s caractères.") % {"what": what, "n": max_length})
    return text


# --- Interview notes ---------------------------------------------------------------------------------
@transaction.atomic
def add_note(person: Person, by: Membership, *, domain: str, held_on: dt.date, text: str,
             sensitive: bool = False) -> Note:  # fmt: skip
    _require_staff(by, person)
    _require_domain(domain)
    _require_past_date(person, held_on, _("La date de l'entretien"))
    text = _clean_text(text, _("Le compte rendu"))
    note = Note.objects.create(person=person, domain=domain, held_on=held_on, text=text, sensitive=sensitive,
                               author=by.user, created_at=clock.now())  # fmt: skip
    audit.record_event(by, "note.create", note)
    return note


def can_correct_note(by: Membership | None, note: Note) -> bool:
    """Its author, or the head of service, may correct a note — provided she may read it."""
    return policy.can(by, "correct_note", note)


@transaction.atomic
def correct_note(note: Note, by: Membership, *, domain: str, held_on: dt.date, text: str,
                 sensitive: bool, expected_version: int | None = None) -> Note:  # fmt: skip
    """Correct a note: the previous wording is kept as a `NoteVersion`, shown in the note's history.
    `expected_version` is the version the form showed (see `core/locking.py`)."""
    note = Note.objects.select_for_update().select_related("person").get(pk=note.pk)
    _require_staff(by, note.person)
    if not can_correct_note(by, note):
        raise DomainError(_("Seule l'autrice de la note ou la cheffe de service peut la corriger."))
    _require_domain(domain)
    _require_past_date(note.person, held_on, _("La date de l'entretien"))
    text = _clean_text(text, _("Le compte rendu"))
    if (domain, held_on, text, sensitive) == (note.domain, note.held_on, note.text, note.sensitive):
        raise DomainError(_("La note n'a pas été modifiée."))
    locking.claim(note, expected_version)
    last_version = note.versions.order_by("-replaced_at", "-pk").first()
    NoteVersion.objects.create(
        note=note, domain=note.domain, held_on=note.held_on, text=note.text, sensitive=note.sensitive,
        written_by=last_version.replaced_by if last_version else note.author,
        written_at=note.corrected_at or note.created_at, replaced_by=by.user, replaced_at=clock.now(),
    )  # fmt: skip
    note.domain, note.held_on, note.text, note.sensitive = domain, held_on, text, sensitive
    note.corrected_at = clock.now()
    note.save(update_fields=["domain", "held_on", "text", "sensitive", "corrected_at"])
    audit.record_event(by, "note.update", note)
    return note


# --- Action plan -------------------------------------------------------------------------------------
def _require_due_date(person: Person, due: dt.date | None) -> None:
    if due is None:
        return
    if due < earliest_date(person):
        raise DomainError(
            _("L'échéance n'est pas plausible : elle précède de plus d'un an l'ouverture du dossier (%(d)s).")
            % {"d": _d(earliest_date(person))}
        )
    latest = pathway_rules.add_months(clock.today(), ACTION_AHEAD_MONTHS)
    if due > latest:
        raise DomainError(
            _("L'échéance n'est pas plausible : plus de %(n)s mois à l'avance.") % {"n": ACTION_AHEAD_MONTHS}
        )


def _snapshot(item: ActionItem, by: Membership) -> None:
    ActionItemChange.objects.create(item=item, status=item.status, due_date=item.due_date,
                                    description=item.description, by=by.user, at=clock.now())  # fmt: skip


@transaction.atomic
def add_action(person: Person, by: Membership, *, domain: str, description: str,
               due_date: dt.date | None = None, status: str = ActionStatus.TODO,
               plan_action: PlanAction | None = None) -> ActionItem:  # fmt: skip
    _require_staff(by, person)
    _require_domain(domain)
    if status not in ActionStatus.values:
        raise DomainError(_("Choisissez un état de la liste."))
    description = _clean_text(description, _("La description de l'action"), 300)
    _require_due_date(person, due_date)
    if plan_action is not None and plan_action.request.pathway.person_id != person.pk:
        raise DomainError(_("Cette action du document de parcours concerne une autre personne."))
    now = clock.now()
    item = ActionItem.objects.create(
        person=person, domain=domain, description=description, status=status, due_date=due_date,
        plan_action=plan_action, created_by=by.user, created_at=now, updated_by=by.user, updated_at=now,
    )  # fmt: skip
    _snapshot(item, by)
    audit.record_event(by, "action.create", item)
    return item


@transaction.atomic
def update_action(item: ActionItem, by: Membership, *, status: str, due_date: dt.date | None,
                  description: str | None = None,
                  expected_version: int | None = None) -> ActionItem:  # fmt: skip
    """Change the state, the due date or the wording of an action; each change is kept in its history.
    `expected_version` is the version the form showed (see `core/locking.py`)."""
    item = ActionItem.objects.select_for_update().select_related("person").get(pk=item.pk)
    _require_staff(by, item.person)
    if status not in ActionStatus.values:
        raise DomainError(_("Choisissez un état de la liste."))
    description = item.description if description is None else _clean_text(
        description, _("La description de l'action"), 300
    )  # fmt: skip
    if due_date != item.due_date:
        _require_due_date(item.person, due_date)
    if (status, due_date, description) == (item.status, item.due_date, item.description):
        raise DomainError(_("L'action n'a pas été modifiée."))
    locking.claim(item, expected_version)
    item.status, item.due_date, item.description = status, due_date, description
    item.updated_by, item.updated_at = by.user, clock.now()
    item.save(update_fields=["status", "due_date", "description", "updated_by", "updated_at"])
    _snapshot(item, by)
    audit.record_event(by, "action.update", item)
    return item


def current_request(person: Person) -> PathwayRequest | None:
    """The request whose plan is the person's current one: the latest request, neither withdrawn nor
    refused, of her latest pathway that is not over."""
    pathway = (
        Pathway.objects.filter(person=person)
        .exclude(status=pathway_rules.PathwayStatus.EXITED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if pathway is None:
        return None
    RS = pathway_rules.RequestStatus
    return (
        pathway.requests.exclude(status__in=[RS.WITHDRAWN, RS.REFUSED]).order_by("-created_at", "-pk").first()
    )


def _same_wording(a: str, b: str) -> bool:
    return _normalise(a) == _normalise(b)


@transaction.atomic
def copy_plan_actions(req: PathwayRequest, by: Membership) -> list[ActionItem]:
    """Create an action of the person's action plan for each planned action of the request not yet in it
    (linked, or with the same wording: a draft edited later recreates its plan lines). Idempotent."""
    person = req.pathway.person
    _require_staff(by, person)
    existing = list(ActionItem.objects.filter(person=person))
    linked = {i.plan_action_id for i in existing if i.plan_action_id}
    created = []
    for line in req.actions.all():
        if line.pk in linked or any(_same_wording(i.description, line.description) for i in existing):
            continue
        due = line.target_date
        if due is not None:
            try:
                _require_due_date(person, due)
            except DomainError:
                due = None  # an implausible target date of the plan is not copied; the line still is
        item = add_action(person, by, domain=domain_of_plan(line.domain), description=line.description,
                          due_date=due, plan_action=line)  # fmt: skip
        existing.append(item)
        created.append(item)
    return created


def copy_plan_on_validation(sender, *, request: PathwayRequest, by: Membership, **kwargs) -> None:
    """Receiver of pathway's `request_validated`: the plan the association validated becomes the person's
    action plan at once, in the validation's transaction (no import button to find)."""
    copy_plan_actions(request, by)


@transaction.atomic
def import_plan_actions(person: Person, by: Membership) -> list[ActionItem]:
    """The manual import of the current request's plan (a draft not validated yet, or lines added later)."""
    _require_staff(by, person)
    req = current_request(person)
    if req is None:
        raise DomainError(
            _("Cette personne n'a pas de demande de parcours en cours : aucun plan à importer.")
        )
    if not req.actions.exists():
        raise DomainError(_("Le document de parcours en cours ne prévoit aucune action."))
    created = copy_plan_actions(req, by)
    if not created:
        raise DomainError(
            _("Toutes les actions du document de parcours figurent déjà dans le plan d'action.")
        )
    return created


# --- Appointments ------------------------------------------------------------------------------------
def workers_of(organisation: Organisation):
    """Who may hold appointments for the association: its active social workers and heads of service."""
    return (
        User.objects.filter(
            memberships__organisation=organisation, memberships__is_active=True,
            memberships__role__in=sorted(ASSOCIATION_STAFF),
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )  # fmt: skip


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def reveals_confidential_address(person: Person, place: str) -> bool:
    """Does `place` name the shelter or the address the person's file marks as confidential?"""
    if not person.address_confidential or not place.strip():
        return False
    said = _normalise(place)
    secrets = [person.shelter_name, *person.address.splitlines(), person.address]
    for secret in (_normalise(s) for s in secrets):
        if len(secret) >= 4 and (secret in said or (len(said) >= 6 and said in secret)):
            return True
    return False


@transaction.atomic
def schedule_appointment(person: Person, by: Membership, *, worker: User, starts_at: dt.datetime,
                         ends_at: dt.datetime, purpose: str, place: str = "") -> Appointment:  # fmt: skip
    _require_staff(by, person)
    _require_domain(purpose)
    if worker is None or not workers_of(by.organisation).filter(pk=worker.pk).exists():
        raise DomainError(_("L'intervenante doit être une professionnelle de l'association."))
    _require_slot(person, starts_at, ends_at)
    place = (place or "").strip()
    if len(place) > 200:
        raise DomainError(_("Le lieu dépasse 200 caractères."))
    if reveals_confidential_address(person, place):
        raise DomainError(
            _("L'adresse de cette personne est confidentielle : indiquez un lieu neutre (les locaux de "
              "l'association, par exemple), jamais son lieu d'hébergement.")
        )  # fmt: skip
    now = clock.now()
    appointment = Appointment.objects.create(
        person=person, worker=worker, starts_at=starts_at, ends_at=ends_at, place=place, purpose=purpose,
        created_by=by.user, created_at=now, updated_by=by.user, updated_at=now,
    )  # fmt: skip
    audit.record_event(by, "appointment.schedule", appointment)
    return appointment


def _require_slot(person: Person, starts_at: dt.datetime | None, ends_at: dt.datetime | None) -> None:
    if starts_at is None or ends_at is None:
        raise DomainError(_("Indiquez le jour, l'heure de début et l'heure de fin du rendez-vous."))
    if ends_at <= starts_at:
        raise DomainError(_("Le rendez-vous doit finir après son début."))
    if ends_at - starts_at > dt.timedelta(hours=APPOINTMENT_MAX_HOURS):
        raise DomainError(_("Un rendez-vous dure au plus %(n)s heures.") % {"n": APPOINTMENT_MAX_HOURS})
    day = timezone.localdate(starts_at, clock.PARIS)
    if day < earliest_date(person):
        raise DomainError(
            _("La date du rendez-vous n'est pas plausible : elle précède de plus d'un an l'ouverture du "
              "dossier (%(d)s).") % {"d": _d(earliest_date(person))}
        )  # fmt: skip
    if day > pathway_rules.add_months(clock.today(), APPOINTMENT_AHEAD_MONTHS):
        raise DomainError(
            _("La date du rendez-vous n'est pas plausible : plus de %(n)s mois à l'avance.")
            % {"n": APPOINTMENT_AHEAD_MONTHS}
        )


@transaction.atomic
def record_appointment_outcome(appointment: Appointment, by: Membership, status: str, *,
                               expected_version: int | None = None) -> Appointment:  # fmt: skip
    """Honoured or missed once it has begun; cancelled at any time. A recorded outcome may be corrected.
    `expected_version` is the version the page showed (see `core/locking.py`)."""
    appointment = Appointment.objects.select_for_update().select_related("person").get(pk=appointment.pk)
    _require_staff(by, appointment.person)
    if status not in AppointmentStatus.values:
        raise DomainError(_("Choisissez une issue de la liste."))
    if status == appointment.status:
        raise DomainError(_("Le rendez-vous est déjà dans cet état."))
    if (
        status in (AppointmentStatus.HONOURED, AppointmentStatus.MISSED)
        and appointment.starts_at > clock.now()
    ):
        raise DomainError(_("Un rendez-vous à venir ne peut pas encore être honoré ou manqué : annulez-le "
                            "s'il n'aura pas lieu."))  # fmt: skip
    locking.claim(appointment, expected_version)
    appointment.status = status
    appointment.updated_by, appointment.updated_at = by.user, clock.now()
    appointment.save(update_fields=["status", "updated_by", "updated_at"])
    audit.record_event(by, "appointment.outcome", appointment)
    return appointment


# --- Referrals ---------------------------------------------------------------------------------------
def sharing_consent(person: Person, partner: Organisation | None, partner_name: str,
                    on: dt.date) -> Consent | None:  # fmt: skip
    """The person's active consent to share with this partner, if she gave one."""
    for consent in Consent.objects.filter(person=person, purpose=ConsentPurpose.SHARING):
        if not consent.is_active(on):
            continue
        if partner is not None and consent.partner_id == partner.pk:
            return consent
        names = [n for n in (partner_name, partner.name if partner else "") if n]
        if consent.partner_name and any(_normalise(consent.partner_name) == _normalise(n) for n in names):
            return consent
    return None


@transaction.atomic
def refer(person: Person, by: Membership, *, reason: str, domain: str, referred_on: dt.date,
          partner: Organisation | None = None, partner_name: str = "", comment: str = "",
          oral_agreement: bool = False, entry: DirectoryEntry | None = None) -> Referral:  # fmt: skip
    """Refer the person to a partner: an organisation of Parcours, a service of the département's directory
    (`entry`) or one named by hand. Sharing her situation outside the association needs her consent: a
    recorded, active sharing consent with this partner, or her oral agreement noted by the worker."""
    _require_staff(by, person)
    _require_domain(domain)
    partner_name = (partner_name or "").strip()
    if partner is not None and partner.kind != OrganisationKind.PARTNER:
        raise DomainError(_("Choisissez un partenaire de la liste."))
    if (
        entry is not None
        and not DirectoryEntry.objects.visible_to(by).filter(pk=entry.pk, is_active=True).exists()
    ):
        raise DomainError(_("Choisissez une fiche de l'annuaire de votre département."))
    if sum(x is not None and x != "" for x in (partner, entry, partner_name)) > 1:
        raise DomainError(
            _("Choisissez un seul partenaire : une structure de Parcours, une fiche de l'annuaire ou un nom.")
        )
    if partner is None and entry is None and not partner_name:
        raise DomainError(_("Indiquez le partenaire vers qui la personne est orientée."))
    if len(partner_name) > 200:
        raise DomainError(_("Le nom du partenaire dépasse 200 caractères."))
    reason = _clean_text(reason, _("Le motif de l'orientation"), 300)
    _require_past_date(person, referred_on, _("La date de l'orientation"))
    consent = sharing_consent(person, partner, partner_name or (entry.name if entry else ""), referred_on)
    if consent is None and not oral_agreement:
        raise DomainError(
            _("Aucun consentement de la personne au partage avec ce partenaire n'est enregistré : recueillez "
              "son accord et cochez « accord oral de la personne », ou enregistrez son consentement.")
        )  # fmt: skip
    now = clock.now()
    referral = Referral.objects.create(
        person=person, partner=partner, entry=entry, partner_name=partner_name, reason=reason, domain=domain,
        referred_on=referred_on, consent=consent, oral_agreement=consent is None and oral_agreement,
        comment=(comment or "").strip(), created_by=by.user, created_at=now, updated_by=by.user,
        updated_at=now,
    )  # fmt: skip
    audit.record_event(by, "referral.create", referral)
    return referral


@transaction.atomic
def record_referral_outcome(referral: Referral, by: Membership, *, outcome: str, outcome_on: dt.date | None,
                            comment: str | None = None,
                            expected_version: int | None = None) -> Referral:  # fmt: skip
    """The partner's answer to a referral. `expected_version` is the version the form showed (see
    `core/locking.py`)."""
    referral = Referral.objects.select_for_update().select_related("person").get(pk=referral.pk)
    _require_staff(by, referral.person)
    if outcome not in ReferralOutcome.values:
        raise DomainError(_("Choisissez une suite de la liste."))
    if outcome == ReferralOutcome.PENDING:
        outcome_on = None
    else:
        if outcome_on is None:
            raise DomainError(_("Indiquez la date de la réponse du partenaire."))
        if outcome_on < referral.referred_on:
            raise DomainError(
                _("La réponse ne peut pas précéder l'orientation (%(d)s).") % {"d": _d(referral.referred_on)}
            )
        if outcome_on > clock.today():
            raise DomainError(_("La date de la réponse ne peut pas être dans le futur."))
    locking.claim(referral, expected_version)
    referral.outcome, referral.outcome_on = outcome, outcome_on
    if comment is not None:
        referral.comment = comment.strip()
    referral.updated_by, referral.updated_at = by.user, clock.now()
    referral.save(update_fields=["outcome", "outcome_on", "comment", "updated_by", "updated_at"])
    audit.record_event(by, "referral.outcome", referral)
    return referral
