"""The document that formalises the pathway (document formalisant le parcours), signed by the person and the
association: annex 6 of the circular of 31 January 2017 for an entry, annex 7 for a renewal (rules.
ANNEXES_LAYOUT: the structure of the annexes, their exact headings not re-read). Built from the request's plan
(PlanAction) and commitments (Commitment)."""

from __future__ import annotations

import datetime as dt

from parcours.accounts.letterhead import letterhead_for
from parcours.pathway import rules as pathway_rules
from parcours.pathway.models import PathwayRequest

from . import rules

TEMPLATES = {
    pathway_rules.RequestKind.ENTRY: "papers/pathway_document_entry.html",
    pathway_rules.RequestKind.RENEWAL: "papers/pathway_document_renewal.html",
}


def pathway_document(req: PathwayRequest, issued_on: dt.date) -> tuple[str, dict]:
    pathway = req.pathway
    periods = list(pathway.periods.order_by("number"))
    previous = [p for p in periods if p.request_id != req.pk]
    return TEMPLATES[req.kind], {
        # The association writes and signs it with the person: its heading, its signatory.
        "letterhead": letterhead_for(pathway.association),
        "issued_on": req.signed_on or issued_on,
        "req": req,
        "pathway": pathway,
        "person": pathway.person,
        "association": pathway.association,
        "actions": list(req.actions.all()),
        "commitments": list(req.commitments.all()),
        "previous_periods": previous,
        "months_used": sum(p.months for p in previous),
        "max_months": pathway.rule.max_total_months,
        "layout_basis": {"text": rules.ANNEXES_LAYOUT.text, "verified": rules.ANNEXES_LAYOUT.verified},
    }
