"""The PDF papers. Each view finds its object through the visibility rule of the pathway (a decision, a
request or a pathway outside it is a 404, as is a paper that does not exist for it), renders the paper's
template, and answers a PDF named after the case, never after the person. The journal records each download
as a read of the person's file (audit middleware: /documents-officiels/ is declared about people in urls.py).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from parcours.accounts.permissions import requires
from parcours.core import clock
from parcours.core.pdf import render_pdf
from parcours.pathway.models import Decision, Pathway, PathwayRequest
from parcours.pathway.visibility import identified_people

from . import letters, pathway_document, request_file

PATHWAY_RELATED = ("pathway__person", "pathway__association", "pathway__departement", "commission")


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _render(request, built: tuple[str, dict], name: str, reference: str) -> HttpResponse:
    template, context = built
    return pdf_response(render_pdf(template, context), f"{name}-{reference}.pdf")


def _decision(request, pk) -> Decision:
    visible = PathwayRequest.objects.visible_to(request.membership)
    decision = get_object_or_404(
        Decision.objects.filter(request__in=visible).select_related(
            *(f"request__{r}" for r in PATHWAY_RELATED)
        ),
        pk=pk,
    )
    request.audit_person_id = decision.request.pathway.person_id
    return decision


def _identified_request(request, pk) -> PathwayRequest:
    """A request whose person the reader may see named (pathway/visibility.identified_people), or a 404."""
    req = get_object_or_404(
        PathwayRequest.objects.visible_to(request.membership).select_related(*PATHWAY_RELATED), pk=pk
    )
    request.audit_person_id = req.pathway.person_id
    if req.pathway.person_id not in identified_people(request.membership, [req.pathway.person_id]):
        raise Http404
    return req


# --- The préfet's letters and the certificates ----------------------------------------------------------
@requires("official_letters")
def decision_letter(request, pk):
    decision = _decision(request, pk)
    return _render(request, letters.decision_letter(decision), "decision", decision.request.pathway.reference)


@requires("official_letters")
def early_end_letter(request, pk):
    pathway = get_object_or_404(
        Pathway.objects.visible_to(request.membership).select_related("person", "association", "departement"),
        pk=pk,
    )
    request.audit_person_id = pathway.person_id
    try:
        built = letters.early_end_letter(pathway)
    except letters.NotApplicable:
        raise Http404 from None
    return _render(request, built, "fin-anticipee", pathway.reference)


def _certificate(request, pk, build, slug):
    decision = _decision(request, pk)
    try:
        built = build(decision, clock.today())
    except letters.NotApplicable:
        raise Http404 from None
    return _render(request, built, slug, decision.request.pathway.reference)


@requires("official_letters")
def afis_certificate(request, pk):
    return _certificate(request, pk, letters.afis_certificate, "attestation-msa")


@requires("official_letters")
def aps_certificate(request, pk):
    return _certificate(request, pk, letters.aps_certificate, "attestation-aps")


# --- The request file and the document that formalises the pathway --------------------------------------
@requires("request_file")
def request_file_full(request, pk):
    req = _identified_request(request, pk)
    return _render(request, request_file.full_file(req, clock.today()), "dossier", req.pathway.reference)


@requires("request_file_pseudonymised")
def request_file_members(request, pk):
    requests = PathwayRequest.objects.pseudonymised_visible_to(request.membership)
    req = get_object_or_404(requests.select_related(*PATHWAY_RELATED), pk=pk)
    request.audit_person_id = req.pathway.person_id
    built = request_file.pseudonymised_file(req, clock.today())
    return _render(request, built, "dossier-pseudonymise", req.pathway.reference)


@requires("request_file")
def pathway_document_pdf(request, pk):
    req = _identified_request(request, pk)
    built = pathway_document.pathway_document(req, clock.today())
    return _render(request, built, "document-de-parcours", req.pathway.reference)
