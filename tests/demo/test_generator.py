"""The demo data set: deterministic, complete (every state), invented, and created only once by `demo`."""

import datetime as dt
import io
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from parcours.accounts.models import Membership, Organisation, User
from parcours.accounts.roles import OrganisationKind, Role
from parcours.core import clock
from parcours.demo.generator import ACCOUNTS, DEMO_PASSWORD, fold, generate
from parcours.pathway.models import (
    Avis,
    CommissionSession,
    Decision,
    Event,
    Exit,
    Pathway,
    PathwayRequest,
    Period,
)
from parcours.pathway.rules import PathwayStatus, RequestStatus
from parcours.people.models import Person

TODAY = dt.date(2026, 3, 16)

# Common real first names, French and Nigerian among others: none may appear in the demo.
_COMMON = """
    Marie Nathalie Isabelle Sylvie Catherine Sophie Julie Camille Léa Manon Emma Chloé Inès Sarah Laura
    Blessing Joy Favour Precious Peace Gift Esther Mercy Grace Chioma Ngozi Adaeze Amaka Funmilayo Folake
"""
COMMON_FIRST_NAMES = _COMMON.split()


def fingerprint() -> dict:
    """Everything the generator wrote, without database ids."""

    def name(person):
        return f"{person.first_name} {person.last_name}"

    return {
        "organisations": sorted(
            (o.kind, o.name, o.departement_id or "", o.approval_number, str(o.approval_start))
            for o in Organisation.objects.all()
        ),
        "users": sorted((u.username, u.first_name, u.last_name) for u in User.objects.all()),
        "people": sorted(
            (
                name(p),
                p.alias,
                str(p.birth_date),
                p.nationality.code,
                p.gender,
                p.languages,
                p.departement_id,
                p.association.name,
                p.created_at.isoformat(),
            )
            for p in Person.objects.select_related("association")
        ),
        "sessions": sorted(
            (
                s.commission.departement_id,
                str(s.date),
                s.status,
                s.place,
                tuple(name(i.request.pathway.person) for i in s.agenda.all()),
            )
            for s in CommissionSession.objects.select_related("commission")
        ),
        "requests": sorted(
            (
                name(r.pathway.person),
                r.pathway.status,
                r.kind,
                r.status,
                str(r.submitted_on),
                str(r.signed_on),
                r.situation,
                r.motivation,
                r.evaluation,
                r.created_at.isoformat(),
                tuple((a.domain, a.description, str(a.target_date)) for a in r.actions.all()),
                tuple(c.text for c in r.commitments.all()),
            )
            for r in PathwayRequest.objects.select_related("pathway__person")
        ),
        "periods": sorted(
            (name(p.pathway.person), p.number, str(p.start), str(p.end)) for p in Period.objects.all()
        ),
        "avis": sorted(
            (name(a.request.pathway.person), str(a.session.date), a.kind, a.reason)
            for a in Avis.objects.all()
        ),
        "decisions": sorted(
            (name(d.request.pathway.person), d.kind, str(d.decided_on), d.motivation)
            for d in Decision.objects.all()
        ),
        "exits": sorted(
            (name(e.pathway.person), str(e.date), e.reason, e.housing, e.activity) for e in Exit.objects.all()
        ),
        "events": sorted(
            (
                name(e.pathway.person),
                e.at.isoformat(),
                e.action,
                e.from_status,
                e.to_status,
                e.actor.username if e.actor else "",
                e.comment,
            )
            for e in Event.objects.select_related("pathway__person", "actor")
        ),
    }


def snapshot(seed: int) -> dict:
    """Generate at a fixed date, read what is needed, and roll everything back."""
    with transaction.atomic():
        started = time.perf_counter()
        with clock.travel_to(TODAY):
            result = generate(seed=seed)
        elapsed = time.perf_counter() - started
        data = {
            "result": result,
            "elapsed": elapsed,
            "fingerprint": fingerprint(),
            "pathway_statuses": set(Pathway.objects.values_list("status", flat=True)),
            "request_statuses": set(PathwayRequest.objects.values_list("status", flat=True)),
            "memberships": [
                (m.user.username, m.role, m.organisation.kind, m.organisation.departement_id)
                for m in Membership.objects.select_related("user", "organisation")
            ],
            "associations": [
                (
                    o.name,
                    o.approval_number,
                    o.approval_start,
                    sorted(o.departements_served.values_list("code", flat=True)),
                )
                for o in Organisation.objects.filter(kind=OrganisationKind.ASSOCIATION)
            ],
            "names": list(Person.objects.values_list("first_name", "last_name", "alias")),
            "password_ok": all(u.check_password(DEMO_PASSWORD) for u in User.objects.all()[:2]),
            "coming_agendas": {
                s.commission.departement_id: s.agenda.count()
                for s in CommissionSession.objects.filter(date__gt=TODAY).order_by("-date")
            },
        }
        transaction.set_rollback(True)
    return data


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return snapshot(seed=2026)


def test_generation_is_fast_and_consistent(demo):
    print(f"\nDemo generated in {demo['elapsed']:.1f} s: {demo['result']['counts']}")
    # The brief asks for < 15 s; the bound is looser because the shared test machines are noisy.
    assert demo["elapsed"] < 30
    assert demo["result"]["anomalies"] == []


@pytest.mark.django_db
def test_same_seed_same_data_other_seed_other_data(demo):
    assert snapshot(seed=2026)["fingerprint"] == demo["fingerprint"]
    assert snapshot(seed=7)["fingerprint"]["people"] != demo["fingerprint"]["people"]


def test_every_pathway_and_request_state_appears(demo):
    assert demo["pathway_statuses"] == set(PathwayStatus.values)
    assert demo["request_statuses"] == set(RequestStatus.values)


def test_size_of_the_data_set(demo):
    counts = demo["result"]["counts"]
    assert 140 <= counts["people"] <= 160
    assert 38 <= counts["pathways"] <= 55
    assert counts["people_without_pathway"] > counts["pathways"]  # many are followed without a PSP
    # A session about every two months over 2.5 years, for each of the two commissions, and coming ones.
    assert counts["sessions_past"] >= 26
    assert counts["sessions_coming"] >= 2
    assert set(demo["coming_agendas"]) == {"30", "13"}
    assert sum(demo["coming_agendas"].values()) >= 4


def test_one_account_per_role_with_memorable_names(demo):
    roles = Counter(role for _, role, _, _ in demo["memberships"])
    assert set(roles) == set(Role.values)
    gard = {username: (role, dept) for username, role, _, dept in demo["memberships"]}
    for username, role in (("travailleuse", Role.SOCIAL_WORKER), ("cheffe", Role.HEAD_OF_SERVICE),
                           ("benevole", Role.VOLUNTEER), ("stagiaire", Role.INTERN),
                           ("secretariat", Role.SECRETARIAT), ("membre", Role.COMMISSION_MEMBER),
                           ("prefecture", Role.PREFECTURE_AGENT)):  # fmt: skip
        assert gard[username] == (role, "30")
    assert gard["national"] == (Role.NATIONAL_ADMIN, None)
    assert len(demo["result"]["accounts"]) == len(ACCOUNTS)
    assert demo["password_ok"]


def test_organisations(demo):
    assert len(demo["associations"]) == 3
    for _name, number, start, served in demo["associations"]:
        assert number and start and served
    kinds = Counter((kind, dept) for _, _, kind, dept in demo["memberships"])
    for dept in ("30", "13"):
        assert kinds[(OrganisationKind.COMMISSION, dept)] >= 1
        assert kinds[(OrganisationKind.PREFECTURE, dept)] >= 1


def test_names_are_invented(demo):
    common = {fold(n) for n in COMMON_FIRST_NAMES}
    assert len(common) == 30
    for first, last, alias in demo["names"]:
        assert fold(first) not in common
        assert alias == "" or fold(alias) not in common
        assert last.startswith("Démo-")
    assert len({(first, last) for first, last, _ in demo["names"]}) == len(demo["names"])
    # Some accents, so that accent-insensitive search can be shown.
    assert any(fold(first) != first.lower() for first, _, _ in demo["names"])


@pytest.mark.django_db
def test_demo_command_generates_once_and_reuses(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    out = io.StringIO()
    with clock.travel_to(TODAY):
        call_command("demo", "--no-server", stdout=out)
    first = (
        Person.objects.count(),
        Pathway.objects.count(),
        PathwayRequest.objects.count(),
        Event.objects.count(),
    )
    assert first[0] >= 140
    text = out.getvalue()
    assert "Données fictives créées" in text
    assert "travailleuse" in text and DEMO_PASSWORD in text
    assert DBTaskResult.objects.filter(
        task_path="parcours.pathway.tasks.expire_periods_task", queue_name="deadlines"
    ).exists()

    out = io.StringIO()
    with clock.travel_to(TODAY):
        call_command("demo", "--no-server", stdout=out)
    assert "Données existantes réutilisées" in out.getvalue()
    assert (Person.objects.count(), Pathway.objects.count(), PathwayRequest.objects.count(),
            Event.objects.count()) == first  # fmt: skip
    assert User.objects.filter(username="travailleuse").count() == 1


@pytest.mark.django_db
def test_demo_reset_regenerates(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    with clock.travel_to(TODAY):
        call_command("demo", "--no-server", stdout=io.StringIO())
        Person.objects.create(association=Organisation.objects.filter(kind="association").first(),
                              first_name="Marqueuse", last_name="Démo-Test", departement_id="30")  # fmt: skip
        assert Person.objects.count() == 151
        call_command("demo", "--no-server", "--reset", stdout=io.StringIO())
    assert Person.objects.count() == 150
    assert all(p.first_name != "Marqueuse" for p in Person.objects.all())
    assert Organisation.objects.filter(kind=OrganisationKind.COMMISSION).count() == 2


@pytest.mark.django_db
def test_enqueue_daily_tasks():
    before = DBTaskResult.objects.count()
    out = io.StringIO()
    call_command("enqueue_daily_tasks", stdout=out)
    from parcours.core.management.commands.enqueue_daily_tasks import DAILY_TASKS

    assert DBTaskResult.objects.count() == before + len(DAILY_TASKS)
    for path in DAILY_TASKS:
        assert path.rsplit(".", 1)[1] in out.getvalue()
