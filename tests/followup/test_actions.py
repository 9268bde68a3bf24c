"""The action plan: items grouped by state, overdue ones highlighted, each change kept, and the actions of
the pathway plan imported once."""

import datetime as dt

import pytest
from django.urls import reverse

from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.followup import services
from parcours.followup.models import ActionItem, ActionStatus
from parcours.pathway import transitions as t

from ..conftest import complete_content, request_in_state
from .conftest import TODAY, login

pytestmark = pytest.mark.django_db


def test_worker_adds_an_action_and_sees_it_under_its_state(client, personas, file):
    url = reverse("followup:actions", args=[file.pk])
    response = login(client, personas.worker).post(url, {
        "op": "add", "domain": "housing", "description": "Demande SIAO fictive", "due_date": "2026-04-01",
    })  # fmt: skip
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.status, item.created_by, item.due_date) == (
        "todo",
        personas.worker.user,
        dt.date(2026, 4, 1),
    )
    page = client.get(url).content.decode()
    assert "Demande SIAO fictive" in page and "1er avril 2026" in page
    assert page.index("Demande SIAO fictive") < page.index('id="etat-in_progress"')


def test_overdue_actions_are_highlighted(client, personas, file):
    services.add_action(file, personas.worker, domain="health", description="Bilan de santé", due_date=TODAY
                        - dt.timedelta(days=3))  # fmt: skip
    services.add_action(file, personas.worker, domain="rights", description="Dossier CSS", due_date=TODAY)
    page = login(client, personas.worker).get(reverse("followup:actions", args=[file.pk])).content.decode()
    assert "1 action en retard." in page
    assert page.count(">En retard</span>") == 1


def test_a_done_action_is_never_overdue(personas, file):
    item = services.add_action(file, personas.worker, domain="health", description="Bilan",
                               due_date=TODAY - dt.timedelta(days=3))  # fmt: skip
    services.update_action(item, personas.worker, status=ActionStatus.DONE, due_date=item.due_date)
    item.refresh_from_db()
    assert not item.is_overdue(TODAY)


def test_quick_state_change_and_history(client, personas, file):
    item = services.add_action(file, personas.worker, domain="french", description="Inscription cours FLE")
    login(client, personas.head).post(reverse("followup:actions", args=[file.pk]), {
        "op": "status", "item": item.pk, "status": "in_progress", "version": item.version,
    })  # fmt: skip
    item.refresh_from_db()
    assert item.status == "in_progress" and item.updated_by == personas.head.user
    page = client.get(reverse("followup:action", args=[item.pk])).content.decode()
    assert page.count("Inscription cours FLE") >= 3  # title and two history lines
    assert [c.status for c in item.changes.all()] == ["todo", "in_progress"]


def test_the_edit_page_changes_wording_and_due_date(client, personas, file):
    item = services.add_action(file, personas.worker, domain="french", description="Cours FLE")
    response = login(client, personas.worker).post(reverse("followup:action", args=[item.pk]), {
        "description": "Cours FLE niveau A1", "status": "todo", "due_date": "2026-05-04",
        "version": item.version,
    })  # fmt: skip
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.description, item.due_date) == ("Cours FLE niveau A1", dt.date(2026, 5, 4))


def test_an_implausible_due_date_is_refused_and_nothing_saved(client, personas, file):
    response = login(client, personas.worker).post(reverse("followup:actions", args=[file.pk]), {
        "op": "add", "domain": "housing", "description": "Action", "due_date": "2036-01-01",
    })  # fmt: skip
    assert "L&#x27;échéance n&#x27;est pas plausible" in response.content.decode()
    assert not ActionItem.objects.exists()


@pytest.mark.parametrize("role", ["volunteer", "intern"])
def test_volunteers_and_interns_have_no_action_plan(client, personas, file, role):
    membership = getattr(personas, role)
    assert login(client, membership).get(reverse("followup:actions", args=[file.pk])).status_code == 404
    with pytest.raises(DomainError):
        services.add_action(file, membership, domain="health", description="Essai")


def test_outsider_gets_a_404(client, personas, file):
    item = services.add_action(file, personas.worker, domain="health", description="Bilan")
    login(client, personas.outsider)
    assert client.get(reverse("followup:actions", args=[file.pk])).status_code == 404
    assert client.get(reverse("followup:action", args=[item.pk])).status_code == 404
    response = client.post(reverse("followup:actions", args=[file.pk]), {"op": "status", "item": item.pk,
                                                                        "status": "done"})  # fmt: skip
    assert response.status_code == 404


# --- The pathway plan --------------------------------------------------------------------------------
def test_import_the_actions_of_the_pathway_plan_once(client, personas, file):
    content = complete_content(signed_on=dt.date(2026, 3, 1), actions=[
        t.PlanLine("housing", "Accès à un hébergement stable", dt.date(2026, 6, 1)),
        t.PlanLine("training", "Formation agente de propreté", None),
    ])  # fmt: skip
    with clock.travel_to(dt.date(2026, 3, 1)):
        req = t.open_request(file, "entry", personas.worker, content)
    url = reverse("followup:actions", args=[file.pk])
    page = login(client, personas.worker).get(url).content.decode()
    assert "Importer les actions du document de parcours" in page
    client.post(url, {"op": "import"})
    items = {i.description: i for i in ActionItem.objects.filter(person=file)}
    assert set(items) == {"Accès à un hébergement stable", "Formation agente de propreté"}
    assert items["Formation agente de propreté"].domain == "employment"
    assert items["Accès à un hébergement stable"].due_date == dt.date(2026, 6, 1)
    assert {i.plan_action.request_id for i in items.values()} == {req.pk}
    page = client.post(url, {"op": "import"}, follow=True).content.decode()
    assert "figurent déjà dans le plan" in page
    assert ActionItem.objects.filter(person=file).count() == 2


def test_import_without_a_pathway_says_so(personas, file):
    with pytest.raises(DomainError, match="pas de demande de parcours"):
        services.import_plan_actions(file, personas.worker)


def test_import_takes_the_renewal_plan_when_there_is_one(personas, file):
    request_in_state(personas, "draft", kind="renewal", person=file)
    current = services.current_request(file)
    assert current.kind == "renewal" and current.status == "draft"


# --- Issue 8, point 7: the validated plan reaches the action plan, one list of domains -----------------
def test_validation_puts_the_planned_actions_in_the_action_plan_without_an_import(client, personas, file):
    """Before: the head of service's validation left the action plan empty until the worker found the
    import button. After: the validation copies the plan, once (a second copy creates nothing)."""
    content = complete_content(signed_on=dt.date(2026, 3, 1), actions=[
        t.PlanLine("housing", "Accès à un hébergement stable", dt.date(2026, 6, 1)),
        t.PlanLine("french", "Cours de français intensifs", None),
    ])  # fmt: skip
    with clock.travel_to(dt.date(2026, 3, 1)):
        req = t.open_request(file, "entry", personas.worker, content)
    login(client, personas.head).post(reverse("pathway:request_action", args=[req.pk, "validate"]))
    req.refresh_from_db()
    assert req.status == "validated"
    page = login(client, personas.worker).get(reverse("followup:actions", args=[file.pk])).content.decode()
    assert "Accès à un hébergement stable" in page and "Cours de français intensifs" in page
    rows = ActionItem.objects.filter(person=file).values_list("description", "domain", "due_date")
    assert sorted(rows) == [("Accès à un hébergement stable", "housing", dt.date(2026, 6, 1)),
                            ("Cours de français intensifs", "french", None)]  # fmt: skip
    assert services.copy_plan_actions(req, personas.worker) == []  # idempotent
    assert ActionItem.objects.filter(person=file).count() == 2


def _options(html: str, name: str) -> list[tuple[str, str]]:
    import re

    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_the_request_form_and_the_action_form_offer_the_same_domains(client, personas, file):
    """Before: the request's plan offered « Formation » and « Emploi » apart and « Accès aux droits »,
    the action plan « Emploi, formation » and « Accès aux droits, papiers »."""
    login(client, personas.worker)
    request_page = client.get(reverse("pathway:request_create", args=[file.pk, "entry"])).content.decode()
    actions_page = client.get(reverse("followup:actions", args=[file.pk])).content.decode()
    plan = _options(request_page, "actions-0-domain")
    follow = _options(actions_page, "domain")
    assert plan == follow
    assert ("employment", "Emploi, formation") in plan and "training" not in dict(plan)
