"""Statements compiled once per key (core/compiled.py, decision 0066): the rows are read from the database on
every execution, the slots take each execution's values, and the visibility rules they are built from read
nothing while being built (what the SQL depends on is then all in the key)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.accounts.models import Membership
from parcours.accounts.policy import scope_key
from parcours.core.compiled import Listed, Statements, slot
from parcours.desk import todo_held
from parcours.people.models import Person
from parcours.transfers import services as transfers
from parcours.transfers.models import Transfer

from ..factories import PersonFactory

pytestmark = pytest.mark.django_db
ROLES = ["worker", "head", "volunteer", "intern", "secretariat", "member", "agent", "national"]


def test_compiled_once_then_executed_with_each_executions_values(personas):
    first, second = personas.person(), personas.person()
    statements = Statements()
    builds = []

    def build():
        builds.append(1)
        return Person.objects.filter(pk=slot("pk")).values("pk", "version")

    assert statements.get("one", build).rows(pk=first.pk) == [(first.pk, 0)]
    assert statements.get("one", build).rows(pk=second.pk) == [(second.pk, 0)]
    Person.objects.filter(pk=first.pk).update(version=7)  # read again, not remembered
    assert statements.get("one", build).first(pk=first.pk) == (first.pk, 7)
    assert builds == [1], "built and compiled once for the key"
    with pytest.raises(KeyError):
        statements.get("one", build).rows()  # a slot without its value is an error, never a None
    with pytest.raises(ValueError):
        statements.get("one", build).rows(pk=None)  # would compare as = NULL, matching nothing


def test_listed_binds_any_number_of_pks_as_one_parameter(personas):
    people = [personas.person() for _ in range(3)]
    outside = PersonFactory(association=personas.other_association)
    statements = Statements()
    compiled = statements.get(
        "listed",
        lambda: Person.objects.filter(association=personas.association, pk__any_of=Listed("pks")).values(
            "pk"
        ),
    )
    assert compiled.params.count(compiled.params[-1]) == 1  # one parameter whatever the length
    wanted = [people[2].pk, people[0].pk, outside.pk, 999_999]
    assert sorted(pk for (pk,) in compiled.rows(pks=wanted)) == sorted([people[2].pk, people[0].pk])
    assert compiled.rows(pks=[people[1].pk]) == [(people[1].pk,)]
    assert compiled.rows(pks=[]) == []
    assert len(statements) == 1


def test_a_queryset_that_matches_nothing_gives_no_statement(personas):
    assert Statements().get("none", lambda: Person.objects.none().values("pk")) is None


def test_the_kept_statements_are_dropped_when_full(personas):
    statements = Statements(kept=2)
    for key in ("a", "b", "c"):
        statements.get(key, lambda: Person.objects.filter(pk=slot("pk")).values("pk"))
    assert len(statements) == 1


@pytest.mark.parametrize("who", ROLES)
def test_the_person_visibility_rule_reads_nothing_while_built_and_the_state_matches_the_orm(personas, who):
    """What makes the held pages' state check (desk/todo_held.current_state) correct for every role: the rule
    is made of filters and subqueries, and the compiled statement answers what the ORM answers."""
    membership = Membership.objects.select_related("organisation").get(pk=getattr(personas, who).pk)
    with CaptureQueriesContext(connection) as queries:
        Statements().get(
            "rule", lambda: Person.objects.visible_to(membership).filter(pk__any_of=Listed("pks"))
        )
    assert queries.captured_queries == []
    mine = [personas.person(), personas.person()]
    theirs = PersonFactory(association=personas.other_association)
    pks = [p.pk for p in (*mine, theirs)]
    todo_held._statements.clear()
    orm = (
        Person.objects.visible_to(membership).filter(pk__in=pks).order_by("pk").values_list(*todo_held.STATE)
    )
    assert todo_held.current_state(membership, pks) == tuple(orm)
    expected = 2 if who in ("worker", "head") else 0
    assert len(todo_held.current_state(membership, pks)) == expected


def test_the_state_follows_a_change_of_role_and_of_the_file(personas):
    person = personas.person()
    todo_held._statements.clear()
    worker = Membership.objects.select_related("organisation").get(pk=personas.worker.pk)
    assert todo_held.current_state(worker, [person.pk]) == ((person.pk, 0, person.referent_id, None, None),)
    Person.objects.filter(pk=person.pk).update(version=3)
    assert todo_held.current_state(worker, [person.pk])[0][1] == 3
    Membership.objects.filter(pk=worker.pk).update(role="volunteer")
    volunteer = Membership.objects.select_related("organisation").get(pk=worker.pk)
    assert scope_key(volunteer) != scope_key(worker)
    assert todo_held.current_state(volunteer, [person.pk]) == ()


def test_a_pending_transfer_is_found_for_the_person_and_both_associations(personas):
    person = personas.person()
    other = personas.person()
    assert transfers.pending_transfer(person) is None
    assert Transfer.objects.filter(person_id=other.pk).pending_in_and_out(personas.worker) == ([], [])
    transfer = Transfer.objects.create(
        person=person, from_association=personas.association, to_association=personas.other_association,
        from_departement=personas.association.departement,
        to_departement=personas.other_association.departement,
        requested_by=personas.worker.user, consent_given_on=dt.date(2026, 3, 1), consent_method="written",
    )  # fmt: skip
    assert transfers.pending_transfer(person) == transfer
    # Whatever queryset the check is first built from (the review of decision 0066).
    assert Transfer.objects.filter(person_id=other.pk).pending_in_and_out(personas.worker) == ([], [transfer])
    assert transfers.pending_transfer(other) is None
    assert Transfer.objects.pending_in_and_out(personas.worker) == ([], [transfer])
    assert Transfer.objects.pending_in_and_out(personas.outsider) == ([transfer], [])
    Transfer.objects.filter(pk=transfer.pk).update(status="refused")
    assert transfers.pending_transfer(person) is None
    assert Transfer.objects.pending_in_and_out(personas.outsider) == ([], [])
