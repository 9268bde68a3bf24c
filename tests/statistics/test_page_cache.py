"""The dashboard's figures are rendered once per reading of the data and kept under its fingerprint: the
same reader gets the same figures without a new rendering, a new source row renders them again, and a reader
of another scope never receives a rendering made for someone else."""

import datetime as dt

import pytest

from parcours.core import clock

from ..conftest import authorised_pathway

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 16)
YEAR = {"debut": "2025-01-01", "fin": "2025-12-31"}


def rendered(response) -> bool:
    return "statistics/_figures.html" in [t.name for t in response.templates]


def figures(response) -> str:
    page = response.content.decode()
    return page[page.index('<h2 id="balance">') : page.index("</main>")]


def test_the_figures_are_kept_until_the_data_changes(client, personas):
    authorised_pathway(personas, personas.person(), submitted_on=dt.date(2025, 1, 6),
                       session_on=dt.date(2025, 2, 3), decided_on=dt.date(2025, 2, 10))  # fmt: skip
    client.force_login(personas.national.user)
    with clock.travel_to(TODAY):
        first = client.get("/statistiques/", YEAR)
        again = client.get("/statistiques/", YEAR)
        assert rendered(first) and not rendered(again)
        assert figures(again) == figures(first)
        authorised_pathway(personas, personas.person(), submitted_on=dt.date(2025, 3, 3),
                           session_on=dt.date(2025, 4, 7), decided_on=dt.date(2025, 4, 14))  # fmt: skip
        fresh = client.get("/statistiques/", YEAR)
    assert rendered(fresh)


def test_a_reader_of_another_scope_gets_her_own_rendering(client, personas):
    client.force_login(personas.national.user)
    with clock.travel_to(TODAY):
        national = client.get("/statistiques/", YEAR)
        client.force_login(personas.secretariat.user)
        gard = client.get("/statistiques/", YEAR)
    assert rendered(national) and rendered(gard)
    assert "France entière" in figures(national) and "France entière" not in figures(gard)
