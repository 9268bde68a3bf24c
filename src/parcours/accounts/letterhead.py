"""The letterhead printed on an organisation's official papers: its Letterhead row when the organisation set
one, otherwise a default derived from the organisation (its name; the usual signatory for its kind)."""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext as _

from .models import Letterhead, Organisation
from .roles import OrganisationKind


@dataclasses.dataclass(frozen=True)
class LetterheadData:
    authority: str
    service_lines: tuple[str, ...]
    address_lines: tuple[str, ...]
    city: str
    signatory_name: str
    signatory_title: str
    configured: bool


def default_signatory_title(organisation: Organisation) -> str:
    return {
        OrganisationKind.PREFECTURE: _("Le préfet"),
        OrganisationKind.COMMISSION: _("Le président de la commission"),
    }.get(organisation.kind, _("La direction"))


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def letterhead_for(organisation: Organisation) -> LetterheadData:
    row = Letterhead.objects.filter(organisation=organisation).first()
    if row is None:
        departement = organisation.departement
        return LetterheadData(
            authority=organisation.name,
            service_lines=(),
            address_lines=(),
            city=departement.name if departement else "",
            signatory_name="",
            signatory_title=default_signatory_title(organisation),
            configured=False,
        )
    return LetterheadData(
        authority=row.authority,
        service_lines=_lines(row.service_lines),
        address_lines=_lines(row.address),
        city=row.city,
        signatory_name=row.signatory_name,
        signatory_title=row.signatory_title,
        configured=True,
    )
