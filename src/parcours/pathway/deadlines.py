"""What is due: computed from the periods and requests, never typed. Works on prefetched pathways."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from parcours.core import clock

from . import rules
from .models import Pathway, Period

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


def summarise(pathway: Pathway, today: dt.date | None = None) -> PathwaySummary:
    """Use with `.prefetch_related("periods", "requests")` on lists to avoid a query per pathway."""
    today = today or clock.today()
    periods = sorted(pathway.periods.all(), key=lambda p: p.number)
    last = periods[-1] if periods else None
    current = next((p for p in periods if p.start <= today <= p.end), None)
    used = sum(p.months for p in periods)  # authorised
    rule = pathway.rule
    open_request = next((r for r in pathway.requests.all() if r.status in rules.OPEN_REQUEST_STATUSES), None)
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


def _request_deadline(req) -> Deadline:
    RS = rules.RequestStatus
    labels = {
        RS.DRAFT: _("Brouillon à compléter puis soumettre à la validation"),
        RS.READY: _("Soumise à la validation de la cheffe de service"),
        RS.VALIDATED: _("Demande validée à transmettre"),
        RS.SUBMITTED: _("En attente d'inscription à une séance"),
        RS.SCHEDULED: _("Examen en séance de la commission"),
        RS.ADJOURNED: _("Demande ajournée à compléter"),
        RS.AVIS_GIVEN: _("En attente de la décision du préfet"),
    }
    date = None
    if req.status == RS.SCHEDULED:
        # An adjourned request examined again has several agenda items: the latest session is the one due.
        date = max((item.session.date for item in req.agenda_items.all()), default=None)
    return Deadline(labels[req.status], date)
