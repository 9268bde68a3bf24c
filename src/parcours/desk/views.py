"""Pages that combine several apps: the to-do page, the caseload and the person's summary.

They sit in the top layer (docs/decisions/0027-layered-apps.md): they may import every app, and no app imports
them. Their URL names stay in the namespaces of the apps they came from (`pathway:todo`, `people:caseload`,
`people:person`): parcours/urls.py mounts them there. The home redirect and the menu (home.py,
context_processors.py) came from core, whose names `core:home` and `core:volunteer` they keep.
"""

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from parcours.accounts.middleware import count_change
from parcours.accounts.permissions import can, requires
from parcours.accounts.policy import scope_key
from parcours.accounts.roles import Role
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.prefetch import listed, related
from parcours.desk import caseload_held, person_held, todo_held
from parcours.followup import deadlines as followup_deadlines
from parcours.papers import summary_views
from parcours.papers.links import pathway_links
from parcours.pathway import commission as commission_body
from parcours.pathway import rules
from parcours.pathway.deadlines import summarise, summary_lookups
from parcours.pathway.models import CommissionSession, Event, Pathway, PathwayRequest, Period
from parcours.pathway.views import _requests  # the same visibility as the pathway pages
from parcours.people.models import Person, own_or_unassigned
from parcours.people.search import alphabetical_ids, search_ids
from parcours.records import deadlines as records_deadlines
from parcours.rights import deadlines as rights_deadlines
from parcours.transfers import services as transfers
from parcours.transfers.models import Transfer

RS = rules.RequestStatus
PS = rules.PathwayStatus
NO_PATHWAY = "none"
SQL_IN_LIMIT = 900  # beyond, the matches are kept in Python rather than sent as SQL parameters


# --- To do -------------------------------------------------------------------------------------------
@requires("todo")
def todo(request):
    m = request.membership
    today = clock.today()
    if can(m, "person_file"):
        return _association_todo(request, m, today)
    reqs = _requests(m).prefetch_related("agenda_items__session")
    if m.role == Role.SECRETARIAT:
        to_examine = list(reqs.filter(status=RS.SCHEDULED, agenda_items__session__date__lte=today).distinct())
        for r in to_examine:  # an avis to record opens the session where it is recorded
            held = [i.session for i in r.agenda_items.all() if i.session.date <= today]
            if held:
                r.todo_url = reverse("pathway:session", args=[max(held, key=lambda s: s.date).pk])
        to_schedule = list(reqs.filter(status=RS.SUBMITTED).order_by("submitted_on"))
        coming = (
            CommissionSession.objects.visible_to(m)
            .filter(commission=m.organisation, status="planned", date__gte=today)
            .order_by("date")
            .first()
        )
        for r in to_schedule:  # a request to schedule opens the next session, where it is put on the agenda
            if coming is not None and coming.date >= r.submitted_on:
                r.todo_url = reverse("pathway:session", args=[coming.pk])
        sections = [
            (_("Demandes à inscrire à une séance"), to_schedule),
            (_("Demandes examinées en séance : avis à enregistrer"), to_examine),
            (
                _("Avis transmis, en attente de la décision du préfet"),
                list(reqs.filter(status=RS.AVIS_GIVEN)),
            ),
        ]
    else:
        waiting = list(reqs.filter(status=RS.AVIS_GIVEN).order_by("submitted_on"))
        if can(m, "decision"):  # a decision to take opens the decision form
            for r in waiting:
                r.todo_url = reverse("pathway:decide", args=[r.pk])
        sections = [(_("Demandes en attente de décision"), waiting)]
    commission = {}
    if m.role == Role.SECRETARIAT:  # the commission's year (pathway/commission.py, decision 0039)
        meetings = commission_body.year_meetings(m.organisation_id, today.year)
        due = list(commission_body.convocations_due(m.organisation_id, today))
        for s in due:
            s.deadline = rules.convocation_deadline(s.date)
        commission = {"meetings": meetings, "convocations_due": due}
    return render(
        request, "desk/todo_requests.html", {"title": _("À faire"), "sections": sections, **commission}
    )


def _association_todo(request, m, today):
    """The association's to-do page: its computed parts held in memory (desk/todo_held.py, decision 0057),
    the transfers read on every view."""
    # A social worker sees her people and those of nobody; the head of service, or « Toute l'association »
    # (?equipe=1), everyone the association follows.
    whole_team = m.role == Role.HEAD_OF_SERVICE or request.GET.get("equipe") == "1"
    everything = request.GET.get("tout") == "1"
    if request.GET.get("actualiser") == "1":  # a new key, in every worker process; then the page's address
        count_change(request)
        query = request.GET.copy()
        del query["actualiser"]
        return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
    key = todo_held.key(request, today, whole_team, everything)
    page = todo_held.get(key, m)
    if page is None:
        context, people = _association_todo_context(m, today, whole_team, everything)
        parts = {name: render_to_string(f"desk/todo_{name}.html", context, request) for name in TODO_PARTS}
        page = todo_held.hold(key, m, parts, people, clock.now())
    refresh = request.GET.copy()
    refresh["actualiser"] = "1"
    # Files other associations ask hers to take over (pseudonymised until accepted), and hers waiting for an
    # answer.
    transfers_in, transfers_out = Transfer.objects.pending_in_and_out(m)
    return render(
        request,
        "desk/todo_association.html",
        {
            "title": _("À faire"),
            "parts": page.parts,
            "computed_at": page.computed_at,
            "refresh_query": refresh.urlencode(),
            "held_minutes": todo_held.HELD_SECONDS // 60,
            "whole_team": whole_team,
            "can_narrow": m.role != Role.HEAD_OF_SERVICE,
            "transfers_in": transfers_in,
            "transfers_out": transfers_out,
            "transfers_count": len(transfers_in) + len(transfers_out),
        },
    )


TODO_PARTS = ("computed_head", "computed_tail")  # the parts around the transfers


def _association_todo_context(m, today, whole_team: bool, everything: bool):
    """The computed parts' context, and the people they name."""
    soon = today + dt.timedelta(days=31)
    referent_id = None if whole_team else m.user_id
    rows = [(p, summarise(p, today)) for p in _todo_pathways(m, soon, referent_id)]
    # Each line opens the thing to do: the request for a request to complete, validate or transmit, the
    # person's page for a renewal to open or an exit to record.
    head = m.role == Role.HEAD_OF_SERVICE
    ready = (
        _("Demandes soumises à la validation : à valider")
        if head
        else _("Demandes soumises à la validation de la cheffe de service")
    )
    sections = [
        (
            _("Renouvellements à préparer"),
            [
                r
                for r in rows
                if r[0].status == PS.ACTIVE
                and not r[1].open_request
                and r[1].renewal_due
                and r[1].renewal_due <= soon
            ],
            False,
        ),
        (_("Demandes ajournées à compléter"), [r for r in rows if _open_status(r) == RS.ADJOURNED], True),
        (ready, [r for r in rows if _open_status(r) == RS.READY], True),
        (
            _("Brouillons en cours de préparation (pas encore soumis à la validation)"),
            [r for r in rows if _open_status(r) == RS.DRAFT],
            True,
        ),
        (
            _("Demandes validées à transmettre"),
            [r for r in rows if _open_status(r) == RS.VALIDATED],
            True,
        ),
        (
            _("Périodes échues : renouveler ou enregistrer la sortie"),
            [r for r in rows if r[0].status == PS.LAPSED and not r[1].open_request],
            False,
        ),
        (
            _("Demandes à la commission et à la préfecture : où elles en sont"),
            [r for r in rows if _open_status(r) in (RS.SUBMITTED, RS.SCHEDULED, RS.AVIS_GIVEN)],
            True,
        ),
    ]
    if head:  # what waits for her first
        sections.insert(0, sections.pop(2))
    sent_back = _sent_back_to_draft([r[1].open_request.pk for r in rows if _open_status(r) == RS.DRAFT])
    for _title, items, _opens in sections:
        items.sort(
            key=lambda r: (
                r[1].next_deadline is None,
                (r[1].next_deadline and r[1].next_deadline.date) or dt.date.max,
            )
        )
    limit = None if everything else TODO_SHOWN
    followup_due = followup_deadlines.due_items(m, today, overdue_shown=limit)
    rights_due = rights_deadlines.due_items(m, today, referent_id=referent_id)
    records_due = records_deadlines.due_items(m, today, referent_id=referent_id)
    decided = _recently_decided(m, today, referent_id)
    shown = [(title, items[:limit], opens, len(items)) for title, items, opens in sections]
    context = {
        # (title, the rows shown, whether a row opens the request, how many rows in all)
        "sections": shown,
        "sent_back": sent_back,
        "decided": decided[:limit],
        "decided_total": len(decided),
        "followup_due": followup_due,
        "overdue_total": followup_due.overdue_total,
        "rights_due": rights_due[:limit],
        "rights_total": len(rights_due),
        "records_due": records_due[:limit],
        "records_total": len(records_due),
        "limit": limit,
        "more_query": "equipe=1&tout=1" if whole_team and m.role != Role.HEAD_OF_SERVICE else "tout=1",
    }
    people = [
        *(pathway.person for _t, rows_, _o, _n in shown for pathway, _summary in rows_),
        *(r.pathway.person for r in decided[:limit]),
        *(a.person for a in followup_due.appointments_today),
        *(a.person for a in followup_due.appointments_tomorrow),
        *(a.person for a in followup_due.overdue_actions),
        *(a.person for a in followup_due.coming_actions),
        *(d.person for d in rights_due[:limit]),
        *(d.person for d in records_due[:limit]),
    ]
    return context, people


RECENT_DECISION_DAYS = 30
TODO_SHOWN = 20  # lines shown per section of the association's to-do page; « Voir tout » (?tout=1) shows all


def _todo_pathways(membership, soon: dt.date, referent_id=None):
    """The pathways that can appear on the association's to-do page, chosen in SQL (issue 15): those with an
    open request, the lapsed ones, and the active ones whose last period ends early enough for the renewal
    to fall due by `soon` (rules.renewal_due is the end minus the lead in months, and a month is at most 31
    days, so an end after `soon` + 31 days a month of lead cannot be due). The sections then apply the exact
    rules in Python on these rows only: an active pathway far from its renewal, a refused or a preparing one
    without an open request, is never loaded."""
    open_statuses = rules.OPEN_REQUEST_STATUSES
    open_request = PathwayRequest.objects.filter(pathway=OuterRef("pk"), status__in=open_statuses)
    last_end = Period.objects.filter(pathway=OuterRef("pk")).order_by("-number").values("end")[:1]
    bound = soon + dt.timedelta(days=31 * rules.renewal_lead_months())
    return (
        Pathway.objects.visible_to(membership)
        .filter(own_or_unassigned(referent_id, "person__"))
        .select_related("person")  # its names, and the state the held page is checked against (todo_held)
        .only(
            *[f.name for f in Pathway._meta.concrete_fields],
            "person__first_name",
            "person__last_name",
            *[f"person__{name}" for name in todo_held.STATE],
        )
        .prefetch_related(*summary_lookups())
        .exclude(status=PS.EXITED)
        .annotate(has_open_request=Exists(open_request), last_end=Subquery(last_end))
        .filter(Q(has_open_request=True) | Q(status=PS.LAPSED) | Q(status=PS.ACTIVE, last_end__lte=bound))
    )


def _sent_back_to_draft(request_ids) -> set[int]:
    """Drafts whose last change of state is the head of service's « Renvoyer en brouillon »."""
    last = {}
    events = Event.objects.filter(request_id__in=request_ids).exclude(to_status="").order_by("at", "pk")
    for request_id, action in events.values_list("request_id", "action"):
        last[request_id] = action
    return {pk for pk, action in last.items() if action == "return_to_draft"}


def _recently_decided(membership, today, referent_id=None) -> list:
    """The préfet's decisions of the last days on the association's requests: the hand-off back to it."""
    since = today - dt.timedelta(days=RECENT_DECISION_DAYS)
    return list(
        _requests(membership)
        .filter(status__in=[RS.AUTHORISED, RS.REFUSED], decision__decided_on__gte=since)
        .filter(own_or_unassigned(referent_id, "pathway__person__"))
        .select_related("decision")
        .order_by("-decision__decided_on")
    )


def _open_status(row):
    return row[1].open_request.status if row[1].open_request else None


# --- Requests ----------------------------------------------------------------------------------------


# --- The people followed ---------------------------------------------------------------------------
@requires("caseload")
def caseload(request):
    """The people followed, 50 a page. Names are encrypted, so the order (alphabetical, or the search's rank)
    is computed in Python over two columns of the association's people; the page's heavy data (pathways,
    periods, requests, sessions) is then loaded and summarised for the 50 people shown only (issue 15)."""
    m = request.membership
    query = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("statut", "")
    visible = Person.objects.visible_to(m).filter(archived_on__isnull=True)  # archives: parcours.privacy
    # The status of each person's latest pathway, in SQL (the filter needs no pathway loaded).
    latest = Pathway.objects.filter(person=OuterRef("pk")).order_by("-created_at", "-pk").values("status")[:1]
    candidates = visible
    if status == NO_PATHWAY:
        candidates = visible.annotate(latest_status=Subquery(latest)).filter(latest_status__isnull=True)
    elif status:
        candidates = visible.annotate(latest_status=Subquery(latest)).filter(latest_status=status)
    if query:
        # Names are matched on two light queries over the visible people; the status filter applies after.
        ordered = search_ids(visible, query, scope=("caseload", scope_key(m)))
        if status:
            within = candidates.filter(pk__in=ordered) if len(ordered) <= SQL_IN_LIMIT else candidates
            kept = set(within.values_list("pk", flat=True))
            ordered = [pk for pk in ordered if pk in kept]
    else:
        ordered = alphabetical_ids(candidates, scope=("caseload", scope_key(m), status))
    page = Paginator(ordered, 50).get_page(request.GET.get("page"))
    today = clock.today()
    pks = list(page.object_list)

    def compute() -> str:  # the page's main block: the form, the count, the lines and the pagination
        on_page = (  # through `visible` again: the order may come from the cache (people.search)
            visible.filter(pk__in=pks).prefetch_related(
                listed("pathways", Pathway.objects.prefetch_related(*summary_lookups()))
            )
        )
        by_pk = {person.pk: person for person in on_page}
        rows = []
        for pk in pks:
            person = by_pk.get(pk)
            if person is None:  # left the association since the order was cached
                continue
            pathways = sorted(related(person, "pathways"), key=lambda p: (p.created_at, p.pk))
            pathway = pathways[-1] if pathways else None
            rows.append((person, pathway, summarise(pathway, today) if pathway else None))
        return render_to_string("desk/caseload_main.html", {
            "request": request, "page": page, "query": query, "status": status, "rows": rows,
            "statuses": [(NO_PATHWAY, _("Sans parcours")), *PS.choices], "total": len(ordered),
        })  # fmt: skip

    return render(request, "desk/caseload.html", {
        "title": _("Personnes suivies"),
        # Held (desk/caseload_held.py) under the page's people and their state, and the page's own parameters.
        "main": caseload_held.main(request, today, pks, len(ordered), compute),
    })  # fmt: skip


@requires("person_view")
def person_detail(request, pk):
    m = request.membership
    today = clock.today()
    # Her state and her last change in the journal, through the visibility rule: the key of the held page.
    found = person_held.state(m, pk)
    if found is None:
        raise Http404

    def compute() -> person_held.HeldBlock:  # the main block; held (desk/person_held.py, decision 0067)
        people = Person.objects.visible_to(m).select_related("referent", "departement")
        person = get_object_or_404(people.annotate(last_change=audit.last_change_of(OuterRef("pk"))), pk=pk)
        staff = can(m, "person_file")
        can_enter, pathways_html = person_held.pathways(
            request, person, today, lambda: _person_pathways(request, person, today, staff)
        )
        pending_transfer = transfers.pending_transfer(person) if staff else None
        summaries = person_held.summaries(request, person) if staff else None
        html = render_to_string("desk/person_detail_main.html", {
            "request": request, "membership": m, "person": person, "pathways_html": pathways_html,
            "can_enter": can_enter, "staff": staff, "pending_transfer": pending_transfer,
            "can_transfer": staff and pending_transfer is None and transfers.may_request(m, person),
            "summary_form": summary_views.choices(person) if can(m, "person_summary", person) else None,
            "summaries": summaries.html if summaries else None,
        })  # fmt: skip
        return person_held.HeldBlock(html, summaries.valid_until if summaries else None)

    return render(request, "desk/person_page.html", {
        "title": Person.reference_of(pk), "main": person_held.page(request, found, today, compute),
    })  # fmt: skip


def _person_pathways(request, person, today, staff: bool) -> tuple[bool, str]:
    """Whether a new pathway may be prepared for `person`, and her page's rendered pathway blocks."""
    m = request.membership
    pathways = list(
        Pathway.objects.visible_to(m).filter(person=person)
        .prefetch_related("periods", "requests__agenda_items__session", "events__actor",
                          "events__actor_organisation")
        .select_related("exit", "association")
    )  # fmt: skip
    # The commission and the préfecture see only the requests transmitted to them, not the drafts (without
    # a pathway to show, nothing reads them).
    visible_requests = (
        set(PathwayRequest.objects.visible_to(m).filter(pathway__person=person).values_list("pk", flat=True))
        if pathways
        else set()
    )
    blocks = []
    for pathway in pathways:
        summary = summarise(pathway, today)
        blocks.append({
            "pathway": pathway, "summary": summary,
            "requests": [r for r in pathway.requests.all() if r.pk in visible_requests],
            # The timeline follows the same rule: an event about a request the reader may not open (a draft,
            # an adjourned renewal for the préfecture…) is not shown, nor its comment (an avis' reason).
            "events": [
                e for e in pathway.events.all() if e.request_id is None or e.request_id in visible_requests
            ],
            "can_renew": staff and pathway.status in rules.REQUEST_OPENING_STATES[rules.RequestKind.RENEWAL]
            and not summary.open_request and not summary.cap_reached,
            "can_exit": staff and pathway.status in rules.PATHWAY_TRANSITIONS["record_exit"].sources,
            "can_end_early": can(m, "end_early")
            and pathway.status in rules.PATHWAY_TRANSITIONS["end_early"].sources,
            "paper_links": pathway_links(m, pathway),
        })  # fmt: skip
    active = [b for b in blocks if b["pathway"].status != PS.EXITED]
    can_enter = staff and (
        not active or all(b["pathway"].status == PS.REFUSED and not b["summary"].open_request for b in active)
    )
    html = render_to_string("desk/person_pathways.html", {"blocks": blocks})  # nothing of the request
    return can_enter, html
