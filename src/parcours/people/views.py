from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from parcours.accounts.permissions import can, requires
from parcours.accounts.roles import ASSOCIATION_STAFF
from parcours.core import clock
from parcours.pathway import rules
from parcours.pathway.deadlines import summarise
from parcours.pathway.models import Pathway, PathwayRequest

from .forms import PersonForm
from .models import Person
from .search import matches

PS = rules.PathwayStatus
NO_PATHWAY = "none"


@requires("caseload")
def caseload(request):
    m = request.membership
    query = request.GET.get("q", "").strip()
    status = request.GET.get("statut", "")
    people = Person.objects.visible_to(m).select_related("referent", "departement").prefetch_related(
        "pathways__periods", "pathways__requests__agenda_items__session"
    )
    today = clock.today()
    rows = []
    for person in people:
        if query and not matches(person, query):
            continue
        pathways = sorted(person.pathways.all(), key=lambda p: p.created_at)
        pathway = pathways[-1] if pathways else None
        if status and (pathway.status if pathway else NO_PATHWAY) != status:
            continue
        rows.append((person, pathway, summarise(pathway, today) if pathway else None))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "people/caseload.html", {
        "title": _("Personnes suivies"), "page": page, "query": query, "status": status,
        "statuses": [(NO_PATHWAY, _("Sans parcours")), *PS.choices], "total": len(rows),
    })  # fmt: skip


@requires("person_create")
def person_create(request):
    m = request.membership
    departements = m.organisation.departements_served.all()
    form = PersonForm(request.POST or None, departements=departements)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = form.save(commit=False)
            person.association = m.organisation
            person.referent = request.user
            person.save()
        messages.success(request, _("Le dossier est créé."))
        return redirect("people:person", pk=person.pk)
    return render(request, "people/person_form.html", {"title": _("Nouvelle personne"), "form": form})


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
    staff = m.role in ASSOCIATION_STAFF
    # The commission and the préfecture see only the requests transmitted to them, not the drafts.
    visible_requests = set(PathwayRequest.objects.visible_to(m).filter(pathway__person=person).values_list("pk", flat=True))
    blocks = []
    for pathway in pathways:
        summary = summarise(pathway, today)
        blocks.append({
            "pathway": pathway, "summary": summary,
            "requests": [r for r in pathway.requests.all() if r.pk in visible_requests],
            "can_renew": staff and pathway.status in rules.REQUEST_OPENING_STATES[rules.RequestKind.RENEWAL]
            and not summary.open_request and not summary.cap_reached,
            "can_exit": staff and pathway.status in rules.PATHWAY_TRANSITIONS["record_exit"].sources,
            "can_end_early": can(m, "end_early")
            and pathway.status in rules.PATHWAY_TRANSITIONS["end_early"].sources,
        })  # fmt: skip
    active = [b for b in blocks if b["pathway"].status != PS.EXITED]
    can_enter = staff and (not active or all(b["pathway"].status == PS.REFUSED and not b["summary"].open_request
                                             for b in active))  # fmt: skip
    return render(request, "people/person_detail.html", {
        "title": person.reference, "person": person, "blocks": blocks,
        "can_enter": can_enter, "staff": staff,
    })  # fmt: skip
