"""The request file for the commission: the full version (identity) for the secretariat, the préfecture and
the association; the pseudonymised version (references, initials, age band, nationality) for the commission's
members (rules.PSEUDONYMISED_FILE). Which version a reader may have is decided by the views, with the
visibility rules of the pathway (pathway/visibility.py) and the policy; this module only builds each one, and
the pseudonymised one never receives the person's names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from parcours.accounts.letterhead import letterhead_for
from parcours.pathway.models import Pathway, PathwayRequest
from parcours.people.models import Person

from . import rules
from .letters import prefecture_letterhead


@dataclass(frozen=True)
class Pseudonym:
    """What a commission member reads of the person: nothing that names her."""

    reference: str
    initials: str
    age_band: str
    nationality: str
    gender: str


def pseudonym(person: Person, on: dt.date) -> Pseudonym:
    return Pseudonym(
        reference=person.reference,
        initials=person.initials,
        age_band=rules.age_band(person.age(on)),
        nationality=person.nationality.name or "—",
        gender=person.get_gender_display(),
    )


def _content(req: PathwayRequest) -> dict:
    pathway: Pathway = req.pathway
    return {
        "req": req,
        "pathway": pathway,
        "association": pathway.association,
        "actions": list(req.actions.all()),
        "commitments": list(req.commitments.all()),
        "periods": list(pathway.periods.order_by("number")),
        "avis_list": list(req.avis.select_related("session").order_by("session__date")),
        "sessions": [
            item.session for item in req.agenda_items.select_related("session").order_by("session__date")
        ],
    }


def _letterhead(req: PathwayRequest):
    """The commission's heading when the request reached one, else the préfecture's of the département."""
    if req.commission is not None:
        return letterhead_for(req.commission)
    return prefecture_letterhead(req.pathway.departement)


def full_file(req: PathwayRequest, issued_on: dt.date) -> tuple[str, dict]:
    context = _content(req)
    person = req.pathway.person
    context.update(
        {
            "letterhead": _letterhead(req),
            "issued_on": issued_on,
            "person": person,
            "identified": True,
            "version_label": _("Version complète — secrétariat de la commission et préfecture"),
        }
    )
    return "papers/request_file.html", context


def pseudonymised_file(req: PathwayRequest, issued_on: dt.date) -> tuple[str, dict]:
    context = _content(req)
    context.update(
        {
            "letterhead": _letterhead(req),
            "issued_on": issued_on,
            "pseudonym": pseudonym(req.pathway.person, issued_on),
            "identified": False,
            "version_label": _("Version pseudonymisée — membres de la commission"),
            "pseudonymised_basis": {
                "text": rules.PSEUDONYMISED_FILE.text,
                "verified": rules.PSEUDONYMISED_FILE.verified,
            },
        }
    )
    return "papers/request_file.html", context
