"""The funding of the demo's associations (issue 12, item 6): for Horizon (Gard) a State grant of the year
(délégation aux droits des femmes) that reports the association's indicators, and an AGRASC grant funding a
job counsellor post for six months on each of two sites; for Boussole (Bouches-du-Rhône) an AGRASC project
of eighteen months and a grant of the Région. Expenses and hours are charged to each.

Everything goes through parcours.funding.services, on dates relative to today; no draw: the same day gives the
same data. Names of funders are fictional; no person is named (a post is a role).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from parcours.core import clock
from parcours.core.periods import add_months, period_end
from parcours.funding import services
from parcours.funding.models import Charge, FundedPost, Funder, Grant

if TYPE_CHECKING:
    from .generator import Generator

STATE_INDICATORS = [
    "people_followed", "psp_people", "psp_new", "workshop_sessions", "workshop_attendances",
    "workshop_participants", "dropin_sessions", "dropin_visits", "volunteer_hours", "outreach_rounds",
    "outreach_contacts",
]  # fmt: skip
JOB_INDICATORS = [
    "people_followed", "psp_people", "workshop_sessions", "workshop_participants", "employment_participants",
    "employment_placements", "employment_supports",
]  # fmt: skip


def build(g: Generator) -> None:
    build_for(horizon_head=g.members["cheffe"], boussole_head=g.members["cheffe13"], today=g.today)


def _month_start(day: dt.date, back: int) -> dt.date:
    return add_months(day.replace(day=1), -back)


def _charges(grant: Grant, head, today: dt.date, label: str, amount: str, hours: str | None = None) -> None:
    """One charge a month, on the 28th, from the grant's first month to today's (within the grant)."""
    day = grant.starts_on.replace(day=28) if grant.starts_on.day <= 28 else grant.starts_on
    n = 1
    while day <= min(today, grant.ends_on):
        services.add_charge(
            grant, head, date=day, label=f"{label} — mois {n}", amount=Decimal(amount),
            hours=Decimal(hours) if hours else None,
        )  # fmt: skip
        day, n = add_months(day, 1), n + 1


def build_for(*, horizon_head, boussole_head, today: dt.date) -> dict[str, object]:
    year_start, year_end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    with clock.travel_to(year_start - dt.timedelta(days=20)):
        state = services.create_funder(
            horizon_head, kind="state_ddfe",
            name="Délégation aux droits des femmes et à l'égalité du Gard (fictive)",
        )  # fmt: skip
        agrasc = services.create_funder(horizon_head, kind="agrasc", name="AGRASC — appel à projets (fictif)")
        services.create_funder(horizon_head, kind="departement", name="Département du Gard (fictif)")
        state_grant = services.create_grant(
            horizon_head, funder=state, label=f"Convention {today.year} — accompagnement PSP (fictive)",
            starts_on=year_start, ends_on=year_end, amount=Decimal("48000.00"),
            purpose="Accompagnement social global des personnes engagées ou s'engageant dans le parcours de "
            "sortie de la prostitution ; permanences d'accueil, maraudes et ateliers collectifs.",
            conditions="Compte rendu financier et bilan d'activité avant le 30 juin de l'année suivante ; "
            "mention du soutien de l'État sur les supports de communication.",
            indicators=STATE_INDICATORS, report_due_on=dt.date(today.year + 1, 6, 30),
        )  # fmt: skip
    # The AGRASC job counsellor: a year from the first of the month ten months ago, six months on each site.
    job_start = _month_start(today, 10)
    with clock.travel_to(job_start - dt.timedelta(days=15)):
        job_grant = services.create_grant(
            horizon_head, funder=agrasc, label="Poste de conseillère en insertion professionnelle (fictif)",
            starts_on=job_start, ends_on=period_end(job_start, 12), amount=Decimal("36000.00"),
            purpose="Financement d'un poste de conseillère en insertion professionnelle, six mois à Nîmes "
            "puis six mois à Alès, pour les personnes accompagnées vers l'emploi.",
            conditions="Bilan intermédiaire à six mois ; justificatifs de salaire.",
            indicators=JOB_INDICATORS,
        )  # fmt: skip
        for i, site in enumerate(("Nîmes", "Alès")):
            first = add_months(job_start, 6 * i)
            services.add_post(
                job_grant, horizon_head, role="Conseillère en insertion professionnelle", sites=site,
                months=6, starts_on=first, ends_on=period_end(first, 6),
            )  # fmt: skip
    with clock.travel_to(today):
        _charges(state_grant, horizon_head, today, "Loyer et charges du local d'accueil", "950.00")
        _charges(job_grant, horizon_head, today, "Salaire chargé de la conseillère en insertion", "2850.00",
                 hours="151.67")  # fmt: skip
    # Boussole: an AGRASC project of eighteen months begun eight months ago, and the Région's grant.
    project_start = _month_start(today, 8)
    with clock.travel_to(project_start - dt.timedelta(days=30)):
        agrasc13 = services.create_funder(
            boussole_head, kind="agrasc", name="AGRASC — projet insertion (fictif)"
        )
        region = services.create_funder(boussole_head, kind="region", name="Région Sud (fictive)")
        project = services.create_grant(
            boussole_head, funder=agrasc13, label="Projet « Nouveau départ » sur 18 mois (fictif)",
            starts_on=project_start, ends_on=period_end(project_start, 18), amount=Decimal("54000.00"),
            purpose="Ateliers vers l'emploi et accompagnement renforcé des personnes en parcours de sortie.",
            conditions="Rapport à neuf mois et rapport final.",
            indicators=["people_followed", "psp_people", "psp_new", "workshop_sessions",
                        "employment_participants", "employment_placements"],
            report_due_on=add_months(project_start, 9),  # the nine-month report: due within weeks
        )  # fmt: skip
        region_grant = services.create_grant(
            boussole_head, funder=region, label=f"Soutien régional {today.year} (fictif)",
            starts_on=year_start, ends_on=year_end, amount=Decimal("12000.00"),
            purpose="Fonctionnement de l'accueil de jour.", indicators=["people_followed"],
        )  # fmt: skip
    with clock.travel_to(today):
        _charges(project, boussole_head, today, "Animation des ateliers emploi", "1200.00", hours="24")
        _charges(region_grant, boussole_head, today, "Frais de fonctionnement de l'accueil", "600.00")
    return {"state": state_grant, "job": job_grant, "project": project, "region": region_grant}


def summary(today: dt.date | None = None) -> dict:
    return {
        "funders": Funder.objects.count(),
        "grants": Grant.objects.count(),
        "funded_posts": FundedPost.objects.count(),
        "charges": Charge.objects.count(),
    }
