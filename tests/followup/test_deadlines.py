"""What the follow-up gives the "to do" page and the person's synthesis page."""

import datetime as dt

import pytest
from django.template import Context, Template

from parcours.core import clock
from parcours.followup import services
from parcours.followup.deadlines import due_items, person_summary

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def at(day, hour):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.PARIS)


def book(file, membership, day, hour, worker=None):
    return services.schedule_appointment(file, membership, worker=(worker or membership).user,
                                         starts_at=at(day, hour), ends_at=at(day, hour + 1),
                                         purpose="health")  # fmt: skip


def test_due_items_of_a_social_worker(personas, file, colleague):
    overdue = services.add_action(file, personas.worker, domain="health", description="En retard",
                                  due_date=TODAY - dt.timedelta(days=1))  # fmt: skip
    coming = services.add_action(file, personas.worker, domain="health", description="Bientôt",
                                 due_date=TODAY + dt.timedelta(days=14))  # fmt: skip
    services.add_action(file, personas.worker, domain="health", description="Plus tard",
                        due_date=TODAY + dt.timedelta(days=15))  # fmt: skip
    done = services.add_action(file, personas.worker, domain="health", description="Fait",
                               due_date=TODAY - dt.timedelta(days=5))  # fmt: skip
    services.update_action(done, personas.worker, status="done", due_date=done.due_date)
    not_hers = personas.person()  # she is not the referent
    services.add_action(not_hers, personas.worker, domain="health", description="Autre",
                        due_date=TODAY - dt.timedelta(days=1))  # fmt: skip
    today_appt = book(file, personas.worker, TODAY, 15)
    tomorrow_appt = book(file, personas.worker, TODAY + dt.timedelta(days=1), 9)
    book(file, personas.worker, TODAY + dt.timedelta(days=2), 9)
    book(file, personas.worker, TODAY, 11, worker=colleague)
    items = due_items(personas.worker, TODAY)
    assert items.overdue_actions == [overdue] and items.coming_actions == [coming]
    assert items.appointments_today == [today_appt] and items.appointments_tomorrow == [tomorrow_appt]


def test_the_head_of_service_gets_the_actions_of_the_whole_association(personas, file):
    other = personas.person()
    a = services.add_action(file, personas.worker, domain="health", description="A", due_date=TODAY)
    b = services.add_action(other, personas.worker, domain="health", description="B", due_date=TODAY)
    assert set(due_items(personas.head, TODAY).coming_actions) == {a, b}


@pytest.mark.parametrize("role", ["volunteer", "intern", "outsider", "secretariat"])
def test_due_items_are_empty_for_who_does_not_follow(personas, file, role):
    services.add_action(file, personas.worker, domain="health", description="A", due_date=TODAY)
    assert not due_items(getattr(personas, role), TODAY)


def render_summary(membership, person):
    """The block as the synthesis page renders it (desk/person_held.py)."""
    return Template('{% include "followup/person_summary.html" %}').render(
        Context({"person": person, "fu": person_summary(membership, person)})
    )


def test_person_summary_for_the_synthesis_page(personas, file):
    services.add_note(
        file, personas.worker, domain="justice", held_on=dt.date(2026, 3, 3), text="x", sensitive=True
    )
    services.add_note(file, personas.worker, domain="health", held_on=dt.date(2026, 2, 20), text="y")
    services.add_action(
        file, personas.worker, domain="health", description="A", due_date=TODAY - dt.timedelta(1)
    )
    services.add_action(file, personas.worker, domain="health", description="B")
    book(file, personas.worker, dt.date(2026, 3, 12), 10)
    summary = person_summary(personas.worker, file)
    assert (summary.open_actions, summary.overdue_actions) == (2, 1)
    assert summary.last_note_on == dt.date(2026, 3, 3)
    html = render_summary(personas.worker, file)
    assert "jeudi 12 mars 2026 à 10:00" in html and "3 mars 2026" in html and "1 en retard" in html


@pytest.mark.parametrize("role", ["secretariat", "agent", "outsider", "volunteer"])
def test_person_summary_is_empty_for_who_does_not_follow(personas, file, role):
    services.add_action(file, personas.worker, domain="health", description="A")
    assert person_summary(getattr(personas, role), file) is None
    assert render_summary(getattr(personas, role), file).strip() == ""
