"""A hand-built year of pathways (2025) in the Gard and the Bouches-du-Rhône, for the statistics tests."""

import datetime as dt
import random

import pytest

from parcours.pathway import rules
from parcours.pathway.models import Avis, CommissionSession, Decision, Exit, Pathway, PathwayRequest, Period
from parcours.rights.models import AfisFile, ApsFile

from ..factories import OrganisationFactory, PersonFactory, commission, departement

GENDERS = ["woman", "woman", "woman", "trans_woman", "man", "undisclosed"]
NATIONALITIES = ["NG", "RO", "CN", "FR", "", "BR"]


def _one(rng, association, code, user, sessions):
    person = PersonFactory(
        association=association,
        departement=departement(code),
        gender=rng.choice(GENDERS),
        nationality=rng.choice(NATIONALITIES),
    )
    pathway = Pathway.objects.create(
        person=person,
        association=association,
        departement=departement(code),
        status="active",
        rule_version="2016",
    )
    submitted = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(0, 200))
    req = PathwayRequest.objects.create(
        pathway=pathway,
        kind="entry",
        status="authorised",
        commission=commission(code),
        created_by=user,
        submitted_on=submitted,
    )
    session = rng.choice([s for s in sessions[code] if s.date > submitted])
    kind = rng.choice(["favourable", "favourable", "favourable", "unfavourable"])
    Avis.objects.create(request=req, session=session, kind=kind, recorded_by=user)
    decided = session.date + dt.timedelta(days=rng.randrange(3, 40))
    refused = rng.random() < 0.2
    Decision.objects.create(request=req, kind="refused" if refused else "authorised", decided_on=decided,
                            decided_by=user)  # fmt: skip
    if refused:
        pathway.status = rules.PathwayStatus.REFUSED
        pathway.save()
        return
    end = decided + dt.timedelta(days=182)
    Period.objects.create(pathway=pathway, request=req, number=1, start=decided, end=end, months=6)
    if rng.random() < 0.5:
        AfisFile.objects.create(
            person=person, requested_on=decided, first_payment_on=decided + dt.timedelta(30), updated_by=user
        )
    if rng.random() < 0.6:
        ApsFile.objects.create(
            person=person, requested_on=decided, issued_on=decided + dt.timedelta(20), updated_by=user
        )
    if rng.random() < 0.15:
        Exit.objects.create(
            pathway=pathway, date=decided + dt.timedelta(60), reason=rng.choice(["withdrawn", "moved"])
        )
        pathway.status = rules.PathwayStatus.EXITED
        pathway.save()


@pytest.fixture
def year(personas):
    """About 100 pathways: 60 of the Gard association, 25 of a Bouches-du-Rhône one, 15 of another in 30."""
    rng = random.Random(13)
    marseille = OrganisationFactory(departement=departement("13"), name="Association fictive 13")
    nimes = OrganisationFactory(departement=departement("30"), name="Deuxième association fictive 30")
    sessions = {
        code: [
            CommissionSession.objects.create(
                commission=commission(code), date=dt.date(2025, m, 15), status="held"
            )
            for m in range(2, 13)
        ]
        for code in ("30", "13")
    }
    user = personas.worker.user
    for association, code, n in ((personas.association, "30", 60), (marseille, "13", 25), (nimes, "30", 15)):
        for _ in range(n):
            _one(rng, association, code, user, sessions)
    return personas
