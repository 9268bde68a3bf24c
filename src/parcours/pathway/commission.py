"""The commission as a body (docs/decisions/0039): its dated composition, attendance and mandates, quorum,
recusals per agenda item, the vote of each avis, convocations and reconvened sessions.

Services check role and state, write in one transaction with their journal row, and raise `DomainError`
with a French message, leaving the database as it was. `pathway.transitions.record_avis` asks
`check_deliberation` and `check_votes` before it records an avis.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from parcours.accounts.models import Membership, Organisation
from parcours.accounts.roles import OrganisationKind, Role
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.dates import date_format
from parcours.core.errors import DomainError

from . import rules
from .models import (
    AgendaItem,
    Attendance,
    CommissionMember,
    CommissionSession,
    Convocation,
    PathwayRequest,
    Recusal,
    SessionStatus,
)

P = rules.Presence


def _d(day: dt.date) -> str:
    return date_format(day, "j F Y")


def _require_secretariat(by: Membership | None, commission_id: int | None = None) -> None:
    from parcours.accounts import policy

    if not policy.active(by) or by.role != Role.SECRETARIAT:
        raise DomainError(_("Votre rôle ne permet pas cette action."))
    if commission_id is not None and commission_id != by.organisation_id:
        raise DomainError(_("Cette séance est celle d'une autre commission."))


# --- Composition -------------------------------------------------------------------------------------
def members_on(commission_id: int, day: dt.date):
    """The members composing the commission on `day`: appointed on or before it, not ended before it."""
    return CommissionMember.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=day), commission_id=commission_id, appointed_on__lte=day
    ).select_related("association", "user")


@dataclass(frozen=True)
class MemberData:
    college: str
    name: str
    function: str
    appointed_on: dt.date
    email: str = ""
    association: Organisation | None = None
    user_id: int | None = None
    substitute_name: str = ""
    substitute_function: str = ""
    substitute_email: str = ""


@transaction.atomic
def appoint_member(by: Membership, data: MemberData) -> CommissionMember:
    _require_secretariat(by)
    if data.college not in rules.College.values:
        raise DomainError(_("Choisissez le collège du membre."))
    if not data.name.strip() or not data.function.strip():
        raise DomainError(_("Indiquez le nom et la fonction du membre titulaire."))
    if data.association is not None and data.association.kind != OrganisationKind.ASSOCIATION:
        raise DomainError(_("L'organisation représentée doit être une association."))
    if data.association is not None and data.college != rules.College.ASSOCIATIONS:
        raise DomainError(_("Seul un membre du collège des associations représente une association."))
    if (
        data.user_id is not None
        and not Membership.objects.filter(
            user_id=data.user_id,
            organisation_id=by.organisation_id,
            role=Role.COMMISSION_MEMBER,
            is_active=True,
        ).exists()
    ):
        raise DomainError(_("Le compte choisi n'est pas celui d'un membre de cette commission."))
    member = CommissionMember.objects.create(
        commission_id=by.organisation_id,
        college=data.college,
        name=data.name.strip(),
        function=data.function.strip(),
        email=data.email.strip(),
        association=data.association,
        user_id=data.user_id,
        substitute_name=data.substitute_name.strip(),
        substitute_function=data.substitute_function.strip(),
        substitute_email=data.substitute_email.strip(),
        appointed_on=data.appointed_on,
    )
    audit.record_event(by, "member.appoint", member)
    return member


@transaction.atomic
def end_member(member: CommissionMember, by: Membership, ended_on: dt.date) -> CommissionMember:
    _require_secretariat(by, member.commission_id)
    member = CommissionMember.objects.select_for_update().get(pk=member.pk)
    if member.ended_on is not None:
        raise DomainError(_("Le mandat de ce membre a déjà pris fin le %(d)s.") % {"d": _d(member.ended_on)})
    if ended_on < member.appointed_on:
        raise DomainError(
            _("La fin du mandat ne peut pas précéder la nomination (%(d)s).") % {"d": _d(member.appointed_on)}
        )
    member.ended_on = ended_on
    member.save(update_fields=["ended_on"])
    audit.record_event(by, "member.end", member)
    return member


# --- Attendance and quorum ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Quorum:
    members: int  # composing the commission on the session's date
    counted: int  # present, represented by the substitute, or having given a mandate
    needed: int
    recorded: bool  # the attendance was recorded
    reconvened: bool  # a second meeting: it sits without quorum

    @property
    def composition_known(self) -> bool:
        return self.members > 0

    @property
    def reached(self) -> bool:
        return rules.quorum_reached(self.members, self.counted)

    @property
    def may_deliberate(self) -> bool:
        """Without a composition in Parcours, the former rule: avis recorded as before (decision 0039)."""
        if not self.composition_known:
            return True
        return self.recorded and (self.reached or self.reconvened)


def quorum(session: CommissionSession, members_that_day: list[CommissionMember] | None = None) -> Quorum:
    """`members_that_day`: members_on(the session's commission and date), when the caller has read them."""
    if members_that_day is None:
        members = members_on(session.commission_id, session.date).count()
    else:
        members = len(members_that_day)
    rows = list(session.attendances.values_list("presence", flat=True))
    counted = sum(1 for p in rows if p in rules.COUNTS_FOR_QUORUM)
    return Quorum(
        members=members,
        counted=counted,
        needed=rules.quorum_needed(members),
        recorded=bool(rows),
        reconvened=session.reconvenes_id is not None,
    )


@transaction.atomic
def record_attendance(
    session: CommissionSession, by: Membership, presences: dict[int, tuple[str, int | None]]
) -> Quorum:
    """`presences`: member pk → (rules.Presence, pk of the member holding her mandate or None). Every member
    composing the commission on the session's date must be given; replaces the attendance recorded before."""
    _require_secretariat(by, session.commission_id)
    session = CommissionSession.objects.select_for_update().get(pk=session.pk)
    if session.status == SessionStatus.CANCELLED:
        raise DomainError(_("Cette séance est annulée."))
    if session.date > clock.today():
        raise DomainError(_("Les présences s'enregistrent à partir du jour de la séance."))
    if session.avis.exists():
        raise DomainError(_("Des avis sont déjà enregistrés : les présences de cette séance sont closes."))
    members = {m.pk: m for m in members_on(session.commission_id, session.date)}
    if not members:
        raise DomainError(_("La composition de la commission n'est pas enregistrée à la date de la séance."))
    missing = [m.name for pk, m in members.items() if pk not in presences]
    if missing:
        raise DomainError(_("Indiquez la présence de chaque membre : %(n)s.") % {"n": ", ".join(missing)})
    held: dict[int, int] = {}
    for pk, (presence, mandate_to) in presences.items():
        member = members.get(pk)
        if member is None:
            raise DomainError(_("Ce membre ne compose pas la commission à la date de la séance."))
        if presence not in P.values:
            raise DomainError(_("Présence inconnue pour %(n)s.") % {"n": member.name})
        if presence == P.SUBSTITUTE and not member.substitute_name:
            raise DomainError(_("%(n)s n'a pas de suppléant enregistré.") % {"n": member.name})
        if presence == P.MANDATE:
            holder = members.get(mandate_to) if mandate_to else None
            if holder is None or holder.pk == pk:
                raise DomainError(_("Indiquez le membre à qui %(n)s a donné mandat.") % {"n": member.name})
            if presences.get(holder.pk, ("",))[0] not in rules.SITS:
                raise DomainError(
                    _("%(h)s, à qui %(n)s a donné mandat, ne siège pas à cette séance.")
                    % {"h": holder.name, "n": member.name}
                )
            held[holder.pk] = held.get(holder.pk, 0) + 1
            if held[holder.pk] > rules.MAX_MANDATES_HELD:
                raise DomainError(
                    _("%(h)s détiendrait plus d'un mandat : nul ne peut détenir plus d'un mandat.")
                    % {"h": holder.name}
                )
    session.attendances.all().delete()
    Attendance.objects.bulk_create(
        Attendance(
            session=session,
            member_id=pk,
            presence=presence,
            mandate_to_id=mandate_to if presence == P.MANDATE else None,
        )
        for pk, (presence, mandate_to) in presences.items()
    )
    audit.record_event(by, "session.attendance", session)
    return quorum(session)


def check_deliberation(session: CommissionSession) -> None:
    """A session without quorum records no avis: it is reconvened (rules.QUORUM)."""
    q = quorum(session)
    if q.may_deliberate:
        return
    if not q.recorded:
        raise DomainError(
            _("Enregistrez d'abord les présences de la séance : le quorum doit être constaté avant les avis.")
        )
    raise DomainError(
        _(
            "Quorum non atteint (%(c)s membres présents ou représentés sur %(m)s, il en faut %(n)s) : la "
            "commission ne peut pas rendre d'avis. Convoquez une nouvelle séance sur le même ordre du jour, "
            "qui siégera sans condition de quorum."
        )
        % {"c": q.counted, "m": q.members, "n": q.needed}
    )


# --- Recusals ----------------------------------------------------------------------------------------
def conflicted_members(item: AgendaItem, members) -> list[CommissionMember]:
    """The members who represent the association that prepared the request (rules.CONFLICT_OF_INTEREST)."""
    association_id = item.request.pathway.association_id
    return [m for m in members if m.association_id == association_id]


def recused_on(item: AgendaItem, members=None) -> list[CommissionMember]:
    """The recorded recusals once the avis is given, else those that the composition implies. A page that
    lists a whole agenda prefetches `recusals__member` and passes the session's `members` once (issue 15)."""
    if "recusals" in getattr(item, "_prefetched_objects_cache", {}):
        recorded = [r.member for r in item.recusals.all()]
    else:
        recorded = [r.member for r in item.recusals.select_related("member")]
    if recorded:
        return recorded
    if members is None:
        members = members_on(item.session.commission_id, item.session.date)
    return conflicted_members(item, members)


def voters(session: CommissionSession, recused: list[CommissionMember]) -> int:
    """Votes that may be cast on an item: each member sitting (in person or by the substitute) and each
    mandate held, less the recused members' (and the mandates they hold)."""
    out = {m.pk for m in recused}
    total = 0
    for a in session.attendances.all():
        if a.member_id in out:
            continue
        if a.presence in rules.SITS or (a.presence == P.MANDATE and a.mandate_to_id not in out):
            total += 1
    return total


def check_votes(item: AgendaItem, kind: str, votes: tuple[int, int, int] | None) -> None:
    q = quorum(item.session)
    if votes is None:
        if q.composition_known:
            raise DomainError(_("Indiquez le résultat du vote (voix pour, contre et abstentions)."))
        return
    if any(v < 0 for v in votes):
        raise DomainError(_("Le nombre de voix ne peut pas être négatif."))
    cast = sum(votes)
    if q.composition_known:
        recused = recused_on(item)
        allowed = voters(item.session, recused)
        if cast > allowed:
            names = ", ".join(m.name for m in recused)
            message = _("%(c)s voix exprimées, mais %(a)s membres seulement peuvent voter sur ce point.") % {
                "c": cast,
                "a": allowed,
            }
            if names:
                message += " " + _("Récusé(s), ne votent pas : %(n)s.") % {"n": names}
            raise DomainError(message)
    votes_for, against, _abstentions = votes
    if kind == rules.AvisKind.FAVOURABLE and against > votes_for:
        raise DomainError(_("Un avis favorable suppose au moins autant de voix pour que de voix contre."))
    if kind == rules.AvisKind.UNFAVOURABLE and votes_for > against:
        raise DomainError(_("Un avis défavorable suppose au moins autant de voix contre que de voix pour."))


def record_recusals(item: AgendaItem) -> None:
    """Called inside record_avis's transaction: the recusals of the item, as the minutes will list them."""
    if item.recusals.exists():
        return
    members = members_on(item.session.commission_id, item.session.date)
    Recusal.objects.bulk_create(Recusal(item=item, member=m) for m in conflicted_members(item, members))


# --- Convocation and reconvened sessions -------------------------------------------------------------
def recipients(session: CommissionSession) -> list[str]:
    addresses = []
    for m in members_on(session.commission_id, session.date):
        for address in (m.email or (m.user.email if m.user else ""), m.substitute_email):
            if address and address not in addresses:
                addresses.append(address)
    return addresses


def convocation_text(session: CommissionSession, link: str) -> tuple[str, str]:
    """The e-mail: the date, the number of items and a link; never a person's name or reference."""
    subject = _("Convocation — séance de la commission du %(d)s") % {"d": _d(session.date)}
    n = session.agenda.count()
    body = _(
        "Bonjour,\n\n"
        "Vous êtes convoqué(e) à la séance de la %(commission)s du %(d)s.\n"
        "L'ordre du jour compte %(n)s demande(s) de parcours de sortie de la prostitution.\n\n"
        "La convocation, l'ordre du jour et les pièces se consultent dans Parcours :\n%(link)s\n\n"
        "Si vous ne pouvez pas siéger, prévenez votre suppléant ou donnez mandat à un autre membre "
        "(nul ne peut détenir plus d'un mandat).\n"
    ) % {"commission": session.commission.name, "d": _d(session.date), "n": n, "link": link}
    if session.reconvenes_id:
        body += "\n" + _(
            "Le quorum n'ayant pas été atteint le %(d)s, la commission délibérera valablement sans condition "
            "de quorum.\n"
        ) % {"d": _d(session.reconvenes.date)}
    return subject, body


def session_link(base_url: str, session: CommissionSession) -> str:
    return base_url.rstrip("/") + reverse("pathway:session", kwargs={"pk": session.pk})


@transaction.atomic
def send_convocation(session: CommissionSession, by: Membership, base_url: str) -> Convocation:
    _require_secretariat(by, session.commission_id)
    session = CommissionSession.objects.select_for_update().select_related("commission").get(pk=session.pk)
    if session.status != SessionStatus.PLANNED:
        raise DomainError(_("Seule une séance prévue peut être convoquée."))
    today = clock.today()
    deadline = rules.convocation_deadline(session.date)
    if today > deadline:
        raise DomainError(
            _(
                "Convocation refusée : elle devait partir au plus tard le %(deadline)s, cinq jours au moins "
                "avant la séance du %(d)s. Reportez la séance à une date laissant ce délai."
            )
            % {"deadline": _d(deadline), "d": _d(session.date)}
        )
    if not session.agenda.exists():
        raise DomainError(_("L'ordre du jour est vide : inscrivez les demandes avant de convoquer."))
    addresses = recipients(session)
    if not addresses:
        raise DomainError(_("Aucun membre en fonction n'a d'adresse électronique enregistrée."))
    convocation = Convocation.objects.create(session=session, sent_by=by.user, recipients=len(addresses))
    audit.record_event(by, "session.convoke", session)
    subject, body = convocation_text(session, session_link(base_url, session))
    try:
        # One message per address: no member sees the others' addresses.
        for address in addresses:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
    except OSError as exc:
        raise DomainError(
            _("La convocation n'a pas pu être envoyée (serveur de messagerie injoignable) : réessayez.")
        ) from exc
    return convocation


@transaction.atomic
def reconvene(session: CommissionSession, by: Membership, date: dt.date) -> CommissionSession:
    """After a session without quorum: a new session on the same agenda, which sits without quorum."""
    _require_secretariat(by, session.commission_id)
    session = CommissionSession.objects.select_for_update().get(pk=session.pk)
    q = quorum(session)
    if not q.recorded or q.reached or not q.composition_known:
        raise DomainError(
            _("Seule une séance dont les présences montrent un quorum non atteint se convoque à nouveau.")
        )
    if session.avis.exists():
        raise DomainError(_("Des avis sont déjà enregistrés pour cette séance."))
    if hasattr(session, "reconvened_as"):
        raise DomainError(_("Cette séance est déjà convoquée à nouveau."))
    if date <= session.date:
        raise DomainError(_("La nouvelle séance doit être postérieure au %(d)s.") % {"d": _d(session.date)})
    again = CommissionSession.objects.create(
        commission_id=session.commission_id, date=date, place=session.place, reconvenes=session
    )
    from .transitions import record_reconvened  # transitions reads this module's checks

    # The requests still waiting for their avis, locked: an unscheduling or a withdrawal meanwhile waits.
    waiting = list(
        PathwayRequest.objects.select_for_update(of=("self",))
        .filter(agenda_items__session=session, status=rules.RequestStatus.SCHEDULED)
        .select_related("pathway")
        .order_by("pk")
    )
    session.agenda.update(session=again)
    session.status = SessionStatus.HELD
    session.save(update_fields=["status"])
    audit.record_event(by, "session.reconvene", again)
    for req in waiting:
        record_reconvened(req, by, session, again)
    return again


# --- The session's papers (agenda, convocation, minutes) ---------------------------------------------
AGE_BANDS = ((25, "18-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"))


def age_band(birth_date: dt.date | None, on: dt.date) -> str:
    """The pseudonymised age shown to members: a ten-year band, never the birth date."""
    if birth_date is None:
        return ""
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if age < 18:
        return _("moins de 18 ans")
    for limit, label in AGE_BANDS:
        if age < limit:
            return _("%(b)s ans") % {"b": label}
    return _("55 ans et plus")


@dataclass
class PaperItem:
    position: int
    kind: str
    reference: str  # the person's case reference (P-000123), never her name
    initials: str
    age_band: str
    nationality: str
    association: str
    avis: object  # Avis or None
    recused: list


def paper_items(session: CommissionSession) -> list[PaperItem]:
    items = session.agenda.select_related(
        "request", "request__pathway", "request__pathway__person", "request__pathway__association"
    ).prefetch_related("request__avis")
    rows = []
    for item in items:
        person = item.request.pathway.person
        avis = next((a for a in item.request.avis.all() if a.session_id == session.pk), None)
        rows.append(
            PaperItem(
                position=item.position,
                kind=item.request.get_kind_display(),
                reference=person.reference,
                initials=person.initials,
                age_band=age_band(person.birth_date, session.date),
                nationality=person.nationality.name if person.nationality else "",
                association=item.request.pathway.association.name,
                avis=avis,
                recused=recused_on(item),
            )
        )
    return rows


def papers_context(session: CommissionSession, letterhead) -> dict:
    attendances = list(session.attendances.select_related("member", "mandate_to"))
    return {
        "letterhead": letterhead,
        "issued_on": clock.today(),
        "session": session,
        "items": paper_items(session),
        "attendances": attendances,
        "quorum": quorum(session),
        "members": list(members_on(session.commission_id, session.date)),
        "convocation": session.convocations.first(),
        "deadline": rules.convocation_deadline(session.date),
        "quorum_basis": rules.QUORUM,
        "conflict_basis": rules.CONFLICT_OF_INTEREST,
    }


# --- The year's meetings (rules.MEETING_RULES) -------------------------------------------------------
@dataclass(frozen=True)
class YearMeetings:
    year: int
    required: int
    scheduled: int  # planned or held in the year, cancelled ones aside
    basis: rules.Basis

    @property
    def missing(self) -> int:
        return max(self.required - self.scheduled, 0)


def year_meetings(commission_id: int, year: int) -> YearMeetings:
    rule = rules.meetings_required(year)
    scheduled = (
        CommissionSession.objects.filter(commission_id=commission_id, date__year=year)
        .exclude(status=SessionStatus.CANCELLED)
        .count()
    )
    return YearMeetings(year, rule.per_year, scheduled, rule.basis)


def convocations_due(commission_id: int, today: dt.date):
    """Planned sessions whose convocation has not gone and still may (deadline not passed)."""
    return (
        CommissionSession.objects.filter(
            commission_id=commission_id,
            status=SessionStatus.PLANNED,
            date__gte=today + dt.timedelta(days=rules.CONVOCATION_DAYS),
            convocations__isnull=True,
        )
        .order_by("date")
        .distinct()
    )
