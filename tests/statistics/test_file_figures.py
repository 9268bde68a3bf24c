"""The annual activity report counts, from the people's files, the people whose life story was written in the
year and those accompanied in a complaint (follow-up notes « Plainte, justice »), each a count of people,
hidden from 1 to 10; notes of other domains, other years or other associations are not counted."""

import datetime as dt

import pytest

from parcours.core import clock
from parcours.followup import services as followup
from parcours.records import services as records
from parcours.statistics import reports

pytestmark = pytest.mark.django_db
LIFE_STORIES = "Personnes dont le récit de vie a été écrit ou repris"
JUSTICE = "Personnes accompagnées dans une plainte ou une procédure"


def test_life_stories_and_complaints_of_the_year_are_counted_per_person(personas):
    with clock.travel_to(dt.date(2024, 6, 3)):
        people = [personas.person(first_name="Prénomfictif", last_name=f"Plainte-{n}") for n in range(12)]
    with clock.travel_to(dt.date(2025, 6, 3)):
        for person in people[:11]:
            followup.add_note(person, personas.worker, domain="justice", held_on=dt.date(2025, 5, 2),
                              text="Dépôt de plainte accompagné (fictif).")  # fmt: skip
        followup.add_note(
            people[0],
            personas.worker,
            domain="justice",
            held_on=dt.date(2025, 6, 2),
            text="Audition (fictif).",
        )  # fmt: skip: the same person twice
        followup.add_note(people[11], personas.worker, domain="health", held_on=dt.date(2025, 5, 2),
                          text="Rendez-vous médical (fictif).")  # fmt: skip
        followup.add_note(people[11], personas.worker, domain="justice", held_on=dt.date(2024, 12, 31),
                          text="L'année précédente (fictif).")  # fmt: skip
        records.save_life_story(people[0], personas.head, "Récit fictif.", based_on=0)
    outsider = personas.outsider.organisation
    assert reports.file_figures(personas.association, 2025) == {"life_stories": 1, "justice": 11}
    assert reports.file_figures(outsider, 2025) == {"life_stories": 0, "justice": 0}
    shown = dict(reports.activity(personas.association, 2025, dt.date(2026, 3, 16)))
    assert shown[JUSTICE] == 11 and shown[LIFE_STORIES] is None  # one person: hidden
