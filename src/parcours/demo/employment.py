"""Employment and training in the demo (issue 12): the directory of the Gard and of the Bouches-du-Rhône
(fictional agencies, training bodies, social partners), the seed's two programmes and a France Travail
agreement, some professional projects and supports.

- « Pour un nouveau départ » (Collectif Boussole Imaginaire, Bouches-du-Rhône): a cohort of nine — an
  information meeting, a day of coaching, a job-dating with eight temp agencies (two hired at once, seven to a
  training of two and a half months paid at the minimum wage), two drop-outs, four employed after the training
  and one waiting for a mission, one of the two hired at once waiting for her next mission: six employed in
  all, two waiting; aids of the temp-work social fund (housing, mobility, childcare).
- « Accompagnement global France Travail » (Horizon, Gard): a 12-month agreement with France Travail (fictif),
  people supported under it and enrolled in the programme; `partenaire` sees the employment part of those who
  consented to share it with France Travail, and nothing of the others.

Everything goes through the services, travelling to the day each thing happened; dates are relative to today.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from parcours.core import clock
from parcours.directory import services as directory
from parcours.employment import services
from parcours.people.models import Person, SharingScope
from parcours.people.visibility import active_sharing_consents

from .common import D

if TYPE_CHECKING:
    from .generator import Generator

AGENCIES_13 = (
    "Intérim Démo-Sud",
    "Intérim Démo-Calanques",
    "Intérim Démo-Vieux-Port",
    "Intérim Démo-Estaque",
    "Intérim Démo-Joliette",
    "Intérim Démo-Canebière",
    "Intérim Démo-Étang",
    "Intérim Démo-Huveaune",
)
OTHERS_13 = (
    ("training", "Formation Démo-Calanques", "Marseille", "Formations qualifiantes rémunérées"),
    ("housing", "Résidence sociale Démo-Vieux-Port", "Marseille", "Logements temporaires"),
    ("employer", "Nettoyage Démo-Provence", "Aubagne", "Agentes de propreté"),
)
ENTRIES_30 = (
    ("temp_agency", "Intérim Démo-Garrigues", "Nîmes", "Missions en logistique et propreté"),
    ("training", "Formation Démo-Nîmes", "Nîmes", "Remise à niveau et français à visée professionnelle"),
    ("housing", "Hébergement Démo-Costières", "Nîmes", "Hébergement d'urgence et insertion"),
    ("health", "Centre de santé Démo-Arènes", "Nîmes", "Consultations sans avance de frais"),
    ("legal", "Permanence juridique Démo-Arènes", "Nîmes", "Accès au droit, droit des étrangers"),
    ("asylum", "Plateforme asile Démo-Gardon", "Alès", "Premier accueil des demandeuses d'asile"),
    ("employer", "Restauration Démo-Maison-Carrée", "Nîmes", "Cuisine collective"),
)
TRADES = (
    "Agente de propreté",
    "Aide à domicile",
    "Commis de cuisine",
    "Préparatrice de commandes",
    "Couturière",
    "Agente hôtelière",
    "Caissière",
)
LEVELS = ("A1", "A2", "A2", "B1", "B1", "B2")
FASTT = "FASTT — fonds d'action sociale du travail temporaire (fictif)"


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.PARIS)


def build(g: Generator) -> None:
    rng = random.Random(g.rng.getrandbits(32))
    build_for(
        worker13=g.members["travailleuse13"],
        worker30=g.members["travailleuse"],
        france_travail=g.orgs["france_travail"],
        today=g.today,
        rng=rng,
    )


def _people(worker, n: int) -> list[Person]:
    people = Person.objects.visible_to(worker).filter(archived_on__isnull=True).order_by("pk")
    return list(people[:n])


def _project(person, worker, rng, day, **extra):
    with clock.travel_to(at(day)):
        return services.save_project(
            person,
            worker,
            target_trades=rng.choice(TRADES),
            french_level=rng.choice(LEVELS),
            qualifications=rng.choice(("", "CAP fictif obtenu au pays", "Aucun diplôme reconnu en France")),
            childcare=rng.random() < 0.4,
            mobility=rng.random() < 0.5,
            health=rng.random() < 0.15,
            readiness=extra.pop("readiness", "ready"),
            **extra,
        )


def build_for(*, worker13, worker30, france_travail, today: dt.date, rng: random.Random) -> None:
    start = today - D(days=160)
    with clock.travel_to(at(start - D(days=30))):
        agencies = [
            directory.create_entry(
                worker13, kind="temp_agency", name=n, town="Marseille", contact="Accueil de l'agence (fictif)"
            )
            for n in AGENCIES_13
        ]
        for kind, name, town, what in OTHERS_13:
            directory.create_entry(worker13, kind=kind, name=name, town=town, description=what)
        entries30 = [
            directory.create_entry(worker30, kind=kind, name=name, town=town, description=what)
            for kind, name, town, what in ENTRIES_30
        ]
    _nouveau_depart(worker13, agencies, start, rng)
    _france_travail(worker30, france_travail, entries30, today, rng)


def _nouveau_depart(w, agencies, start: dt.date, rng) -> None:
    nine = _people(w, 9)
    assert len(nine) == 9, "the Bouches-du-Rhône association needs nine people for the seed's cohort"
    for person in nine:
        _project(person, w, rng, start - D(days=20), readiness="ready")
    with clock.travel_to(at(start - D(days=14))):
        programme = services.create_programme(
            w,
            name="Pour un nouveau départ",
            directory_entries=agencies,
            description="Accès à l'emploi par l'intérim : information, coaching, job-dating, formation",
        )
        cohort = services.create_cohort(programme, w, label="Promotion 1", starts_on=start)
        for person in nine:
            services.enrol(cohort, w, person)
        info = services.add_step(cohort, w, kind="information", starts_on=start)
        coaching = services.add_step(cohort, w, kind="coaching", starts_on=start + D(days=7))
        dating = services.add_step(
            cohort, w, kind="job_dating", starts_on=start + D(days=14), employers=agencies, interviews=22
        )
        training = services.add_step(
            cohort, w, kind="training", starts_on=start + D(days=28), ends_on=start + D(days=28 + 75)
        )
        placement = services.add_step(cohort, w, kind="placement", starts_on=start + D(days=106))
        follow_up = services.add_step(cohort, w, kind="follow_up", starts_on=start + D(days=140))
    hired, trainees = nine[:2], nine[2:]
    dropped, completed = trainees[:2], trainees[2:]
    employed, waiting = completed[:4], completed[4]
    with clock.travel_to(at(dating.starts_on, 18)):
        for step in (info, coaching, dating):
            for p in nine:
                services.set_step_status(step, w, p, "done")
        for p in hired:
            services.record_outcome(
                dating,
                w,
                p,
                kind="hired_at_once",
                on=dating.starts_on,
                contract="temp_mission",
                weekly_hours=35,
            )
        for p in trainees:
            services.record_outcome(dating, w, p, kind="in_training", on=dating.starts_on)
    with clock.travel_to(at(training.ends_on, 18)):
        for p in completed:
            services.set_step_status(training, w, p, "done")
        for n, p in enumerate(dropped):
            services.set_step_status(training, w, p, "absent")
            services.record_outcome(
                training,
                w,
                p,
                kind="dropped_out",
                on=training.starts_on + D(days=20 + 9 * n),
                reason=(
                    "Garde d'enfant impossible aux horaires de la formation.",
                    "Problème de santé : arrêt de la formation.",
                )[n],
            )
    with clock.travel_to(at(placement.starts_on, 18)):
        for p in completed:
            services.set_step_status(placement, w, p, "done")
        for p, contract in zip(
            employed, ("temp_mission", "temp_mission", "fixed_term", "permanent"), strict=True
        ):
            services.record_outcome(
                placement, w, p, kind="employed", on=placement.starts_on, contract=contract, weekly_hours=35
            )
        services.record_outcome(placement, w, waiting, kind="waiting", on=placement.starts_on)
    with clock.travel_to(at(follow_up.starts_on, 18)):
        for p in [*hired, *employed]:
            services.set_step_status(follow_up, w, p, "done")
        services.record_outcome(follow_up, w, hired[0], kind="waiting", on=follow_up.starts_on)
    # The temp-work social fund's aids, and the training paid at the minimum wage by the region.
    with clock.travel_to(at(training.starts_on + D(days=10))):
        for p, kind in zip(
            trainees[:5], ("housing", "mobility", "childcare", "mobility", "childcare"), strict=True
        ):
            services.record_support(
                p,
                w,
                kind=kind,
                body=FASTT,
                status="granted",
                requested_on=training.starts_on - D(days=7),
                decided_on=training.starts_on + D(days=5),
            )
        for p in trainees:
            services.record_support(
                p,
                w,
                kind="training_pay",
                body="Région (fictif)",
                status="granted",
                requested_on=dating.starts_on,
                decided_on=training.starts_on,
                ends_on=training.ends_on,
            )


def _france_travail(w, france_travail, entries, today: dt.date, rng) -> None:
    starts = today - D(days=300)
    with clock.travel_to(at(starts - D(days=10))):
        agreement = services.create_agreement(
            w,
            label="Accompagnement global France Travail",
            partner=france_travail,
            starts_on=starts,
            ends_on=starts + D(days=2 * 365),
            support_months=12,
            terms="12 mois d'accompagnement global par personne : un entretien mensuel conjoint, un point "
            "d'étape à 6 mois, un bilan à 12 mois.",
        )
        programme = services.create_programme(
            w,
            name="Accompagnement global France Travail",
            partners=[france_travail],
            directory_entries=entries[:2],
        )
    consenting = {
        c.person_id
        for c in active_sharing_consents(france_travail.pk, today)
        if SharingScope.EMPLOYMENT in (c.scopes or [])
    }
    people = _people(w, 400)
    shared = [p for p in people if p.pk in consenting][:4]
    others = [p for p in people if p.pk not in consenting][:4]
    group = shared + others
    cohort_start = today - D(days=200)
    with clock.travel_to(at(cohort_start - D(days=7))):
        cohort = services.create_cohort(programme, w, label="Promotion du Gard", starts_on=cohort_start)
        info = services.add_step(cohort, w, kind="information", starts_on=cohort_start)
        coaching = services.add_step(
            cohort,
            w,
            kind="coaching",
            starts_on=cohort_start + D(days=14),
            ends_on=cohort_start + D(days=120),
        )
        placement = services.add_step(cohort, w, kind="placement", starts_on=cohort_start + D(days=150))
        for n, person in enumerate(group):
            services.enrol(cohort, w, person)
            services.enrol_under_agreement(agreement, w, person, starts + D(days=30 + 10 * n))
    for person in group:
        _project(person, w, rng, cohort_start - D(days=30), readiness="building")
        _project(person, w, rng, cohort_start + D(days=60))
    with clock.travel_to(at(placement.starts_on, 18)):
        for person in group:
            services.set_step_status(info, w, person, "done")
            services.set_step_status(coaching, w, person, "done")
        for person in group[:3]:
            services.set_step_status(placement, w, person, "done")
            services.record_outcome(
                placement,
                w,
                person,
                kind="employed",
                on=placement.starts_on,
                contract="subsidised",
                weekly_hours=26,
            )
        services.record_outcome(coaching, w, group[3], kind="in_training", on=coaching.ends_on)
        services.record_support(
            group[0],
            w,
            kind="mobility",
            body="France Travail (fictif)",
            status="granted",
            requested_on=placement.starts_on - D(days=20),
            decided_on=placement.starts_on - D(days=5),
        )
