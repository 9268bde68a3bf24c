"""Moving a person's file: the services, their refusals and what each association reaches afterwards."""

import datetime as dt

import pytest
from django.urls import reverse

from parcours.accounts import policy
from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.followup.models import Note
from parcours.pathway import transitions as t
from parcours.pathway.deadlines import summarise
from parcours.pathway.models import Event, Pathway
from parcours.people.models import Person
from parcours.transfers import services
from parcours.transfers.models import Transfer

from ..conftest import complete_content
from ..factories import MembershipFactory, OrganisationFactory, commission, departement
from .conftest import TODAY

pytestmark = pytest.mark.django_db


def ask(w, by=None, to=None, **overrides):
    values = dict(
        to_association=to or w.receiver, consent_given_on=dt.date(2025, 9, 10), consent_method="written"
    )
    values.update(overrides)
    with clock.travel_to(TODAY):
        return services.request_transfer(w.person, by or w.p.worker, **values)


def state(w):
    """What a transfer may change, to compare before and after a refused step."""
    person = Person.objects.get(pk=w.person.pk)
    pathway = Pathway.objects.get(pk=w.pathway.pk)
    transfers = list(Transfer.objects.values_list("pk", "status", "to_association_id"))
    return (person.association_id, person.referent_id, person.departement_id, pathway.association_id,
            pathway.departement_id, transfers)  # fmt: skip


def denied_rows(since):
    return list(
        AccessLog.objects.filter(seq__gt=since, event="transfer.denied").values_list("outcome", "person_id")
    )


def last_seq():
    return AccessLog.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_acceptance_moves_the_whole_file_and_keeps_the_months(transfer_world, client):
    w = transfer_world
    with clock.travel_to(TODAY):
        before = summarise(Pathway.objects.get(pk=w.pathway.pk))
    assert (before.months_used, before.months_authorised) == (7, 12)  # 10 Feb – 15 Sept 2025; two periods
    since = last_seq()
    transfer = ask(w)
    with clock.travel_to(TODAY):
        services.accept_transfer(transfer, w.receiver_head, referent=w.receiver_worker.user)

    person = Person.objects.get(pk=w.person.pk)
    assert (person.association_id, person.referent_id) == (w.receiver.pk, w.receiver_worker.user.pk)
    pathway = Pathway.objects.get(pk=w.pathway.pk)
    assert pathway.association_id == w.receiver.pk
    with clock.travel_to(TODAY):
        after = summarise(pathway)
    assert (after.months_used, after.months_authorised, after.max_months) == (7, 12, 24)
    assert Event.objects.filter(pathway=pathway, action="transfer").count() == 1
    events = list(
        AccessLog.objects.filter(seq__gt=since)
        .exclude(event="")
        .order_by("seq")
        .values_list("event", "person_id", "organisation_id")
    )
    assert events == [("transfer.request", person.pk, w.p.association.pk),
                      ("transfer.accept", person.pk, w.receiver.pk)]  # fmt: skip

    # The receiving association's staff reach the file, its history and the sensitive note (her referent).
    assert policy.can(w.receiver_worker, "read_note", Note.objects.get(pk=w.note.pk))
    pages = [
        reverse("people:person", kwargs={"pk": person.pk}),
        reverse("followup:notes", kwargs={"pk": person.pk}),
        reverse("followup:note", kwargs={"pk": w.note.pk}),
        reverse("pathway:request", kwargs={"pk": w.renewal.pk}),
        reverse("rights:person", kwargs={"pk": person.pk}),
    ]
    client.force_login(w.receiver_worker.user)
    with clock.travel_to(TODAY):
        assert [client.get(url).status_code for url in pages] == [200] * len(pages)
        assert "Note confidentielle fictive." in client.get(pages[2]).content.decode()
    # The sending association's staff no longer do: 404, as for any file of another association.
    for sender in (w.p.worker, w.p.head):
        client.force_login(sender.user)
        with clock.travel_to(TODAY):
            assert [client.get(url).status_code for url in pages] == [404] * len(pages), sender
    assert not policy.can(w.p.head, "person_file", person)


def test_a_move_to_another_departement_takes_the_pathway_there(transfer_world):
    w = transfer_world
    transfer = ask(w, to=w.far, to_departement=departement("13"))
    with clock.travel_to(TODAY):
        services.accept_transfer(transfer, w.far_head)
    person = Person.objects.get(pk=w.person.pk)
    pathway = Pathway.objects.get(pk=w.pathway.pk)
    assert (person.departement_id, pathway.departement_id, person.referent_id) == (
        "13",
        "13",
        w.far_head.user.pk,
    )
    # Her next request goes to the commission of the Bouches-du-Rhône, the months already used counted.
    assert t.commission_for(person) == commission("13")
    assert t.months_used(pathway) == 12


def test_a_request_inside_the_association_follows_back_to_draft(personas, transfer_world):
    w = transfer_world
    other = personas.person(referent=personas.worker.user)
    with clock.travel_to(TODAY):
        req = t.open_request(other, "entry", personas.worker, complete_content())
        t.validate_request(req, personas.head)
        transfer = services.request_transfer(other, personas.worker, to_association=w.receiver,
                                             consent_given_on=TODAY, consent_method="oral")  # fmt: skip
        services.accept_transfer(transfer, w.receiver_head)
    req.refresh_from_db()
    assert (req.status, req.pathway.association_id) == ("draft", w.receiver.pk)


def test_a_refusal_leaves_the_file_where_it_was_and_the_sender_reads_why(transfer_world):
    w = transfer_world
    transfer = ask(w)
    before = state(w)
    with clock.travel_to(TODAY):
        services.refuse_transfer(transfer, w.receiver_head, "Pas de place dans le service en ce moment.")
    transfer.refresh_from_db()
    assert transfer.status == "refused" and transfer.refusal_reason.startswith("Pas de place")
    assert state(w)[:5] == before[:5]
    # Refused, she may be offered to another association.
    assert ask(w, to=w.far, to_departement=departement("13")).status == "pending"


def test_cancellation_by_the_sender(transfer_world):
    w = transfer_world
    transfer = ask(w)
    with clock.travel_to(TODAY):
        services.cancel_transfer(transfer, w.p.head)
    transfer.refresh_from_db()
    assert transfer.status == "cancelled"
    with pytest.raises(DomainError, match="n'est plus en attente"):
        services.accept_transfer(transfer, w.receiver_head)


# --- Bad input: a clear French message, nothing changed, a journaled refusal -------------------------------
def _partner():
    return OrganisationFactory(kind="partner", name="Partenaire fictif", departement=None)


def _headless():
    return OrganisationFactory(name="Association fictive sans cheffe")


REFUSED_REQUESTS = {
    "same association": (lambda w: {"to": w.p.association}, "déjà suivie par cette association"),
    "not an association": (lambda w: {"to": _partner()}, "qu'à une association agréée"),
    "without consent": (lambda w: {"consent_given_on": None}, "consentement de la personne"),
    "consent in the future": (lambda w: {"consent_given_on": TODAY + dt.timedelta(days=1)}, "dans le futur"),
    "unknown consent form": (lambda w: {"consent_method": "guessed"}, "comment le consentement"),
    "not serving her new département": (
        lambda w: {"to_departement": departement("13")},
        "n'intervient pas dans le département",
    ),
    "no head of service there": (lambda w: {"to": _headless()}, "pas de cheffe de service"),
    "by a colleague who is not her referent": (
        lambda w: {"by": MembershipFactory(organisation=w.p.association, role="social_worker")},
        "Seules la référente",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED_REQUESTS))
def test_a_refused_request_changes_nothing_and_is_journaled(transfer_world, case):
    w = transfer_world
    arguments, message = REFUSED_REQUESTS[case]
    kwargs = arguments(w)
    before, since = state(w), last_seq()
    with pytest.raises(DomainError, match=message):
        ask(w, **kwargs)
    assert state(w) == before
    assert denied_rows(since) == [("denied", w.person.pk)]


def test_no_double_transfer(transfer_world):
    w = transfer_world
    first = ask(w)
    before, since = state(w), last_seq()
    with pytest.raises(DomainError, match=f"déjà en attente de réponse \\({first.reference}\\)"):
        ask(w, to=w.far, to_departement=departement("13"))
    assert state(w) == before and denied_rows(since) == [("denied", w.person.pk)]


def test_no_transfer_while_a_request_is_before_the_commission(personas, transfer_world):
    w = transfer_world
    req = t.open_request(w.person, "renewal", personas.worker, complete_content())
    t.validate_request(req, personas.head)
    t.submit_request(req, personas.worker)
    before, since = state(w), last_seq()
    with pytest.raises(DomainError, match="entre les mains de la commission"):
        ask(w)
    assert state(w) == before and denied_rows(since) == [("denied", w.person.pk)]


@pytest.mark.parametrize("who", ["sending head", "receiving social worker", "other head"])
def test_only_the_receiving_head_of_service_answers(transfer_world, who):
    w = transfer_world
    transfer = ask(w)
    by = {"sending head": w.p.head, "receiving social worker": w.receiver_worker, "other head": w.far_head}[
        who
    ]
    before, since = state(w), last_seq()
    for answer in (lambda: services.accept_transfer(transfer, by),
                   lambda: services.refuse_transfer(transfer, by, "Motif fictif")):  # fmt: skip
        with pytest.raises(DomainError, match="Seule la cheffe de service de l'association qui reçoit"):
            answer()
    assert state(w) == before
    assert denied_rows(since) == [("denied", w.person.pk)] * 2


def test_a_refusal_needs_a_reason_and_a_referent_must_be_of_the_receiving_association(transfer_world):
    w = transfer_world
    transfer = ask(w)
    before = state(w)
    with pytest.raises(DomainError, match="motif du refus"):
        services.refuse_transfer(transfer, w.receiver_head, "   ")
    with pytest.raises(DomainError, match="La référente choisie"):
        services.accept_transfer(transfer, w.receiver_head, referent=w.p.worker.user)
    assert state(w) == before


def test_an_accepted_transfer_cannot_be_answered_or_cancelled_again(transfer_world):
    w = transfer_world
    transfer = ask(w)
    services.accept_transfer(transfer, w.receiver_head)
    before = state(w)
    with pytest.raises(DomainError, match="n'est plus en attente de réponse : il est accepté"):
        services.refuse_transfer(transfer, w.receiver_head, "Motif fictif")
    with pytest.raises(DomainError):
        services.cancel_transfer(transfer, w.p.head)
    assert state(w) == before


def test_the_senders_inbox_forgets_the_person_once_her_file_has_left(transfer_world, client):
    """A notification about a transferred person would link to a 404: the inbox hides it at once, and the
    next daily pass deletes it so that no digest counts it."""
    from parcours.notifications import services as notifications
    from parcours.notifications.models import Notification

    w = transfer_world
    ref = f"P-{w.person.pk:06d}"
    Notification.objects.create(
        recipient=w.p.worker.user, organisation=w.p.worker.organisation, kind="renewal", due_on=TODAY,
        object_key=f"pathway:{w.pathway.pk}", person_reference=ref, person=w.person, url="/a-faire/",
        dedup_key=f"renewal|pathway:{w.pathway.pk}|{TODAY}",
    )  # fmt: skip
    client.force_login(w.p.worker.user)
    assert ref in client.get(reverse("notifications:inbox")).content.decode()
    transfer = ask(w)
    with clock.travel_to(TODAY):
        services.accept_transfer(transfer, w.receiver_head)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert ref not in page and "Rien à traiter." in page
    assert Notification.objects.filter(person=w.person).count() == 1  # hidden, not yet deleted
    with clock.travel_to(TODAY):
        notifications.notify()
    assert not Notification.objects.filter(recipient=w.p.worker.user, person=w.person).exists()
