"""What is due: computed from the periods and requests, never typed. Works on prefetched pathways."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core import clock
from parcours.core.prefetch import listed, related

from . import rules
from .models import REQUEST_TEXT, AgendaItem, Pathway, PathwayRequest, Period

PS = rules.PathwayStatus


@dataclass(frozen=True)
class Deadline:
    label: str
    date: dt.date | None

    @property
    def overdue(self) -> bool:
        return self.date is not None and self.date < clock.today()


@dataclass(frozen=True)
class PathwaySummary:
    current_period: Period | None
    last_period: Period | None
    months_used: int  # whole months elapsed in the authorised periods up to today (rules.MONTHS_COUNT)
    max_months: int
    months_authorised: int  # the sum of the periods granted: what the cap counts (rules.CAP_PER_PATHWAY)
    renewal_due: dt.date | None
    open_request: object | None
    next_deadline: Deadline | None

    @property
    def cap_reached(self) -> bool:
        return self.months_authorised >= self.max_months


def months_elapsed(periods, today: dt.date) -> int:
    """Whole months of pathway elapsed up to `today` (included) over `periods`: 0 on the first day."""
    return sum(rules.months_elapsed(p.start, min(today, p.end)) for p in periods if p.start <= today)


def summary_lookups() -> tuple:
    """What `summarise` reads, to prefetch on a list of pathways, as lists (core.prefetch): the periods, the
    requests without their texts (encrypted, never read here: not decrypted either) and the sessions they
    were put to."""
    sessions = listed("agenda_items", AgendaItem.objects.select_related("session"))
    requests = PathwayRequest.objects.defer(*REQUEST_TEXT).prefetch_related(sessions)
    return listed("periods"), listed("requests", requests)


def summarise(pathway: Pathway, today: dt.date | None = None) -> PathwaySummary:
    """Use with `.prefetch_related(*summary_lookups())` on lists (or Django's own prefetch of the same
    relations) to avoid a query per pathway."""
    today = today or clock.today()
    periods = sorted(related(pathway, "periods"), key=lambda p: p.number)
    last = periods[-1] if periods else None
    current = next((p for p in periods if p.start <= today <= p.end), None)
    used = sum(p.months for p in periods)  # authorised
    rule = pathway.rule
    requests = related(pathway, "requests")
    open_request = next((r for r in requests if r.status in rules.OPEN_REQUEST_STATUSES), None)
    renewal_due = rules.renewal_due(last.end) if last and used < rule.max_total_months else None
    return PathwaySummary(
        current_period=current,
        last_period=last,
        months_used=months_elapsed(periods, today),
        max_months=rule.max_total_months,
        months_authorised=used,
        renewal_due=renewal_due,
        open_request=open_request,
        next_deadline=_next_deadline(pathway, last, used, rule, open_request, renewal_due),
    )


def _next_deadline(pathway, last, used, rule, open_request, renewal_due) -> Deadline | None:
    if pathway.status == PS.EXITED:
        return None
    if open_request is not None:
        return _request_deadline(open_request)
    if pathway.status == PS.ACTIVE and last:
        if used >= rule.max_total_months:
            return Deadline(_("Fin du parcours (24 mois)"), last.end)
        return Deadline(_("Demande de renouvellement à transmettre"), renewal_due)
    if pathway.status == PS.LAPSED and last:
        return Deadline(_("Période échue : renouveler ou enregistrer la sortie"), last.end)
    if pathway.status == PS.REFUSED:
        return Deadline(_("Entrée refusée : nouvelle demande possible"), None)
    return None


REQUEST_DEADLINE_LABELS = {  # lazy: written only for the lines shown, not for every pathway summarised
    rules.RequestStatus.DRAFT: gettext_lazy("Brouillon à compléter puis soumettre à la validation"),
    rules.RequestStatus.READY: gettext_lazy("Soumise à la validation de la cheffe de service"),
    rules.RequestStatus.VALIDATED: gettext_lazy("Demande validée à transmettre"),
    rules.RequestStatus.SUBMITTED: gettext_lazy("En attente d'inscription à une séance"),
    rules.RequestStatus.SCHEDULED: gettext_lazy("Examen en séance de la commission"),
    rules.RequestStatus.ADJOURNED: gettext_lazy("Demande ajournée à compléter"),
    rules.RequestStatus.AVIS_GIVEN: gettext_lazy("En attente de la décision du préfet"),
}


def _request_deadline(req) -> Deadline:
    RS = rules.RequestStatus
    labels = REQUEST_DEADLINE_LABELS
    date = None
    if req.status == RS.SCHEDULED:
        # An adjourned request examined again has several agenda items: the latest session is the one due.
        date = max((item.session.date for item in related(req, "agenda_items")), default=None)
    return Deadline(labels[req.status], date)
