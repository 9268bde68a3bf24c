"""Each role's pages: what a person logged in with that role sees and may do through the browser's forms."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from parcours.core import clock
from parcours.pathway import rules
from parcours.pathway.models import PathwayRequest

from ..conftest import authorised_pathway, complete_content, walk_to_avis

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(TODAY):
        yield


def login(client, membership):
    client.force_login(membership.user)
    return client


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("people:caseload"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_login_page_is_in_french(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "Se connecter" in response.content.decode()


def test_worker_sees_her_caseload_with_status_and_next_deadline(client, personas):
    person = personas.person(first_name="Éloïse", last_name="Fictive")
    authorised_pathway(
        personas,
        person,
        submitted_on=dt.date(2025, 12, 1),
        session_on=dt.date(2025, 12, 15),
        decided_on=dt.date(2025, 12, 20),
    )
    other = personas.person(first_name="Zabou", last_name="Autre")
    page = login(client, personas.worker).get(reverse("people:caseload")).content.decode()
    assert "Éloïse" in page and "Zabou" in page
    assert "En cours" in page
    assert "Demande de renouvellement à transmettre" in page
    assert "19 avril 2026" in page  # period ends 19 June 2026; renewal due two months before
    assert other.reference in page


def test_caseload_search_ignores_accents_and_case(client, personas):
    personas.person(first_name="Éloïse", last_name="Fictive")
    personas.person(first_name="Zabou", last_name="Autre")
    page = login(client, personas.worker).get(reverse("people:caseload"), {"q": "ELOISE"}).content.decode()
    assert "Éloïse" in page
    assert "Zabou" not in page


def test_caseload_never_shows_another_associations_people(client, personas):
    personas.person(first_name="Visible", last_name="Ici")
    from ..factories import PersonFactory

    PersonFactory(association=personas.other_association, first_name="Cachee", last_name="Ailleurs")
    page = login(client, personas.worker).get(reverse("people:caseload")).content.decode()
    assert "Visible" in page and "Cachee" not in page


def test_person_of_another_association_is_not_found(client, personas):
    person = personas.person()
    response = login(client, personas.outsider).get(reverse("people:person", args=[person.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["volunteer", "intern", "member", "national"])
def test_roles_without_file_access_cannot_open_caseload(client, personas, role):
    response = login(client, getattr(personas, role)).get(reverse("people:caseload"))
    assert response.status_code == 403


def test_worker_drafts_a_request_with_plan_and_commitments(client, personas):
    person = personas.person()
    url = reverse("pathway:request_create", args=[person.pk, "entry"])
    data = {
        "motivation": "Projet fictif",
        "sworn_statement": "on",
        "signed_on": "2026-03-01",
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "0",
        "actions-0-domain": "housing",
        "actions-0-description": "Hébergement stable",
        "actions-0-target_date": "",
        "actions-1-domain": "french",
        "actions-1-description": "",
        "actions-1-target_date": "",
        "commitments-TOTAL_FORMS": "2",
        "commitments-INITIAL_FORMS": "0",
        "commitments-0-text": "Suivre les cours de français",
        "commitments-1-text": "",
    }
    response = login(client, personas.worker).post(url, data)
    req = PathwayRequest.objects.get(pathway__person=person)
    assert response.status_code == 302
    assert req.status == rules.RequestStatus.DRAFT
    assert [a.description for a in req.actions.all()] == ["Hébergement stable"]
    assert [c.text for c in req.commitments.all()] == ["Suivre les cours de français"]


def test_refused_step_shows_french_message_and_changes_nothing(client, personas):
    person = personas.person()
    with clock.travel_to(dt.date(2026, 3, 1)):
        from parcours.pathway import transitions as t

        req = t.open_request(person, "entry", personas.worker, complete_content(motivation=""))
    response = login(client, personas.head).post(
        reverse("pathway:request_action", args=[req.pk, "validate"]), follow=True
    )
    req.refresh_from_db()
    assert req.status == rules.RequestStatus.DRAFT
    assert "La demande est incomplète" in response.content.decode()


def test_secretariat_records_all_avis_of_a_session_on_one_screen(client, personas):
    from parcours.pathway import transitions as t

    requests = []
    with clock.travel_to(dt.date(2026, 2, 1)):
        session = t.create_session(personas.secretariat, dt.date(2026, 3, 5))
        for _ in range(2):
            req = t.open_request(
                personas.person(), "entry", personas.worker, complete_content(dt.date(2026, 2, 1))
            )
            t.validate_request(req, personas.head)
            t.submit_request(req, personas.worker)
            t.schedule_request(req, session, personas.secretariat)
            requests.append(req)
    items = list(session.agenda.all())
    data = {
        "op": "avis",
        f"item{items[0].pk}-kind": "favourable",
        f"item{items[0].pk}-reason": "",
        f"item{items[1].pk}-kind": "adjourned",
        f"item{items[1].pk}-reason": "Pièce d'identité manquante",
    }
    response = login(client, personas.secretariat).post(reverse("pathway:session", args=[session.pk]), data)
    assert response.status_code == 302
    statuses = [PathwayRequest.objects.get(pk=r.pk).status for r in requests]
    assert statuses == [rules.RequestStatus.AVIS_GIVEN, rules.RequestStatus.ADJOURNED]


def test_commission_member_sees_the_agenda_pseudonymised(client, personas):
    person = personas.person(first_name="Prenomsecret", last_name="Nomsecret")
    req = walk_to_avis(personas, person, submitted_on=dt.date(2026, 1, 5), session_on=dt.date(2026, 2, 2))
    session = req.avis.get().session
    page = login(client, personas.member).get(reverse("pathway:session", args=[session.pk])).content.decode()
    assert "Nomsecret" not in page and "Prenomsecret" not in page
    assert person.reference in page and "P. N." in page


def test_prefecture_authorises_from_the_decision_form(client, personas):
    req = walk_to_avis(
        personas, personas.person(), submitted_on=dt.date(2026, 1, 5), session_on=dt.date(2026, 2, 2)
    )
    response = login(client, personas.agent).post(
        reverse("pathway:decide", args=[req.pk]),
        {"kind": "authorised", "decided_on": "2026-02-10", "start": "", "motivation": ""},
    )
    req.refresh_from_db()
    assert response.status_code == 302
    assert req.status == rules.RequestStatus.AUTHORISED
    assert (req.period.start, req.period.end) == (dt.date(2026, 2, 10), dt.date(2026, 8, 9))


def test_prefecture_of_another_departement_cannot_see_the_request(client, personas):
    req = walk_to_avis(
        personas, personas.person(), submitted_on=dt.date(2026, 1, 5), session_on=dt.date(2026, 2, 2)
    )
    response = login(client, personas.other_agent).get(reverse("pathway:decide", args=[req.pk]))
    assert response.status_code == 404


def test_todo_pages_list_each_roles_work(client, personas):
    req = walk_to_avis(
        personas, personas.person(), submitted_on=dt.date(2026, 1, 5), session_on=dt.date(2026, 2, 2)
    )
    assert (
        req.pathway.reference in login(client, personas.agent).get(reverse("pathway:todo")).content.decode()
    )
    with clock.travel_to(dt.date(2026, 3, 1)):
        draft = t_open(personas)
    page = login(client, personas.head).get(reverse("pathway:todo")).content.decode()
    assert draft.pathway.reference in page


def t_open(personas):
    from parcours.pathway import transitions as t

    return t.open_request(personas.person(), "entry", personas.worker, complete_content(dt.date(2026, 3, 1)))


def test_statistics_hide_small_counts(client, personas):
    for i in range(3):
        authorised_pathway(
            personas,
            personas.person(),
            submitted_on=dt.date(2026, 1, 5),
            session_on=dt.date(2026, 1, 20 + i),
            decided_on=dt.date(2026, 2, 1),
        )
    with clock.travel_to(dt.date(2026, 3, 10)):
        page = login(client, personas.national).get(reverse("statistics:dashboard")).content.decode()
    active = page[page.index('<h2 id="active">') :]
    active = active[: active.index("</table>")]
    assert "Gard (30)" in active
    assert "<td>s</td>" in active
    assert ">3<" not in page


def test_secretariat_does_not_see_a_renewal_still_in_draft(client, personas):
    from parcours.pathway import transitions as t

    person = personas.person()
    authorised_pathway(
        personas,
        person,
        submitted_on=dt.date(2025, 12, 1),
        session_on=dt.date(2025, 12, 15),
        decided_on=dt.date(2025, 12, 20),
    )
    draft = t.open_request(person, "renewal", personas.worker, complete_content(dt.date(2026, 3, 1)))
    page = (
        login(client, personas.secretariat).get(reverse("people:person", args=[person.pk])).content.decode()
    )
    assert "engagement" in page
    assert reverse("pathway:request", args=[draft.pk]) not in page
    assert (
        login(client, personas.secretariat).get(reverse("pathway:request", args=[draft.pk])).status_code
        == 404
    )


def test_association_page_shows_when_its_approval_ends(client, personas):
    page = login(client, personas.head).get(reverse("accounts:organisation")).content.decode()
    assert "valable jusqu&#x27;au 14 janvier 2027" in page or "valable jusqu'au 14 janvier 2027" in page


def test_cancelling_a_session_sends_its_requests_back_to_the_waiting_list(client, personas):
    from parcours.pathway import transitions as t

    with clock.travel_to(dt.date(2026, 2, 1)):
        session = t.create_session(personas.secretariat, dt.date(2026, 3, 20))
        req = t.open_request(
            personas.person(), "entry", personas.worker, complete_content(dt.date(2026, 2, 1))
        )
        t.validate_request(req, personas.head)
        t.submit_request(req, personas.worker)
        t.schedule_request(req, session, personas.secretariat)
    response = login(client, personas.secretariat).post(
        reverse("pathway:session", args=[session.pk]), {"op": "cancel", "confirmed": "1"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    req.refresh_from_db()
    assert session.status == "cancelled"
    assert req.status == rules.RequestStatus.SUBMITTED
    assert not session.agenda.exists()
    assert any("annulée" in e.comment for e in req.events.filter(action="unschedule"))


def test_secretariat_learns_of_an_earlier_pathway_elsewhere_without_the_identity(client, personas):
    from ..factories import PersonFactory

    born = dt.date(1991, 4, 2)
    earlier = PersonFactory(association=personas.other_association, first_name="Même", last_name="Identité",
                            birth_date=born, departement_id="13")  # fmt: skip
    from parcours.pathway.models import Pathway

    Pathway.objects.create(person=earlier, association=personas.other_association, departement_id="13",
                           rule_version="2016", status="exited")  # fmt: skip
    person = personas.person(first_name="meme", last_name="IDENTITE", birth_date=born)
    req = walk_to_avis(personas, person, submitted_on=dt.date(2026, 1, 5), session_on=dt.date(2026, 2, 2))
    page = login(client, personas.secretariat).get(reverse("pathway:request", args=[req.pk])).content.decode()
    assert "déjà eu un parcours dans : Bouches-du-Rhône (13)" in page
    assert personas.other_association.name not in page


def test_worker_todo_counts_her_appointments_of_today_and_tomorrow(client, personas):
    from parcours.followup.models import Appointment

    person = personas.person(referent=personas.worker.user)
    for day in (TODAY, TODAY + dt.timedelta(days=1)):
        Appointment.objects.create(
            person=person,
            worker=personas.worker.user,
            purpose="health",
            created_by=personas.worker.user,
            updated_by=personas.worker.user,
            starts_at=dt.datetime.combine(day, dt.time(15), tzinfo=clock.PARIS),
            ends_at=dt.datetime.combine(day, dt.time(16), tzinfo=clock.PARIS),
        )
    page = login(client, personas.worker).get(reverse("pathway:todo")).content.decode()
    heading = page.split('id="a-faire-rdv"')[1].split("</h2>")[0]
    assert 'fr-badge--no-icon">2</span>' in heading


# --- Finding 7 e and f: what the commission and the préfet are told ---------------------------------------
def _reentry_without_sworn_statement(personas):
    """A person whose first pathway (10 January – exit 20 April 2026: 3 months used) ended, and whose new
    entry request, without the signed sworn statement, is examined on 2 February 2027."""
    from parcours.pathway import transitions as t

    person = personas.person(first_name="Prenomsecret", last_name="Nomsecret")
    first = authorised_pathway(
        personas, person, submitted_on=dt.date(2025, 12, 1), session_on=dt.date(2026, 1, 5),
        decided_on=dt.date(2026, 1, 10),
    )  # fmt: skip
    with clock.travel_to(dt.date(2026, 4, 20)):
        t.record_exit(first, personas.worker, dt.date(2026, 4, 20), "lost_contact")
    with clock.travel_to(dt.date(2027, 1, 4)):
        req = t.open_request(
            person, "entry", personas.worker, complete_content(dt.date(2027, 1, 4), sworn_statement=False)
        )
        t.validate_request(req, personas.head)
        t.submit_request(req, personas.worker)
        session = t.create_session(personas.secretariat, dt.date(2027, 2, 2))
        t.schedule_request(req, session, personas.secretariat)
    return first, req, session


def test_commission_and_prefecture_learn_of_the_earlier_pathway_here_and_the_missing_statement(
    client, personas
):
    """Before the fix, nothing on these pages told of the earlier pathway in the Gard nor of the statement."""
    from parcours.pathway import transitions as t

    first, req, session = _reentry_without_sworn_statement(personas)
    with clock.travel_to(dt.date(2027, 2, 2)):
        pages = [
            login(client, who).get(reverse("pathway:request", args=[req.pk])).content.decode()
            for who in (personas.secretariat, personas.worker)
        ]
        t.record_avis(req, session, "favourable", personas.secretariat)
        # The préfecture sees the request from the avis on (issue 7, finding 3): on its decision page.
        pages.append(
            login(client, personas.agent).get(reverse("pathway:decide", args=[req.pk])).content.decode()
        )
        for page in pages:
            assert "Parcours antérieur(s) dans ce département : 3 mois utilisés" in page
            assert f"{first.reference} : du 10 janvier 2026 au 20 avril 2026, 3 mois utilisés" in page
            assert "honneur de cessation non signée à ce jour." in page
            assert "440802" in page
        member = login(client, personas.member).get(reverse("pathway:session", args=[session.pk]))
        page = member.content.decode()
        assert "attestation de cessation non signée (information)" in page
        assert "parcours antérieur ici : 3 mois utilisés" in page
        assert "Nomsecret" not in page and "Prenomsecret" not in page
        secretariat = login(client, personas.secretariat).get(reverse("pathway:session", args=[session.pk]))
        assert "attestation de cessation non signée (information)" in secretariat.content.decode()


def test_the_association_preparing_a_new_entry_sees_the_months_of_the_earlier_pathway(client, personas):
    from parcours.pathway import transitions as t

    person = personas.person()
    first = authorised_pathway(
        personas, person, submitted_on=dt.date(2025, 7, 1), session_on=dt.date(2025, 8, 4),
        decided_on=dt.date(2025, 8, 10),
    )  # fmt: skip
    t.record_exit(first, personas.worker, dt.date(2026, 2, 9), "completed")  # the six months, to the day
    url = reverse("pathway:request_create", args=[person.pk, "entry"])
    page = login(client, personas.worker).get(url).content.decode()
    assert "Parcours antérieur(s) dans ce département : 6 mois utilisés" in page
    assert "Ces mois ne sont pas décomptés du plafond de 24 mois" in page


def test_after_an_early_end_the_person_page_shows_the_period_closed_that_day(client, personas):
    """Finding 7 c: before the fix the page kept « du 10 janvier 2026 au 9 juillet 2026 » after the end."""
    from parcours.pathway import transitions as t

    person = personas.person()
    pathway = authorised_pathway(
        personas, person, submitted_on=dt.date(2025, 12, 1), session_on=dt.date(2026, 1, 5),
        decided_on=dt.date(2026, 1, 10),
    )  # fmt: skip
    t.end_early(pathway, personas.agent, TODAY, "Engagements non tenus")
    page = login(client, personas.worker).get(reverse("people:person", args=[person.pk])).content.decode()
    assert (
        "n° 1, du 10 janvier 2026 au 10 mars 2026 (close par la sortie ; fin autorisée : 9 juillet 2026)"
        in page
    )
    assert "Mois de parcours utilisés : 2 / 24" in page
    assert "Période du 10 janvier 2026 au 9 juillet 2026" in page  # the history keeps the authorisation


def test_the_agenda_fields_rendered_once_are_those_of_each_items_avis_form(db):
    """The session page renders the avis fields once and puts in each item's prefix (issue 15): the markup
    is the form's own, whitespace aside (same names, ids, labels, hints)."""
    import re

    from parcours.pathway import forms

    blank = forms.BlankAvisForms().for_item(42)
    form = forms.AvisForm(prefix="item42")
    for name in form.fields:
        own = re.sub(r"\s+", " ", str(form[name].as_field_group()))
        assert re.sub(r"\s+", " ", str(getattr(blank, name).as_field_group())) == own
        assert f'id="id_item42-{name}"' in own


def test_an_item_is_taken_off_the_agenda_through_the_pages_one_removal_form(client, personas):
    from parcours.pathway import transitions as t

    with clock.travel_to(dt.date(2026, 2, 1)):
        session = t.create_session(personas.secretariat, dt.date(2026, 3, 20))
        reqs = []
        for _ in range(2):
            req = t.open_request(
                personas.person(), "entry", personas.worker, complete_content(dt.date(2026, 2, 1))
            )
            t.validate_request(req, personas.head)
            t.submit_request(req, personas.worker)
            t.schedule_request(req, session, personas.secretariat)
            reqs.append(req)
    url = reverse("pathway:session", args=[session.pk])
    page = login(client, personas.secretariat).get(url).content.decode()
    assert page.count('<form id="unschedule" method="post">') == 1
    for req in reqs:
        assert f'form="unschedule" name="request_id" value="{req.pk}"' in page
    response = client.post(url, {"op": "unschedule", "request_id": reqs[0].pk})
    assert response.status_code == 302
    reqs[0].refresh_from_db()
    assert reqs[0].status == rules.RequestStatus.SUBMITTED
    assert list(session.agenda.values_list("request_id", flat=True)) == [reqs[1].pk]


def test_a_session_page_shows_the_twenty_oldest_waiting_requests_and_schedules_through_one_form(
    client, personas
):
    """Issue 15: 126 waiting requests were 126 forms and 75 KB of the page. The oldest twenty are shown,
    « Voir toutes » shows every one, and each line's button sends the one shared form."""
    from parcours.pathway import transitions as t

    with clock.travel_to(dt.date(2026, 2, 1)):
        session = t.create_session(personas.secretariat, dt.date(2026, 3, 20))
    requests = []
    for n in range(23):
        with clock.travel_to(dt.date(2026, 1, 1) + dt.timedelta(days=n)):
            person = personas.person(first_name="Prénomfictif", last_name=f"Attente-{n:02d}")
            req = t.open_request(person, "entry", personas.worker, complete_content(clock.today()))
            t.validate_request(req, personas.head)
            t.submit_request(req, personas.worker)
            requests.append(req)
    url = reverse("pathway:session", args=[session.pk])
    page = login(client, personas.secretariat).get(url).content.decode()
    assert re.findall(r"ATTENTE-(\d\d)", page) == [f"{n:02d}" for n in range(20)]  # the oldest first
    assert "20 sur 23 affichées, les plus anciennes d'abord." in page
    assert page.count('name="op" value="schedule"') == 1
    assert len(re.findall(r'form="schedule" name="request_id"', page)) == 20
    everything = client.get(url, {"attente": "toutes"}).content.decode()
    assert re.findall(r"ATTENTE-(\d\d)", everything) == [f"{n:02d}" for n in range(23)]
    assert "affichées" not in everything

    last = requests[-1]
    response = client.post(url, {"op": "schedule", "request_id": last.pk})
    assert response.status_code == 302
    last.refresh_from_db()
    assert last.status == rules.RequestStatus.SCHEDULED
