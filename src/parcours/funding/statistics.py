"""Funding in the association's statistics and annual activity report: the grants running during the
period, with the amount granted and the charges booked in the period (statistics/sections.py)."""

import datetime as dt
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import formats
from django.utils.translation import gettext as _

from parcours.statistics.sections import Section

from .models import Grant


def euros(amount: Decimal | None) -> str:
    return formats.number_format(amount or Decimal(0), 2, use_l10n=True, force_grouping=True) + " €"


def funding_section(organisation, start: dt.date, end: dt.date) -> Section | None:
    in_period = Q(charges__date__range=(start, end))
    grants = (
        Grant.objects.filter(funder__association=organisation, starts_on__lte=end, ends_on__gte=start)
        .select_related("funder")
        .annotate(spent=Sum("charges__amount", filter=in_period))
        .order_by("funder__name", "starts_on", "pk")
    )
    rows = [
        (g.funder.name, g.label, f"{formats.date_format(g.starts_on, 'SHORT_DATE_FORMAT')} – "
         f"{formats.date_format(g.ends_on, 'SHORT_DATE_FORMAT')}", euros(g.amount), euros(g.spent))
        for g in grants
    ]  # fmt: skip
    if not rows:
        return None
    granted = sum((g.amount for g in grants), Decimal(0))
    spent = sum((g.spent or Decimal(0) for g in grants), Decimal(0))
    rows.append((_("Total"), "", "", euros(granted), euros(spent)))
    return Section(
        code="funding",
        title=_("Financements"),
        intro=_(
            "Subventions et conventions en cours pendant la période : montant accordé pour toute leur durée, "
            "dépenses imputées pendant la période."
        ),
        columns=(
            _("Financeur"),
            _("Intitulé"),
            _("Durée"),
            _("Montant accordé"),
            _("Dépenses de la période"),
        ),
        rows=tuple(rows),
        total_row=True,
    )
