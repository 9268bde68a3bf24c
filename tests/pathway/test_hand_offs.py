"""Issue 8, points 3 to 6: hand-offs between roles are visible, to-do lines open the thing to do, the avis
field says when it opens, and destructive actions ask for a confirmation.

The oracle is the page a user reads (literal French texts, links and forms found in the HTML) and the
request's status read back from the database after a POST through the browser's forms. Each test failed
before the change (checked against main at 2978c92 in a temporary worktree): there was no « Soumettre à la
validation » step, the head of service's to-do put every draft under one title, to-do lines linked to the
person, the inbox opened on every status, a future session showed no avis field and no word why, and
« Retirer la demande » / « Annuler la séance » were one-click POST forms acting at once.
"""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from parcours.core import clock
from parcours.pathway import rules
from parcours.pathway import transitions as t
from parcours.pathway.models import CommissionSession

from ..conftest import complete_content, request_in_state

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)
RS = rules.RequestStatus


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(TODAY):
        yield


def page_of(client, membership, url, **params) -> str:
    client.force_login(membership.user)
    response = client.get(url, params)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def section(page: str, title: str) -> str:
    """The <section> of a to-do page whose heading starts with `title`."""
    for part in page.split("<section")[1:]:
        heading = re.search(r"<h2[^>]*>(.*?)<", part, re.S)
        if heading and heading.group(1).strip().startswith(title):
            return part.split("</section>")[0]
    raise AssertionError(f"no section « {title} »")


def forms_posting_to(page: str, url: str) -> list[str]:
    return [f for f in re.findall(r"<form[^>]*>.*?</form>", page, re.S) if f'action="{url}"' in f]


def draft(personas, person=None, on=TODAY):
    with clock.travel_to(on):
        return t.open_request(person or personas.person(), "entry", personas.worker, complete_content(on))


# --- Point 3: « Soumettre à la validation » -----------------------------------------------------------
def test_the_worker_submits_a_draft_for_validation_and_can_take_it_back(client, personas):
    req = draft(personas)
    request_url = reverse("pathway:request", args=[req.pk])
    page = page_of(client, personas.worker, request_url)
    submit_url = reverse("pathway:request_action", args=[req.pk, "submit_for_validation"])
    assert forms_posting_to(page, submit_url), "no « Soumettre à la validation » button"
    assert "Soumettre à la validation" in page

    client.post(submit_url)
    req.refresh_from_db()
    assert req.status == "ready"
    page = page_of(client, personas.worker, request_url)
    assert "Soumise à la validation" in page
    assert "Demande soumise à la validation de la cheffe de service" in page  # the last step
    take_back_url = reverse("pathway:request_action", args=[req.pk, "take_back"])
    assert forms_posting_to(page, take_back_url)

    client.post(take_back_url)
    req.refresh_from_db()
    assert req.status == "draft"


def test_an_incomplete_draft_cannot_be_submitted_for_validation(client, personas):
    with clock.travel_to(TODAY):
        req = t.open_request(
            personas.person(), "entry", personas.worker, complete_content(TODAY, motivation="")
        )
    client.force_login(personas.worker.user)
    response = client.post(
        reverse("pathway:request_action", args=[req.pk, "submit_for_validation"]), follow=True
    )
    req.refresh_from_db()
    assert req.status == "draft"
    assert "il manque la motivation" in html.unescape(response.content.decode())


def test_the_head_sees_drafts_ready_for_validation_apart_from_unfinished_ones(client, personas):
    ready = draft(personas)
    unfinished = draft(personas)
    with clock.travel_to(TODAY):
        t.submit_for_validation(ready, personas.worker)
    page = page_of(client, personas.head, reverse("pathway:todo"))
    to_validate = section(page, "Demandes soumises à la validation : à valider")
    drafts = section(page, "Brouillons en cours de préparation")
    assert ready.pathway.reference in to_validate and ready.pathway.reference not in drafts
    assert unfinished.pathway.reference in drafts and unfinished.pathway.reference not in to_validate
    # what waits for her comes first on her page
    assert page.index("Demandes soumises à la validation : à valider") < page.index("Brouillons en cours")


def test_a_request_ready_for_validation_stays_inside_the_association(client, personas):
    req = draft(personas)
    with clock.travel_to(TODAY):
        t.submit_for_validation(req, personas.worker)
    client.force_login(personas.secretariat.user)
    assert client.get(reverse("pathway:request", args=[req.pk])).status_code == 404
    inbox = page_of(client, personas.secretariat, reverse("pathway:inbox"), statut="tous")
    assert req.pathway.reference not in inbox


# Each hand-off: the status shown, the last step and who acts now, as the request page says them.
HAND_OFFS = {
    "ready": ("Soumise à la validation", "Demande soumise à la validation de la cheffe de service",
              "La cheffe de service doit la valider ou la renvoyer en brouillon"),
    "validated": ("Validée par l'association", "Demande validée par l'association",
                  "L'association doit la transmettre à la commission."),
    "submitted": ("Transmise à la commission", "Demande transmise à la commission",
                  "Le secrétariat de la commission doit l'inscrire à une séance."),
    "scheduled": ("Inscrite à une séance", "Demande inscrite à l'ordre du jour",
                  "La commission l'examine en séance ; le secrétariat enregistre son avis. "
                  "Séance du 3 février 2025."),
    "avis_given": ("Avis rendu, en attente de décision", "Avis de la commission",
                   "La préfecture doit prendre la décision du préfet."),
    "authorised": ("Autorisée", "Autorisation du préfet", "Décision prise : rien n'est attendu"),
    "refused": ("Refusée", "Refus du préfet", "Décision prise : rien n'est attendu"),
}  # fmt: skip


@pytest.mark.parametrize("status", list(HAND_OFFS))
def test_each_hand_off_shows_the_last_step_and_who_acts_now(client, personas, status):
    req = request_in_state(personas, status)
    badge, last_step, next_step = HAND_OFFS[status]
    page = page_of(client, personas.worker, reverse("pathway:request", args=[req.pk]))
    assert badge in page
    assert re.search(r"Dernière étape : <strong>" + re.escape(last_step) + "</strong>", page)
    assert "Et maintenant : " + next_step in page


# --- Point 4: to-do lines open the thing to do ---------------------------------------------------------
def test_the_heads_to_do_opens_the_request_to_validate_not_the_person(client, personas):
    req = draft(personas)
    with clock.travel_to(TODAY):
        t.submit_for_validation(req, personas.worker)
    lines = section(page_of(client, personas.head, reverse("pathway:todo")), "Demandes soumises")
    assert f'href="{reverse("pathway:request", args=[req.pk])}"' in lines
    assert f'href="{reverse("people:person", args=[req.pathway.person_id])}"' not in lines


def test_the_secretariat_opens_the_session_to_record_an_avis(client, personas):
    req = request_in_state(personas, "scheduled")  # session of 3 February 2025, past
    session = req.agenda_items.get().session
    lines = section(
        page_of(client, personas.secretariat, reverse("pathway:todo")), "Demandes examinées en séance"
    )
    assert f'href="{reverse("pathway:session", args=[session.pk])}"' in lines


def test_the_prefecture_opens_the_decision_form(client, personas):
    req = request_in_state(personas, "avis_given")
    lines = section(
        page_of(client, personas.agent, reverse("pathway:todo")), "Demandes en attente de décision"
    )
    assert f'href="{reverse("pathway:decide", args=[req.pk])}"' in lines


def test_the_inbox_opens_on_what_awaits_the_secretariat_oldest_first(client, personas):
    newer = request_in_state(personas, "submitted")  # transmitted on 6 January 2025
    with clock.travel_to(dt.date(2024, 12, 2)):
        older = t.open_request(
            personas.person(), "entry", personas.worker, complete_content(dt.date(2024, 12, 2))
        )
        t.validate_request(older, personas.head)
        t.submit_request(older, personas.worker)
    scheduled = request_in_state(personas, "scheduled")
    url = reverse("pathway:inbox")
    page = page_of(client, personas.secretariat, url)
    assert older.pathway.reference in page and newer.pathway.reference in page
    assert page.index(older.pathway.reference) < page.index(newer.pathway.reference)
    assert scheduled.pathway.reference not in page
    assert re.search(r'<option value="submitted" selected>', page)
    every = page_of(client, personas.secretariat, url, statut="tous")
    assert scheduled.pathway.reference in every and older.pathway.reference in every
    only_scheduled = page_of(client, personas.secretariat, url, statut="scheduled")
    assert scheduled.pathway.reference in only_scheduled and older.pathway.reference not in only_scheduled


# --- Point 5: the avis field says when it opens --------------------------------------------------------
def test_a_future_session_says_from_when_the_avis_can_be_recorded(client, personas):
    with clock.travel_to(dt.date(2026, 3, 1)):
        session = t.create_session(personas.secretariat, dt.date(2026, 3, 20))
        req = t.open_request(
            personas.person(), "entry", personas.worker, complete_content(dt.date(2026, 3, 1))
        )
        t.validate_request(req, personas.head)
        t.submit_request(req, personas.worker)
        t.schedule_request(req, session, personas.secretariat)
    page = page_of(client, personas.secretariat, reverse("pathway:session", args=[session.pk]))
    assert "Les avis se saisissent à partir du jour de la séance, le 20 mars 2026." in page
    with clock.travel_to(dt.date(2026, 3, 20)):
        on_the_day = page_of(client, personas.secretariat, reverse("pathway:session", args=[session.pk]))
    assert "Les avis se saisissent à partir" not in on_the_day
    assert "Enregistrer les avis" in on_the_day


# --- Point 6: confirmations --------------------------------------------------------------------------
def test_withdrawing_a_request_asks_for_a_confirmation_that_says_it_is_final(client, personas):
    req = request_in_state(personas, "submitted")
    action_url = reverse("pathway:request_action", args=[req.pk, "withdraw"])
    confirm_url = reverse("pathway:request_withdraw", args=[req.pk])
    page = page_of(client, personas.worker, reverse("pathway:request", args=[req.pk]))
    # No form on the page withdraws at once: the only one posting to the action is the modal's, confirmed.
    posting = forms_posting_to(page, action_url)
    assert posting and all('name="confirmed"' in f for f in posting)
    assert re.search(r'<dialog id="modale-retrait" class="fr-modal"', page)
    assert 'aria-controls="modale-retrait"' in page
    assert f'href="{confirm_url}"' in page  # without JavaScript

    confirm = page_of(client, personas.worker, confirm_url)
    assert "Cette action est définitive" in confirm
    assert "ne pourra plus être transmise ni examinée" in confirm
    assert forms_posting_to(confirm, action_url)

    client.post(action_url, {"comment": ""})  # an old one-click form: sent to the confirmation, nothing done
    req.refresh_from_db()
    assert req.status == "submitted"
    response = client.post(action_url, {"confirmed": "1", "comment": "La personne renonce."})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "withdrawn"


def test_cancelling_a_session_asks_for_a_confirmation_that_says_what_happens(client, personas):
    with clock.travel_to(dt.date(2026, 3, 1)):
        session = t.create_session(personas.secretariat, dt.date(2026, 3, 20))
        req = t.open_request(
            personas.person(), "entry", personas.worker, complete_content(dt.date(2026, 3, 1))
        )
        t.validate_request(req, personas.head)
        t.submit_request(req, personas.worker)
        t.schedule_request(req, session, personas.secretariat)
    session_url = reverse("pathway:session", args=[session.pk])
    confirm_url = reverse("pathway:session_cancel", args=[session.pk])
    page = page_of(client, personas.secretariat, session_url)
    cancel_forms = [f for f in re.findall(r"<form[^>]*>.*?</form>", page, re.S) if 'value="cancel"' in f]
    assert cancel_forms and all('name="confirmed"' in f for f in cancel_forms)
    assert f'href="{confirm_url}"' in page
    assert 'aria-controls="modale-annulation"' in page

    confirm = page_of(client, personas.secretariat, confirm_url)
    assert "ne pourra pas être rétablie" in confirm
    assert "La demande inscrite à son ordre du jour retourne dans la liste" in confirm

    client.post(session_url, {"op": "cancel"})  # unconfirmed: nothing happens
    assert CommissionSession.objects.get(pk=session.pk).status == "planned"
    client.post(session_url, {"op": "cancel", "confirmed": "1"})
    assert CommissionSession.objects.get(pk=session.pk).status == "cancelled"
    req.refresh_from_db()
    assert req.status == RS.SUBMITTED


def test_the_confirmation_pages_are_refused_to_roles_that_cannot_act(client, personas):
    req = request_in_state(personas, "submitted")
    client.force_login(personas.secretariat.user)
    assert client.get(reverse("pathway:request_withdraw", args=[req.pk])).status_code == 403
    with clock.travel_to(TODAY):
        session = t.create_session(personas.secretariat, dt.date(2026, 4, 1))
    client.force_login(personas.worker.user)
    assert client.get(reverse("pathway:session_cancel", args=[session.pk])).status_code == 403


def test_the_association_sees_each_hand_off_back_to_it_on_its_to_do(client, personas):
    """Sent back to draft by the head, at the commission, decided: the worker's to-do says it without her
    going to look for it."""
    day = dt.date(2025, 2, 20)
    sent_back = draft(personas, on=day)
    with clock.travel_to(day):
        t.submit_for_validation(sent_back, personas.worker)
        t.return_to_draft(sent_back, personas.head, "Préciser le projet")
    unfinished = draft(personas, on=day)
    at_commission = request_in_state(personas, "scheduled")
    decided = request_in_state(personas, "authorised")  # decided on 10 February 2025
    with clock.travel_to(day):
        page = page_of(client, personas.worker, reverse("pathway:todo"))
    drafts = section(page, "Brouillons en cours de préparation")
    line = next(li for li in drafts.split("<li>") if sent_back.pathway.reference in li)
    assert "Renvoyée en brouillon par la cheffe de service" in line
    line = next(li for li in drafts.split("<li>") if unfinished.pathway.reference in li)
    assert "Renvoyée en brouillon" not in line
    following = section(page, "Demandes à la commission et à la préfecture")
    assert at_commission.pathway.reference in following
    assert f'href="{reverse("pathway:request", args=[at_commission.pk])}"' in following
    decisions = section(page, "Décisions du préfet reçues ces 30 derniers jours")
    assert decided.pathway.reference in decisions and "Autorisée" in decisions
    assert "10 février 2025" in decisions


def test_the_secretariat_opens_the_next_session_to_schedule_a_request(client, personas):
    req = request_in_state(personas, "submitted")  # transmitted on 6 January 2025
    with clock.travel_to(TODAY):
        past = t.create_session(personas.secretariat, dt.date(2026, 3, 2))
        later = t.create_session(personas.secretariat, dt.date(2026, 5, 4))
        nearest = t.create_session(personas.secretariat, dt.date(2026, 4, 6))
    lines = section(page_of(client, personas.secretariat, reverse("pathway:todo")), "Demandes à inscrire")
    assert req.pathway.reference in lines
    assert f'href="{reverse("pathway:session", args=[nearest.pk])}"' in lines
    assert f'href="{reverse("pathway:session", args=[past.pk])}"' not in lines
    assert f'href="{reverse("pathway:session", args=[later.pk])}"' not in lines


def test_the_head_says_what_to_revise_when_she_sends_a_request_back(client, personas):
    req = draft(personas)
    with clock.travel_to(TODAY):
        t.submit_for_validation(req, personas.worker)
    url = reverse("pathway:request_action", args=[req.pk, "return_to_draft"])
    page = page_of(client, personas.head, reverse("pathway:request", args=[req.pk]))
    assert [f for f in forms_posting_to(page, url) if 'name="comment"' in f]
    client.post(url, {"comment": "Préciser le projet de formation"})
    req.refresh_from_db()
    assert req.status == "draft"
    page = page_of(client, personas.worker, reverse("pathway:request", args=[req.pk]))
    assert "Demande renvoyée en brouillon</strong>" in page
    assert "« Préciser le projet de formation »" in page
