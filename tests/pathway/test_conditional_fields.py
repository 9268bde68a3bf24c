"""Issue 8, points 9 and 11 (decision form): fields required in some cases say when, not « (optionnel) »; a
refused form keeps what was chosen; the decision's radios and checkboxes carry the DSFR markup."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from parcours.core import clock
from parcours.pathway import transitions as t
from parcours.pathway.models import PathwayRequest

from ..conftest import complete_content, walk_to_avis

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(dt.date(2026, 3, 10)):
        yield


def login(client, membership):
    client.force_login(membership.user)
    return client


def _label_text(html: str, field_id: str) -> str:
    """The text of the label or legend of a field, tags removed."""
    found = re.search(rf'<(label|legend)[^>]*(?:for|id)="{field_id}(?:-legend)?"[^>]*>(.*?)</\1>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(2))).strip()


def test_the_refusal_fields_say_when_they_are_required(client, personas):
    """Before: « Motifs de refus (Optionnel) » and « Motivation (Optionnel) »."""
    req = walk_to_avis(
        personas, personas.person(), submitted_on=dt.date(2026, 1, 5), session_on=dt.date(2026, 2, 2)
    )
    page = login(client, personas.agent).get(reverse("pathway:decide", args=[req.pk])).content.decode()
    reasons = _label_text(page, "id_refusal_reasons")
    motivation = _label_text(page, "id_motivation")
    assert "optionnel" not in reasons.lower() and "Obligatoire en cas de refus" in reasons
    assert "optionnel" not in motivation.lower() and "Obligatoire en cas de refus" in motivation
    assert not re.search(
        r'<textarea[^>]*name="motivation"[^>]*required', page
    )  # not required for an authorisation


def test_a_refusal_without_reason_keeps_the_choices_and_says_which_field(client, personas):
    req = walk_to_avis(
        personas, personas.person(), submitted_on=dt.date(2026, 1, 5), session_on=dt.date(2026, 2, 2)
    )
    response = login(client, personas.agent).post(
        reverse("pathway:decide", args=[req.pk]),
        {"kind": "refused", "decided_on": "2026-02-10", "refusal_reasons": ["project"], "motivation": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert PathwayRequest.objects.get(pk=req.pk).status == "avis_given"
    assert re.search(r'<input[^>]*value="refused"[^>]*checked', page)
    assert re.search(r'<input[^>]*value="project"[^>]*checked', page)
    assert "Un refus doit être motivé par écrit." in page


def test_the_decision_radios_and_checkboxes_are_dsfr_styled(client, personas):
    """Before: Django's default <label><input> markup, unstyled by the DSFR."""
    req = walk_to_avis(
        personas, personas.person(), submitted_on=dt.date(2026, 1, 5), session_on=dt.date(2026, 2, 2)
    )
    page = login(client, personas.agent).get(reverse("pathway:decide", args=[req.pk])).content.decode()
    radio = r'<div class="fr-radio-group">\s*<input type="radio" name="kind"[^>]*id="(id_kind_\d)"[^>]*>'
    radios = re.findall(radio + r'\s*<label class="fr-label" for="\1">', page)
    assert len(radios) == 2
    boxes = re.findall(
        r'<div class="fr-checkbox-group">\s*<input type="checkbox" name="refusal_reasons"', page
    )
    assert len(boxes) >= 2


def _scheduled_session(personas, count):
    requests = []
    with clock.travel_to(dt.date(2026, 2, 1)):
        session = t.create_session(personas.secretariat, dt.date(2026, 3, 5))
        for _ in range(count):
            req = t.open_request(
                personas.person(), "entry", personas.worker, complete_content(dt.date(2026, 2, 1))
            )
            t.validate_request(req, personas.head)
            t.submit_request(req, personas.worker)
            t.schedule_request(req, session, personas.secretariat)
            requests.append(req)
    return session, requests


def test_the_avis_reason_says_when_it_is_required(client, personas):
    session, _requests = _scheduled_session(personas, 1)
    item = session.agenda.get()
    page = (
        login(client, personas.secretariat)
        .get(reverse("pathway:session", args=[session.pk]))
        .content.decode()
    )
    label = _label_text(page, f"id_item{item.pk}-reason")
    assert "optionnel" not in label.lower()
    assert "Obligatoire pour un avis défavorable ou un ajournement" in label


def test_an_avis_refused_for_want_of_a_reason_keeps_every_choice(client, personas):
    """Before: the page redirected and came back with « — non examinée — » everywhere: the unfavourable avis
    chosen, and the other avis of the screen not yet recorded, had to be chosen again."""
    session, requests = _scheduled_session(personas, 3)
    items = list(session.agenda.order_by("position"))
    data = {"op": "avis",
            f"item{items[0].pk}-kind": "unfavourable", f"item{items[0].pk}-reason": "",
            f"item{items[1].pk}-kind": "favourable", f"item{items[1].pk}-reason": "",
            f"item{items[2].pk}-kind": "", f"item{items[2].pk}-reason": "Note à reprendre"}  # fmt: skip
    response = login(client, personas.secretariat).post(reverse("pathway:session", args=[session.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    statuses = [PathwayRequest.objects.get(pk=r.pk).status for r in requests]
    assert statuses == ["scheduled", "avis_given", "scheduled"]
    select = rf'<select[^>]*name="item{items[0].pk}-kind"[^>]*>.*?'
    assert re.search(select + r'<option value="unfavourable" selected', page, re.S)
    assert "Note à reprendre" in page
    assert "Un avis défavorable ou un ajournement doit être motivé." in page
    assert "1 avis enregistré." in page  # one recorded: singular (before « 1 avis enregistré(s) »)
