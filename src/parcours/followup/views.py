"""Pages of the follow-up. Views read through the visibility rule, decide who reads a sensitive note with
`access.can_read_note`, and change nothing themselves: every write is a call to `services`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import ACTION, FORM, requires
from parcours.accounts.roles import Role
from parcours.core import clock, locking
from parcours.directory.models import DirectoryEntry
from parcours.people.models import Person

from . import forms, ics, services
from .access import can_read_note, can_read_sensitive
from .models import (
    ActionItem,
    ActionStatus,
    Appointment,
    AppointmentStatus,
    Domain,
    Note,
    Referral,
    ReferralOutcome,
)
from .services import DomainError


def _person(request, pk) -> Person:
    return get_object_or_404(Person.objects.visible_to(request.membership).select_related("referent"), pk=pk)


def _run(form, service, *args, **kwargs):
    """Run a domain service; a refusal becomes an error on the form (input kept) and nothing is saved."""
    try:
        return service(*args, **kwargs)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None


def _run_edit(form, service, *args, **kwargs):
    """Like `_run` for an edit: an edit conflict comes back apart, so that the page shows the editor's input
    beside the values saved meanwhile (core/locking.py)."""
    try:
        return service(*args, **kwargs), None
    except locking.EditConflict as exc:
        return None, exc
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None, None


def _conflict_message(now: str) -> str:
    """A quick change (a list's button) refused because someone changed the same element meanwhile."""
    return _(
        "Quelqu'un d'autre a modifié cet élément pendant que vous travailliez : rien n'a été "
        "enregistré. Valeur actuelle : %(now)s. Vérifiez-la, puis recommencez si besoin."
    ) % {"now": now}


def _title(section: str, person: Person) -> str:
    # The page title reaches the browser's history and tabs: the reference, never the name.
    return f"{section} — {person.reference}"


# --- Interview notes ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class NoteRow:
    """What a page may show of a note: its text only for whoever may read it."""

    pk: int
    domain: str
    held_on: dt.date
    author: str
    sensitive: bool
    readable: bool
    text: str | None
    corrected_at: dt.datetime | None
    can_correct: bool

    @classmethod
    def of(cls, note: Note, membership) -> NoteRow:
        readable = can_read_note(membership, note)
        return cls(
            pk=note.pk, domain=note.get_domain_display(), held_on=note.held_on, author=str(note.author),
            sensitive=note.sensitive, readable=readable, text=note.text if readable else None,
            corrected_at=note.corrected_at,
            can_correct=readable and services.can_correct_note(membership, note),
        )  # fmt: skip


@requires("person_file", methods=FORM)
def notes(request, pk):
    m = request.membership
    person = _person(request, pk)
    form = forms.NoteForm(request.POST or None, initial={"held_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        saved = _run(form, services.add_note, person, m, **form.cleaned_data)
        if saved:
            messages.success(request, _("La note d'entretien est enregistrée."))
            return redirect("followup:notes", pk=person.pk)
    domain = request.GET.get("domaine", "")
    qs = Note.objects.visible_to(m).filter(person=person).select_related("author", "person")
    if domain in Domain.values:
        qs = qs.filter(domain=domain)
    else:
        domain = ""
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = [NoteRow.of(note, m) for note in page]
    return render(request, "followup/notes.html", {
        "title": _title(_("Entretiens"), person), "person": person, "form": form, "rows": rows, "page": page,
        "domain": domain, "domains": Domain.choices,
    })  # fmt: skip


@requires("person_file", methods=FORM)
def note(request, pk):
    m = request.membership
    visible = Note.objects.visible_to(m).select_related("person", "person__referent", "author")
    note = get_object_or_404(visible, pk=pk)
    person = note.person
    request.audit_person_id = note.person_id
    row = NoteRow.of(note, m)
    form = conflict = None
    rows = []
    if row.can_correct:
        initial = {
            "domain": note.domain,
            "held_on": note.held_on,
            "text": note.text,
            "sensitive": note.sensitive,
        }
        form = forms.NoteForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            saved, conflict = _run_edit(form, services.correct_note, note, m, **form.cleaned_data,
                                        expected_version=locking.posted_version(request))  # fmt: skip
            if saved:
                messages.success(request, _("La note est corrigée ; la version précédente est conservée."))
                return redirect("followup:note", pk=note.pk)
        if conflict is not None and conflict.current is not None:
            current = conflict.current
            if can_read_note(m, current):  # she may no longer read it if it was made confidential
                saved_now = {"domain": current.domain, "held_on": current.held_on, "text": current.text,
                             "sensitive": current.sensitive}  # fmt: skip
                rows = locking.differences(form, saved_now)
    elif request.method == "POST":
        messages.error(request, _("Seule l'autrice de la note ou la cheffe de service peut la corriger."))
        return redirect("followup:note", pk=note.pk)
    versions = []
    if row.readable:
        sensitive_ok = can_read_sensitive(m, person)
        versions = [
            {"version": v, "readable": not v.sensitive or sensitive_ok}
            for v in note.versions.select_related("written_by", "replaced_by")
        ]
    return render(request, "followup/note.html", {
        "title": _title(_("Note d'entretien"), person), "person": person, "row": row, "form": form,
        "versions": versions, "version": locking.shown_version(request, note, conflict),
        "conflict": locking.conflict_context(conflict, rows),
    }, status=409 if conflict else 200)  # fmt: skip


# --- Action plan -------------------------------------------------------------------------------------
@requires("person_file", methods=FORM)
def actions(request, pk):
    m = request.membership
    person = _person(request, pk)
    form = forms.ActionForm(request.POST if request.POST.get("op") == "add" else None)
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "add" and form.is_valid():
            if _run(form, services.add_action, person, m, **form.cleaned_data):
                messages.success(request, _("L'action est ajoutée au plan."))
                return redirect("followup:actions", pk=person.pk)
        elif op == "import":
            try:
                created = services.import_plan_actions(person, m)
                messages.success(request, ngettext("%(n)s action importée du document de parcours.",
                                                   "%(n)s actions importées du document de parcours.",
                                                   len(created)) % {"n": len(created)})  # fmt: skip
            except DomainError as exc:
                messages.error(request, exc.message)
            return redirect("followup:actions", pk=person.pk)
        elif op == "status":
            return _quick_status(request, person)
    today = clock.today()
    items = list(ActionItem.objects.visible_to(m).filter(person=person).select_related("plan_action"))
    for item in items:
        item.overdue = item.is_overdue(today)
    groups = [
        {"status": value, "label": label, "items": [i for i in items if i.status == value]}
        for value, label in ActionStatus.choices
    ]
    req = services.current_request(person)
    return render(request, "followup/actions.html", {
        "title": _title(_("Plan d'action"), person), "person": person, "form": form, "groups": groups,
        "statuses": ActionStatus.choices, "plan_request": req,
        "can_import": req is not None and req.actions.exists(),
        "overdue_count": sum(1 for i in items if i.overdue),
    })  # fmt: skip


def _quick_status(request, person):
    m = request.membership
    item = get_object_or_404(
        ActionItem.objects.visible_to(m).filter(person=person), pk=request.POST.get("item")
    )
    form = forms.ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un état de la liste."))
    else:
        try:
            services.update_action(item, m, status=form.cleaned_data["status"], due_date=item.due_date,
                                   expected_version=locking.posted_version(request))  # fmt: skip
            messages.success(request, _("L'état de l'action est mis à jour."))
        except locking.EditConflict as exc:
            current = exc.current or item
            messages.error(request, _conflict_message(_("« %(d)s », %(s)s") % {
                "d": current.description, "s": current.get_status_display()}))  # fmt: skip
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("followup:actions", pk=person.pk)


@requires("person_file", methods=FORM)
def action(request, pk):
    m = request.membership
    item = get_object_or_404(ActionItem.objects.visible_to(m).select_related("person", "plan_action"), pk=pk)
    person = item.person
    request.audit_person_id = item.person_id
    initial = {"description": item.description, "status": item.status, "due_date": item.due_date}
    form = forms.ActionEditForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = _run_edit(form, services.update_action, item, m, **form.cleaned_data,
                                    expected_version=locking.posted_version(request))  # fmt: skip
        if saved:
            messages.success(request, _("L'action est mise à jour."))
            return redirect("followup:actions", pk=person.pk)
    rows = []
    if conflict is not None and conflict.current is not None:
        item = ActionItem.objects.select_related("person", "plan_action").get(pk=item.pk)
        rows = locking.differences(form, {"description": item.description, "status": item.status,
                                          "due_date": item.due_date})  # fmt: skip
    return render(request, "followup/action.html", {
        "title": _title(_("Action du plan"), person), "person": person, "item": item, "form": form,
        "changes": item.changes.select_related("by"), "overdue": item.is_overdue(clock.today()),
        "version": locking.shown_version(request, item, conflict),
        "conflict": locking.conflict_context(conflict, rows),
    }, status=409 if conflict else 200)  # fmt: skip


# --- Appointments ------------------------------------------------------------------------------------
@requires("person_file", methods=FORM)
def appointments(request, pk):
    m = request.membership
    person = _person(request, pk)
    workers = services.workers_of(m.organisation)
    form = forms.AppointmentForm(
        request.POST or None, workers=workers, confidential_address=person.address_confidential,
        initial={"worker": request.user.pk, "day": clock.today()},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.starts_and_ends()
        data = form.cleaned_data
        if _run(form, services.schedule_appointment, person, m, worker=data["worker"], starts_at=starts_at,
                ends_at=ends_at, purpose=data["purpose"], place=data["place"]):  # fmt: skip
            messages.success(request, _("Le rendez-vous est enregistré."))
            return redirect("followup:appointments", pk=person.pk)
    now = clock.now()
    qs = Appointment.objects.visible_to(m).filter(person=person).select_related("worker")
    return render(request, "followup/appointments.html", {
        "title": _title(_("Rendez-vous"), person), "person": person, "form": form,
        "coming": qs.filter(ends_at__gte=now).order_by("starts_at"),
        "past": qs.filter(ends_at__lt=now).order_by("-starts_at")[:50],
        "outcomes": AppointmentStatus.choices, "now": now,
    })  # fmt: skip


@require_POST
@requires("person_file", methods=ACTION)
def appointment_outcome(request, pk):
    m = request.membership
    appointment = get_object_or_404(Appointment.objects.visible_to(m).select_related("person"), pk=pk)
    request.audit_person_id = appointment.person_id
    form = forms.AppointmentOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez une issue de la liste."))
    else:
        try:
            services.record_appointment_outcome(appointment, m, form.cleaned_data["status"],
                                                expected_version=locking.posted_version(request))  # fmt: skip
            messages.success(request, _("L'issue du rendez-vous est enregistrée."))
        except locking.EditConflict as exc:
            current = exc.current or appointment
            messages.error(request, _conflict_message(current.get_status_display()))
        except DomainError as exc:
            messages.error(request, exc.message)
    back = request.POST.get("retour")
    if back == "agenda":
        return redirect("followup:agenda")
    return redirect("followup:appointments", pk=appointment.person_id)


# --- The worker's week -------------------------------------------------------------------------------
WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$")


def parse_week(value: str | None, today: dt.date) -> tuple[dt.date, bool]:
    """Monday of the ISO week `YYYY-Www`; the current week (and False) when the value is absent or wrong."""
    monday = today - dt.timedelta(days=today.weekday())
    if not value:
        return monday, True
    match = WEEK_RE.match(value.strip())
    if not match:
        return monday, False
    try:
        return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1), True
    except ValueError:
        return monday, False


def week_param(monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


@requires("agenda")
def agenda(request):
    m = request.membership
    today = clock.today()
    monday, valid = parse_week(request.GET.get("semaine"), today)
    if not valid:
        messages.error(request, _("Semaine non reconnue (format attendu : 2026-W11) : la semaine en cours "
                                  "est affichée."))  # fmt: skip
    workers = services.workers_of(m.organisation)
    worker = request.user
    chosen = request.GET.get("intervenante", "")
    if m.role == Role.HEAD_OF_SERVICE and chosen:
        if not chosen.isdigit():
            raise Http404
        worker = get_object_or_404(workers, pk=int(chosen))
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=clock.PARIS)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time.min, tzinfo=clock.PARIS)
    appointments = list(
        Appointment.objects.visible_to(m)
        .filter(worker=worker, starts_at__gte=start, starts_at__lt=end)
        .select_related("person")
        .order_by("starts_at", "pk")
    )
    days = []
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        days.append({
            "date": day, "today": day == today,
            "appointments": [a for a in appointments if timezone.localdate(a.starts_at, clock.PARIS) == day],
        })  # fmt: skip
    year, week, _day = monday.isocalendar()
    return render(request, "followup/agenda.html", {
        "title": _("Agenda"), "days": days, "worker": worker, "own": worker.pk == request.user.pk,
        "workers": workers if m.role == Role.HEAD_OF_SERVICE else None,
        "week": week, "year": year, "monday": monday, "sunday": monday + dt.timedelta(days=6),
        "previous": week_param(monday - dt.timedelta(days=7)),
        "next": week_param(monday + dt.timedelta(days=7)),
        "current": week_param(today), "chosen": chosen if worker.pk != request.user.pk else "",
        "count": len(appointments),
    })  # fmt: skip


@requires("agenda")
def agenda_ics(request):
    """The logged-in worker's coming appointments, for her calendar: no name, no telling word."""
    m = request.membership
    now = clock.now()
    appointments = (
        Appointment.objects.visible_to(m)
        .filter(worker=request.user, status=AppointmentStatus.PLANNED, ends_at__gte=now)
        .select_related("person")
        .order_by("starts_at", "pk")
    )
    response = HttpResponse(ics.calendar(appointments, now), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="agenda-parcours.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Referrals ---------------------------------------------------------------------------------------
@requires("person_file", methods=FORM)
def referrals(request, pk):
    m = request.membership
    person = _person(request, pk)
    form = forms.ReferralForm(
        request.POST or None,
        initial={"referred_on": clock.today()},
        entries=DirectoryEntry.objects.visible_to(m).filter(is_active=True),
    )
    if request.method == "POST" and form.is_valid():
        saved = _run(form, services.refer, person, m, **form.cleaned_data)
        if saved:
            messages.success(request, _("L'orientation est enregistrée."))
            return redirect("followup:referrals", pk=person.pk)
    qs = Referral.objects.visible_to(m).filter(person=person).select_related("partner", "entry", "consent")
    return render(request, "followup/referrals.html", {
        "title": _title(_("Orientations"), person), "person": person, "form": form, "referrals": qs,
        "pending": ReferralOutcome.PENDING,
    })  # fmt: skip


@requires("person_file", methods=FORM)
def referral(request, pk):
    m = request.membership
    item = get_object_or_404(
        Referral.objects.visible_to(m).select_related("person", "partner", "entry", "consent"), pk=pk
    )
    person = item.person
    request.audit_person_id = item.person_id
    initial = {
        "outcome": item.outcome,
        "outcome_on": item.outcome_on or clock.today(),
        "comment": item.comment,
    }
    form = forms.ReferralOutcomeForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = _run_edit(form, services.record_referral_outcome, item, m, **form.cleaned_data,
                                    expected_version=locking.posted_version(request))  # fmt: skip
        if saved:
            messages.success(request, _("La suite de l'orientation est enregistrée."))
            return redirect("followup:referrals", pk=person.pk)
    rows = []
    if conflict is not None and conflict.current is not None:
        item = Referral.objects.select_related("person", "partner", "consent").get(pk=item.pk)
        rows = locking.differences(form, {"outcome": item.outcome, "outcome_on": item.outcome_on,
                                          "comment": item.comment})  # fmt: skip
    return render(request, "followup/referral.html", {
        "title": _title(_("Orientation"), person), "person": person, "item": item, "form": form,
        "version": locking.shown_version(request, item, conflict),
        "conflict": locking.conflict_context(conflict, rows),
    }, status=409 if conflict else 200)  # fmt: skip
