"""The rights page of a person: AFIS (eligibility, amount, file sent to the MSA) and APS (dates, deadlines).
Reads through the visibility rule; writes only through `services.py`."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from parcours.accounts.permissions import FORM, requires
from parcours.core import clock, locking
from parcours.core.prefetch import related
from parcours.people.models import Person

from . import deadlines, rules, services
from .forms import AfisForm, ApsForm, initial_from
from .services import AfisDates, ApsDates, latest

AFIS_FIELDS = [f for f in AfisDates.__dataclass_fields__]
APS_FIELDS = [f for f in ApsDates.__dataclass_fields__]


def _attempt(request, service, *args, **kwargs):
    """Run a domain service; a refusal becomes an error message and nothing is saved."""
    try:
        return service(*args, **kwargs), True
    except services.DomainError as exc:
        messages.error(request, exc.message)
        return None, False


def _save(request, form, service, person, obj, success) -> tuple[bool, locking.EditConflict | None]:
    """Save one of the page's forms. An edit of an existing file carries the file it showed and its version:
    if that file was changed, closed or replaced meanwhile, the result is a conflict and nothing is saved."""
    if not form.is_valid():
        messages.error(request, _("Le formulaire contient des erreurs : rien n'a été enregistré."))
        return False, None
    if request.POST.get("dossier", "") != (str(obj.pk) if obj is not None else ""):
        return False, locking.EditConflict(obj)
    kwargs = {"expected_version": locking.posted_version(request)} if obj is not None else {}
    try:
        service(person, request.membership, form.dates(), obj, **kwargs)
    except locking.EditConflict as exc:
        return False, exc
    except services.DomainError as exc:
        messages.error(request, exc.message)
        return False, None
    messages.success(request, success)
    return True, None


def _differences(form, obj, names) -> list:
    if obj is None:
        return [locking.extra_row(_("Dossier"), _("aucun dossier en cours : il a été clôturé entre-temps"))]
    return locking.differences(form, {name: getattr(obj, name) for name in names})


def _version(request, op, obj, conflict) -> int | None:
    if obj is None:
        return None
    if conflict is not None or request.POST.get("op") != op:
        return obj.version
    return locking.shown_version(request, obj)


def _afis_initial(person, afis_current) -> dict:
    """The running AFIS as saved; once the pathway is over, its stop is proposed as the law dates it
    (rules.AFIS_STOP: from the month after an exit or an early end), ready to be recorded ahead."""
    initial = initial_from(afis_current, AFIS_FIELDS)
    if afis_current is not None and afis_current.stopped_on is None:
        pathway = deadlines.current_pathway(person)
        stop = deadlines.afis_stop_date(pathway)
        if stop is not None:
            exit_ = services.exit_of(pathway)
            ended_early = exit_ is not None and exit_.reason == "ended_early"
            initial["stopped_on"] = stop
            initial["stop_reason"] = (
                rules.AfisStopReason.PREFET if ended_early else rules.AfisStopReason.PATHWAY_ENDED
            )
    return initial


@requires("person_file", methods=FORM)
def person_rights(request, pk):
    m = request.membership
    person = get_object_or_404(deadlines.with_rights(Person.objects.visible_to(m)), pk=pk)
    today = clock.today()
    afis = latest(related(person, "afis_files"))
    aps = latest(related(person, "aps_files"))
    afis_current = afis if afis is not None and afis.running else None
    aps_can_renew = aps is not None and aps.issued_on is not None  # a renewed APS is a new file

    afis_form = AfisForm(prefix="afis", initial=_afis_initial(person, afis_current))
    aps_form = ApsForm(prefix="aps", initial=initial_from(aps, APS_FIELDS))
    aps_new_form = ApsForm(prefix="apsnew", initial={"requested_on": aps.renewal_requested_on} if aps else {})
    op = conflict_rows = None
    conflict = None
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "afis":
            afis_form = AfisForm(request.POST, prefix="afis")
            done, conflict = _save(
                request,
                afis_form,
                services.save_afis,
                person,
                afis_current,
                _("Le dossier d'AFIS est enregistré."),
            )
        elif op == "aps":
            aps_form = ApsForm(request.POST, prefix="aps")
            done, conflict = _save(
                request, aps_form, services.save_aps, person, aps, _("Le dossier d'APS est enregistré.")
            )
        elif op == "aps_new" and (aps is None or aps_can_renew):
            aps_new_form = ApsForm(request.POST, prefix="apsnew")
            done, conflict = _save(
                request, aps_new_form, services.save_aps, person, None, _("La nouvelle APS est enregistrée.")
            )
        elif op == "aps_new":  # a request was opened meanwhile: the page showed none
            aps_form = ApsForm(request.POST, prefix="apsnew")
            aps_form.is_valid()
            done, conflict = False, locking.EditConflict(aps)
        else:
            raise Http404
        if done:
            return redirect("rights:person", pk=person.pk)
        if conflict is not None:  # show what is saved now, beside the editor's input
            person = get_object_or_404(deadlines.with_rights(Person.objects.visible_to(m)), pk=pk)
            afis = latest(related(person, "afis_files"))
            aps = latest(related(person, "aps_files"))
            afis_current = afis if afis is not None and afis.running else None
            aps_can_renew = aps is not None and aps.issued_on is not None
            if op == "afis":
                conflict_rows = _differences(afis_form, afis_current, AFIS_FIELDS)
            else:
                conflict_rows = _differences(aps_form, aps, APS_FIELDS)

    eligibility = services.eligibility(person, today)
    next_ = deadlines.next_by_right(person, today)
    pathway = deadlines.current_pathway(person)
    last_period = deadlines.last_period(pathway) if pathway else None
    return render(
        request,
        "rights/person_rights.html",
        {
            "title": _("Droits — %(ref)s") % {"ref": person.reference},
            "person": person,
            "today": today,
            "eligibility": eligibility,
            "amount": services.amount_for(person, today),
            "territory": rules.Territory(rules.territory_of(person.departement_id)).label,
            "payer": rules.PAYER,
            "payer_basis": rules.AFIS_PAYER,
            "afis": afis,
            "afis_current": afis_current,
            "afis_history": [f for f in related(person, "afis_files") if f != afis_current],
            "aps": aps,
            "aps_history": [f for f in related(person, "aps_files") if f != aps],
            "aps_can_renew": aps_can_renew,
            "afis_form": afis_form,
            "aps_form": aps_form,
            "aps_new_form": aps_new_form,
            "next_afis": next_["afis"],
            "next_aps": next_["aps"],
            "pathway": pathway,
            "last_period": last_period,
            "aps_lead_days": rules.aps_renewal_lead_days(),
            "aps_basis": rules.APS,
            "afis_version": _version(request, "afis", afis_current, conflict),
            "aps_version": _version(request, "aps", aps, conflict),
            "afis_conflict": locking.conflict_context(conflict, conflict_rows) if op == "afis" else None,
            "aps_conflict": locking.conflict_context(conflict, conflict_rows) if op != "afis" else None,
        },
        status=409 if conflict else 200,
    )
