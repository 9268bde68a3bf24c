"""The employment pages, for the staff of the association: its programmes (cohorts, steps, outcomes, the
export), its partnership agreements, and each person's professional project and supports. Objects outside
the caller's association are a 404."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from parcours.accounts.models import Organisation
from parcours.accounts.permissions import ACTION, FORM, READ, requires
from parcours.accounts.roles import OrganisationKind
from parcours.core import clock, spreadsheet
from parcours.core.errors import DomainError
from parcours.directory.models import DirectoryEntry
from parcours.people.models import Person

from . import forms, services
from .cohort_figures import cohort_figures
from .export import programme_sheets
from .models import (
    Agreement,
    Cohort,
    Enrolment,
    Outcome,
    Participant,
    Programme,
    ProjectVersion,
    Step,
    StepParticipation,
    StepStatus,
    Support,
)


def _run(form, service, *args, **kwargs):
    """Run a domain service; a refusal becomes an error on the form (input kept) and nothing is saved."""
    try:
        return service(*args, **kwargs)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None


def _bound(request, action):
    return request.POST if request.method == "POST" and request.POST.get("action") == action else None


def _partners():
    return Organisation.objects.filter(kind=OrganisationKind.PARTNER).order_by("name")


def _entries(m, keep=()):
    """The active directory entries of her département, and those the object already names (`keep`)."""
    return DirectoryEntry.objects.visible_to(m).filter(Q(is_active=True) | Q(pk__in=list(keep)))


def _people(m, exclude=()):
    people = Person.objects.visible_to(m).filter(archived_on__isnull=True).exclude(pk__in=list(exclude))
    return sorted(people, key=lambda p: (p.last_name.casefold(), p.first_name.casefold(), p.pk))


def _status(forms_):
    return 400 if any(f.errors for f in forms_) else 200


@requires("employment", methods=READ)
def index(request):
    m = request.membership
    return render(
        request,
        "employment/index.html",
        {
            "title": _("Emploi et formation"),
            "programmes": Programme.objects.visible_to(m).prefetch_related("cohorts", "partners"),
            "agreements": Agreement.objects.visible_to(m).select_related("partner", "partner_entry"),
        },
    )


@requires("employment", methods=FORM)
def programme_create(request):
    m = request.membership
    form = forms.ProgrammeForm(request.POST or None, partners=_partners(), entries=_entries(m))
    if request.method == "POST" and form.is_valid():
        programme = _run(form, services.create_programme, m, **form.cleaned_data)
        if programme:
            messages.success(request, _("Le programme est créé : ajoutez sa première promotion."))
            return redirect("employment:programme", pk=programme.pk)
    return render(
        request,
        "employment/form.html",
        {"title": _("Nouveau programme"), "form": form, "submit": _("Créer le programme")},
        status=_status([form]),
    )


def _programme(request, pk) -> Programme:
    return get_object_or_404(Programme.objects.visible_to(request.membership), pk=pk)


@requires("employment", methods=FORM)
def programme(request, pk):
    m = request.membership
    p = _programme(request, pk)
    form = forms.CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cohort = _run(form, services.create_cohort, p, m, **form.cleaned_data)
        if cohort:
            messages.success(request, _("La promotion est créée : ajoutez ses étapes et ses participantes."))
            return redirect("employment:cohort", pk=cohort.pk)
    return render(
        request,
        "employment/programme.html",
        {
            "title": p.name,
            "programme": p,
            "cohorts": [cohort_figures(c) for c in p.cohorts.all()],
            "form": form,
            "formats": spreadsheet.FORMATS,
        },
        status=_status([form]),
    )


@requires("employment", methods=FORM)
def programme_edit(request, pk):
    m = request.membership
    p = _programme(request, pk)
    partners, entries = list(p.partners.all()), list(p.directory_entries.all())
    form = forms.ProgrammeForm(
        request.POST or None,
        initial={"name": p.name, "description": p.description, "partners": partners,
                 "directory_entries": entries},
        partners=_partners(),
        entries=_entries(m, keep=[e.pk for e in entries]),
    )  # fmt: skip
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, services.update_programme, p, m, **form.cleaned_data)
    ):
        messages.success(request, _("Le programme est modifié."))
        return redirect("employment:programme", pk=p.pk)
    return render(
        request,
        "employment/form.html",
        {
            "title": _("Modifier le programme — %(name)s") % {"name": p.name},
            "form": form,
            "submit": _("Enregistrer les modifications"),
            "back_url": reverse("employment:programme", args=[p.pk]),
            "back_label": p.name,
        },
        status=_status([form]),
    )


@requires("employment", methods=READ)
def programme_export(request, pk, fmt):
    p = _programme(request, pk)
    if fmt not in spreadsheet.FORMATS:
        raise Http404
    return spreadsheet.response(fmt, f"programme-{p.pk}", programme_sheets(p))


def _cohort(request, pk) -> Cohort:
    return get_object_or_404(Cohort.objects.visible_to(request.membership).select_related("programme"), pk=pk)


@requires("employment", methods=FORM)
def cohort(request, pk):
    m = request.membership
    c = _cohort(request, pk)
    participants = list(Participant.objects.visible_to(m).filter(cohort=c).select_related("person"))
    enrol_form = forms.PersonForm(
        _bound(request, "enrol"), people=_people(m, [x.person_id for x in participants])
    )
    step_form = forms.StepForm(_bound(request, "step"), entries=_entries(m))
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "enrol" and enrol_form.is_valid():
            if _run(enrol_form, services.enrol, c, m, enrol_form.cleaned_data["person"]):
                messages.success(request, _("La personne est inscrite à la promotion."))
                return redirect("employment:cohort", pk=c.pk)
        elif (
            action == "step"
            and step_form.is_valid()
            and _run(step_form, services.add_step, c, m, **step_form.cleaned_data)
        ):
            messages.success(request, _("L'étape est ajoutée."))
            return redirect("employment:cohort", pk=c.pk)
    steps = list(c.steps.all())
    statuses = {(s.participant_id, s.step_id): s for s in StepParticipation.objects.filter(step__cohort=c)}
    outcomes = {}
    for o in Outcome.objects.filter(step__cohort=c).select_related("step"):
        outcomes.setdefault(o.participant_id, []).append(o)
    rows = [
        {
            "participant": p,
            "person": p.person,
            "steps": [statuses.get((p.pk, s.pk)) for s in steps],
            "outcomes": outcomes.get(p.pk, []),
        }
        for p in sorted(participants, key=lambda p: (p.person.last_name.casefold(), p.pk))
    ]
    return render(
        request,
        "employment/cohort.html",
        {
            "title": _("%(cohort)s — %(programme)s") % {"cohort": c.label, "programme": c.programme.name},
            "cohort": c,
            "steps": steps,
            "rows": rows,
            "enrol_form": enrol_form,
            "step_form": step_form,
        },
        status=_status([enrol_form, step_form]),
    )


@requires("employment", methods=FORM)
def step(request, pk):
    m = request.membership
    s = get_object_or_404(
        Step.objects.filter(cohort__in=Cohort.objects.visible_to(m)).select_related("cohort__programme"),
        pk=pk,
    )
    participants = list(Participant.objects.visible_to(m).filter(cohort=s.cohort).select_related("person"))
    people = sorted((p.person for p in participants), key=lambda p: (p.last_name.casefold(), p.pk))
    outcome_form = forms.OutcomeForm(_bound(request, "outcome"), people=people)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "outcome" and outcome_form.is_valid():
            data = dict(outcome_form.cleaned_data)
            if _run(outcome_form, services.record_outcome, s, m, data.pop("person"), **data):
                messages.success(request, _("L'issue est notée."))
                return redirect("employment:step", pk=s.pk)
        elif action == "statuses":
            try:
                for person in people:
                    value = request.POST.get(f"status-{person.pk}", "")
                    if value:
                        services.set_step_status(s, m, person, value)
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(request, _("Les statuts de l'étape sont enregistrés."))
                return redirect("employment:step", pk=s.pk)
    current = dict(StepParticipation.objects.filter(step=s).values_list("participant__person_id", "status"))
    rows = [{"person": p, "status": current.get(p.pk, "")} for p in people]
    return render(
        request,
        "employment/step.html",
        {
            "title": _("%(step)s — %(cohort)s") % {"step": s.get_kind_display(), "cohort": s.cohort.label},
            "step": s,
            "rows": rows,
            "choices": StepStatus.choices,
            "outcome_form": outcome_form,
            "error": error,
            "outcomes": Outcome.objects.filter(step=s).select_related("participant__person"),
        },
        status=400 if error or outcome_form.errors else 200,
    )


@requires("employment", methods=FORM)
def person(request, pk):
    m = request.membership
    p = get_object_or_404(Person.objects.visible_to(m), pk=pk)
    versions = list(ProjectVersion.objects.visible_to(m).filter(person=p))
    latest = versions[0] if versions else None
    initial = (
        {
            f: getattr(latest, f)
            for f in (
                "target_trades",
                "french_level",
                "qualifications",
                "childcare",
                "mobility",
                "health",
                "constraints_note",
                "readiness",
            )
        }
        if latest
        else {}
    )
    project_form = forms.ProjectForm(_bound(request, "project"), initial=initial)
    support_form = forms.SupportForm(_bound(request, "support"))
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "project" and project_form.is_valid():
            if _run(project_form, services.save_project, p, m, **project_form.cleaned_data):
                messages.success(request, _("Le projet professionnel est enregistré (nouvelle version)."))
                return redirect("employment:person", pk=p.pk)
        elif (
            action == "support"
            and support_form.is_valid()
            and _run(support_form, services.record_support, p, m, **support_form.cleaned_data)
        ):
            messages.success(request, _("L'aide est enregistrée."))
            return redirect("employment:person", pk=p.pk)
    return render(
        request,
        "employment/person.html",
        {
            "title": _("Emploi — %(ref)s") % {"ref": p.reference},
            "person": p,
            "latest": latest,
            "versions": versions,
            "project_form": project_form,
            "support_form": support_form,
            "supports": Support.objects.visible_to(m).filter(person=p),
            "participations": Participant.objects.visible_to(m)
            .filter(person=p)
            .select_related("cohort__programme")
            .prefetch_related("outcomes__step"),
            "enrolments": Enrolment.objects.visible_to(m).filter(person=p).select_related("agreement"),
        },
        status=_status([project_form, support_form]),
    )


@requires("employment", methods=FORM)
def agreement_create(request):
    m = request.membership
    form = forms.AgreementForm(request.POST or None, partners=_partners(), entries=_entries(m))
    if request.method == "POST" and form.is_valid():
        agreement = _run(form, services.create_agreement, m, **form.cleaned_data)
        if agreement:
            messages.success(request, _("La convention est enregistrée."))
            return redirect("employment:agreement", pk=agreement.pk)
    return render(
        request,
        "employment/form.html",
        {
            "title": _("Nouvelle convention de partenariat"),
            "form": form,
            "submit": _("Enregistrer la convention"),
        },
        status=_status([form]),
    )


def _agreement(request, pk) -> Agreement:
    return get_object_or_404(
        Agreement.objects.visible_to(request.membership).select_related("partner", "partner_entry"), pk=pk
    )


@requires("employment", methods=FORM)
def agreement_edit(request, pk):
    m = request.membership
    a = _agreement(request, pk)
    fields = ("label", "partner", "partner_entry", "starts_on", "ends_on", "support_months", "terms")
    form = forms.AgreementForm(
        request.POST or None,
        initial={f: getattr(a, f) for f in fields},
        partners=_partners(),
        entries=_entries(m, keep=[a.partner_entry_id] if a.partner_entry_id else []),
    )
    form.fields["support_months"].help_text = _(
        "Les personnes déjà accompagnées sous la convention gardent leur fin prévue."
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, services.update_agreement, a, m, **form.cleaned_data)
    ):
        messages.success(request, _("La convention est modifiée."))
        return redirect("employment:agreement", pk=a.pk)
    return render(
        request,
        "employment/form.html",
        {
            "title": _("Modifier la convention — %(label)s") % {"label": a.label},
            "form": form,
            "submit": _("Enregistrer les modifications"),
            "back_url": reverse("employment:agreement", args=[a.pk]),
            "back_label": a.label,
        },
        status=_status([form]),
    )


@requires("employment", methods=ACTION)
def agreement_end(request, pk):
    """Ends the agreement early (the confirmation form is on its page); a refusal shows the form again with
    its French message and the date typed."""
    m = request.membership
    a = _agreement(request, pk)
    form = forms.EndAgreementForm(request.POST)
    if form.is_valid() and _run(form, services.end_agreement, a, m, form.cleaned_data["on"]):
        messages.success(
            request, _("La convention est terminée : plus aucune personne ne peut y être inscrite.")
        )
        return redirect("employment:agreement", pk=a.pk)
    return render(
        request,
        "employment/end.html",
        {"title": _("Terminer la convention — %(label)s") % {"label": a.label}, "agreement": a, "form": form},
        status=400,
    )


def _end_form(a):
    return None if a.ended_on else forms.EndAgreementForm(initial={"on": clock.today()})


@requires("employment", methods=FORM)
def agreement(request, pk):
    m = request.membership
    a = _agreement(request, pk)
    enrolments = list(Enrolment.objects.visible_to(m).filter(agreement=a).select_related("person"))
    enrol_form = forms.EnrolmentForm(
        _bound(request, "enrol"), people=_people(m, [e.person_id for e in enrolments])
    )
    close_form = forms.CloseForm(
        _bound(request, "close"), enrolments=[e for e in enrolments if not e.outcome]
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "enrol" and enrol_form.is_valid():
            data = enrol_form.cleaned_data
            if _run(enrol_form, services.enrol_under_agreement, a, m, data["person"], data["starts_on"]):
                messages.success(request, _("La personne est accompagnée sous cette convention."))
                return redirect("employment:agreement", pk=a.pk)
        elif action == "close" and close_form.is_valid():
            data = close_form.cleaned_data
            enrolment = next(e for e in enrolments if e.pk == data["enrolment"])
            if _run(
                close_form, services.close_enrolment, enrolment, m, outcome=data["outcome"], on=data["on"]
            ):
                messages.success(request, _("La situation à la fin de l'accompagnement est notée."))
                return redirect("employment:agreement", pk=a.pk)
    return render(
        request,
        "employment/agreement.html",
        {
            "title": a.label,
            "agreement": a,
            "enrolments": enrolments,
            "enrol_form": enrol_form,
            "close_form": close_form,
            "end_form": _end_form(a),
        },
        status=_status([enrol_form, close_form]),
    )
