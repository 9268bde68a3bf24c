"""Transfers of files between associations in the demo (docs/decisions/0034-file-transfer.md): one waiting for
the answer of `cheffe` (a person of the Bouches-du-Rhône association moving to the Gard), one accepted (from
the Passerelle network to the Bouches-du-Rhône association, in the same département), so that the pages of
both sides and the anonymous trace the sender keeps can be seen. Two files, through the services: cheap."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parcours.core import clock
from parcours.core.models import Departement
from parcours.people.models import Person
from parcours.transfers import services
from parcours.transfers.models import Transfer

from .common import D

if TYPE_CHECKING:
    from .generator import Generator


def _candidate(g: Generator, association: str, departement: str) -> Person | None:
    """A file of `association` in `departement` with no pathway (nothing before a commission), the last one
    created."""
    return (
        Person.objects.filter(association=g.orgs[association], archived_on__isnull=True)
        .filter(departement_id=departement)
        .filter(pathways__isnull=True)
        .order_by("pk")
        .last()
    )


def build(g: Generator) -> None:
    moving = _candidate(g, "boussole", "13")
    if moving is not None:
        with clock.travel_to(g.today - D(days=2)):
            services.request_transfer(
                moving, g.members["cheffe13"], to_association=g.orgs["horizon"],
                to_departement=Departement.objects.get(code="30"), consent_given_on=g.today - D(days=6),
                consent_method="written",
                message="Elle déménage près de sa sœur et souhaite être suivie à Nîmes.",
            )  # fmt: skip
    changing = _candidate(g, "passerelle", "13")
    if changing is not None:
        with clock.travel_to(g.today - D(days=40)):
            transfer = services.request_transfer(
                changing, g.members["cheffe-passerelle"], to_association=g.orgs["boussole"],
                consent_given_on=g.today - D(days=41), consent_method="oral",
            )  # fmt: skip
        with clock.travel_to(g.today - D(days=35)):
            referent = g.members["travailleuse13"].user
            services.accept_transfer(transfer, g.members["cheffe13"], referent=referent)


def summary(today) -> dict:
    return {
        "transfers_pending": Transfer.objects.filter(status="pending").count(),
        "transfers_accepted": Transfer.objects.filter(status="accepted").count(),
    }
