"""Issue 7, finding 4: refusals were stored without the person, so the head of service searching a person
missed them; reads by commission and préfecture users could be reviewed by nobody.

Before: a refused page under /personnes/<pk>/ was a `denied` row with person_id NULL (the head's search by
reference found nothing), and no page showed the rows of commission and préfecture users (/journal/revue/ was
a 404 and the head's journal filters on her own organisation).
"""

import pytest
from django.db import connection

from parcours.audit import log
from parcours.audit.models import AccessLog


def shown(response) -> list[int]:
    return [row.pk for row in response.context["page"]]


@pytest.mark.django_db
def test_the_head_searching_a_person_sees_the_refusals_about_her_by_anyone(client, personas):
    person = personas.person()
    other = personas.person()
    client.force_login(personas.outsider.user)  # another association: a 404, recorded with the person
    assert client.get(f"/personnes/{person.pk}/").status_code == 404
    assert client.get(f"/suivi/personnes/{person.pk}/entretiens/").status_code == 404
    assert client.get(f"/personnes/{other.pk}/").status_code == 404
    with connection.cursor() as c:
        c.execute("SELECT person_id FROM audit_accesslog WHERE action = 'denied' ORDER BY seq")
        assert [r[0] for r in c.fetchall()] == [person.pk, person.pk, other.pk]
    client.force_login(personas.head.user)
    response = client.get("/journal/", {"person": f"P-{person.pk:06d}"})
    refused = [r for r in response.context["page"] if r.action == "denied"]
    assert len(refused) == 2 and {r.organisation for r in refused} == {personas.other_association}
    # Unfiltered, her journal stays her association's; another head does not see this person's refusals.
    assert not [r for r in client.get("/journal/").context["page"] if r.action == "denied"]


@pytest.mark.django_db
def test_a_refusal_on_an_object_of_a_person_names_the_person(client, personas):
    from parcours.followup import services

    person = personas.person(referent=personas.worker.user)
    from parcours.core import clock

    note = services.add_note(person, personas.worker, domain="health", held_on=clock.today(), text="Fictif.")
    client.force_login(personas.outsider.user)
    assert client.get(f"/suivi/entretiens/{note.pk}/").status_code == 404
    assert AccessLog.objects.get(action="denied").person_id == person.pk


@pytest.mark.django_db
def test_the_national_administration_reviews_commission_and_prefecture_reads(client, personas):
    person = personas.person()
    for membership in (personas.secretariat, personas.agent, personas.member, personas.worker):
        client.force_login(membership.user)
        log.record_system("read", "person", person.pk, person_id=person.pk, user=membership.user,
                          organisation=membership.organisation, role=membership.role)  # fmt: skip
    client.force_login(personas.national.user)
    response = client.get("/journal/revue/")
    assert response.status_code == 200
    roles = {r.role for r in response.context["page"]}
    assert roles == {"secretariat", "prefecture_agent", "commission_member"}
    page = response.content.decode()
    assert f"P-{person.pk:06d}" in page and person.last_name not in page
    # Filter by person; her review is itself journalled.
    response = client.get("/journal/revue/", {"person": str(person.pk)})
    assert len(shown(response)) == 3
    assert AccessLog.objects.filter(user=personas.national.user, object_type="journal").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["worker", "head", "volunteer", "intern", "secretariat", "member", "agent", "outsider"]
)
def test_only_the_national_administration_opens_the_review(client, personas, role):
    client.force_login(getattr(personas, role).user)
    assert client.get("/journal/revue/").status_code == 403


@pytest.mark.django_db
def test_every_object_url_resolves_its_person_field():
    for name in log.OBJECT_URLS:
        assert log.person_of_url(name, {"pk": 999999}) is None
