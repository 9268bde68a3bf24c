"""The team meetings' pages (staff of the association only): the meetings, the agenda of one, and the
decision about one person, written as a note in her file. Objects outside the caller's association are a
404; the pages are journaled with the follow-up's (urls.py ABOUT_PEOPLE)."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from parcours.accounts.permissions import FORM, requires
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.people.models import Person

from . import forms, meetings
from .access import can_read_note
from .models import MeetingItem, TeamMeeting


def _run(form, service, *args, **kwargs):
    try:
        return service(*args, **kwargs)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None


def _by_name(people):
    return sorted(people, key=lambda p: (p.last_name.casefold(), p.first_name.casefold(), p.pk))


@requires("team_meetings", methods=FORM)
def meetings_page(request):
    m = request.membership
    form = forms.MeetingForm(request.POST or None, initial={"held_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        meeting = _run(form, meetings.create_meeting, m, form.cleaned_data["held_on"])
        if meeting:
            messages.success(request, _("La réunion est créée : composez son ordre du jour."))
            return redirect("followup:meeting", pk=meeting.pk)
    rows = TeamMeeting.objects.visible_to(m).annotate(
        people=Count("items"), decided=Count("items", filter=Q(items__note__isnull=False))
    )
    return render(request, "followup/meetings.html", {
        "title": _("Réunions d'équipe"), "rows": rows, "form": form, "today": clock.today(),
    }, status=400 if form.errors else 200)  # fmt: skip


@requires("team_meetings", methods=FORM)
def meeting(request, pk):
    m = request.membership
    meeting = get_object_or_404(TeamMeeting.objects.visible_to(m), pk=pk)
    items = list(MeetingItem.objects.visible_to(m).filter(meeting=meeting).select_related("person", "note"))
    on_agenda = [i.person_id for i in items]
    candidates = _by_name(
        Person.objects.visible_to(m).filter(archived_on__isnull=True).exclude(pk__in=on_agenda)
    )
    form = forms.AgendaForm(request.POST if request.POST.get("action") == "add" else None, people=candidates)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add" and form.is_valid():
            if _run(form, meetings.add_to_agenda, meeting, m, form.cleaned_data["person"]):
                messages.success(request, _("La personne est inscrite à l'ordre du jour."))
                return redirect("followup:meeting", pk=meeting.pk)
        elif action == "remove":
            item = next((i for i in items if str(i.pk) == request.POST.get("item", "")), None)
            try:
                if item is None:
                    raise DomainError(_("Ce point n'est pas à l'ordre du jour."))
                meetings.remove_from_agenda(item, m)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("La personne est retirée de l'ordre du jour."))
            return redirect("followup:meeting", pk=meeting.pk)
    items.sort(key=lambda i: (i.person.last_name.casefold(), i.person.first_name.casefold(), i.pk))
    return render(request, "followup/meeting.html", {
        "title": _("Réunion d'équipe du %(d)s") % {"d": meeting.held_on.strftime("%d/%m/%Y")},
        "meeting": meeting, "items": items, "form": form, "held": meeting.held_on <= clock.today(),
    }, status=400 if form.errors else 200)  # fmt: skip


@requires("team_meetings", methods=FORM)
def meeting_decision(request, pk):
    m = request.membership
    item = get_object_or_404(
        MeetingItem.objects.visible_to(m).select_related("meeting", "person", "note"), pk=pk
    )
    request.audit_person_id = item.person_id
    form = forms.DecisionForm(request.POST or None) if item.note_id is None else None
    posted = form is not None and request.method == "POST" and form.is_valid()
    if posted and _run(form, meetings.record_decision, item, m, **form.cleaned_data):
        messages.success(request, _("La décision est notée dans le dossier de la personne."))
        return redirect("followup:meeting", pk=item.meeting_id)
    return render(request, "followup/meeting_decision.html", {
        "title": _("Décision de la réunion d'équipe — %(ref)s") % {"ref": item.person.reference},
        "item": item, "meeting": item.meeting, "person": item.person, "form": form,
        "note_readable": item.note_id is not None and can_read_note(m, item.note),
        "held": item.meeting.held_on <= clock.today(),
    }, status=400 if form is not None and form.errors else 200)  # fmt: skip
