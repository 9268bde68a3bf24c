"""The person's summary from the demo data (issue 10: every template renders from the demo data): as
`travailleuse`, the person's page offers it in the language of her file, and the paper comes out in each of
the seven languages for a person whose file names that language, with her current plan as typed.

The demo is generated once for the module at a fixed date, in a transaction rolled back at the end.
"""

import datetime as dt
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from parcours.accounts.models import User
from parcours.core import clock
from parcours.demo.generator import generate
from parcours.followup.services import current_request
from parcours.papers.summary import default_language
from parcours.people.models import Person

from ..tools import pdf_text, require_cjk_font
from .test_summary import squash

TODAY = dt.date(2026, 3, 16)
HEADINGS = {
    "fr": "Votre parcours : résumé personnel",
    "en": "Your pathway: personal summary",
    "es": "Su itinerario: resumen personal",
    "pt": "O seu percurso: resumo pessoal",
    "ro": "Parcursul dumneavoastră: rezumat personal",
    "bg": "Вашата програма: лично резюме",
    "zh-hans": "您的项目：个人摘要",
}

# The demo data set, rendered to PDF: nothing here depends on the database engine (decision 0058).
pytestmark = pytest.mark.engine_independent


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        tempfile.TemporaryDirectory() as folder,
        django_db_blocker.unblock(),
        override_settings(PARCOURS_DOCUMENTS_DIR=Path(folder), PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        with clock.travel_to(TODAY):
            generate(seed=2026)
        worker = User.objects.get(username="travailleuse")
        membership = worker.memberships.get()
        people = list(Person.objects.visible_to(membership).order_by("pk"))
        yield SimpleNamespace(worker=worker, people=people)
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("language", list(HEADINGS))
def test_the_demo_person_gets_her_summary_in_the_language_of_her_file(client, demo, language):
    if language == "zh-hans":
        require_cjk_font()
    # A person of the association whose file names that language and who has a plan, else one who has one.
    candidates = [p for p in demo.people if default_language(p) == language]
    assert candidates, f"aucune personne de la démonstration ne parle {language}"
    person = next((p for p in candidates if current_request(p) and current_request(p).actions.exists()),
                  candidates[0])  # fmt: skip
    client.force_login(demo.worker)
    with clock.travel_to(TODAY):
        page = client.get(reverse("people:person", kwargs={"pk": person.pk})).content.decode()
        response = client.get(reverse("papers:person_summary", kwargs={"pk": person.pk}))
    assert f'<option value="{language}" selected>' in page
    assert response.status_code == 200
    text = squash(pdf_text(response.content))
    assert squash(HEADINGS[language]) in text
    assert squash(person.reference) in text
    request = current_request(person)
    for action in request.actions.all() if request else []:
        assert squash(action.description) in text


@pytest.mark.django_db
def test_the_people_the_readme_names_are_offered_their_language(demo):
    """README, tour: « Xiao Ruo » gets the paper in Chinese, « Ekatelina » in Bulgarian (`travailleuse`)."""
    languages = {p.first_name: default_language(p) for p in demo.people}
    assert (languages.get("Xiaoruo"), languages.get("Ecatelina")) == ("zh-hans", "bg")
