"""Pages of the pathway. Views read through the visibility rule and change state only through transitions."""

import functools

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import ACTION, FORM, can, requires
from parcours.accounts.roles import Role
from parcours.core import clock, locking
from parcours.core.held import CSRF_SLOT, with_csrf
from parcours.people.models import LIST_DEFERRED, Person

from . import agenda_held, forms, rules, session_held, visibility
from . import commission as body
from . import transitions as t
from .history import (
    departements_of_earlier_pathways,
    describe,
    earlier_pathways_here,
    earlier_pathways_here_many,
    months_used_before,
)
from .links import agenda_links, request_links
from .models import REQUEST_TEXT, CommissionSession, Pathway, PathwayRequest
from .visibility import identified_people

RS = rules.RequestStatus
PS = rules.PathwayStatus

# Simple request transitions that a button on the request page starts (the others have their own form).
BUTTON_ACTIONS = {
    "submit_for_validation": t.submit_for_validation,
    "take_back": t.take_back_request,
    "validate": t.validate_request,
    "return_to_draft": t.return_to_draft,
    "submit": t.submit_request,
    "resubmit": t.resubmit_request,
    "withdraw": t.withdraw_request,
}
# Actions that cannot be undone: the button opens a confirmation (a DSFR modal, or without JavaScript a page
# reached by GET) and the POST must carry `confirmed`, so that no stale one-click form can act at once.
CONFIRMED_ACTIONS = {"withdraw"}
WITHDRAW_CONSEQUENCES = gettext_lazy(
    "La demande sera close et ne pourra plus être transmise ni examinée. Ce retrait est définitif : pour "
    "reprendre la démarche, il faudra ouvrir une nouvelle demande."
)


def _requests(membership):
    return PathwayRequest.objects.visible_to(membership).select_related(
        "pathway", "pathway__person", "pathway__association", "commission"
    )


def _pathways(membership):
    return (
        Pathway.objects.visible_to(membership)
        .select_related("person", "association")
        .prefetch_related("periods", "requests__agenda_items__session")
    )


def _attempt(request, service, *args, **kwargs):
    """Run a domain service; a refusal becomes an error message and nothing is saved."""
    try:
        return service(*args, **kwargs), True
    except t.DomainError as exc:
        messages.error(request, exc.message)
        return None, False


def _content_from(form, actions, commitments) -> t.RequestContent:
    data = form.cleaned_data
    return t.RequestContent(
        situation=data.get("situation", ""),
        motivation=data.get("motivation", ""),
        evaluation=data.get("evaluation", ""),
        sworn_statement=data.get("sworn_statement", False),
        sworn_statement_on=data.get("sworn_statement_on"),
        signed_on=data.get("signed_on"),
        actions=[
            t.PlanLine(a["domain"], a.get("description", ""), a.get("target_date"))
            for a in actions.cleaned_data
            if a and a.get("description")
        ],
        commitments=[c["text"] for c in commitments.cleaned_data if c and c.get("text")],
    )


def _request_form_page(request, *, kind, person, req=None):
    initial = {}
    initial_actions = initial_commitments = None
    if req is not None:
        initial = {
            f: getattr(req, f)
            for f in (
                "situation",
                "motivation",
                "evaluation",
                "sworn_statement",
                "sworn_statement_on",
                "signed_on",
            )
        }
        initial_actions = [
            {"domain": a.domain, "description": a.description, "target_date": a.target_date}
            for a in req.actions.all()
        ]
        initial_commitments = [{"text": c.text} for c in req.commitments.all()]
    conflict = None
    adding = request.POST.get("add_line") if request.method == "POST" else None
    if adding in ("actions", "commitments"):
        # « Ajouter une ligne » without JavaScript: the same page again, everything typed kept, one more
        # empty line in the chosen list; nothing is saved.
        data = request.POST.copy()
        total = f"{adding}-TOTAL_FORMS"
        data[total] = str(min(int(data.get(total) or 0), forms.MAX_LINES - 1) + 1)
        form = forms.RequestForm(data, kind=kind)
        actions = forms.PlanActionFormSet(data, prefix="actions")
        commitments = forms.CommitmentFormSet(data, prefix="commitments")
    elif request.method == "POST":
        form = forms.RequestForm(request.POST, kind=kind)
        actions = forms.PlanActionFormSet(request.POST, prefix="actions")
        commitments = forms.CommitmentFormSet(request.POST, prefix="commitments")
        if form.is_valid() and actions.is_valid() and commitments.is_valid():
            content = _content_from(form, actions, commitments)
            if req is None:
                saved, ok = _attempt(request, t.open_request, person, kind, request.membership, content)
            else:
                try:
                    expected = locking.posted_version(request)
                    saved = t.update_request(req, request.membership, content, expected_version=expected)
                    ok = True
                except locking.EditConflict as exc:
                    conflict, ok = exc, False
                except t.DomainError as exc:
                    messages.error(request, exc.message)
                    ok = False
            if ok:
                messages.success(request, _("La demande est enregistrée."))
                return redirect("pathway:request", pk=saved.pk)
    else:
        form = forms.RequestForm(initial=initial, kind=kind)
        actions = forms.PlanActionFormSet(prefix="actions", initial=initial_actions)
        commitments = forms.CommitmentFormSet(prefix="commitments", initial=initial_commitments)
    title = rules.RequestKind(kind).label
    earlier = _earlier_for_person(person, request.membership)
    return render(
        request,
        "pathway/request_form.html",
        {
            **earlier,
            "title": title,
            "form": form,
            "actions": actions,
            "commitments": commitments,
            "person": person,
            "req": req,
            "kind": kind,
            "version": locking.shown_version(request, req, conflict) if req is not None else None,
            "conflict": locking.conflict_context(
                conflict, _request_differences(form, actions, commitments, req)
            )
            if conflict
            else None,
        },
        status=409 if conflict else 200,
    )


def _earlier_for_person(person, membership) -> dict:
    """For a request being prepared: the person's earlier pathways in her département (her own file)."""
    latest = Pathway.objects.filter(person=person).order_by("-created_at", "-pk").first()
    if latest is None:
        return {"earlier_here": [], "earlier_months": 0, "cap_basis": rules.CAP_PER_PATHWAY}
    earlier = earlier_pathways_here(latest, include_index_matches=False)
    if latest.status == PS.EXITED and latest.departement_id == person.departement_id:
        # The request will open a new pathway: the latest one is earlier too.
        latest_described = describe(latest, True, clock.today())
        earlier = [*earlier, latest_described] if latest_described else earlier
    return {
        "earlier_here": earlier,
        "earlier_months": months_used_before(earlier),
        "cap_basis": rules.CAP_PER_PATHWAY,
    }


def _request_differences(form, actions, commitments, req) -> list:
    """What the request now holds, where it differs from the editor's input."""
    req = PathwayRequest.objects.prefetch_related("actions", "commitments").get(pk=req.pk)
    names = ("situation", "motivation", "evaluation", "sworn_statement", "sworn_statement_on", "signed_on")
    rows = locking.differences(form, {f: getattr(req, f) for f in names if f in form.fields})
    saved_actions = [(a.domain, a.description.strip(), a.target_date) for a in req.actions.all()]
    typed_actions = [
        (a["domain"], a["description"].strip(), a.get("target_date"))
        for a in actions.cleaned_data
        if a and a.get("description", "").strip()
    ]
    if sorted(saved_actions, key=str) != sorted(typed_actions, key=str):
        lines = [
            f"{a.get_domain_display()} : {a.description}"
            + (f" ({a.target_date:%d/%m/%Y})" if a.target_date else "")
            for a in req.actions.all()
        ]
        rows.append(locking.extra_row(_("Actions prévues"), "\n".join(lines)))
    saved_commitments = sorted(c.text.strip() for c in req.commitments.all())
    typed_commitments = sorted(
        c["text"].strip() for c in commitments.cleaned_data if c and c.get("text", "").strip()
    )
    if saved_commitments != typed_commitments:
        rows.append(locking.extra_row(_("Engagements de la personne"), "\n".join(saved_commitments)))
    return rows


@requires("request_edit", methods=FORM)
def request_create(request, person_pk, kind):
    if kind not in rules.RequestKind.values:
        raise Http404
    person = get_object_or_404(Person.objects.visible_to(request.membership), pk=person_pk)
    return _request_form_page(request, kind=kind, person=person)


@requires("request_edit", methods=FORM)
def request_edit(request, pk):
    req = get_object_or_404(_requests(request.membership), pk=pk)
    request.audit_person_id = req.pathway.person_id
    if req.status not in (RS.DRAFT, RS.ADJOURNED):
        messages.error(request, _("Seule une demande en brouillon ou ajournée peut être modifiée."))
        return redirect("pathway:request", pk=pk)
    return _request_form_page(request, kind=req.kind, person=req.pathway.person, req=req)


@requires("request_view")
def request_detail(request, pk):
    req = get_object_or_404(_requests(request.membership).prefetch_related("actions", "commitments"), pk=pk)
    request.audit_person_id = req.pathway.person_id
    m = request.membership
    buttons = [
        (action, rules.REQUEST_TRANSITIONS[action].label)
        for action in BUTTON_ACTIONS
        if m.role in rules.REQUEST_TRANSITIONS[action].roles
        and req.status in rules.REQUEST_TRANSITIONS[action].sources
        and action not in CONFIRMED_ACTIONS
    ]
    can_withdraw = (
        m.role in rules.REQUEST_TRANSITIONS["withdraw"].roles
        and req.status in rules.REQUEST_TRANSITIONS["withdraw"].sources
    )
    return render(
        request,
        "pathway/request_detail.html",
        {
            "title": f"{req.get_kind_display()} — {req.pathway.reference}",
            "req": req,
            "buttons": buttons,
            "can_withdraw": can_withdraw,
            "withdraw_consequences": WITHDRAW_CONSEQUENCES,
            "comment_form": forms.CommentForm(),
            "next_step": next_step(req),
            "last_step": _last_step(req),
            "can_edit": can(m, "request_edit") and req.status in (RS.DRAFT, RS.ADJOURNED),
            "can_decide": can(m, "decision") and req.status == RS.AVIS_GIVEN,
            "avis_list": req.avis.select_related("session").order_by("session__date"),
            "decision": getattr(req, "decision", None),
            "refusal_labels": _refusal_labels(req),
            "elsewhere": departements_of_earlier_pathways(req.pathway) if not can(m, "person_file") else [],
            **_earlier_here(req.pathway, m),
            "sworn_statement_basis": rules.SWORN_STATEMENT,
            # Official papers (parcours.papers registers them: pathway/links.py).
            "paper_links": request_links(m, req),
        },
    )


# Who acts now, for each state of a request: the hand-off made visible on the request page.
NEXT_STEPS = {
    RS.DRAFT: gettext_lazy(
        "L'association prépare la demande ; une fois complète, elle la soumet à la validation de la cheffe "
        "de service."
    ),
    RS.READY: gettext_lazy(
        "La cheffe de service doit la valider ou la renvoyer en brouillon ; la travailleuse sociale peut "
        "la reprendre d'ici là."
    ),
    RS.VALIDATED: gettext_lazy("L'association doit la transmettre à la commission."),
    RS.SUBMITTED: gettext_lazy("Le secrétariat de la commission doit l'inscrire à une séance."),
    RS.SCHEDULED: gettext_lazy("La commission l'examine en séance ; le secrétariat enregistre son avis."),
    RS.ADJOURNED: gettext_lazy("L'association doit la compléter, puis la transmettre à nouveau."),
    RS.AVIS_GIVEN: gettext_lazy("La préfecture doit prendre la décision du préfet."),
    RS.AUTHORISED: gettext_lazy("Décision prise : rien n'est attendu sur cette demande."),
    RS.REFUSED: gettext_lazy("Décision prise : rien n'est attendu sur cette demande."),
    RS.WITHDRAWN: gettext_lazy("Demande retirée : rien n'est attendu sur cette demande."),
}


def next_step(req) -> str:
    text = str(NEXT_STEPS[req.status])
    if req.status == RS.SCHEDULED:
        dates = [item.session.date for item in req.agenda_items.select_related("session")]
        if dates:
            text += " " + _("Séance du %(d)s.") % {"d": date_format(max(dates), "j F Y")}
    return text


def _last_step(req):
    """The last change of state of the request: what happened, when, by which organisation."""
    event = (
        req.events.exclude(to_status="").select_related("actor_organisation").order_by("-at", "-pk").first()
    )
    if event is None or event.action not in rules.REQUEST_TRANSITIONS:
        return None
    return {
        "label": rules.REQUEST_TRANSITIONS[event.action].done,
        "at": event.at,
        "organisation": event.actor_organisation,
        # Why the head sent it back: said to the association, the only one that sees a draft.
        "comment": event.comment if event.action in ("return_to_draft", "take_back") else "",
    }


def _earlier_here(pathway, membership) -> dict:
    """Earlier pathways of the person in this département and the months they used (history.py)."""
    earlier = earlier_pathways_here(pathway, include_index_matches=not can(membership, "person_file"))
    return {
        "earlier_here": earlier,
        "earlier_months": months_used_before(earlier),
        "cap_basis": rules.CAP_PER_PATHWAY,
    }


def _refusal_labels(req):
    decision = getattr(req, "decision", None)
    if not decision:
        return []
    return [rules.RefusalReason(code).label for code in decision.refusal_reasons]


@require_POST
@requires("request_view", methods=ACTION)
def request_action(request, pk, action):
    if action not in BUTTON_ACTIONS:
        raise Http404
    req = get_object_or_404(_requests(request.membership), pk=pk)
    request.audit_person_id = req.pathway.person_id
    if action in CONFIRMED_ACTIONS and not request.POST.get("confirmed"):
        return redirect("pathway:request_withdraw", pk=pk)
    form = forms.CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    service = BUTTON_ACTIONS[action]
    kwargs = {"comment": comment} if action in ("return_to_draft", "take_back", "withdraw") else {}
    _saved, ok = _attempt(request, service, req, request.membership, **kwargs)
    if ok:
        messages.success(
            request, _("Action enregistrée : %(a)s.") % {"a": rules.REQUEST_TRANSITIONS[action].label}
        )
    return redirect("pathway:request", pk=pk)


@requires("request_edit")
def request_withdraw(request, pk):
    """The confirmation of a withdrawal, without JavaScript: says what happens, then POSTs to the action."""
    req = get_object_or_404(_requests(request.membership), pk=pk)
    request.audit_person_id = req.pathway.person_id
    transition = rules.REQUEST_TRANSITIONS["withdraw"]
    if request.membership.role not in transition.roles or req.status not in transition.sources:
        messages.error(request, _("Cette demande ne peut pas être retirée."))
        return redirect("pathway:request", pk=pk)
    return render(
        request,
        "parcours/confirm.html",
        {
            "title": _("Retirer la demande"),
            "question": _("Retirer la demande %(r)s ?") % {"r": req.pathway.reference},
            "consequences": WITHDRAW_CONSEQUENCES,
            "action_url": reverse("pathway:request_action", kwargs={"pk": pk, "action": "withdraw"}),
            "confirm_label": _("Retirer définitivement la demande"),
            "back_url": reverse("pathway:request", kwargs={"pk": pk}),
            "comment_form": forms.CommentForm(),
        },
    )


# --- Commission --------------------------------------------------------------------------------------
ALL_STATUSES = "tous"


@requires("inbox")
def inbox(request):
    reqs = (
        _requests(request.membership).prefetch_related("agenda_items__session").order_by("submitted_on", "pk")
    )
    # The secretariat opens on what awaits it: transmitted, not yet on an agenda, the oldest first.
    status = request.GET.get("statut", RS.SUBMITTED)
    if status in RS.values:
        reqs = reqs.filter(status=status)
    else:
        status = ALL_STATUSES
    return render(
        request,
        "pathway/inbox.html",
        {
            "title": _("Demandes reçues"),
            "requests": reqs,
            "status": status,
            "statuses": [(s, RS(s).label) for s in RS.values if s not in visibility.NOT_TRANSMITTED],
            "all_statuses": ALL_STATUSES,
        },
    )


@requires("session_list", methods=FORM)
def sessions(request):
    m = request.membership
    form = forms.SessionForm(request.POST or None)
    if request.method == "POST":
        if not can(m, "session_manage"):
            raise Http404
        if form.is_valid():
            session, ok = _attempt(
                request, t.create_session, m, form.cleaned_data["date"], form.cleaned_data["place"]
            )
            if ok:
                messages.success(request, _("La séance est créée."))
                return redirect("pathway:session", pk=session.pk)
    qs = CommissionSession.objects.visible_to(m).select_related("commission").annotate(items=Count("agenda"))
    today = clock.today()
    return render(
        request,
        "pathway/sessions.html",
        {
            "title": _("Séances de la commission"),
            "coming": qs.filter(date__gte=today).order_by("date"),
            "past": qs.filter(date__lt=today).order_by("-date")[:24],
            "form": form,
            "can_manage": can(m, "session_manage"),
        },
    )


# Encrypted texts a session's page never shows: not read, hence not decrypted, for its thirty lines.
PERSON_DEFERRED = [f"pathway__person__{name}" for name in LIST_DEFERRED]
AGENDA_DEFERRED = [*(f"request__{name}" for name in (*REQUEST_TEXT, *PERSON_DEFERRED))]


def _in_commission(m) -> bool:
    """The commission's own readers (its secretariat and members): quorum, recusals, avis reasons."""
    return m.role in (Role.SECRETARIAT, Role.COMMISSION_MEMBER)


@requires("session_list", methods=FORM)
def session_detail(request, pk):
    m = request.membership
    if can(m, "session_manage") and request.method == "POST":
        session = get_object_or_404(_sessions(m), pk=pk)
        return _session_post(request, session, _members(m, session))
    # What the held block's key reads of the session, through the visibility rule; the session itself and
    # its members are loaded only if the block is computed.
    found = session_held.row(m, pk)
    if found is None:
        raise Http404
    return _session_page(request, found, None)


def _sessions(m):
    return CommissionSession.objects.visible_to(m).select_related("commission", "reconvened_as")


def _members(m, session) -> list:
    """The members composing the commission on the session's date, for its own readers (recusals, quorum)."""
    return list(body.members_on(session.commission_id, session.date)) if _in_commission(m) else []


def _agenda(request, session, members) -> list:
    """The agenda's items with what their lines show, read for `request.membership`."""
    m = request.membership
    items = list(
        session.agenda.select_related(
            "request", "request__pathway", "request__pathway__person", "request__pathway__association"
        )
        .defer(*AGENDA_DEFERRED)
        .prefetch_related(Prefetch("request__avis", to_attr="all_avis"), "recusals__member")
    )
    # Who is named on the agenda: the person visibility rule, item by item (the préfecture from the avis on,
    # members never); the others appear with their pseudonymised fields, as to a member. A request the reader
    # may not open is not linked, and its avis reason (free text on the person) reaches only the commission.
    identified = identified_people(m, (item.request.pathway.person_id for item in items))
    readable = set(
        _requests(m).filter(pk__in=[item.request_id for item in items]).values_list("pk", flat=True)
    )
    in_commission = _in_commission(m)
    # Earlier pathways here (history.py): members see the months only, never a name. One reading for the
    # whole agenda, as the members composing the commission that day (issue 15).
    earlier = earlier_pathways_here_many([item.request.pathway for item in items], include_index_matches=True)
    for item in items:
        item.avis = next((a for a in item.request.all_avis if a.session_id == session.pk), None)
        item.identified = item.request.pathway.person_id in identified
        item.readable = item.request_id in readable
        item.show_reason = in_commission or item.readable
        item.earlier_here = earlier[item.request.pathway.pk]
        item.earlier_months = months_used_before(item.earlier_here)
        # Recusals (pathway/commission.py): the commission sees who does not sit; the member sees « récusé ».
        item.recused = body.recused_on(item, members) if in_commission else []
        item.me_recused = any(x.user_id == request.user.pk for x in item.recused)
        item.paper_links = agenda_links(m, item.request)  # official papers (parcours.papers; links.py)
    return items


def _session_page(request, session, items, members=None, details_form=None, conflict=None, posted_avis=None):
    """The session page; after a conflict on its details, the secretary's input comes back beside the
    values saved meanwhile, and the hidden version is the current one (saving again is deliberate). After
    an avis refused, every avis not recorded comes back as the secretary chose it (`posted_avis`). Its main
    block is held (session_held.py, decision 0067), but after such a POST: then it is read from the data.
    `session`: the session, or its `session_held.SessionRow` (then loaded only if the block is computed);
    `members`: `_members(…)` when the caller has read them, else read if the block is computed."""
    m = request.membership
    key_session = session
    if isinstance(session, session_held.SessionRow):
        session = SimpleLazyObject(lambda: get_object_or_404(_sessions(m), pk=key_session.pk))
    if members is None:
        members = SimpleLazyObject(lambda: _members(m, session))
    manage = can(m, "session_manage")
    in_commission = _in_commission(m)
    today = clock.today()
    # The requests to put on the agenda, oldest first: WAITING_SHOWN of them unless « Voir toutes »
    # (?attente=toutes); each line's button sends the one shared form (issue 15: 126 forms, 75 KB before).
    everything = request.GET.get("attente") == "toutes"
    title = _("Séance du %(d)s") % {"d": key_session.date.strftime("%d/%m/%Y")}

    def compute_lines() -> agenda_held.Lines:
        agenda = items if items is not None else _agenda(request, session, members)
        blank = forms.BlankAvisForms()
        avis_forms = [(item, (posted_avis or {}).get(item.pk) or blank.for_item(item.pk)) for item in agenda]
        html = render_to_string("pathway/session_lines.html", {
            "avis_forms": avis_forms, "manage": manage, "session": session, "today": today,
            "quorum": quorum_of(), "in_commission": in_commission, "user_pk": request.user.pk,
        })  # fmt: skip
        return agenda_held.Lines(html, len(agenda), any(not item.identified for item in agenda))

    @functools.cache
    def quorum_of():  # read once, by the lines or the block, whichever is computed first
        return body.quorum(session, members) if in_commission else None

    rows = []
    if conflict is not None:  # the values saved meanwhile, beside the secretary's input
        session = _sessions(m).get(pk=session.pk)
        rows = locking.differences(details_form, {"place": session.place, "attendance": session.attendance})

    def compute(lines: agenda_held.Lines) -> str:
        waiting = list(session_held.waiting(m, session.commission_id, everything)) if manage else []
        return render_to_string("pathway/session_main.html", {
            "csrf_token": CSRF_SLOT, "title": title, "session": session, "in_commission": in_commission,
            "quorum": quorum_of(), "convocation": session.convocations.first() if in_commission else None,
            "convocation_deadline": rules.convocation_deadline(session.date),
            "reconvened_as": getattr(session, "reconvened_as", None), "lines": lines, "waiting": waiting,
            "waiting_total": waiting[0].waiting_total if waiting else 0, "manage": manage,
            "pseudonymised": m.role == Role.COMMISSION_MEMBER, "today": today,
            "cancel_consequences": cancel_consequences(session, lines.count) if manage else "",
            "details_form": details_form
            or forms.SessionDetailsForm(initial={"place": session.place, "attendance": session.attendance}),
            "version": session.version, "conflict": locking.conflict_context(conflict, rows),
        })  # fmt: skip

    if items is not None:  # after a POST: from the data, never held
        main = compute(compute_lines())
    else:
        main = session_held.page(
            request, key_session, today, in_commission, manage, everything, compute_lines, compute
        )
    return render(
        request,
        "pathway/session_detail.html",
        {"title": title, "main": with_csrf(main, request)},
        status=409 if conflict else 200,
    )


def _session_post(request, session, members):
    """The agenda is read only where the POST needs it: the avis, and an edit conflict shown again."""
    m = request.membership
    op = request.POST.get("op")
    if op == "schedule":
        req = get_object_or_404(_requests(m), pk=request.POST.get("request_id"))
        _item, ok = _attempt(request, t.schedule_request, req, session, m)
        if ok:
            messages.success(request, _("La demande est inscrite à l'ordre du jour."))
    elif op == "unschedule":
        req = get_object_or_404(_requests(m), pk=request.POST.get("request_id"))
        _r, ok = _attempt(request, t.unschedule_request, req, m)
        if ok:
            messages.success(request, _("La demande est retirée de l'ordre du jour."))
    elif op == "avis":
        items = _agenda(request, session, members)
        refused = _record_all_avis(request, session, items)
        if refused:
            return _session_page(request, session, items, members, posted_avis=refused)
    elif op == "cancel":
        if not request.POST.get("confirmed"):
            return redirect("pathway:session_cancel", pk=session.pk)
        _s, ok = _attempt(request, t.cancel_session, session, m)
        if ok:
            messages.success(
                request, _("La séance est annulée ; ses demandes attendent une nouvelle séance.")
            )
    elif op == "details":
        form = forms.SessionDetailsForm(request.POST)
        if form.is_valid():
            try:
                t.update_session(session, m, form.cleaned_data["place"], form.cleaned_data["attendance"],
                                 expected_version=locking.posted_version(request))  # fmt: skip
            except locking.EditConflict as exc:
                items = _agenda(request, session, members)
                return _session_page(request, session, items, members, details_form=form, conflict=exc)
            except t.DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("La séance est mise à jour."))
    return redirect("pathway:session", pk=session.pk)


def _record_all_avis(request, session, items) -> dict:
    """All avis of a session on one screen. Each avis is its own transaction: one refusal (e.g. a missing
    reason) does not lose the others; the refused ones are reported, and returned (item pk → bound form)
    with the other avis not recorded, so that the page shows them again as chosen."""
    recorded, refused, pending = 0, False, {}
    for item in items:
        if item.avis is not None:
            continue
        form = forms.AvisForm(request.POST, prefix=f"item{item.pk}")
        pending[item.pk] = form
        if not form.is_valid():
            refused = True
            continue
        if not form.cleaned_data["kind"]:
            continue
        try:
            item.avis = t.record_avis(
                item.request,
                session,
                form.cleaned_data["kind"],
                request.membership,
                reason=form.cleaned_data["reason"],
                votes=form.votes(),
            )
            recorded += 1
            del pending[item.pk]
        except t.DomainError as exc:
            refused = True
            form.add_error(None, exc.message)
            messages.error(request, _("Point n° %(n)s : %(e)s") % {"n": item.position, "e": exc.message})
    if recorded:
        messages.success(
            request,
            ngettext("%(n)s avis enregistré.", "%(n)s avis enregistrés.", recorded) % {"n": recorded},
        )
    if refused:
        messages.error(request, _("Certains avis ne sont pas enregistrés : corrigez les points signalés."))
        return pending
    return {}


@requires("session_manage")
def session_cancel(request, pk):
    """The confirmation of a cancellation, without JavaScript: says what happens, then POSTs to the session
    page."""
    session = get_object_or_404(CommissionSession.objects.visible_to(request.membership), pk=pk)
    if session.status != "planned":
        messages.error(request, _("Seule une séance prévue peut être annulée."))
        return redirect("pathway:session", pk=pk)
    return render(
        request,
        "parcours/confirm.html",
        {
            "title": _("Annuler la séance"),
            "question": _("Annuler la séance du %(d)s ?") % {"d": session.date.strftime("%d/%m/%Y")},
            "consequences": cancel_consequences(session),
            "action_url": reverse("pathway:session", kwargs={"pk": pk}),
            "op": "cancel",
            "confirm_label": _("Annuler définitivement la séance"),
            "back_url": reverse("pathway:session", kwargs={"pk": pk}),
        },
    )


def cancel_consequences(session, n: int | None = None) -> str:
    """What cancelling says will happen; `n`, the agenda's length when the caller has it already."""
    n = session.agenda.count() if n is None else n
    moved = (
        ngettext(
            "La demande inscrite à son ordre du jour retourne dans la liste des demandes en attente "
            "d'inscription.",
            "Les %(n)s demandes inscrites à son ordre du jour retournent dans la liste des demandes en "
            "attente d'inscription.",
            n,
        )
        % {"n": n}
        if n
        else _("Son ordre du jour est vide.")
    )
    return " ".join(
        [
            _(
                "La séance sera marquée annulée et ne pourra pas être rétablie : il faudra en créer une "
                "nouvelle."
            ),
            moved,
        ]
    )


# --- Préfecture --------------------------------------------------------------------------------------
@requires("decision")
def decisions(request):
    reqs = _requests(request.membership).prefetch_related("avis__session")
    return render(
        request,
        "pathway/decisions.html",
        {
            "title": _("Décisions"),
            "waiting": reqs.filter(status=RS.AVIS_GIVEN).order_by("submitted_on"),
            "decided": reqs.filter(status__in=[RS.AUTHORISED, RS.REFUSED])
            .select_related("decision")
            .order_by("-decision__decided_on")[:30],
        },
    )


@requires("decision", methods=FORM)
def decide(request, pk):
    req = get_object_or_404(_requests(request.membership), pk=pk)
    request.audit_person_id = req.pathway.person_id
    if req.status != RS.AVIS_GIVEN:
        messages.error(request, _("Cette demande n'attend pas de décision."))
        return redirect("pathway:request", pk=pk)
    form = forms.DecisionForm(request.POST or None, initial={"decided_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["kind"] == "authorised":
            _result, ok = _attempt(
                request,
                t.authorise,
                req,
                request.membership,
                data["decided_on"],
                start=data["start"],
                motivation=data["motivation"],
            )
        else:
            _result, ok = _attempt(
                request,
                t.refuse,
                req,
                request.membership,
                data["decided_on"],
                data["refusal_reasons"],
                data["motivation"],
            )
        if ok:
            messages.success(request, _("La décision est enregistrée."))
            return redirect("pathway:request", pk=pk)
    return render(
        request,
        "pathway/decide.html",
        {
            "title": _("Décision du préfet"),
            "form": form,
            "req": req,
            "avis_list": req.avis.select_related("session").order_by("session__date"),
            "sworn_statement_basis": rules.SWORN_STATEMENT,
            **_earlier_here(req.pathway, request.membership),
        },
    )


# --- Exit --------------------------------------------------------------------------------------------
@requires("exit_record", methods=FORM)
def record_exit(request, pk):
    pathway = get_object_or_404(Pathway.objects.visible_to(request.membership), pk=pk)
    request.audit_person_id = pathway.person_id
    form = forms.ExitForm(request.POST or None, initial={"date": clock.today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        _e, ok = _attempt(
            request,
            t.record_exit,
            pathway,
            request.membership,
            d["date"],
            d["reason"],
            d["housing"],
            d["activity"],
            d["comment"],
        )
        if ok:
            messages.success(request, _("La sortie du parcours est enregistrée."))
            return redirect("people:person", pk=pathway.person_id)
    return render(
        request,
        "pathway/exit_form.html",
        {"title": _("Sortie du parcours"), "form": form, "pathway": pathway},
    )


@requires("end_early", methods=FORM)
def end_early(request, pk):
    pathway = get_object_or_404(Pathway.objects.visible_to(request.membership), pk=pk)
    request.audit_person_id = pathway.person_id
    form = forms.EndEarlyForm(request.POST or None, initial={"date": clock.today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        _e, ok = _attempt(request, t.end_early, pathway, request.membership, d["date"], d["motivation"])
        if ok:
            messages.success(request, _("La fin anticipée du parcours est enregistrée."))
            return redirect(reverse("people:person", kwargs={"pk": pathway.person_id}))
    return render(
        request,
        "pathway/exit_form.html",
        {"title": _("Fin anticipée du parcours"), "form": form, "pathway": pathway},
    )
