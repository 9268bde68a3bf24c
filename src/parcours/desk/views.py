"""Pages that combine several apps: the to-do page, the caseload and the person's summary.

They sit in the top layer (docs/decisions/0027-layered-apps.md): they may import every app, and no app imports
them. Their URL names stay in the namespaces of the apps they came from (`pathway:todo`, `people:caseload`,
`people:person`): parcours/urls.py mounts them there. The home redirect and the menu (home.py,
context_processors.py) came from core, whose names `core:home` and `core:volunteer` they keep.
"""

import datetime as dt

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from parcours.accounts.permissions import can, requires
from parcours.accounts.roles import Role
from parcours.core import clock
from parcours.followup import deadlines as followup_deadlines
from parcours.pathway import rules
from parcours.pathway.deadlines import summarise
from parcours.pathway.models import Pathway, PathwayRequest
from parcours.pathway.views import _pathways, _requests  # the same visibility as the pathway pages
from parcours.people.models import Person
from parcours.people.search import search_ids, sort_key
from parcours.records import deadlines as records_deadlines
from parcours.rights import deadlines as rights_deadlines

RS = rules.RequestStatus
PS = rules.PathwayStatus
NO_PATHWAY = "none"
SQL_IN_LIMIT = 900  # beyond, the matches are kept in Python rather than sent as SQL parameters


# --- To do -------------------------------------------------------------------------------------------
@requires("todo")
def todo(request):
    m = request.membership
    today = clock.today()
    sections = []
    if can(m, "person_file"):
        rows = [(p, summarise(p, today)) for p in _pathways(m).exclude(status=PS.EXITED)]
        soon = today + dt.timedelta(days=31)
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
            ),
            (_("Demandes ajournées à compléter"), [r for r in rows if _open_status(r) == RS.ADJOURNED]),
            (_("Brouillons à compléter ou à valider"), [r for r in rows if _open_status(r) == RS.DRAFT]),
            (_("Demandes validées à transmettre"), [r for r in rows if _open_status(r) == RS.VALIDATED]),
            (
                _("Périodes échues : renouveler ou enregistrer la sortie"),
                [r for r in rows if r[0].status == PS.LAPSED and not r[1].open_request],
            ),
        ]
        for _title, items in sections:
            items.sort(
                key=lambda r: (
                    r[1].next_deadline is None,
                    (r[1].next_deadline and r[1].next_deadline.date) or dt.date.max,
                )
            )
        return render(
            request,
            "desk/todo_association.html",
            {
                "title": _("À faire"),
                "sections": sections,
                "followup_due": followup_deadlines.due_items(m, today),
                "rights_due": rights_deadlines.due_items(m, today),
                "records_due": records_deadlines.due_items(m, today),
            },
        )
    reqs = _requests(m).prefetch_related("agenda_items__session")
    if m.role == Role.SECRETARIAT:
        sections = [
            (
                _("Demandes à inscrire à une séance"),
                list(reqs.filter(status=RS.SUBMITTED).order_by("submitted_on")),
            ),
            (
                _("Demandes examinées en séance : avis à enregistrer"),
                list(reqs.filter(status=RS.SCHEDULED, agenda_items__session__date__lte=today).distinct()),
            ),
            (
                _("Avis transmis, en attente de la décision du préfet"),
                list(reqs.filter(status=RS.AVIS_GIVEN)),
            ),
        ]
    else:
        sections = [(_("Demandes en attente de décision"), list(reqs.filter(status=RS.AVIS_GIVEN)))]
    return render(request, "desk/todo_requests.html", {"title": _("À faire"), "sections": sections})


def _open_status(row):
    return row[1].open_request.status if row[1].open_request else None


# --- Requests ----------------------------------------------------------------------------------------


# --- The people followed ---------------------------------------------------------------------------
@requires("caseload")
def caseload(request):
    m = request.membership
    query = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("statut", "")
    visible = Person.objects.visible_to(m).filter(archived_on__isnull=True)  # archives: parcours.privacy
    people = visible.select_related("referent", "departement").prefetch_related(
        "pathways__periods", "pathways__requests__agenda_items__session"
    )
    order = None
    if query:
        # Names are matched on two light queries; the heavy page data is loaded for the matches only.
        found = search_ids(visible, query)
        order = {pk: position for position, pk in enumerate(found)}
        if len(found) <= SQL_IN_LIMIT:
            people = people.filter(pk__in=found)
    today = clock.today()
    rows = []
    for person in people:
        if order is not None and person.pk not in order:
            continue
        pathways = sorted(person.pathways.all(), key=lambda p: p.created_at)
        pathway = pathways[-1] if pathways else None
        if status and (pathway.status if pathway else NO_PATHWAY) != status:
            continue
        rows.append((person, pathway, summarise(pathway, today) if pathway else None))
    if order is not None:
        rows.sort(key=lambda row: order[row[0].pk])
    else:
        rows.sort(key=lambda row: sort_key(row[0]))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "desk/caseload.html", {
        "title": _("Personnes suivies"), "page": page, "query": query, "status": status,
        "statuses": [(NO_PATHWAY, _("Sans parcours")), *PS.choices], "total": len(rows),
    })  # fmt: skip


@requires("person_view")
def person_detail(request, pk):
    m = request.membership
    person = get_object_or_404(Person.objects.visible_to(m).select_related("referent", "departement"), pk=pk)
    pathways = (
        Pathway.objects.visible_to(m).filter(person=person)
        .prefetch_related("periods", "requests__agenda_items__session", "events__actor",
                          "events__actor_organisation")
        .select_related("exit")
    )  # fmt: skip
    today = clock.today()
    staff = can(m, "person_file")
    # The commission and the préfecture see only the requests transmitted to them, not the drafts.
    visible_requests = set(
        PathwayRequest.objects.visible_to(m).filter(pathway__person=person).values_list("pk", flat=True)
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
        })  # fmt: skip
    active = [b for b in blocks if b["pathway"].status != PS.EXITED]
    can_enter = staff and (
        not active or all(b["pathway"].status == PS.REFUSED and not b["summary"].open_request for b in active)
    )
    return render(request, "desk/person_detail.html", {
        "title": person.reference, "person": person, "blocks": blocks,
        "can_enter": can_enter, "staff": staff,
    })  # fmt: skip
