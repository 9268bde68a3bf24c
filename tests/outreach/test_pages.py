"""The pages: the counter answers a tap once per key, volunteers count and record their hours but never
reach a person's file, the staff manage schedules and link visits, and the volunteer's home page shows her
next sessions and her hours."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.outreach import services
from parcours.outreach.models import DropInSession, Presence, Schedule, Visit

from ..factories import PersonFactory
from .conftest import KEY, TUESDAY

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}
T = dt.time


def test_the_counter_page_has_the_big_button_and_the_script_and_no_inline_script(client, personas, session):
    client.force_login(personas.volunteer.user)
    with clock.travel_to(TUESDAY):
        html = client.get(reverse("outreach:session_counter", kwargs={"pk": session.pk})).content.decode()
    assert "+ Passage" in html
    assert "/static/outreach/counter.js" in html
    assert "onclick" not in html and "<script>" not in html


def test_a_tap_sent_twice_counts_once(client, personas, session):
    client.force_login(personas.volunteer.user)
    url = reverse("outreach:session_visit", kwargs={"pk": session.pk})
    data = {"key": KEY, "gender": "trans_woman", "services": ["coffee", "clothes"], "first_visit": "oui"}
    with clock.travel_to(TUESDAY):
        first = client.post(url, data, **JSON)
        second = client.post(url, data, **JSON)
    assert (first.status_code, json.loads(first.content)) == (200, {"count": 1, "created": True})
    assert (second.status_code, json.loads(second.content)) == (200, {"count": 1, "created": False})
    visit = Visit.objects.get()
    assert (visit.gender, visit.services, visit.first_visit) == ("trans_woman", ["clothes", "coffee"], True)


def test_a_tap_on_a_cancelled_session_answers_the_french_error(client, personas, session):
    services.cancel_session(personas.head, session, "Locaux fermés")
    client.force_login(personas.volunteer.user)
    with clock.travel_to(TUESDAY):
        answer = client.post(
            reverse("outreach:session_visit", kwargs={"pk": session.pk}), {"key": KEY}, **JSON
        )
    assert answer.status_code == 400
    assert json.loads(answer.content) == {
        "error": "La permanence du 03/03/2026 est annulée (Locaux fermés) : aucun passage ne peut y être "
        "compté."
    }
    assert Visit.objects.count() == 0


def test_a_volunteer_records_her_hours_and_sees_them_on_her_home_page(client, personas, session):
    client.force_login(personas.volunteer.user)
    with clock.travel_to(TUESDAY):
        page = client.get(reverse("outreach:session", kwargs={"pk": session.pk}))
        assert "Mes heures" in page.content.decode()
        too_long = client.post(reverse("outreach:session", kwargs={"pk": session.pk}),
                               {"action": "presence", "hours": "6"})  # fmt: skip
        assert too_long.status_code == 400
        assert "6 h, c&#x27;est plus que la durée de la permanence (5 h)." in too_long.content.decode()
        client.post(
            reverse("outreach:session", kwargs={"pk": session.pk}), {"action": "presence", "hours": "4h30"}
        )
        coming = services.add_extra_session(
            personas.head, day=dt.date(2026, 3, 10), starts_at=T(13, 30), ends_at=T(18, 30), place="Local"
        )
        home = client.get(reverse("core:volunteer")).content.decode()
    assert Presence.objects.get().minutes == 270
    assert '<strong id="hours-month">4 h 30</strong>' in home
    assert '<strong id="hours-year">4 h 30</strong>' in home
    assert reverse("outreach:session", kwargs={"pk": coming.pk}) in home
    assert "mardi 10 mars" in home


def test_the_staff_create_a_schedule_and_generate_its_sessions(client, personas):
    client.force_login(personas.head.user)
    url = reverse("outreach:schedules")
    client.post(url, {"action": "create", "weekday": "1", "starts_at": "13:30", "ends_at": "18:30",
                      "place": "Local fictif"})  # fmt: skip
    schedule = Schedule.objects.get()
    answer = client.post(url, {"action": "generate", "schedule": schedule.pk, "start": "2026-07-01",
                               "end": "2026-07-31"}, follow=True)  # fmt: skip
    assert (
        "3 permanence(s) créée(s). Jours fériés sautés : 14/07/2026 (Fête nationale)."
        in answer.content.decode()
    )
    assert list(DropInSession.objects.values_list("day", flat=True)) == [
        dt.date(2026, 7, 7),
        dt.date(2026, 7, 21),
        dt.date(2026, 7, 28),
    ]
    bad = client.post(url, {"action": "create", "weekday": "1", "starts_at": "18:30", "ends_at": "13:30",
                            "place": "Local fictif"})  # fmt: skip
    assert bad.status_code == 400
    assert "La fin (13:30) doit être après le début (18:30)." in bad.content.decode()


def test_volunteers_do_not_open_the_schedules_nor_link_a_visit(client, personas, session):
    with clock.travel_to(TUESDAY):
        visit, _ = services.record_visit(personas.volunteer, session, KEY)
    for membership in (personas.volunteer, personas.intern):
        client.force_login(membership.user)
        assert client.get(reverse("outreach:schedules")).status_code == 403
        assert client.get(reverse("outreach:visit_link", kwargs={"pk": visit.pk})).status_code == 404
        assert client.get(reverse("outreach:callbacks")).status_code == 403
    client.force_login(personas.outsider.user)  # staff of another association
    assert client.get(reverse("outreach:visit_link", kwargs={"pk": visit.pk})).status_code == 404
    assert client.get(reverse("outreach:session", kwargs={"pk": session.pk})).status_code == 404


def test_the_staff_link_a_visit_to_a_file_by_its_reference(client, personas, session):
    person = PersonFactory(association=personas.association, referent=personas.worker.user)
    with clock.travel_to(TUESDAY):
        visit, _ = services.record_visit(personas.volunteer, session, KEY)
    client.force_login(personas.worker.user)
    url = reverse("outreach:visit_link", kwargs={"pk": visit.pk})
    wrong = client.post(url, {"reference": "P-999999"})
    assert wrong.status_code == 400
    assert "Aucune personne suivie par votre association ne porte la référence « P-999999 »." in (
        wrong.content.decode().replace("&#x27;", "'").replace("&laquo;", "«").replace("&raquo;", "»")
    )
    client.post(url, {"reference": person.reference})
    visit.refresh_from_db()
    assert visit.person_id == person.pk
    page = client.get(url).content.decode()
    assert person.reference in page and person.first_name not in page


def test_a_volunteer_reaches_no_person_file_by_any_url_and_each_attempt_is_journaled(client, personas):
    """Every page under the people's URLs, for a volunteer and an intern: refused, nothing of the person,
    one journal row per attempt."""
    person = PersonFactory(association=personas.association, first_name="Canariane")
    urls = [reverse(name, kwargs={"pk": person.pk}) for name in (
        "people:person", "people:situation", "followup:notes", "followup:actions", "records:documents",
        "records:life_story", "rights:person", "privacy:person")]  # fmt: skip
    for membership in (personas.volunteer, personas.intern):
        client.force_login(membership.user)
        for url in urls:
            before = AccessLog.objects.count()
            answer = client.get(url)
            assert answer.status_code in (403, 404), url
            assert "Canariane" not in answer.content.decode()
            rows = list(AccessLog.objects.order_by("seq")[before:])
            assert [(r.outcome, r.person_id) for r in rows] == [("denied", person.pk)], url


def test_the_head_of_service_sees_the_year_s_activity_without_a_paper_tally(client, personas, session):
    with clock.travel_to(TUESDAY):
        for i in range(3):
            services.record_visit(personas.volunteer, session, f"00000000-0000-4000-8000-00000000000{i}")
        services.record_presence(personas.volunteer, session, personas.volunteer, 300)
        client.force_login(personas.head.user)
        page = client.get(reverse("outreach:sessions")).content.decode()
        client.force_login(personas.volunteer.user)
        volunteer_page = client.get(reverse("outreach:sessions")).content.decode()
    assert "Permanences tenues : <strong>1</strong>" in page
    assert "Passages : <strong>3</strong>" in page
    assert "Heures des bénévoles : <strong>5 h</strong>" in page
    assert "Bilan 2026" not in volunteer_page
