"""Pages of the transfers of a person's file. Views read through the visibility rules and change nothing
themselves: the services do (and journal their refusals). Before the acceptance, the receiving association
reads a pseudonymised summary only (reference, initials, birth year, nationality, pathway months): the
identity is shown to whoever may open the person's file, i.e. the sending association until the acceptance,
the receiving one after it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from parcours.accounts.permissions import FORM, requires
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.pathway.deadlines import summarise
from parcours.pathway.models import Pathway
from parcours.people.models import Person

from . import services
from .forms import AcceptForm, CancelForm, RefuseForm, TransferRequestForm
from .models import Transfer


def _transfer(request, pk) -> Transfer:
    transfer = get_object_or_404(
        Transfer.objects.visible_to(request.membership).select_related(
            "person", "from_association", "to_association", "from_departement", "to_departement",
            "requested_by", "decided_by", "new_referent",
        ),
        pk=pk,
    )  # fmt: skip
    request.audit_person_id = transfer.person_id
    return transfer


def _data(request):
    """The form's data: bound on a POST, even an empty one (a missing box is an error, not a blank form)."""
    return request.POST if request.method == "POST" else None


def _identified(membership, transfer) -> bool:
    return Person.objects.visible_to(membership).filter(pk=transfer.person_id).exists()


def _pathway_summary(person):
    pathway = (
        Pathway.objects.filter(person=person).exclude(status="exited").prefetch_related("periods", "requests")
        .first()
    )  # fmt: skip
    return (pathway, summarise(pathway, clock.today())) if pathway else (None, None)


@requires("transfers")
def transfer_list(request):
    m = request.membership
    related = ("person", "from_association", "to_association", "to_departement", "from_departement")
    incoming = list(Transfer.objects.incoming(m).select_related(*related))
    outgoing = list(Transfer.objects.outgoing(m).select_related(*related))
    visible = set(
        Person.objects.visible_to(m)
        .filter(pk__in={t.person_id for t in incoming + outgoing})
        .values_list("pk", flat=True)
    )
    return render(request, "transfers/list.html", {
        "title": _("Transferts de dossiers"), "visible": visible,
        "incoming_pending": [t for t in incoming if t.pending],
        "incoming_done": [t for t in incoming if not t.pending],
        "outgoing": outgoing,
    })  # fmt: skip


@requires("transfer_request", methods=FORM)
def create(request, pk):
    m = request.membership
    person = get_object_or_404(Person.objects.visible_to(m).select_related("departement"), pk=pk)
    request.audit_person_id = person.pk
    if not services.may_request(m, person):
        messages.error(request, _("Seules la référente de la personne et la cheffe de service peuvent "
                                  "demander le transfert de son dossier."))  # fmt: skip
        return redirect("people:person", pk=person.pk)
    pending = services.pending_transfer(person)
    obstacle = services.request_obstacle(person)
    form = TransferRequestForm(
        _data(request), associations=services.receiving_associations(person),
        initial={"to_departement": person.departement_id, "consent_given_on": clock.today()},
    )  # fmt: skip
    if request.method == "POST" and obstacle is None and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.request_transfer(
                person, m, to_association=data["to_association"], to_departement=data["to_departement"],
                consent_given_on=data["consent_given_on"], consent_method=data["consent_method"],
                message=data["message"],
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            sent = _("La demande de transfert est envoyée à « %(name)s ». Le dossier reste le vôtre "
                     "jusqu'à son acceptation.")  # fmt: skip
            messages.success(request, sent % {"name": transfer.to_association})
            return redirect("transfers:detail", pk=transfer.pk)
    return render(request, "transfers/create.html", {
        "title": _("Transférer le dossier"), "person": person, "form": form, "obstacle": obstacle,
        "pending": pending,
    })  # fmt: skip


@requires("transfers")
def detail(request, pk):
    m = request.membership
    transfer = _transfer(request, pk)
    identified = _identified(m, transfer)
    pathway, summary = _pathway_summary(transfer.person)
    receiving = transfer.to_association_id == m.organisation_id
    return render(request, "transfers/detail.html", {
        "title": transfer.reference, "transfer": transfer, "identified": identified,
        "person": transfer.person, "pathway": pathway, "summary": summary, "receiving": receiving,
        # The sending association, once the file is gone, keeps the facts of the transfer only.
        "show_file": transfer.pending or identified,
        "may_decide": transfer.pending and services.may_decide(m, transfer),
        "may_cancel": transfer.pending and services.may_cancel(m, transfer),
    })  # fmt: skip


def _refused(request, transfer, message: str):
    """Back to the transfer with the reason; a form sent anyway is an attempt, journaled as refused."""
    messages.error(request, message)
    if request.method == "POST":
        audit.record_refusal(request.membership, "transfer.denied", transfer, request=request)
    return redirect("transfers:detail", pk=transfer.pk)


def _not_answerable(request, transfer):
    if not transfer.pending:
        return _refused(request, transfer, _("Ce transfert n'est plus en attente de réponse."))
    if not services.may_decide(request.membership, transfer):
        return _refused(request, transfer, _("Seule la cheffe de service de l'association qui reçoit le "
                                             "dossier peut accepter ou refuser ce transfert."))  # fmt: skip
    return None


@requires("transfer_decide", methods=FORM)
def accept(request, pk):
    m = request.membership
    transfer = _transfer(request, pk)
    refused = _not_answerable(request, transfer)
    if refused is not None:
        return refused
    form = AcceptForm(_data(request), staff=services.receiving_staff(m.organisation),
                      initial={"referent": m.user_id})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_transfer(transfer, m, referent=form.cleaned_data["referent"])
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("transfers:detail", pk=transfer.pk)
        messages.success(request, _("Le transfert est accepté : le dossier est désormais suivi par votre "
                                    "association."))  # fmt: skip
        return redirect("people:person", pk=transfer.person_id)
    pathway, summary = _pathway_summary(transfer.person)
    return render(request, "transfers/accept.html", {
        "title": _("Accepter le transfert"), "transfer": transfer, "form": form, "pathway": pathway,
        "summary": summary,
    })  # fmt: skip


@requires("transfer_decide", methods=FORM)
def refuse(request, pk):
    m = request.membership
    transfer = _transfer(request, pk)
    refused = _not_answerable(request, transfer)
    if refused is not None:
        return refused
    form = RefuseForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.refuse_transfer(transfer, m, form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Le transfert est refusé : l'association qui l'a demandé en est "
                                        "informée sur sa page des transferts."))  # fmt: skip
        return redirect("transfers:detail", pk=transfer.pk)
    return render(request, "transfers/refuse.html", {
        "title": _("Refuser le transfert"), "transfer": transfer, "form": form,
    })  # fmt: skip


@requires("transfer_cancel", methods=FORM)
def cancel(request, pk):
    m = request.membership
    transfer = _transfer(request, pk)
    if not transfer.pending:
        return _refused(request, transfer, _("Ce transfert n'est plus en attente de réponse."))
    if not services.may_cancel(m, transfer):
        return _refused(request, transfer, _("Seules la cheffe de service de l'association qui transfère, la "
                                             "référente de la personne ou l'auteur de la demande peuvent "
                                             "l'annuler."))  # fmt: skip
    form = CancelForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_transfer(transfer, m)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("La demande de transfert est annulée."))
        return redirect("transfers:detail", pk=transfer.pk)
    return render(request, "transfers/cancel.html", {
        "title": _("Annuler la demande de transfert"), "transfer": transfer, "form": form,
        "identified": _identified(m, transfer),
    })  # fmt: skip
