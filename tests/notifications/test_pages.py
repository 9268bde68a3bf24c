"""The inbox (count in the header, « marquer comme traité »), the e-mail preference, and the personal
calendar feed at a secret address: revoked → 404, renewed → the new one only, no identity in the file."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.followup import services as followup
from parcours.notifications import services
from parcours.notifications.models import CalendarFeed, Notification, Preference
from parcours.pathway import transitions as t

D = dt.date
CANARY = "Matricanarde"
JUNE_9 = D(2025, 6, 9)


def notification(membership, kind="renewal", ref="P-000042", due=JUNE_9, key="pathway:42"):
    return Notification.objects.create(
        recipient=membership.user, organisation=membership.organisation, kind=kind, due_on=due,
        object_key=key, person_reference=ref, url="/a-faire/", dedup_key=f"{kind}|{key}|{due}",
    )  # fmt: skip


@pytest.mark.django_db
def test_the_header_counts_the_unread_and_marking_one_as_done_lowers_it(client, personas):
    first = notification(personas.worker)
    notification(personas.worker, kind="aps", key="aps:42", due=D(2025, 6, 21))
    notification(personas.head, kind="aps", ref="P-000099", key="aps:99")  # someone else's
    client.force_login(personas.worker.user)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert re.search(r"Notifications<span class=\"fr-sr-only\"> :</span> <span[^>]*>2<", page)
    assert "Renouvellement à préparer — P-000042" in page and "9 juin 2025" in page
    assert "P-000099" not in page
    response = client.post(reverse("notifications:inbox"), {"notification": first.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.done_at is not None
    assert AccessLog.objects.filter(event="notification.done", user=personas.worker.user).count() == 1
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert re.search(r"Notifications<span class=\"fr-sr-only\"> :</span> <span[^>]*>1<", page)
    assert "Traitées récemment" in page


@pytest.mark.django_db
def test_nobody_marks_another_users_notification(client, personas):
    hers = notification(personas.head)
    client.force_login(personas.worker.user)
    assert client.post(reverse("notifications:inbox"), {"notification": hers.pk}).status_code == 404
    assert client.post(reverse("notifications:inbox"), {"notification": "abc"}).status_code == 404
    hers.refresh_from_db()
    assert hers.done_at is None


@pytest.mark.django_db
def test_the_preference_is_saved_and_a_wrong_value_is_refused_in_french(client, personas):
    client.force_login(personas.worker.user)
    url = reverse("notifications:preferences")
    assert 'value="daily" checked' in client.get(url).content.decode()  # the default: each day
    assert client.post(url, {"frequency": "weekly"}).status_code == 302
    assert Preference.objects.get(user=personas.worker.user).frequency == "weekly"
    answer = client.post(url, {"frequency": "hourly"})
    assert answer.status_code == 400
    assert "Choisissez chaque jour, chaque semaine ou jamais." in answer.content.decode()
    assert Preference.objects.get(user=personas.worker.user).frequency == "weekly"


def feed_url_from(response) -> str:
    match = re.search(
        r'value="(http://testserver/notifications/agenda\.ics\?jeton=[^"]+)"', response.content.decode()
    )
    assert match, "the new address is shown once"
    return match.group(1).removeprefix("http://testserver")


@pytest.mark.django_db
def test_the_calendar_feed_needs_its_token_only_names_nobody_and_revoked_or_renewed_the_old_one_is_404(
    client, personas
):
    with clock.travel_to(D(2025, 3, 3)):
        person = personas.person(last_name=CANARY, referent=personas.worker.user)
        followup.schedule_appointment(
            person, personas.worker, worker=personas.worker.user, purpose="health", place="Cabinet fictif",
            starts_at=dt.datetime(2025, 3, 10, 9, 30, tzinfo=clock.PARIS),
            ends_at=dt.datetime(2025, 3, 10, 10, 30, tzinfo=clock.PARIS),
        )  # fmt: skip
        t.create_session(personas.secretariat, D(2025, 3, 20))
    client.force_login(personas.worker.user)
    page = reverse("notifications:calendar")
    assert "Aucune adresse active." in client.get(page).content.decode()
    first = feed_url_from(client.post(page, {"action": "renew"}))
    token = first.rsplit("=", 1)[1]
    assert CalendarFeed.objects.get(user=personas.worker.user).token_hash != token  # stored hashed
    assert token not in client.get(page).content.decode()  # shown once
    client.logout()

    with clock.travel_to(D(2025, 3, 5)):
        response = client.get(first)  # no session: the calendar app
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert f"SUMMARY:Rendez-vous Parcours {person.reference}" in text
    assert "DTSTART:20250310T083000Z" in text
    assert CANARY not in text and "Prénomfictif" not in text and "santé" not in text.lower()
    assert "Séance de la commission" not in text  # the worker does not sit in the commission
    read = AccessLog.objects.filter(event="calendar.read", user=personas.worker.user)
    assert read.count() == 1 and read.get().path == "/notifications/agenda.ics"

    client.force_login(personas.worker.user)
    second = feed_url_from(client.post(page, {"action": "renew"}))
    client.logout()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    client.force_login(personas.worker.user)
    client.post(page, {"action": "revoke"})
    client.logout()
    assert client.get(second).status_code == 404
    assert client.get(reverse("notifications:calendar_feed"), {"jeton": "x" * 43}).status_code == 404
    assert client.get(reverse("notifications:calendar_feed")).status_code == 404


@pytest.mark.django_db
def test_the_secretariat_feed_has_the_sessions_of_its_commission(client, personas):
    with clock.travel_to(D(2025, 3, 3)):
        t.create_session(personas.secretariat, D(2025, 3, 20))
        t.create_session(personas.other_secretariat, D(2025, 3, 21))
        token = services.renew_feed(personas.secretariat)
        text = client.get(reverse("notifications:calendar_feed"), {"jeton": token}).content.decode()
    assert "DTSTART;VALUE=DATE:20250320" in text
    assert "DTSTART;VALUE=DATE:20250321" not in text
    assert text.count("BEGIN:VEVENT") == 1


@pytest.mark.django_db
def test_the_to_do_page_links_to_the_notifications_left(client, personas):
    notification(personas.secretariat, kind="session", ref="", key="session:1")
    client.force_login(personas.secretariat.user)
    page = client.get(reverse("pathway:todo")).content.decode()
    assert '<a href="/notifications/">1 notification à traiter</a>' in page
    Notification.objects.update(done_at=clock.now())
    assert "à traiter</a>" not in client.get(reverse("pathway:todo")).content.decode()


@pytest.mark.django_db
def test_a_long_inbox_is_read_fifty_at_a_time_and_marking_one_done_keeps_the_page(client, personas):
    """After one night a head of service of the national benchmark has over 200 notifications: the inbox
    shows them 50 a page, soonest first, the badge counting them all."""
    for n in range(60):
        notification(personas.worker, ref=f"P-{n:06d}", key=f"pathway:{n}", due=JUNE_9 + dt.timedelta(days=n))
    client.force_login(personas.worker.user)
    url = reverse("notifications:inbox")
    first = client.get(url).content.decode()
    assert re.search(r"À traiter <span[^>]*>60<", first)
    assert "P-000000" in first and "P-000049" in first and "P-000050" not in first
    assert 'href="?page=2"' in first and "1 / 2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "P-000050" in second and "P-000059" in second and "P-000049" not in second
    last = Notification.objects.get(person_reference="P-000059")
    answer = client.post(url, {"notification": last.pk, "page": "2"})
    assert answer.status_code == 302 and answer["Location"] == f"{url}?page=2"
    second = client.get(url, {"page": 2}).content.decode()
    assert re.search(r"À traiter <span[^>]*>59<", second) and "P-000058" in second
