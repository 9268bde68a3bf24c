"""Pages of the commission as a body: its composition, a session's attendance, convocation, reconvened
session, and the session's papers (agenda, convocation, minutes) in PDF. Changes go through
pathway/commission.py; reads through the visibility rule of sessions."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.letterhead import letterhead_for
from parcours.accounts.models import Membership, Organisation
from parcours.accounts.permissions import ACTION, FORM, requires
from parcours.accounts.roles import Role
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.core.pdf import render_pdf

from . import commission as body
from . import commission_forms as cf
from . import rules
from .models import CommissionMember, CommissionSession


def _commission_accounts(membership):
    rows = Membership.objects.filter(
        organisation_id=membership.organisation_id, role=Role.COMMISSION_MEMBER, is_active=True
    ).select_related("user")
    return [(m.user_id, m.user.get_full_name() or m.user.username) for m in rows]


@requires("session_manage", methods=FORM)
def members(request):
    m = request.membership
    commission = m.organisation
    associations = (
        Organisation.objects.filter(kind="association")
        .filter(Q(departement=commission.departement_id) | Q(departements_served=commission.departement_id))
        .distinct()
        .order_by("name")
    )
    form = cf.MemberForm(request.POST or None, accounts=_commission_accounts(m), associations=associations)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = body.MemberData(
            college=d["college"], name=d["name"], function=d["function"], appointed_on=d["appointed_on"],
            email=d["email"], association=d["association"], user_id=int(d["user"]) if d["user"] else None,
            substitute_name=d["substitute_name"], substitute_function=d["substitute_function"],
            substitute_email=d["substitute_email"],
        )  # fmt: skip
        try:
            body.appoint_member(m, data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Le membre est ajouté à la composition."))
            return redirect("pathway:members")
    today = clock.today()
    all_members = CommissionMember.objects.filter(commission=commission).select_related("association")
    current = [x for x in all_members if x.ended_on is None or x.ended_on >= today]
    rule = rules.meetings_required(today.year)
    return render(
        request,
        "pathway/commission/members.html",
        {
            "title": _("Composition de la commission"),
            "current": current,
            "former": [x for x in all_members if x not in current],
            "form": form,
            "quorum_needed": rules.quorum_needed(len([x for x in current if x.appointed_on <= today])),
            "meetings_rule": rule,
        },
    )


@requires("session_manage", methods=FORM)
def member_end(request, pk):
    member = get_object_or_404(CommissionMember, pk=pk, commission_id=request.membership.organisation_id)
    form = cf.EndMemberForm(request.POST or None, initial={"ended_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            body.end_member(member, request.membership, form.cleaned_data["ended_on"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Le mandat de %(n)s a pris fin.") % {"n": member.name})
            return redirect("pathway:members")
    return render(
        request,
        "pathway/commission/member_end.html",
        {"title": _("Fin du mandat d'un membre"), "member": member, "form": form},
    )


def _own_session(request, pk):
    return get_object_or_404(
        CommissionSession.objects.visible_to(request.membership).select_related("commission"), pk=pk
    )


@requires("session_manage", methods=FORM)
def attendance(request, pk):
    session = _own_session(request, pk)
    members_now = list(body.members_on(session.commission_id, session.date))
    recorded = {a.member_id: a for a in session.attendances.all()}
    if request.method == "POST":
        presences = {}
        for x in members_now:
            mandate = request.POST.get(f"mandate-{x.pk}") or ""
            presences[x.pk] = (
                request.POST.get(f"presence-{x.pk}", ""),
                int(mandate) if mandate.isdigit() else None,
            )
        try:
            q = body.record_attendance(session, request.membership, presences)
        except DomainError as exc:
            messages.error(request, exc.message)
            recorded = {}
            for x in members_now:
                presence, mandate_to = presences[x.pk]
                x.posted = (presence, mandate_to)
        else:
            if q.reached:
                messages.success(
                    request,
                    _("Les présences sont enregistrées : quorum atteint (%(c)s sur %(m)s).")
                    % {"c": q.counted, "m": q.members},
                )
            elif q.reconvened:
                messages.success(
                    request, _("Les présences sont enregistrées : nouvelle séance, sans condition de quorum.")
                )
            else:
                messages.warning(
                    request,
                    _(
                        "Les présences sont enregistrées : quorum non atteint (%(c)s sur %(m)s, il en faut "
                        "%(n)s). Aucun avis ne peut être rendu : convoquez une nouvelle séance."
                    )
                    % {"c": q.counted, "m": q.members, "n": q.needed},
                )
            return redirect("pathway:session", pk=session.pk)
    for x in members_now:
        if not hasattr(x, "posted"):
            a = recorded.get(x.pk)
            x.posted = (a.presence, a.mandate_to_id) if a else ("", None)
    return render(
        request,
        "pathway/commission/attendance.html",
        {
            "title": _("Présences à la séance du %(d)s") % {"d": session.date.strftime("%d/%m/%Y")},
            "session": session,
            "members": members_now,
            "presences": rules.Presence.choices,
            "needed": rules.quorum_needed(len(members_now)),
            "basis": rules.QUORUM,
        },
    )


@require_POST
@requires("session_manage", methods=ACTION)
def convoke(request, pk):
    session = _own_session(request, pk)
    try:
        convocation = body.send_convocation(session, request.membership, request.build_absolute_uri("/"))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("La convocation est envoyée à %(n)s adresse(s), avec l'ordre du jour.")
            % {"n": convocation.recipients},
        )
    return redirect("pathway:session", pk=session.pk)


@requires("session_manage", methods=FORM)
def reconvene(request, pk):
    session = _own_session(request, pk)
    form = cf.ReconveneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            again = body.reconvene(session, request.membership, form.cleaned_data["date"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("La nouvelle séance est créée ; elle siégera sans condition de quorum.")
            )
            return redirect("pathway:session", pk=again.pk)
    return render(
        request,
        "pathway/commission/reconvene.html",
        {"title": _("Convoquer à nouveau la commission"), "session": session, "form": form,
         "quorum": body.quorum(session)},
    )  # fmt: skip


PAPERS = {
    "ordre-du-jour": ("pathway/commission/agenda_pdf.html", _("ordre-du-jour")),
    "convocation": ("pathway/commission/convocation_pdf.html", _("convocation")),
    "proces-verbal": ("pathway/commission/minutes_pdf.html", _("proces-verbal")),
}


@requires("session_papers")
def session_paper(request, pk, paper):
    if paper not in PAPERS:
        raise Http404
    session = _own_session(request, pk)
    template, stem = PAPERS[paper]
    pdf = render_pdf(template, body.papers_context(session, letterhead_for(session.commission)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{session.date:%Y-%m-%d}.pdf"'
    return response
