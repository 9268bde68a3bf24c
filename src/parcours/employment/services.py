"""Every change of employment and training: one function per action, each checking who acts and what she
asks, writing in one transaction with its journal row, and raising `DomainError` with a French message
(nothing saved) when refused. Only the staff of the association act here (policy rule "employment")."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership, Organisation
from parcours.accounts.roles import OrganisationKind
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.dates import date_format
from parcours.core.errors import DomainError
from parcours.directory.models import DirectoryEntry
from parcours.people.models import Person

from .models import (
    EMPLOYMENT_OUTCOMES,
    Agreement,
    AgreementOutcome,
    Cefr,
    Cohort,
    Contract,
    Enrolment,
    Outcome,
    OutcomeKind,
    Participant,
    Programme,
    ProjectVersion,
    Readiness,
    Step,
    StepKind,
    StepParticipation,
    StepStatus,
    Support,
    SupportKind,
    SupportStatus,
)

__all__ = ["DomainError"]
LABEL_MAX = 150
MAX_WEEKLY_HOURS = 48  # the legal weekly maximum (Code du travail, art. L3121-20)


def _d(day: dt.date) -> str:
    return date_format(day, "j F Y")


def _require_staff(by: Membership | None, association_id: int | None = None) -> None:
    if not policy.can(by, "employment"):
        raise DomainError(_("Votre rôle ne permet pas de gérer l'emploi et la formation."))
    if association_id is not None and association_id != by.organisation_id:
        raise DomainError(_("Cet élément appartient à une autre association."))


def _label(text: str | None, what: str, limit: int = LABEL_MAX) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise DomainError(_("%(what)s est obligatoire.") % {"what": what})
    if len(text) > limit:
        raise DomainError(_("%(what)s dépasse %(n)s caractères.") % {"what": what, "n": limit})
    return text


def _visible_person(by: Membership, person: Person | int | None) -> Person:
    """A person of the caller's association (the visibility rule of people); else a French refusal."""
    pk = getattr(person, "pk", person)
    found = Person.objects.visible_to(by).filter(pk=pk, archived_on__isnull=True).first() if pk else None
    if found is None:
        raise DomainError(_("Seule une personne suivie par votre association peut être inscrite."))
    return found


def _entries(by: Membership, entries) -> list[DirectoryEntry]:
    wanted = {getattr(e, "pk", e) for e in entries or []}
    found = list(DirectoryEntry.objects.visible_to(by).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise DomainError(_("Choisissez des organismes de l'annuaire de votre département."))
    return found


# --- Professional project -----------------------------------------------------------------------------------
def save_project(
    person: Person,
    by: Membership,
    *,
    target_trades: str = "",
    french_level: str = "",
    qualifications: str = "",
    childcare: bool = False,
    mobility: bool = False,
    health: bool = False,
    constraints_note: str = "",
    readiness: str = "",
) -> ProjectVersion:
    """Writes a new version of her professional project (the earlier ones stay, in the history)."""
    _require_staff(by)
    person = _visible_person(by, person)
    if french_level not in Cefr.values:
        raise DomainError(_("Choisissez un niveau de français de A1 à C2."))
    if readiness not in Readiness.values:
        raise DomainError(_("Indiquez où elle en est de son projet."))
    if len(target_trades or "") > 300:
        raise DomainError(_("Les métiers visés dépassent 300 caractères."))
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        last = ProjectVersion.objects.filter(person=person).aggregate(n=Max("number"))["n"] or 0
        version = ProjectVersion.objects.create(
            person=person,
            number=last + 1,
            target_trades=(target_trades or "").strip(),
            french_level=french_level,
            qualifications=(qualifications or "").strip(),
            childcare=bool(childcare),
            mobility=bool(mobility),
            health=bool(health),
            constraints_note=(constraints_note or "").strip(),
            readiness=readiness,
            created_by=by.user,
            created_at=clock.now(),
        )
        audit.record_event(by, "employment_project.save", version)
    return version


# --- Programmes, cohorts, steps ---------------------------------------------------------------------------
def _programme_fields(by: Membership, name, description, partners, directory_entries):
    """The checked values of a programme (creation and correction): its name, description and partners."""
    name = _label(name, _("Le nom du programme"))
    description = " ".join((description or "").split())[:300]
    partner_ids = {getattr(p, "pk", p) for p in partners or []}
    partner_rows = list(Organisation.objects.filter(pk__in=partner_ids, kind=OrganisationKind.PARTNER))
    if len(partner_rows) != len(partner_ids):
        raise DomainError(_("Choisissez des partenaires de la liste."))
    return name, description, partner_rows, _entries(by, directory_entries)


def create_programme(
    by: Membership, *, name: str, description: str = "", partners=(), directory_entries=()
) -> Programme:
    _require_staff(by)
    name, description, partner_rows, entries = _programme_fields(
        by, name, description, partners, directory_entries
    )
    with transaction.atomic():
        programme = Programme.objects.create(
            association_id=by.organisation_id,
            name=name,
            description=description,
            created_by=by.user,
            created_at=clock.now(),
        )
        programme.partners.set(partner_rows)
        programme.directory_entries.set(entries)
        audit.record_event(by, "employment_programme.create", programme)
    return programme


def update_programme(
    programme: Programme,
    by: Membership,
    *,
    name: str,
    description: str = "",
    partners=(),
    directory_entries=(),
) -> Programme:
    """Corrects a programme's name, description and partners (the same checks as its creation)."""
    _require_staff(by, programme.association_id)
    name, description, partner_rows, entries = _programme_fields(
        by, name, description, partners, directory_entries
    )
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        programme.name, programme.description = name, description
        programme.save(update_fields=["name", "description"])
        programme.partners.set(partner_rows)
        programme.directory_entries.set(entries)
        audit.record_event(by, "employment_programme.update", programme)
    return programme


def create_cohort(programme: Programme, by: Membership, *, label: str, starts_on: dt.date | None) -> Cohort:
    _require_staff(by, programme.association_id)
    label = _label(label, _("L'intitulé de la promotion"))
    if starts_on is None:
        raise DomainError(_("La date de début de la promotion est obligatoire."))
    with transaction.atomic():
        cohort = Cohort.objects.create(
            programme=programme, label=label, starts_on=starts_on, created_at=clock.now()
        )
        audit.record_event(by, "employment_cohort.create", cohort)
    return cohort


def add_step(
    cohort: Cohort,
    by: Membership,
    *,
    kind: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None = None,
    employers=(),
    interviews: int | None = None,
) -> Step:
    """Adds the next step of the cohort; steps follow each other: a step starts on or after the previous."""
    _require_staff(by, cohort.programme.association_id)
    if kind not in StepKind.values:
        raise DomainError(_("Choisissez un type d'étape de la liste."))
    if starts_on is None:
        raise DomainError(_("La date de l'étape est obligatoire."))
    ends_on = ends_on or starts_on
    if ends_on < starts_on:
        raise DomainError(
            _("L'étape finit (%(end)s) avant de commencer (%(start)s).")
            % {"end": _d(ends_on), "start": _d(starts_on)}
        )
    if starts_on < cohort.starts_on:
        raise DomainError(_("L'étape commence avant la promotion (%(d)s).") % {"d": _d(cohort.starts_on)})
    entries = _entries(by, employers)
    if kind != StepKind.JOB_DATING and (entries or interviews):
        raise DomainError(_("Les employeurs présents et les entretiens se notent pour un job-dating."))
    if interviews is not None and not 0 <= interviews <= 1000:
        raise DomainError(_("Le nombre d'entretiens doit être compris entre 0 et 1000."))
    with transaction.atomic():
        previous = Step.objects.select_for_update().filter(cohort=cohort).order_by("-order").first()
        if previous is not None and starts_on < previous.starts_on:
            raise DomainError(
                _("L'étape doit commencer après la précédente (%(d)s).") % {"d": _d(previous.starts_on)}
            )
        step = Step.objects.create(
            cohort=cohort,
            order=(previous.order + 1) if previous else 1,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            interviews=interviews,
        )
        step.employers.set(entries)
        audit.record_event(by, "employment_step.create", step)
    return step


def enrol(cohort: Cohort, by: Membership, person: Person | int | None) -> Participant:
    _require_staff(by, cohort.programme.association_id)
    person = _visible_person(by, person)
    with transaction.atomic():
        if Participant.objects.filter(cohort=cohort, person=person).exists():
            raise DomainError(_("%(ref)s est déjà inscrite à cette promotion.") % {"ref": person.reference})
        participant = Participant.objects.create(
            cohort=cohort, person=person, enrolled_on=clock.today(), enrolled_by=by.user
        )
        audit.record_event(by, "employment_participant.enrol", participant)
    return participant


def _participant(step: Step, by: Membership, person: Person | int) -> Participant:
    pk = getattr(person, "pk", person)
    found = Participant.objects.visible_to(by).filter(cohort_id=step.cohort_id, person_id=pk).first()
    if found is None:
        raise DomainError(_("Cette personne n'est pas inscrite à cette promotion."))
    return found


def set_step_status(step: Step, by: Membership, person: Person | int, status: str) -> StepParticipation:
    _require_staff(by, step.cohort.programme.association_id)
    if status not in StepStatus.values:
        raise DomainError(_("Choisissez réalisée, en cours ou absente."))
    participant = _participant(step, by, person)
    with transaction.atomic():
        row, _created = StepParticipation.objects.update_or_create(
            participant=participant,
            step=step,
            defaults={"status": status, "recorded_by": by.user, "recorded_at": clock.now()},
        )
        audit.record_event(by, "employment_step_status.record", row, person_id=participant.person_id)
    return row


def record_outcome(
    step: Step,
    by: Membership,
    person: Person | int,
    *,
    kind: str,
    on: dt.date | None,
    contract: str = "",
    weekly_hours: int | None = None,
    reason: str = "",
) -> Outcome:
    """What `step` led to for her. Dated on or after the step's first day; an employment names its contract
    and weekly hours; a drop-out its reason."""
    _require_staff(by, step.cohort.programme.association_id)
    participant = _participant(step, by, person)
    if kind not in OutcomeKind.values:
        raise DomainError(_("Choisissez une issue de la liste."))
    if on is None:
        raise DomainError(_("La date de l'issue est obligatoire."))
    if on < step.starts_on:
        raise DomainError(
            _("L'issue (%(on)s) ne peut précéder l'étape qu'elle conclut (%(kind)s du %(start)s).")
            % {"on": _d(on), "kind": step.get_kind_display(), "start": _d(step.starts_on)}
        )
    if on > clock.today():
        raise DomainError(_("Une issue se note le jour même ou après, pas à l'avance."))
    reason = (reason or "").strip()
    if kind in EMPLOYMENT_OUTCOMES:
        if contract not in Contract.values:
            raise DomainError(_("Indiquez le type de contrat : CDD, CDI, mission d'intérim ou contrat aidé."))
        if weekly_hours is None or not 1 <= weekly_hours <= MAX_WEEKLY_HOURS:
            raise DomainError(
                _("Indiquez les heures par semaine, entre 1 et %(n)s.") % {"n": MAX_WEEKLY_HOURS}
            )
    else:
        contract, weekly_hours = "", None
    if kind == OutcomeKind.DROPPED_OUT and not reason:
        raise DomainError(_("Indiquez le motif de l'abandon."))
    if kind != OutcomeKind.DROPPED_OUT:
        reason = ""
    with transaction.atomic():
        if Outcome.objects.filter(participant=participant, step=step, kind=kind).exists():
            raise DomainError(_("Cette issue est déjà notée pour cette étape."))
        outcome = Outcome.objects.create(
            participant=participant,
            step=step,
            kind=kind,
            on=on,
            contract=contract,
            weekly_hours=weekly_hours,
            reason=reason,
            recorded_by=by.user,
            recorded_at=clock.now(),
        )
        audit.record_event(by, "employment_outcome.record", outcome, person_id=participant.person_id)
    return outcome


# --- Partnership agreements --------------------------------------------------------------------------------
def _agreement_fields(
    by: Membership,
    *,
    label: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    support_months: int | None,
    terms: str = "",
    partner: Organisation | None = None,
    partner_entry: DirectoryEntry | None = None,
) -> dict:
    """The checked values of an agreement (creation and correction)."""
    label = _label(label, _("L'intitulé de la convention"))
    if starts_on is None or ends_on is None:
        raise DomainError(_("Les dates de début et de fin de la convention sont obligatoires."))
    if ends_on < starts_on:
        raise DomainError(
            _("La convention finit (%(end)s) avant de commencer (%(start)s).")
            % {"end": _d(ends_on), "start": _d(starts_on)}
        )
    if support_months is None or not 1 <= support_months <= 36:
        raise DomainError(_("La durée de l'accompagnement va de 1 à 36 mois."))
    if partner is None and partner_entry is None:
        raise DomainError(_("Indiquez le partenaire : un partenaire de Parcours ou une fiche de l'annuaire."))
    if partner is not None and partner.kind != OrganisationKind.PARTNER:
        raise DomainError(_("Choisissez un partenaire de la liste."))
    if partner_entry is not None:
        _entries(by, [partner_entry])
    return {
        "label": label,
        "partner": partner,
        "partner_entry": partner_entry,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "support_months": support_months,
        "terms": (terms or "").strip(),
    }


def create_agreement(
    by: Membership,
    *,
    label: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    support_months: int | None,
    terms: str = "",
    partner: Organisation | None = None,
    partner_entry: DirectoryEntry | None = None,
) -> Agreement:
    _require_staff(by)
    values = _agreement_fields(
        by, label=label, starts_on=starts_on, ends_on=ends_on, support_months=support_months, terms=terms,
        partner=partner, partner_entry=partner_entry
    )  # fmt: skip
    with transaction.atomic():
        agreement = Agreement.objects.create(
            association_id=by.organisation_id, created_by=by.user, created_at=clock.now(), **values
        )
        audit.record_event(by, "employment_agreement.create", agreement)
    return agreement


def _enrolment_starts(agreement: Agreement) -> tuple[dt.date | None, dt.date | None]:
    """The first and the last start of the supports recorded under the agreement (every association's)."""
    found = Enrolment.objects.filter(agreement=agreement).aggregate(
        first=Min("starts_on"), last=Max("starts_on")
    )
    return found["first"], found["last"]


def update_agreement(
    agreement: Agreement,
    by: Membership,
    *,
    label: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    support_months: int | None,
    terms: str = "",
    partner: Organisation | None = None,
    partner_entry: DirectoryEntry | None = None,
) -> Agreement:
    """Corrects an agreement (the same checks as its creation). The supports already recorded under it must
    still start within it, and it cannot end before the day it was ended early; they keep their planned end
    (computed when each was recorded)."""
    _require_staff(by, agreement.association_id)
    values = _agreement_fields(
        by, label=label, starts_on=starts_on, ends_on=ends_on, support_months=support_months, terms=terms,
        partner=partner, partner_entry=partner_entry
    )  # fmt: skip
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        first, last = _enrolment_starts(agreement)
        if first is not None and values["starts_on"] > first:
            raise DomainError(
                _("La convention ne peut commencer (%(start)s) après le début d'un accompagnement déjà "
                  "inscrit sous elle (%(first)s).") % {"start": _d(values["starts_on"]), "first": _d(first)}
            )  # fmt: skip
        if last is not None and values["ends_on"] < last:
            raise DomainError(
                _("La convention ne peut finir (%(end)s) avant le début d'un accompagnement déjà inscrit "
                  "sous elle (%(last)s).") % {"end": _d(values["ends_on"]), "last": _d(last)}
            )  # fmt: skip
        if agreement.ended_on is not None and not (
            values["starts_on"] <= agreement.ended_on <= values["ends_on"]
        ):
            raise DomainError(
                _("La convention a été terminée le %(d)s : ses dates doivent encadrer ce jour.")
                % {"d": _d(agreement.ended_on)}
            )
        for name, value in values.items():
            setattr(agreement, name, value)
        agreement.save(update_fields=list(values))
        audit.record_event(by, "employment_agreement.update", agreement)
    return agreement


def end_agreement(agreement: Agreement, by: Membership, on: dt.date | None) -> Agreement:
    """Ends the agreement early on `on` (today or a past day, from its start to its planned end, not before a
    support recorded under it starts): its page says « Terminée le … » and no one can be enrolled under it."""
    _require_staff(by, agreement.association_id)
    if on is None:
        raise DomainError(_("La date de fin de la convention est obligatoire."))
    if on > clock.today():
        raise DomainError(_("Une convention se termine le jour même ou avant, pas à l'avance."))
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.ended_on is not None:
            raise DomainError(
                _("Cette convention est déjà terminée (le %(d)s).") % {"d": _d(agreement.ended_on)}
            )
        if on < agreement.starts_on:
            raise DomainError(
                _("La convention ne peut se terminer (%(on)s) avant de commencer (%(start)s).")
                % {"on": _d(on), "start": _d(agreement.starts_on)}
            )
        if on > agreement.ends_on:
            raise DomainError(
                _("La convention finit déjà le %(end)s : choisissez ce jour ou un jour antérieur.")
                % {"end": _d(agreement.ends_on)}
            )
        _first, last = _enrolment_starts(agreement)
        if last is not None and on < last:
            raise DomainError(
                _("Un accompagnement commence le %(d)s sous cette convention : elle ne peut se terminer "
                  "avant.") % {"d": _d(last)}
            )  # fmt: skip
        agreement.ended_on = on
        agreement.save(update_fields=["ended_on"])
        audit.record_event(by, "employment_agreement.end", agreement)
    return agreement


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day (31 January + 1 month = 28 or 29 February)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def enrol_under_agreement(
    agreement: Agreement, by: Membership, person: Person | int | None, starts_on: dt.date | None
) -> Enrolment:
    """Her support under the agreement runs from `starts_on` for the agreement's months (the day before the
    same date, e.g. 12 months from 1 March: to the last day of February), within the agreement."""
    _require_staff(by, agreement.association_id)
    person = _visible_person(by, person)
    if starts_on is None:
        raise DomainError(_("La date de début de l'accompagnement est obligatoire."))
    with transaction.atomic():
        # Read again, locked: an agreement ended (or corrected) meanwhile is refused with its new state.
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.ended_on is not None:
            raise DomainError(
                _("Cette convention est terminée depuis le %(d)s : plus aucune personne ne peut y être "
                  "inscrite.")
                % {"d": _d(agreement.ended_on)}
            )  # fmt: skip
        if not agreement.starts_on <= starts_on <= agreement.ends_on:
            raise DomainError(
                _("L'accompagnement doit commencer pendant la convention, du %(s)s au %(e)s.")
                % {"s": _d(agreement.starts_on), "e": _d(agreement.ends_on)}
            )
        ends_on = add_months(starts_on, agreement.support_months) - dt.timedelta(days=1)
        if Enrolment.objects.filter(agreement=agreement, person=person).exists():
            raise DomainError(
                _("%(ref)s est déjà accompagnée sous cette convention.") % {"ref": person.reference}
            )
        enrolment = Enrolment.objects.create(
            agreement=agreement, person=person, starts_on=starts_on, ends_on=ends_on, enrolled_by=by.user
        )
        audit.record_event(by, "employment_enrolment.create", enrolment)
    return enrolment


def close_enrolment(enrolment: Enrolment, by: Membership, *, outcome: str, on: dt.date | None) -> Enrolment:
    _require_staff(by, enrolment.agreement.association_id)
    _visible_person(by, enrolment.person_id)
    if outcome not in AgreementOutcome.values:
        raise DomainError(_("Choisissez la situation à la fin de l'accompagnement."))
    if on is None or on < enrolment.starts_on:
        raise DomainError(
            _("La situation se constate après le début de l'accompagnement (%(d)s).")
            % {"d": _d(enrolment.starts_on)}
        )
    if on > clock.today():
        raise DomainError(_("La situation se constate le jour même ou après, pas à l'avance."))
    with transaction.atomic():
        enrolment.outcome, enrolment.outcome_on = outcome, on
        enrolment.save(update_fields=["outcome", "outcome_on"])
        audit.record_event(by, "employment_enrolment.close", enrolment)
    return enrolment


# --- Supports ----------------------------------------------------------------------------------------------
def record_support(
    person: Person,
    by: Membership,
    *,
    kind: str,
    body: str,
    status: str,
    requested_on: dt.date | None,
    decided_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Support:
    _require_staff(by)
    person = _visible_person(by, person)
    if kind not in SupportKind.values:
        raise DomainError(_("Choisissez une aide de la liste."))
    if status not in SupportStatus.values:
        raise DomainError(_("Choisissez demandée, accordée ou refusée."))
    body = _label(body, _("L'organisme qui accorde l'aide"))
    if requested_on is None:
        raise DomainError(_("La date de la demande est obligatoire."))
    if status == SupportStatus.REQUESTED:
        decided_on = None
    elif decided_on is None:
        raise DomainError(_("Indiquez la date de la décision."))
    elif decided_on < requested_on:
        raise DomainError(
            _("La décision (%(d)s) ne peut précéder la demande (%(r)s).")
            % {"d": _d(decided_on), "r": _d(requested_on)}
        )
    if ends_on is not None and ends_on < (decided_on or requested_on):
        raise DomainError(_("L'aide ne peut finir avant d'être accordée."))
    with transaction.atomic():
        support = Support.objects.create(
            person=person,
            kind=kind,
            body=body,
            status=status,
            requested_on=requested_on,
            decided_on=decided_on,
            ends_on=ends_on,
            recorded_by=by.user,
            recorded_at=clock.now(),
        )
        audit.record_event(by, "employment_support.record", support)
    return support
