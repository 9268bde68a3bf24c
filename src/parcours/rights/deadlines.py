"""What is due on the AFIS and the APS: computed from the files, the pathway's periods and the law, never
typed. Works on people fetched with `with_rights()` (no query per person).

`due_items(membership, today)` feeds the « À faire » page; `person_deadlines(person, today)` and
`next_by_right(...)` feed the person's pages (template `rights/person_summary.html`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Subquery, prefetch_related_objects
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.core import clock
from parcours.core.dates import date_format
from parcours.core.prefetch import listed, related
from parcours.pathway import rules as pathway_rules
from parcours.pathway.models import REQUEST_TEXT, Exit, Pathway, PathwayRequest, Period
from parcours.pathway.rules import Basis
from parcours.people.models import LIST_DEFERRED, Person, own_or_unassigned

from . import rules
from .models import AfisFile, ApsFile
from .services import eligibility, exit_of, latest, psp_period_on

PS = pathway_rules.PathwayStatus
AFIS, APS = "afis", "aps"
RIGHT_LABELS = {AFIS: "AFIS", APS: "APS"}
DEFAULT_HORIZON_DAYS = 31


@dataclass(frozen=True)
class RightDeadline:
    right: str  # AFIS or APS
    label: str
    date: dt.date | None
    person: Person
    basis: Basis

    @property
    def overdue(self) -> bool:
        return self.date is not None and self.date < clock.today()

    @property
    def right_label(self) -> str:
        return RIGHT_LABELS[self.right]

    @property
    def sort_key(self):
        return (self.date is None, self.date or dt.date.max, self.right)


def _d(day: dt.date) -> str:
    return date_format(day, "j F Y")


def _rights_lookups():
    requests = PathwayRequest.objects.defer(*REQUEST_TEXT)  # statuses and dates only
    return (  # as lists (core.prefetch): a queryset per person and relation cost more than the rows
        listed("afis_files"),
        listed("aps_files"),
        listed("pathways", Pathway.objects.select_related("exit")),
        listed("pathways__periods"),
        listed("pathways__requests", requests),
    )


def with_rights(people):
    """Prefetch what the deadlines read."""
    return people.select_related("departement").prefetch_related(*_rights_lookups())


def prefetch_rights(person) -> None:
    """The same prefetch on one person already fetched (the person's pages): the deadlines then read the
    files and the pathways once, not once per helper. Lookups already prefetched are not read again."""
    prefetch_related_objects([person], *_rights_lookups())


def current_pathway(person):
    pathways = sorted(related(person, "pathways"), key=lambda p: (p.created_at, p.pk))
    return pathways[-1] if pathways else None


def last_period(pathway):
    periods = sorted(related(pathway, "periods"), key=lambda p: p.number)
    return periods[-1] if periods else None


def _has_open_request(pathway) -> bool:
    return any(r.status in pathway_rules.OPEN_REQUEST_STATUSES for r in related(pathway, "requests"))


def _pathway_end(pathway) -> dt.date | None:
    """The day from which the person is no longer in a pathway (exit, or a lapsed period), if so."""
    if pathway is None:
        return None
    if pathway.status == PS.EXITED:
        exit_ = exit_of(pathway)
        return exit_.date if exit_ else None
    if pathway.status == PS.LAPSED and not _has_open_request(pathway):
        last = last_period(pathway)
        return last.end + dt.timedelta(days=1) if last else None
    return None


def afis_stop_date(pathway) -> dt.date | None:
    """The first day without AFIS once the pathway is over: after an exit or an early end, the first day of
    the following month (rules.AFIS_STOP), never after the day following the last authorised period; after
    a lapsed period, the day after it."""
    if pathway is None:
        return None
    if pathway.status == PS.EXITED:
        exit_ = exit_of(pathway)
        if exit_ is None:
            return None
        last = last_period(pathway)
        # A period closed by the exit keeps its authorised end in `planned_end`.
        return rules.afis_stop_on(exit_.date, (last.planned_end or last.end) if last else None)
    if pathway.status == PS.LAPSED and not _has_open_request(pathway):
        last = last_period(pathway)
        return last.end + dt.timedelta(days=1) if last else None
    return None


# --- AFIS ----------------------------------------------------------------------------------------------
def afis_deadlines(person, today: dt.date) -> list[RightDeadline]:
    files = related(person, "afis_files")
    current = latest(files)
    pathway = current_pathway(person)
    items = []
    if current is not None and current.running:
        if current.first_payment_on is None:
            items.append(
                RightDeadline(
                    AFIS,
                    _("Relancer la MSA : aucun premier versement depuis la demande du %(d)s")
                    % {"d": _d(current.requested_on)},
                    rules.msa_chase_on(current.requested_on),
                    person,
                    rules.PRACTICE_MSA_CHASE,
                )
            )
        stop = afis_stop_date(pathway)
        if stop is not None:
            items.append(
                RightDeadline(
                    AFIS,
                    _("Signaler la fin du parcours à la MSA : AFIS due jusqu'au %(last)s, arrêt le %(d)s")
                    % {"last": _d(stop - dt.timedelta(days=1)), "d": _d(stop)},
                    stop,
                    person,
                    rules.AFIS_STOP,
                )
            )
        return items
    period = psp_period_on(person, today)
    if period is None:
        return items
    covered = any(f.stopped_on is None or f.stopped_on >= period.start for f in files)
    if covered:
        return items
    result = eligibility(person, today).eligible
    if result is True:
        items.append(
            RightDeadline(
                AFIS, _("Demande d'AFIS à adresser à la MSA"), period.start, person, rules.AFIS_PAYER
            )
        )
    elif result is None:
        items.append(
            RightDeadline(AFIS, _("Éligibilité à vérifier (dossier incomplet)"), None, person, rules.AFIS_PSP)
        )
    return items


# --- APS -----------------------------------------------------------------------------------------------
def aps_deadlines(person, today: dt.date) -> list[RightDeadline]:
    current = latest(related(person, "aps_files"))
    pathway = current_pathway(person)
    items = []
    ended = _pathway_end(pathway)
    if pathway is not None and pathway.status == PS.EXITED:
        return items  # the APS of the PSP is renewed only while the pathway lasts
    if current is None:
        period = psp_period_on(person, today)
        if period is not None and person.residence_status in rules.RESIDENCE_NOT_OK:
            items.append(
                RightDeadline(
                    APS, _("Demande d'APS à adresser à la préfecture"), period.start, person, rules.APS
                )
            )
        return items
    if current.issued_on is None:
        expiry = current.receipt_expires_on
        if expiry is not None:
            label = (
                _("Récépissé de demande d'APS expiré le %(d)s : à faire prolonger")
                if expiry < today
                else _("Récépissé de demande d'APS à faire prolonger (expire le %(d)s)")
            )
            items.append(
                RightDeadline(
                    APS,
                    label % {"d": _d(expiry)},
                    rules.receipt_renewal_due(expiry),
                    person,
                    rules.PRACTICE_RECEIPT_LEAD,
                )
            )
        return items
    expiry = current.expires_on
    if expiry is None:
        return items
    if current.renewal_requested_on is None:
        if ended is not None and ended <= expiry:
            return items  # the pathway lapsed before the APS ends: nothing to renew for now
        last = last_period(pathway) if pathway else None
        if last is not None and pathway.status == PS.ACTIVE:
            label = _(
                "Renouvellement de l'APS à demander (expire le %(d)s ; période de parcours jusqu'au %(p)s)"
            ) % {"d": _d(expiry), "p": _d(last.end)}
        else:
            label = _("Renouvellement de l'APS à demander (expire le %(d)s)") % {"d": _d(expiry)}
        items.append(
            RightDeadline(APS, label, rules.aps_renewal_due(expiry), person, rules.PRACTICE_APS_LEAD)
        )
    elif expiry < today:
        items.append(
            RightDeadline(
                APS,
                _("APS expirée le %(d)s : renouvellement demandé le %(r)s, nouvelle APS à enregistrer")
                % {"d": _d(expiry), "r": _d(current.renewal_requested_on)},
                expiry,
                person,
                rules.APS,
            )
        )
    return items


# --- Together ------------------------------------------------------------------------------------------
def person_deadlines(person, today: dt.date | None = None) -> list[RightDeadline]:
    today = today or clock.today()
    return sorted(afis_deadlines(person, today) + aps_deadlines(person, today), key=lambda d: d.sort_key)


def next_by_right(person, today: dt.date | None = None) -> dict[str, RightDeadline | None]:
    """The next deadline of each right (the earliest dated one, else an undated one)."""
    items = person_deadlines(person, today)
    return {right: next((d for d in items if d.right == right), None) for right in (AFIS, APS)}


# An exit stops the AFIS at the latest on the first day of the following month (rules.afis_stop_on): after
# this many days, an exit opens no AFIS period any more.
EXIT_AFIS_DAYS = 62


def _may_have_deadlines(people, today: dt.date, limit: dt.date):
    """The people of `people` who can have a deadline dated by `limit` (or undated) on `today`, chosen in SQL
    (issue 15). A superset, never fewer: the exact rules then run in Python on these people only.

    - AFIS, a running file: the MSA to chase (no first payment yet), or a stop to report (the latest pathway
      exited or lapsed);
    - AFIS, no running file: a period covering today, or an exit recent enough for its last period to
      still open the AFIS (services.psp_period_on): a request to send, or eligibility to check;
    - APS, no file: a period covering today;
    - APS, a file while the latest pathway is not exited: a receipt expiring by `limit` plus the receipt's
      lead, or an APS expiring by `limit` plus the renewal lead (renewal due, or expired and renewed).
    Anyone else gets nothing from afis_deadlines and aps_deadlines within the horizon."""
    latest = Pathway.objects.filter(person=OuterRef("pk")).order_by("-created_at", "-pk").values("status")[:1]
    running_afis = AfisFile.objects.filter(person=OuterRef("pk"), stopped_on__isnull=True)
    aps_files = ApsFile.objects.filter(person=OuterRef("pk"))
    receipt_bound = limit + dt.timedelta(days=rules.RECEIPT_LEAD_DAYS)
    aps_bound = limit + dt.timedelta(days=rules.aps_renewal_lead_days())
    recent_exit = today - dt.timedelta(days=EXIT_AFIS_DAYS)
    current_period = Period.objects.filter(pathway__person=OuterRef("pk"), start__lte=today, end__gte=today)
    not_exited = Q(latest_status__isnull=True) | ~Q(latest_status=PS.EXITED)
    return people.annotate(latest_status=Subquery(latest)).filter(
        Exists(running_afis.filter(first_payment_on__isnull=True))
        | (Exists(running_afis) & Q(latest_status__in=[PS.EXITED, PS.LAPSED]))
        | (
            (
                Exists(current_period)
                | Exists(Exit.objects.filter(pathway__person=OuterRef("pk"), date__gte=recent_exit))
            )
            & (~Exists(running_afis) | ~Exists(aps_files))
        )
        | (
            Exists(aps_files.filter(Q(receipt_expires_on__lte=receipt_bound) | Q(expires_on__lte=aps_bound)))
            & not_exited
        )
    )


def due_items(
    membership, today: dt.date | None = None, horizon_days: int = DEFAULT_HORIZON_DAYS, referent_id=None
) -> list[RightDeadline]:
    """What the association staff has to do on the rights of the people it follows: overdue, due within
    `horizon_days`, or undated; sorted by date. Empty for any other role. `referent_id`: only the people of
    that referent and those of nobody (people.models.own_or_unassigned)."""
    if not policy.can(membership, "person_file"):
        return []
    today = today or clock.today()
    limit = today + dt.timedelta(days=horizon_days)
    visible = (
        Person.objects.visible_to(membership).filter(own_or_unassigned(referent_id)).defer(*LIST_DEFERRED)
    )
    # The rules read the person's département by its code only: no need to join it (with_rights does).
    people = _may_have_deadlines(visible, today, limit).prefetch_related(*_rights_lookups())
    items = [
        d for person in people for d in person_deadlines(person, today) if d.date is None or d.date <= limit
    ]
    return sorted(items, key=lambda d: d.sort_key)
