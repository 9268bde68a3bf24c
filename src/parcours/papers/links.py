"""Where the papers are offered: on the request page (the file, the document of the pathway, the préfet's
letter and the certificates once decided) and in the pathway block of the person's page (the early-end
letter). Only what the reader's role may open and what exists for the object (no certificate after a
refusal)."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.translation import gettext as _

from parcours.accounts.policy import can
from parcours.accounts.roles import Role
from parcours.pathway import rules as pathway_rules
from parcours.pathway.models import DecisionKind

from .letters import needs_aps


def _link(label, name, pk) -> dict:
    return {"label": label, "url": reverse(name, kwargs={"pk": pk})}


def request_links(membership, req) -> list[dict]:
    links = []
    if can(membership, "request_file"):
        links.append(_link(_("Dossier de demande (PDF)"), "papers:request_file", req.pk))
        links.append(_link(_("Document formalisant le parcours (PDF)"), "papers:pathway_document", req.pk))
    if can(membership, "request_file_pseudonymised") and membership.role != Role.PREFECTURE_AGENT:
        links.append(
            _link(_("Dossier pseudonymisé pour les membres (PDF)"), "papers:request_file_members", req.pk)
        )
    try:
        decision = req.decision
    except ObjectDoesNotExist:
        decision = None
    if decision is not None and can(membership, "official_letters"):
        links.append(_link(_("Lettre de décision du préfet (PDF)"), "papers:decision_letter", decision.pk))
        if decision.kind == DecisionKind.AUTHORISED:
            links.append(
                _link(_("Attestation pour la MSA — AFIS (PDF)"), "papers:afis_certificate", decision.pk)
            )
            if needs_aps(req.pathway.person):
                links.append(
                    _link(
                        _("Attestation pour le service des étrangers — APS (PDF)"),
                        "papers:aps_certificate",
                        decision.pk,
                    )
                )
    return links


def agenda_links(membership, req) -> list[dict]:
    """On the session page: the pseudonymised file of each request on the agenda, for the members (who open no
    request page) and for the secretariat that prints it for them."""
    if membership.role in (Role.COMMISSION_MEMBER, Role.SECRETARIAT) and can(
        membership, "request_file_pseudonymised"
    ):
        return [_link(_("Dossier pseudonymisé (PDF)"), "papers:request_file_members", req.pk)]
    return []


def pathway_links(membership, pathway) -> list[dict]:
    """The papers of a pathway as a whole (the person's page): the préfet's early-end letter."""
    exit_ = getattr(pathway, "exit", None) if _has_exit(pathway) else None
    if (
        exit_ is not None
        and exit_.reason == pathway_rules.ExitReason.ENDED_EARLY
        and can(membership, "official_letters")
    ):
        return [_link(_("Lettre de fin anticipée du parcours (PDF)"), "papers:early_end_letter", pathway.pk)]
    return []


def _has_exit(pathway) -> bool:
    try:
        pathway.exit  # noqa: B018
    except ObjectDoesNotExist:
        return False
    return True
