"""AFIS and APS in the demo: one person for each case the rights pages and the « À faire » list show.

`choose` picks, before the files are opened, people in an authorised period (the Gard association first, so
that `travailleuse` sees them) and sets what their case needs (children, resources, residence); `build`
records their AFIS and APS files with `rights.services.save_afis` / `save_aps`, each step on its own day;
`check` reads the cases back through the same services the pages use.

AFIS: eligible without a request yet (2 children); request sent more than two months ago, no payment; being
paid (1 child); stopped at the end of each period and asked again for the next; receiving the ADA (not
eligible); resources unknown. APS: needed (no residence permit); receipt about to expire; issued and expiring
within 60 days; expired after a renewal request, then renewed. Mayotte: four children (`people.py`). And a
person who turns 18 shortly, before the session that examines her request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from parcours.core import clock
from parcours.core.prefetch import related
from parcours.pathway.rules import PathwayStatus, RequestStatus, add_months
from parcours.people.models import HealthCover, Person, ResidenceStatus
from parcours.rights import deadlines, rules, services
from parcours.rights.models import AfisFile, ApsFile
from parcours.rights.services import AfisDates, ApsDates

from .common import NON_EU, D, between, moment

if TYPE_CHECKING:
    from .generator import Generator, Story

RS = ResidenceStatus
AFIS_CASES = ("afis_eligible", "afis_unpaid", "afis_paid", "afis_periods", "afis_ada", "afis_unknown")
APS_CASES = ("aps_needed", "aps_receipt", "aps_expiring", "aps_renewed")


# --- Choosing the people --------------------------------------------------------------------------------
def choose(g: Generator) -> None:
    T = g.today
    active = [s for s in g.stories if s.expect[0] == PathwayStatus.ACTIVE and s.chain is not None]
    # The Gard association first (what `travailleuse` sees), then the others, in story order.
    pool = sorted(active, key=lambda s: (g.association_of[id(s.person)] != "horizon", s.index))
    g.case_story: dict[str, Story] = {}

    def take(case: str, *wishes: Callable[[Story], bool]) -> Story:
        """The first free story that meets the most wishes (they are dropped from the last one)."""
        for n in range(len(wishes), -1, -1):
            for s in pool:
                if s.person not in g.cases.values() and all(w(s) for w in wishes[:n]):
                    g.cases[case] = s.person
                    g.case_story[case] = s
                    return s
        raise RuntimeError(f"Démo : aucun parcours en cours pour le cas « {case} ».")

    def foreign(s):
        return s.person.nationality.code in NON_EU

    # The most demanding first. Cases of both rights share a person where they naturally go together.
    take("aps_renewed", foreign, lambda s: s.chain.n >= 2, lambda s: s.chain.starts[0] <= T - D(days=250))
    g.cases["afis_periods"] = g.cases["aps_renewed"]
    take("aps_expiring", foreign, lambda s: s.chain.starts[0] <= T - D(days=190))
    g.cases["afis_paid"] = g.cases["aps_expiring"]
    take("afis_unpaid", lambda s: s.chain.starts[-1] <= T - D(days=75))
    take("aps_receipt", foreign, lambda s: s.chain.starts[-1] <= T - D(days=30))
    take("afis_eligible", lambda s: s.chain.starts[-1] >= T - D(days=120))
    take("aps_needed", foreign)
    take("afis_ada", foreign)
    take("afis_unknown")
    # The dates of the residence papers, known now so that the files say the same as the APS records.
    rng = g.rng
    g.aps_expiring_on = T + D(days=rng.randint(20, 50))
    g.receipt_expires_on = T + D(days=rng.randint(8, 25))
    g.renewed_issued_on = T - D(days=rng.randint(10, 30))
    for case in (*AFIS_CASES, *APS_CASES):
        _situation(g, case, g.cases[case])
    _turns_18(g)


def _adult_resident(g: Generator, person: Person, resources: int | None, children: int | None = None) -> None:
    """Meets the residence condition (an APS for a foreigner), with these resources, neither RSA nor ADA."""
    if person.nationality.code in NON_EU:
        person.residence_status = RS.APS
        person.residence_permit_expiry = g.today + D(days=g.rng.randint(150, 300))
        if person.health_cover not in (HealthCover.PUMA, HealthCover.CSS):
            person.health_cover, person.health_cover_expiry = HealthCover.PUMA, None
    person.monthly_resources = None if resources is None else Decimal(resources)
    person.receives_rsa = person.receives_ada = False
    if children is not None:
        person.dependent_children = children


def _situation(g: Generator, case: str, person: Person) -> None:
    rng, T = g.rng, g.today
    if person.association_id == g.orgs["horizon"].pk:
        person.referent = g.members["travailleuse"].user
    if case == "afis_eligible":
        _adult_resident(g, person, rng.randrange(150, 400, 10), children=2)
    elif case == "afis_unpaid":
        _adult_resident(g, person, rng.randrange(0, 300, 10))
    elif case == "afis_paid":  # also aps_expiring
        _adult_resident(g, person, rng.randrange(0, 300, 10), children=1)
        person.residence_permit_expiry = g.aps_expiring_on
    elif case == "afis_periods":  # also aps_renewed
        _adult_resident(g, person, rng.randrange(100, 400, 10))
        person.residence_permit_expiry = add_months(g.renewed_issued_on, 6)
    elif case == "afis_unknown":
        _adult_resident(g, person, None)
    elif case == "afis_ada":
        person.residence_status = RS.ASYLUM_SEEKER
        person.residence_permit_expiry = T - D(days=rng.randint(5, 20))  # her attestation just expired
        person.health_cover, person.health_cover_expiry = HealthCover.PUMA, None
        person.receives_ada, person.receives_rsa, person.monthly_resources = True, False, Decimal(426)
    elif case == "aps_needed":
        person.residence_status, person.residence_permit_expiry = RS.NONE, None
        person.health_cover, person.health_cover_expiry = HealthCover.AME, T + D(days=rng.randint(60, 300))
        person.monthly_resources, person.receives_rsa, person.receives_ada = Decimal(150), False, False
    elif case == "aps_receipt":
        _adult_resident(g, person, rng.randrange(0, 400, 10))
        person.residence_status, person.residence_permit_expiry = RS.RECEIPT, g.receipt_expires_on


def _turns_18(g: Generator) -> None:
    """A person whose request goes to the coming session and who turns 18 before it: the AFIS page shows the
    age condition not met yet, and the day it will be."""
    T = g.today
    preparing = [s for s in g.stories if s.expect[0] == PathwayStatus.PREPARING]
    story = min(preparing, key=lambda s: (s.expect[1] != RequestStatus.SCHEDULED,
                                          g.association_of[id(s.person)] != "horizon", s.index))  # fmt: skip
    birthday = T + D(days=g.rng.randint(12, 25))
    story.person.birth_date = add_months(birthday, -12 * rules.ADULT_AGE)
    g.cases["turns_18"] = story.person


# --- Recording the files ----------------------------------------------------------------------------------
def build(g: Generator) -> None:
    T = g.today
    # Everyone in an authorised period whom the law makes eligible gets her AFIS, but these.
    no_afis = {g.cases[case] for case in (*AFIS_CASES, "aps_needed")}
    _afis_unpaid(g)
    _paid_with_expiring_aps(g)
    _periods_with_renewed_aps(g)
    _receipt(g)
    for s in g.stories:
        person = s.person
        if s.expect[0] != PathwayStatus.ACTIVE or s.chain is None or person in no_afis:
            continue
        if services.eligibility(_fresh(person), T).eligible:
            requested = min(s.chain.starts[-1] + D(days=g.rng.randint(5, 25)), T)
            paid = requested + D(days=g.rng.randint(25, 45))
            _afis(g, person, requested, paid if paid <= T else None)


def _fresh(person: Person) -> Person:
    return deadlines.with_rights(Person.objects.filter(pk=person.pk)).get()


def _save_afis(g: Generator, person: Person, day: dt.date, dates: AfisDates, afis: AfisFile | None = None):
    with clock.travel_to(moment(g, day, 15, 30)):
        return services.save_afis(person, g.member(person.referent_id), dates, afis)


def _save_aps(g: Generator, person: Person, day: dt.date, dates: ApsDates, aps: ApsFile | None = None):
    with clock.travel_to(moment(g, day, 14, 45)):
        return services.save_aps(person, g.member(person.referent_id), dates, aps)


def _afis(g, person, requested: dt.date, paid: dt.date | None, stopped: dt.date | None = None) -> AfisFile:
    """Asked on one day, the first payment recorded on its day, the stop at the end of the period."""
    dates = AfisDates(requested_on=requested)
    afis = _save_afis(g, person, requested, dates)
    if paid is not None:
        dates.first_payment_on = paid
        afis = _save_afis(g, person, paid, dates, afis)
    if stopped is not None:
        dates.stopped_on, dates.stop_reason = stopped, rules.AfisStopReason.PATHWAY_ENDED
        dates.comment = "Fin de la période autorisée : nouvelle demande à adresser pour la période suivante."
        afis = _save_afis(g, person, stopped + D(days=2), dates, afis)
    return afis


def _aps(g, person, requested: dt.date, issued: dt.date | None, expires: dt.date | None,
         receipt_expires: dt.date | None = None, renewal: dt.date | None = None) -> ApsFile:  # fmt: skip
    """Request, receipt a few days later, then the APS issued; each recorded on its day."""
    receipt = requested + D(days=3)
    dates = ApsDates(requested_on=requested)
    aps = _save_aps(g, person, requested, dates)
    dates.receipt_on = receipt
    dates.receipt_expires_on = receipt_expires or add_months(receipt, 3)
    aps = _save_aps(g, person, receipt, dates, aps)
    if issued is not None:
        dates.issued_on, dates.expires_on = issued, expires
        aps = _save_aps(g, person, issued, dates, aps)
    if renewal is not None:
        dates.renewal_requested_on = renewal
        aps = _save_aps(g, person, renewal, dates, aps)
    return aps


def _afis_unpaid(g: Generator) -> None:
    """Asked more than two months ago, no payment yet: the MSA is to be chased."""
    T, person = g.today, g.cases["afis_unpaid"]
    start = g.case_story["afis_unpaid"].chain.starts[-1]
    _afis(g, person, between(g.rng, start + D(days=3), T - D(days=68)), None)


def _paid_with_expiring_aps(g: Generator) -> None:
    """APS issued some five months ago and ending within 60 days; the AFIS asked after it, and paid."""
    rng, T, person = g.rng, g.today, g.cases["aps_expiring"]
    chain = g.case_story["aps_expiring"].chain
    requested = min(max(chain.starts[0] + D(days=7), T - D(days=220)), T - D(days=80))
    issued = requested + D(days=35)
    _aps(g, person, requested, issued, g.aps_expiring_on)
    afis_asked = issued + D(days=7)
    _afis(g, person, afis_asked, afis_asked + D(days=rng.randint(25, 30)))


def _periods_with_renewed_aps(g: Generator) -> None:
    """An AFIS for each period, stopped at its end and asked again for the next; a first APS that expired
    while its renewal was pending, and the renewed APS."""
    rng, T, person = g.rng, g.today, g.cases["aps_renewed"]
    chain = g.case_story["aps_renewed"].chain
    renewed_issued = g.renewed_issued_on
    first_expires = renewed_issued - D(days=rng.randint(8, 20))
    first_issued = max(chain.starts[0] + D(days=40), first_expires - D(days=183))
    renewal_asked = first_expires - D(days=rng.randint(40, 55))
    # The MSA pays from the APS on, one request per authorised period.
    for i in range(chain.n):
        requested = min(max(chain.starts[i] + D(days=rng.randint(5, 15)), first_issued + D(days=7)), T)
        if requested > chain.ends[i] - D(days=20):
            continue
        paid = requested + D(days=rng.randint(25, 40))
        last = i == chain.n - 1
        if not last:  # paid within the period it is stopped at the end of
            paid = min(paid, chain.ends[i] - D(days=1))
        _afis(g, person, requested, paid if paid <= T else None, None if last else chain.ends[i])
    _aps(g, person, first_issued - D(days=35), first_issued, first_expires, renewal=renewal_asked)
    _aps(g, person, renewal_asked, renewed_issued, add_months(renewed_issued, 6))
    g.first_aps_expired_on = first_expires


def _receipt(g: Generator) -> None:
    """APS asked, receipt given, its end in a few weeks: to be extended."""
    rng, T, person = g.rng, g.today, g.cases["aps_receipt"]
    start = g.case_story["aps_receipt"].chain.starts[-1]
    requested = between(rng, max(start + D(days=5), T - D(days=80)), T - D(days=25))
    _aps(g, person, requested, None, None, receipt_expires=g.receipt_expires_on)


# --- Reading back -----------------------------------------------------------------------------------------
def check(g: Generator) -> list[str]:
    """Each case as the rights pages will show it; a message per case that does not."""
    T = g.today
    found = {case: _fresh(person) for case, person in g.cases.items()}
    labels = {case: [d.label for d in deadlines.person_deadlines(p, T)] for case, p in found.items()}

    def afis(p):
        return related(p, "afis_files")

    expected = {
        "afis_eligible": lambda p: services.eligibility(p, T).eligible is True and not afis(p),
        "afis_unpaid": lambda p: any("Relancer la MSA" in label for label in labels["afis_unpaid"]),
        "afis_paid": lambda p: (
            p.dependent_children == 1 and any(f.first_payment_on and f.running for f in afis(p))
        ),
        "afis_periods": lambda p: (
            len(afis(p)) >= 2 and any(f.stop_reason == rules.AfisStopReason.PATHWAY_ENDED for f in afis(p))
        ),
        "afis_ada": lambda p: p.receives_ada and services.eligibility(p, T).eligible is False,
        "afis_unknown": lambda p: services.eligibility(p, T).eligible is None,
        "aps_needed": lambda p: any("Demande d'APS" in label for label in labels["aps_needed"]),
        "aps_receipt": lambda p: any("Récépissé" in label for label in labels["aps_receipt"]),
        "aps_expiring": lambda p: T <= (services.valid_aps_expiry(p, T) or T - D(days=1)) <= T + D(days=60),
        "aps_renewed": lambda p: (
            len(related(p, "aps_files")) == 2 and services.valid_aps_expiry(p, T) is not None
        ),
        "turns_18": lambda p: T < rules.birthday(p.birth_date, rules.ADULT_AGE) <= T + D(days=60),
        "mayotte": lambda p: p.departement_id == "976" and services.amount_for(p, T).territory == "mayotte",
    }
    return [f"Droits : le cas « {case} » n'apparaît pas comme prévu." for case, ok in expected.items()
            if not ok(found[case])]  # fmt: skip


def summary(today: dt.date) -> dict:
    return {"afis_files": AfisFile.objects.count(), "aps_files": ApsFile.objects.count()}
