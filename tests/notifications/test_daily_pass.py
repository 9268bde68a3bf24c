"""The daily pass travels through May–August 2025, across the end of a pathway's first period (9 August), with
a real SMTP server on loopback (aiosmtpd): each deadline reaches each right person once, in her inbox and in
her digest; the digest names nobody; weekly digests leave on Mondays only; « jamais » sends nothing."""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from parcours.core import clock
from parcours.notifications import services
from parcours.notifications.models import Notification
from parcours.pathway import transitions as t
from parcours.rights import services as rights
from parcours.rights.services import ApsDates

from ..conftest import pathway_in_state

D = dt.date
CANARY = "Matricanarde"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.original_content or envelope.content))
        return "250 OK"


def free_port() -> int:
    for port in range(21025, 32000, 7):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


@pytest.fixture
def smtp(settings):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.PARCOURS_PUBLIC_URL = "https://parcours.example.org"
    yield handler
    controller.stop()


def body_of(raw: bytes) -> str:
    message = email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=default_policy)
    return message["Subject"] + "\n" + message.get_body(preferencelist=("plain",)).get_content()


def counts_in(text: str) -> dict[str, int]:
    return {label: int(n) for label, n in re.findall(r"^- (.+?) : (\d+)$", text, re.MULTILINE)}


@pytest.fixture
def world(personas):
    for m, address in ((personas.worker, "travailleuse@example.org"), (personas.head, "cheffe@example.org"),
                       (personas.secretariat, "secretariat@example.org"),
                       (personas.other_secretariat, "secretariat13@example.org"),
                       (personas.outsider, "autre@example.org")):  # fmt: skip
        m.user.email = address
        m.user.save()
    followed = personas.person(last_name=CANARY, referent=personas.worker.user)
    pathway_in_state(personas, "active", person=followed)  # period 10 February – 9 August 2025
    with clock.travel_to(D(2025, 2, 20)):
        rights.save_aps(
            followed,
            personas.worker,
            ApsDates(D(2025, 2, 12), issued_on=D(2025, 2, 20), expires_on=D(2025, 8, 20)),
        )
    # Followed by the association without a referent: her deadlines are the head of service's only.
    unassigned = personas.person(last_name=CANARY + "bis")
    with clock.travel_to(D(2025, 2, 1)):
        rights.save_aps(
            unassigned,
            personas.head,
            ApsDates(D(2025, 1, 20), issued_on=D(2025, 2, 1), expires_on=D(2025, 7, 31)),
        )
        session = t.create_session(personas.secretariat, D(2025, 6, 20))
    with clock.travel_to(D(2025, 4, 1)):
        services.set_frequency(personas.head, "weekly")
        services.set_frequency(personas.secretariat, "none")
    return {"followed": followed, "unassigned": unassigned, "session": session}


def inbox_of(membership):
    return sorted(
        (n.kind, n.person_reference, n.due_on) for n in Notification.objects.filter(recipient=membership.user)
    )


@pytest.mark.django_db
def test_each_deadline_reaches_each_right_person_once_in_the_inbox_and_the_digest(personas, world, smtp):
    a, b = world["followed"].reference, world["unassigned"].reference
    mails_by_day = {}
    day = D(2025, 5, 1)
    while day <= D(2025, 8, 18):
        with clock.travel_to(day):
            t.expire_periods(day)
            before = len(smtp.messages)
            services.daily_pass()
            if len(smtp.messages) > before:
                mails_by_day[day] = smtp.messages[before:]
        day += dt.timedelta(days=1)
    world["followed"].pathways.get().refresh_from_db()
    assert world["followed"].pathways.get().status == "lapsed"  # the period ended on the way

    # The inboxes: literal dates (renewal two months before 9 August; APS 60 days before its end).
    assert inbox_of(personas.worker) == [("aps", a, D(2025, 6, 21)), ("renewal", a, D(2025, 6, 9))]
    assert inbox_of(personas.head) == [
        ("aps", a, D(2025, 6, 21)), ("aps", b, D(2025, 6, 1)), ("renewal", a, D(2025, 6, 9)),
    ]  # fmt: skip
    assert inbox_of(personas.secretariat) == [("session", "", D(2025, 6, 20))]
    assert inbox_of(personas.other_secretariat) == []
    assert inbox_of(personas.outsider) == []
    for m in (personas.volunteer, personas.intern, personas.member, personas.agent, personas.national):
        assert inbox_of(m) == []

    # The digests: the worker daily, the day each deadline came in; the head on Mondays only; the
    # secretariat chose « jamais ».
    sent = {d: sorted(r for rcpts, _raw in msgs for r in rcpts) for d, msgs in mails_by_day.items()}
    assert sent == {
        D(2025, 5, 5): ["cheffe@example.org"],  # Monday: B's APS, told on Friday 2 May
        D(2025, 5, 9): ["travailleuse@example.org"],  # the renewal
        D(2025, 5, 12): ["cheffe@example.org"],  # Monday: the renewal
        D(2025, 5, 21): ["travailleuse@example.org"],  # A's APS
        D(2025, 5, 26): ["cheffe@example.org"],  # Monday: A's APS
    }
    texts = {d: body_of(msgs[0][1]) for d, msgs in mails_by_day.items()}
    assert counts_in(texts[D(2025, 5, 9)]) == {"Renouvellement à préparer": 1}
    assert counts_in(texts[D(2025, 5, 21)]) == {"Titre de séjour (APS) à renouveler": 1}
    assert counts_in(texts[D(2025, 5, 5)]) == {"Titre de séjour (APS) à renouveler": 1}
    for text in texts.values():
        assert "https://parcours.example.org/notifications/" in text
        assert CANARY not in text and "Prénomfictif" not in text
        assert a not in text and b not in text  # not even the reference
    for _rcpts, raw in smtp.messages:
        assert CANARY.encode() not in raw and CANARY not in body_of(raw)

    # A second run the same day writes nothing and sends nothing.
    with clock.travel_to(D(2025, 8, 18)):
        assert services.daily_pass() == {"written": 0, "sent": 0}
    with clock.travel_to(D(2025, 5, 26)):
        assert services.daily_pass() == {"written": 0, "sent": 0}
    assert sum(len(m) for m in mails_by_day.values()) == len(smtp.messages) == 5


@pytest.mark.django_db
def test_the_database_refuses_a_second_row_for_the_same_deadline(personas):
    from django.db import IntegrityError, transaction

    values = dict(recipient=personas.worker.user, organisation=personas.association, kind="renewal",
                  due_on=D(2025, 6, 9), object_key="pathway:1", url="/",
                  dedup_key="renewal|pathway:1|2025-06-09")  # fmt: skip
    Notification.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(**values)
    assert Notification.objects.count() == 1


# db_worker closes a connection left inside a transaction (tests/core/test_health.py): a transactional test,
# with the départements loaded by a migration restored around it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_runs_the_notification_job_of_the_daily_pass(personas, world, mailoutbox):
    from django.core.management import call_command

    from parcours.core.management.commands.enqueue_daily_tasks import DAILY_TASKS, enqueue_daily_tasks

    assert "parcours.notifications.tasks.notify_task" in DAILY_TASKS
    with clock.travel_to(D(2025, 5, 12)):  # a Monday: the head's weekly digest leaves too
        enqueue_daily_tasks()
        call_command("db_worker", queue_name="*", batch=True, no_startup_delay=True, verbosity=0)
    assert inbox_of(personas.worker) == [("renewal", world["followed"].reference, D(2025, 6, 9))]
    assert sorted(r for m in mailoutbox for r in m.to) == ["cheffe@example.org", "travailleuse@example.org"]
