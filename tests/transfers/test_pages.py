"""The transfer pages: the sender's button and form, the receiver's to-do entry and pseudonymised summary,
the acceptance, and the journal of both associations' reads."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.transfers import services
from parcours.transfers.models import Transfer

from .conftest import TODAY

pytestmark = pytest.mark.django_db
NAME = "Transferina"  # the person's first name (conftest.py)


def page(client, membership, url, data=None):
    client.force_login(membership.user)
    with clock.travel_to(TODAY):
        response = client.post(url, data) if data is not None else client.get(url)
    return response, response.content.decode()


def reads(person_id, membership, object_type):
    return AccessLog.objects.filter(
        person_id=person_id, user=membership.user, action="read", object_type=object_type
    ).count()


def test_the_sender_asks_from_the_persons_page(client, transfer_world):
    w = transfer_world
    person_url = reverse("people:person", kwargs={"pk": w.person.pk})
    create_url = reverse("transfers:create", kwargs={"pk": w.person.pk})
    _response, html = page(client, w.p.worker, person_url)
    assert "Transférer le dossier à une autre association" in html and create_url in html
    # A colleague who is not her referent sees no button, and the page sends her back with the reason.
    colleague = type(w.p.worker).objects.create(
        user=type(w.p.worker.user).objects.create(username="collegue"), organisation=w.p.association,
        role="social_worker",
    )  # fmt: skip
    assert create_url not in page(client, colleague, person_url)[1]
    response, _html = page(client, colleague, create_url)
    assert response.status_code == 302
    _response, html = page(client, w.p.worker, create_url)
    assert "Association fictive d&#x27;accueil" in html and "Consentement de la personne recueilli le" in html

    # Without a consent date: the form says so, nothing is created.
    data = {"to_association": w.receiver.pk, "to_departement": "30", "consent_method": "written"}
    response, html = page(client, w.p.worker, create_url, data)
    assert response.status_code == 200 and "indiquez la date à laquelle elle l" in html
    assert not Transfer.objects.exists()
    # To her own association (not offered in the list, forced in the POST): refused by the form's choices.
    response, html = page(client, w.p.worker, create_url, {**data, "to_association": w.p.association.pk,
                                                           "consent_given_on": "2025-09-10"})  # fmt: skip
    assert response.status_code == 200 and not Transfer.objects.exists()
    response, _html = page(client, w.p.worker, create_url, {**data, "consent_given_on": "2025-09-10"})
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "transfers:detail", args=[transfer.pk]
    )
    # Pending: the person's page says so, and asking again shows the pending transfer instead of a form.
    _response, html = page(client, w.p.worker, person_url)
    assert "en attente de réponse" in html and create_url not in html
    _response, html = page(client, w.p.worker, create_url)
    assert transfer.reference in html and "Demander le transfert" not in html


def requested(w, message):
    """The sender's worker asks the receiving association to take the file over, consent given orally."""
    with clock.travel_to(TODAY):
        return services.request_transfer(
            w.person, w.p.worker, to_association=w.receiver, consent_given_on=dt.date(2025, 9, 10),
            consent_method="oral", message=message,
        )  # fmt: skip


def test_the_receiver_sees_a_pseudonymised_summary_then_the_file(client, transfer_world):
    w = transfer_world
    transfer = requested(w, "Elle souhaite un suivi plus près de son travail.")
    detail = reverse("transfers:detail", kwargs={"pk": transfer.pk})
    # Her to-do page: one line for the head of service, with the file's reference and no name.
    _response, html = page(client, w.receiver_head, reverse("pathway:todo"))
    assert w.person.reference in html and "à accepter ou refuser" in html and NAME not in html
    _response, html = page(client, w.receiver_worker, reverse("pathway:todo"))
    assert w.person.reference in html and "en attente de la réponse de la cheffe de service" in html
    # The summary: reference, initials, birth year, nationality, months; never the name.
    response, html = page(client, w.receiver_head, detail)
    assert response.status_code == 200 and NAME not in html
    assert (
        "T. D." in html
        and "1995" in html
        and "Nigeria" in html
        and "7 mois utilisés, 12 mois autorisés" in html
    )
    assert "Accepter le transfert" in html and "plus près de son travail" in html
    # Her worker sees it, but the buttons are the head's.
    assert "Accepter le transfert" not in page(client, w.receiver_worker, detail)[1]
    # The file itself stays closed to the receiver until the acceptance.
    assert (
        page(client, w.receiver_head, reverse("people:person", kwargs={"pk": w.person.pk}))[0].status_code
        == 404
    )
    # The sender reads the same transfer with the name (still her file).
    assert NAME in page(client, w.p.worker, detail)[1]

    accept = reverse("transfers:accept", kwargs={"pk": transfer.pk})
    # The sending head of service cannot accept it: back to the transfer with the reason.
    response = page(client, w.p.head, accept, {"referent": w.p.head.user.pk})[0]
    assert response.status_code == 302
    assert Transfer.objects.get().status == "pending"
    denied = AccessLog.objects.filter(user=w.p.head.user, event="transfer.denied", outcome="denied")
    assert list(denied.values_list("person_id", "object_id")) == [(w.person.pk, str(transfer.pk))]
    response, html = page(client, w.receiver_head, accept)
    assert response.status_code == 200 and "Nouvelle référente" in html and NAME not in html
    response = page(client, w.receiver_head, accept, {"referent": w.receiver_worker.user.pk})[0]
    assert response["Location"] == reverse("people:person", kwargs={"pk": w.person.pk})

    # After: the receiver sees the name; the sender keeps the trace only.
    assert NAME in page(client, w.receiver_head, detail)[1]
    response, html = page(client, w.p.worker, detail)
    assert (
        response.status_code == 200 and NAME not in html and "n'est plus suivi par votre association" in html
    )
    assert "plus près de son travail" not in html
    response, html = page(client, w.p.head, reverse("transfers:list"))
    assert transfer.reference in html and w.person.reference in html and NAME not in html
    # Both associations' reads of the transfer are in the journal, with the person concerned.
    assert reads(w.person.pk, w.receiver_head, "transfers_detail") == 2
    assert reads(w.person.pk, w.p.worker, "transfers_detail") == 2


def test_refusal_and_cancellation_pages(client, transfer_world):
    w = transfer_world
    with clock.travel_to(TODAY):
        transfer = services.request_transfer(w.person, w.p.worker, to_association=w.receiver,
                                             consent_given_on=TODAY, consent_method="written")  # fmt: skip
    refuse = reverse("transfers:refuse", kwargs={"pk": transfer.pk})
    response, html = page(client, w.receiver_head, refuse, {"reason": ""})
    assert response.status_code == 200 and "Indiquez le motif du refus" in html
    page(client, w.receiver_head, refuse, {"reason": "Aucune place avant janvier."})
    _response, html = page(client, w.p.worker, reverse("transfers:detail", kwargs={"pk": transfer.pk}))
    assert "Refusé" in html and "Aucune place avant janvier." in html

    with clock.travel_to(TODAY):
        second = services.request_transfer(w.person, w.p.worker, to_association=w.receiver,
                                           consent_given_on=TODAY, consent_method="written")  # fmt: skip
    cancel = reverse("transfers:cancel", kwargs={"pk": second.pk})
    response, html = page(client, w.p.worker, cancel, {})
    assert response.status_code == 200 and "Cochez la case" in html
    page(client, w.p.worker, cancel, {"confirmed": "on"})
    assert Transfer.objects.get(pk=second.pk).status == "cancelled"


def test_each_to_do_page_lists_the_pending_transfers_of_its_association_only(client, transfer_world):
    """The to-do page reads incoming and outgoing transfers in one query (issue 15): each association sees
    its own side, with their number (the badge said 0 whatever the list held), a third association
    nothing, and an answered transfer leaves both lists."""
    w = transfer_world
    transfer = requested(w, "Motif fictif.")
    todo = reverse("pathway:todo")
    html = page(client, w.p.worker, todo)[1]
    assert "transfert demandé à « Association fictive d&#x27;accueil », en attente de réponse" in html
    assert NAME in html and "à reprendre" not in html
    assert re.search(r"Transferts de dossiers <span[^>]*>1</span>", html)
    html = page(client, w.receiver_head, todo)[1]
    assert f"Dossier {w.person.reference} à reprendre" in html and "transfert demandé" not in html
    assert re.search(r"Transferts de dossiers <span[^>]*>1</span>", html)
    html = page(client, w.far_head, todo)[1]
    assert w.person.reference not in html and "Aucun transfert en attente." in html
    with clock.travel_to(TODAY):
        services.refuse_transfer(transfer, w.receiver_head, "Motif de refus fictif.")
    for membership in (w.p.worker, w.receiver_head):
        assert "Aucun transfert en attente." in page(client, membership, todo)[1]
