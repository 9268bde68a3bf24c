"""Issue 8, point 11: a third planned action without saving first, and French wording (« 1er février »,
« aucune personne », no « AFIS : AFIS : », plurals)."""

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from parcours.core import clock
from parcours.pathway.models import PathwayRequest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(dt.date(2026, 3, 10)):
        yield


def login(client, membership):
    client.force_login(membership.user)
    return client


def _lines(html: str) -> int:
    return len(re.findall(r'name="actions-\d+-description"', html))


def test_a_third_and_fourth_planned_action_without_saving(client, personas):
    """Before: two empty lines, and « enregistrez » to get more."""
    person = personas.person()
    url = reverse("pathway:request_create", args=[person.pk, "entry"])
    page = login(client, personas.worker).get(url).content.decode()
    assert _lines(page) >= 3
    assert re.search(r'<button[^>]*name="add_line"[^>]*value="actions"[^>]*>\s*Ajouter une ligne', page)
    # Enter in a field presses the form's first submit button: it must save, not add a line.
    form = page[page.index('<form method="post"') :]
    first_submit = re.search(r'<button type="submit"[^>]*>', form).group(0)
    assert "add_line" not in first_submit
    data = {"motivation": "Projet fictif", "actions-TOTAL_FORMS": "3", "actions-INITIAL_FORMS": "0",
            "commitments-TOTAL_FORMS": "2", "commitments-INITIAL_FORMS": "0", "add_line": "actions",
            "commitments-0-text": "Suivre les cours"}  # fmt: skip
    for i, (domain, text) in enumerate([("housing", "Hébergement"), ("health", "Bilan de santé"),
                                        ("french", "Cours de français")]):  # fmt: skip
        data |= {f"actions-{i}-domain": domain, f"actions-{i}-description": text}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and not PathwayRequest.objects.exists()  # nothing saved yet
    assert _lines(page) == 4
    for text in ("Hébergement", "Bilan de santé", "Cours de français", "Projet fictif", "Suivre les cours"):
        assert text in page
    assert re.search(r'name="actions-2-domain".*?<option value="french" selected', page, re.S)
    # the fourth line typed, then saved: four actions
    data |= {
        "actions-TOTAL_FORMS": "4",
        "actions-3-domain": "rights",
        "actions-3-description": "Domiciliation",
    }
    del data["add_line"]
    assert client.post(url, data).status_code == 302
    req = PathwayRequest.objects.get()
    assert req.actions.count() == 4


@pytest.mark.parametrize(
    ("day", "fmt", "expected"),
    [
        (dt.date(2026, 2, 1), "j F Y", "1er février 2026"),
        (dt.date(2026, 2, 2), "j F Y", "2 février 2026"),
        (dt.date(2026, 3, 21), "j F Y", "21 mars 2026"),
        (dt.date(2026, 5, 1), "d/m/Y", "01/05/2026"),
        (dt.datetime(2026, 4, 1, 9, 5, tzinfo=clock.PARIS), "j F Y H:i", "1er avril 2026 09:05"),
    ],
)
def test_dates_in_templates_say_1er(day, fmt, expected):
    """The oracle is written French; before, every template said « 1 février 2026 »."""
    assert Template(f'{{{{ d|date:"{fmt}" }}}}').render(Context({"d": day})) == expected


def test_the_first_of_the_month_on_a_page(client, personas):
    person = personas.person()
    from parcours.pathway import transitions as t

    from ..conftest import complete_content

    with clock.travel_to(dt.date(2026, 2, 1)):
        content = complete_content(signed_on=dt.date(2026, 2, 1))
        req = t.open_request(person, "entry", personas.worker, content)
    page = login(client, personas.worker).get(reverse("pathway:request", args=[req.pk])).content.decode()
    assert "1er février 2026" in page and "1 février 2026" not in page


def test_an_empty_caseload_says_aucune_personne(client, personas):
    page = login(client, personas.worker).get(reverse("people:caseload"), {"q": "Zzzyx"}).content.decode()
    assert "Aucune personne" in page and "0 personne" not in page
