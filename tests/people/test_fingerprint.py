"""The fingerprint of a set of people (people/search.py, rows_fingerprint: the key of the held names and
alphabetical order) is the SHA-256 of every (pk, version) pair in pk order, whether PostgreSQL joins and
hashes them (decision 0063) or Python does, for every shape of queryset the callers pass: each role's
visibility, the caseload's filters, empty sets, SQL holding % or braces, repeated rows. (From the review
of the change.)"""

import datetime as dt
import hashlib

import pytest
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Concat

from parcours.core import clock
from parcours.pathway.models import Pathway
from parcours.people import search
from parcours.people import services as people_services
from parcours.people.models import Person

from ..conftest import request_in_state
from ..factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def python_digest(people):
    digest = hashlib.sha256()
    for pk, version in people.order_by("pk").values_list("pk", "version"):
        digest.update(f"{pk}:{version};".encode())
    return digest.hexdigest()


def shapes(personas):
    partner = OrganisationFactory(kind="partner", name="Partenaire fictif", departement=None)
    counsellor = MembershipFactory(organisation=partner, role="partner_counsellor", user__username="cons")
    people = [personas.person(last_name=f"Empreinte-{n}") for n in range(4)]
    personas.person(last_name="Archivee")
    Person.objects.filter(last_name__isnull=False, pk=people[3].pk).update(version=7)
    # two requests of one person transmitted to the commission: the secretariat's join doubles her row
    request_in_state(personas, "refused", person=people[0])
    request_in_state(personas, "authorised", person=people[0])
    request_in_state(personas, "submitted", person=people[1])
    with clock.travel_to(dt.date(2026, 1, 5)):
        people_services.record_consent(
            people[2], personas.worker, purpose="sharing", given_on=dt.date(2026, 1, 5), partner=partner,
            scopes=["identity_contact"],
        )  # fmt: skip
    out = {}
    for who in ["worker", "head", "volunteer", "secretariat", "agent", "member", "national", "outsider"]:
        out[who] = Person.objects.visible_to(getattr(personas, who))
    out["partner"] = Person.objects.visible_to(counsellor)
    latest = Pathway.objects.filter(person=OuterRef("pk")).order_by("-created_at", "-pk").values("status")[:1]
    base = Person.objects.visible_to(personas.worker).filter(archived_on__isnull=True)
    out["status"] = base.annotate(latest_status=Subquery(latest)).filter(latest_status="active")
    out["no_pathway"] = base.annotate(latest_status=Subquery(latest)).filter(latest_status__isnull=True)
    out["empty_no_exc"] = base.filter(pk=-1)
    out["none"] = base.none()
    out["like_param"] = base.filter(identity_index__contains="5%{x}")
    out["like_literal"] = base.filter(gender__contains=F("gender"))  # Django writes '%%' || … || '%%'
    out["literal"] = base.annotate(t=Concat(F("gender"), Value("%{pk}%%s"))).filter(t__startswith="u")
    out["distinct_values"] = base.filter(pathways__isnull=False).distinct()
    out["reverse_join_dupes"] = base.filter(pathways__requests__isnull=False)  # duplicates, no distinct
    out["extra"] = base.extra(where=["people_person.gender <> '%%{}'"])
    return out


def test_the_fingerprint_is_the_python_digest_for_every_shape(personas):
    with clock.travel_to(dt.date(2026, 3, 10)):
        for name, qs in shapes(personas).items():
            assert search.rows_fingerprint(qs) == python_digest(qs), name


def test_held_name_keys_and_alphabetical_ids_run_for_every_shape(personas):
    with clock.travel_to(dt.date(2026, 3, 10)):
        for name, qs in shapes(personas).items():
            if name in ("none", "volunteer", "member", "national", "extra"):
                continue  # sets that match nobody: no caseload shows them (alphabetical_ids needs a query)
            pks = sorted(qs.values_list("pk", flat=True))
            assert [pk for pk, _ in search.held_name_keys(qs)] == pks, name
            assert sorted(search.alphabetical_ids(qs)) == pks, name
