"""The préfet's letters (authorisation, renewal, refusal, early end) and the certificates for the MSA (AFIS)
and the foreigners' service (APS): what each template prints, read from the pathway's own rows.

No function here reads who asks: the views find the object through the visibility rule, then call these.
Each returns the template and its context; `parcours.core.pdf.render_pdf` makes the PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from parcours.accounts.letterhead import LetterheadData, letterhead_for
from parcours.accounts.models import Organisation
from parcours.accounts.roles import OrganisationKind
from parcours.pathway import rules as pathway_rules
from parcours.pathway.models import Decision, DecisionKind, Pathway, PathwayRequest, Period
from parcours.people.models import Person
from parcours.rights import rules as rights_rules
from parcours.rights import services as rights

from . import rules

RK = pathway_rules.RequestKind


class NotApplicable(Exception):
    """The paper does not exist for this object (a refused decision has no certificate...): a 404."""


# --- Who writes, to whom -------------------------------------------------------------------------------
def prefecture_of(departement) -> Organisation | None:
    return Organisation.objects.filter(kind=OrganisationKind.PREFECTURE, departement=departement).first()


def prefecture_letterhead(departement) -> LetterheadData:
    """The letterhead of the préfecture of `departement`; without a préfecture in Parcours, the State's usual
    heading for the département (never an empty heading on a préfet's letter)."""
    org = prefecture_of(departement)
    if org is not None:
        return letterhead_for(org)
    name = departement.name if departement else ""
    return LetterheadData(
        authority=_("Préfecture — %(name)s") % {"name": name},
        service_lines=(),
        address_lines=(),
        city=name,
        signatory_name="",
        signatory_title=_("Le préfet"),
        configured=False,
    )


def civility(person: Person) -> str:
    return {
        "woman": _("Madame"),
        "trans_woman": _("Madame"),
        "man": _("Monsieur"),
        "trans_man": _("Monsieur"),
    }.get(person.gender, "")


@dataclass(frozen=True)
class Recipient:
    """The person, reached through the association that follows her (domain.md §3, step 5): her address is
    never printed, the association's is."""

    civility: str
    name: str
    care_of: str
    address_lines: tuple[str, ...]


def recipient(person: Person, association: Organisation) -> Recipient:
    association_head = letterhead_for(association)
    return Recipient(
        civility=civility(person),
        name=person.full_name,
        care_of=association.name,
        address_lines=association_head.address_lines,
    )


def _money(amount) -> str:
    return f"{number_format(amount, 2)} €"


def _basis(basis) -> dict:
    return {"text": basis.text, "verified": basis.verified}


def _common(pathway: Pathway, issued_on: dt.date) -> dict:
    return {
        "letterhead": prefecture_letterhead(pathway.departement),
        "issued_on": issued_on,
        "pathway": pathway,
        "person": pathway.person,
        "association": pathway.association,
        "recipient": recipient(pathway.person, pathway.association),
    }


def _avis(req: PathwayRequest):
    return req.avis.select_related("session").order_by("session__date").last()


def _period(req: PathwayRequest) -> Period | None:
    try:
        return req.period
    except ObjectDoesNotExist:
        return None


# --- The préfet's decision letters ----------------------------------------------------------------------
DECISION_TEMPLATES = {
    ("authorised", RK.ENTRY): "papers/letter_authorisation.html",
    ("authorised", RK.RENEWAL): "papers/letter_renewal.html",
    ("refused", RK.ENTRY): "papers/letter_refusal.html",
    ("refused", RK.RENEWAL): "papers/letter_refusal.html",
}


def decision_letter(decision: Decision) -> tuple[str, dict]:
    req = decision.request
    pathway = req.pathway
    context = _common(pathway, decision.decided_on)
    period = _period(req)
    context.update(
        {
            "decision": decision,
            "req": req,
            "avis": _avis(req),
            "period": period,
            # The authorised end, even when an exit closed the period since (Period.planned_end).
            "period_end": (period.planned_end or period.end) if period else None,
            "refusal_reasons": [pathway_rules.RefusalReason(c).label for c in decision.refusal_reasons],
            "remedies": [
                {"title": r.title, "text": r.text, "basis": _basis(r.basis)} for r in rules.REMEDIES
            ],
            "remedy_interruption": _basis(rules.REMEDY_INTERRUPTION),
            "bases": [_basis(rules.L121_9), _basis(rules.DECREE_2016), _basis(rules.CIRCULAR_2017)],
            "duration_basis": _basis(rules.DURATION),
            "aps_basis": _basis(rules.APS),
            "afis_basis": _basis(rules.AFIS_PAYER),
            "foreigner": needs_aps(pathway.person),
        }
    )
    return DECISION_TEMPLATES[(decision.kind, req.kind)], context


def early_end_letter(pathway: Pathway) -> tuple[str, dict]:
    exit_ = rights.exit_of(pathway)
    if exit_ is None or exit_.reason != pathway_rules.ExitReason.ENDED_EARLY:
        raise NotApplicable
    context = _common(pathway, exit_.date)
    last = pathway.periods.order_by("-number").first()
    context.update(
        {
            "exit": exit_,
            "period": last,
            "afis_stop": rights_rules.afis_stop_on(
                exit_.date, (last.planned_end or last.end) if last else None
            ),
            "remedies": [
                {"title": r.title, "text": r.text, "basis": _basis(r.basis)} for r in rules.REMEDIES
            ],
            "remedy_interruption": _basis(rules.REMEDY_INTERRUPTION),
            "bases": [_basis(rules.L121_9), _basis(rules.EARLY_END)],
        }
    )
    return "papers/letter_early_end.html", context


# --- Certificates ---------------------------------------------------------------------------------------
def needs_aps(person: Person) -> bool:
    """A certificate for the foreigners' service makes sense for a person who is not French, EU, EEA or Swiss
    (the APS of CESEDA L425-4 is for foreigners)."""
    return person.nationality.code != "FR" and person.residence_status not in ("french", "eu")


def _authorised(decision: Decision) -> tuple[PathwayRequest, Period]:
    req = decision.request
    period = _period(req)
    if decision.kind != DecisionKind.AUTHORISED or period is None:
        raise NotApplicable
    return req, period


def afis_certificate(decision: Decision, issued_on: dt.date) -> tuple[str, dict]:
    req, period = _authorised(decision)
    pathway = req.pathway
    person = pathway.person
    context = _common(pathway, issued_on)
    amount = rights.amount_for(person, period.start)
    context.update(
        {
            "decision": decision,
            "req": req,
            "period": period,
            "period_end": period.planned_end or period.end,
            "amount": _money(amount.amount) if amount else "",
            "amount_verified": amount.verified if amount else True,
            "amount_basis": _basis(amount.scale.basis) if amount else None,
            "children": person.dependent_children,
            "bases": [_basis(rules.AFIS_PSP), _basis(rules.AFIS_PAYER)],
        }
    )
    return "papers/certificate_afis.html", context


def aps_certificate(decision: Decision, issued_on: dt.date) -> tuple[str, dict]:
    req, period = _authorised(decision)
    pathway = req.pathway
    if not needs_aps(pathway.person):
        raise NotApplicable
    context = _common(pathway, issued_on)
    context.update(
        {
            "decision": decision,
            "req": req,
            "period": period,
            "period_end": period.planned_end or period.end,
            "bases": [_basis(rules.APS), _basis(rules.L121_9)],
        }
    )
    return "papers/certificate_aps.html", context
