from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import ACTION, FORM, requires
from parcours.core import clock, locking
from parcours.core.errors import DomainError

from . import services
from .forms import ConsentForm, OtherNameForm, PersonCreateForm, PersonForm, WithdrawConsentForm
from .models import Consent, ConsentStatus, OtherName, Person

SOON = 60  # days before an expiry that the situation page flags it


@requires("person_create", methods=FORM)
def person_create(request):
    m = request.membership
    form = PersonCreateForm(request.POST or None, membership=m, initial={"referent": request.user.pk})
    duplicates = []
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(
                m, form.instance, distinct_confirmed=form.cleaned_data["distinct_confirmed"],
                processing_consent_on=form.cleaned_data["processing_consent_on"],
            )  # fmt: skip
        except services.PossibleDuplicate as exc:
            duplicates = exc.matches
            form.instance.pk = None
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            request.audit_person_id = person.pk  # the journal row of the creation names the person
            messages.success(request, _("Le dossier est créé."))
            return redirect("people:person", pk=person.pk)
    return render(request, "people/person_form.html", {
        "title": _("Nouvelle personne"), "form": form, "duplicates": duplicates,
    })  # fmt: skip


# --- Identity and situation ------------------------------------------------------------------------------
def _file_person(request, pk):
    """The person, if she is in the caseload of the user's association; a 404 otherwise."""
    people = Person.objects.visible_to(request.membership).select_related("referent", "departement")
    return get_object_or_404(people, pk=pk)


def _expiry(day, today):
    if day is None:
        return None
    if day < today:
        return {"label": _("expiré"), "level": "error"}
    if (day - today).days <= SOON:
        return {"label": _("expire bientôt"), "level": "warning"}
    return None


@requires("person_file")
def situation(request, pk):
    person = _file_person(request, pk)
    today = clock.today()
    consents = list(person.consents.select_related("partner", "recorded_by"))
    for consent in consents:
        consent.current_status = consent.status(today)
        consent.can_withdraw = consent.current_status in (ConsentStatus.ACTIVE, ConsentStatus.NOT_YET)
    return render(request, "people/situation.html", {
        "title": _("Identité et situation"), "person": person, "today": today, "age": person.age(today),
        "other_names": person.other_names.all(), "other_name_form": OtherNameForm(),
        "other_name_consequences": other_name_consequences(),
        "consents": consents, "withdraw_form": WithdrawConsentForm(initial={"withdrawn_on": today}),
        "permit_flag": _expiry(person.residence_permit_expiry, today),
        "health_flag": _expiry(person.health_cover_expiry, today),
    })  # fmt: skip


@requires("person_file", methods=FORM)
def situation_edit(request, pk):
    m = request.membership
    person = _file_person(request, pk)
    form = PersonForm(request.POST or None, instance=person, membership=m,
                      can_change_referent=services.may_change_referent(m, person))  # fmt: skip
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_file(form.instance, m, expected_version=locking.posted_version(request))
        except locking.EditConflict as exc:
            conflict = exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("L'identité et la situation sont enregistrées."))
            return redirect("people:situation", pk=person.pk)
        person = _file_person(request, pk)  # the page header shows what is saved, not the refused input
    rows = []
    if conflict is not None:
        rows = locking.differences(
            form, {f: getattr(person, f) for f in services.FILE_FIELDS if f in form.fields}
        )
    return render(request, "people/situation_form.html", {
        "title": _("Modifier l'identité et la situation"), "person": person, "form": form,
        "version": locking.shown_version(request, person, conflict),
        "conflict": locking.conflict_context(conflict, rows),
    }, status=409 if conflict else 200)  # fmt: skip


def _attempt(request, service, *args, **kwargs):
    try:
        return service(*args, **kwargs), True
    except DomainError as exc:
        messages.error(request, exc.message)
        return None, False


@requires("person_file", methods=ACTION)
@require_POST
def other_name_add(request, pk):
    person = _file_person(request, pk)
    form = OtherNameForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        _saved, ok = _attempt(request, services.add_other_name, person, request.membership,
                              form.cleaned_data["name"])  # fmt: skip
        if ok:
            messages.success(request, _("Le nom est ajouté."))
    return redirect("people:situation", pk=person.pk)


@requires("person_file", methods=FORM)
def other_name_remove(request, pk, name_pk):
    """GET (or a POST without `confirmed`, from a stale one-click form) asks for confirmation, without script;
    the confirmed POST removes the name. The situation page opens the same confirmation in a DSFR modal."""
    person = _file_person(request, pk)
    other = get_object_or_404(OtherName, person=person, pk=name_pk)
    if request.method != "POST" or not request.POST.get("confirmed"):
        return render(request, "parcours/confirm.html", {
            "title": _("Retirer un autre nom"),
            "question": _("Retirer « %(name)s » des autres noms de la personne ?") % {"name": other.name},
            "consequences": other_name_consequences(),
            "action_url": reverse("people:other_name_remove", kwargs={"pk": pk, "name_pk": name_pk}),
            "confirm_label": _("Retirer ce nom"),
            "back_url": reverse("people:situation", kwargs={"pk": pk}),
        })  # fmt: skip
    _done, ok = _attempt(request, services.remove_other_name, other, request.membership)
    if ok:
        messages.success(request, _("Le nom est retiré du dossier."))
    return redirect("people:situation", pk=person.pk)


def other_name_consequences() -> str:
    return _(
        "Le nom est effacé du dossier : la recherche ne retrouvera plus la personne sous ce nom. Il ne peut "
        "pas être rétabli tel quel : il faudrait le saisir à nouveau."
    )


@requires("person_file", methods=FORM)
def consent_add(request, pk):
    person = _file_person(request, pk)
    form = ConsentForm(request.POST or None, initial={"given_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _saved, ok = _attempt(
            request, services.record_consent, person, request.membership, purpose=data["purpose"],
            given_on=data["given_on"], expires_on=data["expires_on"], partner=data["partner"],
            partner_name=data["partner_name"], scope=data["scope"], text_version=data["text_version"],
            scopes=data["scopes"],
        )  # fmt: skip
        if ok:
            messages.success(request, _("Le consentement est enregistré."))
            return redirect("people:situation", pk=person.pk)
    return render(request, "people/consent_form.html", {
        "title": _("Enregistrer un consentement"), "person": person, "form": form,
    })  # fmt: skip


@requires("person_file", methods=ACTION)
@require_POST
def consent_withdraw(request, pk, consent_pk):
    person = _file_person(request, pk)
    consent = get_object_or_404(Consent, person=person, pk=consent_pk)
    form = WithdrawConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez une date de retrait valide."))
    else:
        _done, ok = _attempt(request, services.withdraw_consent, consent, request.membership,
                             form.cleaned_data["withdrawn_on"])  # fmt: skip
        if ok:
            messages.success(request, _("Le retrait du consentement est enregistré."))
    return redirect("people:situation", pk=person.pk)
