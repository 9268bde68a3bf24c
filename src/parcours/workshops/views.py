"""The workshop pages. Every member of the association sees its series and sessions (topic, dates,
facilitator, counts); only its staff see and manage who takes part. Objects outside the caller's association
are a 404."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership
from parcours.accounts.permissions import FORM, READ, requires
from parcours.accounts.roles import ASSOCIATION_ROLES
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.people.models import Person

from . import forms, services
from .models import Attendance, AttendanceStatus, Participant, WorkshopSeries, WorkshopSession

PRESENT = Q(attendances__status=AttendanceStatus.PRESENT)


def _run(form, service, *args, **kwargs):
    """Run a domain service; a refusal becomes an error on the form (input kept) and nothing is saved."""
    try:
        return service(*args, **kwargs)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None


def _series(request, pk) -> WorkshopSeries:
    visible = WorkshopSeries.objects.visible_to(request.membership).select_related("facilitator__user")
    return get_object_or_404(visible, pk=pk)


def _session(request, pk) -> WorkshopSession:
    visible = WorkshopSession.objects.visible_to(request.membership).select_related(
        "series", "series__facilitator__user"
    )
    return get_object_or_404(visible, pk=pk)


def _sessions_with_counts(series):
    return series.sessions.annotate(
        present=Count("attendances", filter=PRESENT),
        noted=Count("attendances"),
    )


@requires("workshops", methods=READ)
def series_list(request):
    m = request.membership
    rows = WorkshopSeries.objects.visible_to(m).annotate(
        sessions_count=Count("sessions", filter=Q(sessions__cancelled_at__isnull=True), distinct=True),
        held=Count("sessions", distinct=True, filter=Q(sessions__cancelled_at__isnull=True,
                                                       sessions__date__lte=clock.today())),
        participants_count=Count("participants", distinct=True),
    ).select_related("facilitator__user")  # fmt: skip
    return render(request, "workshops/list.html", {
        "title": _("Ateliers"), "rows": rows, "may_manage": policy.can(m, "workshop_manage"),
    })  # fmt: skip


def _members(m):
    return (
        Membership.objects.filter(
            organisation_id=m.organisation_id, is_active=True, role__in=ASSOCIATION_ROLES
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


@requires("workshop_manage", methods=FORM)
def series_create(request):
    m = request.membership
    form = forms.SeriesForm(request.POST or None, members=_members(m))
    if request.method == "POST" and form.is_valid():
        series = _run(form, services.create_series, m, **form.cleaned_data)
        if series:
            messages.success(request, _("La série d'ateliers est créée : programmez ses séances."))
            return redirect("workshops:series", pk=series.pk)
    return render(
        request, "workshops/series_form.html", {"title": _("Nouvelle série d'ateliers"), "form": form}
    )


@requires("workshops", methods=READ)
def series(request, pk):
    m = request.membership
    s = _series(request, pk)
    today = clock.today()
    return render(request, "workshops/series.html", {
        "title": s.label, "series": s, "sessions": _sessions_with_counts(s), "today": today,
        "participants_count": s.participants.count(),
        "may_manage": policy.can(m, "workshop_manage", s),
    })  # fmt: skip


@requires("workshop_manage", methods=FORM)
def session_add(request, pk):
    m = request.membership
    s = _series(request, pk)
    form = forms.SessionForm(request.POST or None, initial={"date": max(s.starts_on, clock.today())})
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, services.add_session, s, m, **form.cleaned_data)
    ):
        messages.success(request, _("La séance est programmée."))
        return redirect("workshops:series", pk=s.pk)
    return render(request, "workshops/session_form.html", {
        "title": _("Nouvelle séance — %(label)s") % {"label": s.label}, "series": s, "form": form,
    })  # fmt: skip


def _sorted_people(queryset):
    return sorted(queryset, key=lambda p: (p.last_name.casefold(), p.first_name.casefold(), p.pk))


@requires("workshop_manage", methods=FORM)
def participants(request, pk):
    m = request.membership
    s = _series(request, pk)
    enrolled_ids = list(
        Participant.objects.visible_to(m).filter(series=s).values_list("person_id", flat=True)
    )
    candidates = _sorted_people(
        Person.objects.visible_to(m).filter(archived_on__isnull=True).exclude(pk__in=enrolled_ids)
    )
    form = forms.EnrolForm(request.POST if request.POST.get("action") == "enrol" else None, people=candidates)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "enrol" and form.is_valid():
            if _run(form, services.enrol, s, m, form.cleaned_data["person"]):
                messages.success(request, _("La personne est inscrite à la série."))
                return redirect("workshops:participants", pk=s.pk)
        elif action == "withdraw":
            try:
                services.withdraw(s, m, int(request.POST.get("person", "0") or 0))
            except (DomainError, ValueError) as exc:
                messages.error(request, getattr(exc, "message", _("Choisissez une personne inscrite.")))
            else:
                messages.success(request, _("La personne est retirée de la série ; ses présences restent."))
            return redirect("workshops:participants", pk=s.pk)
    present = dict(
        Attendance.objects.visible_to(m)
        .filter(session__series=s, status=AttendanceStatus.PRESENT)
        .values("person_id").annotate(n=Count("pk")).values_list("person_id", "n")
    )  # fmt: skip
    people = _sorted_people(Person.objects.visible_to(m).filter(pk__in=enrolled_ids))
    rows = [{"person": p, "present": present.get(p.pk, 0)} for p in people]
    return render(request, "workshops/participants.html", {
        "title": _("Participantes — %(label)s") % {"label": s.label}, "series": s, "rows": rows,
        "form": form, "held": s.sessions.filter(cancelled_at__isnull=True, date__lte=clock.today()).count(),
    }, status=400 if form.errors else 200)  # fmt: skip


@requires("workshop_manage", methods=FORM)
def attendance(request, pk):
    m = request.membership
    session = _session(request, pk)
    if not policy.can(m, "workshop_manage", session.series):
        raise Http404
    s = session.series
    # An archived file is read-only (parcours.privacy.guard): its attendance is no longer noted.
    people = _sorted_people(
        Person.objects.visible_to(m).filter(
            archived_on__isnull=True,
            pk__in=Participant.objects.visible_to(m).filter(series=s).values("person_id"),
        )
    )
    current = dict(
        Attendance.objects.visible_to(m).filter(session=session).values_list("person_id", "status")
    )
    error = None
    if request.method == "POST":
        statuses = {}
        for p in people:
            value = request.POST.get(f"presence-{p.pk}", "")
            if value:
                statuses[p.pk] = value
        try:
            changed = services.record_attendance(session, m, statuses)
        except DomainError as exc:
            error = exc.message
            current.update({k: v for k, v in statuses.items()})
        else:
            messages.success(request, _("Présences enregistrées (%(n)s modifiée(s)).") % {"n": changed})
            return redirect("workshops:series", pk=s.pk)
    rows = [{"person": p, "status": current.get(p.pk, "")} for p in people]
    return render(request, "workshops/attendance.html", {
        "title": _("Présences — %(label)s") % {"label": s.label}, "series": s, "session": session,
        "rows": rows, "choices": AttendanceStatus.choices, "error": error,
        "future": session.date > clock.today(),
    }, status=400 if error else 200)  # fmt: skip


@requires("workshop_manage", methods=FORM)
def session_cancel(request, pk):
    m = request.membership
    session = _session(request, pk)
    error = None
    if request.method == "POST":
        try:
            services.cancel_session(session, m)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("La séance est annulée."))
            return redirect("workshops:series", pk=session.series_id)
    return render(request, "workshops/session_cancel.html", {
        "title": _("Annuler la séance"), "session": session, "series": session.series, "error": error,
    }, status=400 if error else 200)  # fmt: skip
