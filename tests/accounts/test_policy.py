"""accounts/policy.py: one answer to "who may", and a membership that is not active is refused everywhere.

Before this module, the follow-up checked `is_active` but the visibility rules, the people, records, rights
and pathway services and the privacy export did not: a membership deactivated (a worker who left) still saw
every person of her association through `Person.objects.visible_to`, could open a request
(`transitions.open_request`) or add a name to a file (`people.add_other_name`). These tests failed then.
"""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from parcours.accounts import policy
from parcours.core.errors import DomainError
from parcours.pathway import transitions as t
from parcours.pathway.models import CommissionSession as Session
from parcours.pathway.models import Pathway
from parcours.pathway.models import PathwayRequest as Request
from parcours.people import services as people
from parcours.people.models import Person
from parcours.privacy.export import may_export

from ..conftest import authorised_pathway, complete_content


def deactivate(membership):
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    return membership


@pytest.mark.django_db
def test_an_inactive_membership_is_refused_every_action_of_the_table(personas):
    person = personas.person(referent=personas.worker.user)
    for m in (personas.worker, personas.head, personas.secretariat, personas.agent, personas.national):
        assert any(policy.can(m, action) for action in policy.RULES)
        deactivate(m)
        assert [a for a in policy.RULES if policy.can(m, a)] == []
        assert [a for a in policy.RULES if policy.can(m, a, person)] == []


@pytest.mark.django_db
def test_an_inactive_membership_sees_nobody_through_the_visibility_rules(personas):
    person = personas.person(referent=personas.worker.user)
    authorised_pathway(personas, person, submitted_on=dt.date(2025, 1, 6), session_on=dt.date(2025, 2, 3),
                       decided_on=dt.date(2025, 2, 10))  # fmt: skip
    for m in (personas.worker, personas.secretariat, personas.agent):
        assert Person.objects.visible_to(m).exists()
        deactivate(m)
        assert not Person.objects.visible_to(m).exists()
        assert not Pathway.objects.visible_to(m).exists()
        assert not Request.objects.visible_to(m).exists()
        assert not Session.objects.visible_to(m).exists()


@pytest.mark.django_db
def test_an_inactive_membership_changes_nothing_through_the_services(personas):
    person = personas.person(referent=personas.worker.user)
    assert may_export(personas.worker, person)
    deactivate(personas.worker)
    assert not may_export(personas.worker, person)
    with pytest.raises(DomainError):
        people.add_other_name(person, personas.worker, "Graphie fictive")
    with pytest.raises(DomainError):
        t.open_request(person, "entry", personas.worker, complete_content())
    assert person.other_names.count() == 0 and not Request.objects.filter(pathway__person=person).exists()


@pytest.mark.django_db
def test_the_object_rules_answer_for_one_person(personas):
    mine = personas.person(referent=personas.worker.user)
    colleague_s = personas.person()  # her referent is someone else
    assert policy.can(personas.worker, "read_sensitive", mine)
    assert not policy.can(personas.worker, "read_sensitive", colleague_s)
    assert policy.can(personas.head, "read_sensitive", colleague_s)
    assert not policy.can(personas.outsider, "person_file", mine)
    assert policy.can(personas.head, "erase_person", mine)
    assert not policy.can(personas.worker, "erase_person", mine)


@pytest.mark.django_db
def test_the_visibility_rules_give_people_only_to_roles_the_table_lets_see_them(personas):
    """Agreement of the SQL rules with the table: a role the table gives no page on people sees nobody."""
    person = personas.person(referent=personas.worker.user)
    authorised_pathway(personas, person, submitted_on=dt.date(2025, 1, 6), session_on=dt.date(2025, 2, 3),
                       decided_on=dt.date(2025, 2, 10))  # fmt: skip
    for m in (personas.worker, personas.head, personas.volunteer, personas.intern, personas.secretariat,
              personas.member, personas.agent, personas.national):  # fmt: skip
        sees = Person.objects.visible_to(m).exists()
        assert sees == (policy.can(m, "person_view") or policy.can(m, "shared_people")), m.role
        # The object rule of a page on one person is the visibility rule itself.
        assert policy.can(m, "person_view", person) == (sees and policy.can(m, "person_view")), m.role
    outsider_sees = policy.can(personas.outsider, "person_view", person)
    assert (outsider_sees, policy.can(personas.other_agent, "person_view", person)) == (False, False)


@pytest.mark.django_db
def test_the_template_tag_gives_the_policy_answer(personas):
    person = personas.person(referent=personas.worker.user)
    template = Template('{% load policy %}{% can "read_sensitive" person as ok %}{{ ok|yesno:"oui,non" }}')
    answers = []
    for m in (personas.worker, personas.volunteer, deactivate(personas.head)):
        request = RequestFactory().get("/")
        request.membership = m
        answers.append(template.render(Context({"request": request, "person": person})))
    assert answers == ["oui", "non", "non"]
