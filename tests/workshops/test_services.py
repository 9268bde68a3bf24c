"""The workshop services: what the staff may do, and the refusals (French messages, nothing saved), each
change with its journal row."""

from __future__ import annotations

import datetime as dt

import pytest

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.workshops import services
from parcours.workshops.models import Attendance, Participant, WorkshopSeries, WorkshopSession

from ..factories import PersonFactory

D = dt.date
T = dt.time
TODAY = D(2026, 3, 10)


@pytest.fixture
def series(personas):
    with clock.travel_to(D(2026, 1, 5)):
        return services.create_series(
            personas.worker,
            topic="money",
            label="Rapport à l'argent",
            starts_on=D(2026, 1, 6),
            ends_on=D(2026, 6, 30),
            facilitator=personas.volunteer,
        )


NINE_THIRTY, ELEVEN_THIRTY = T(9, 30), T(11, 30)


def session_on(series, by, day, start=NINE_THIRTY, end=ELEVEN_THIRTY):
    with clock.travel_to(D(2026, 1, 5)):
        return services.add_session(series, by, date=day, starts_at=start, ends_at=end)


@pytest.mark.django_db
def test_the_staff_creates_a_series_with_a_member_or_an_external_facilitator(personas):
    with clock.travel_to(TODAY):
        series = services.create_series(
            personas.head,
            topic="french",
            label="  Cours   de français ",
            starts_on=D(2026, 3, 1),
            ends_on=D(2026, 7, 1),
            external_facilitator="Centre social fictif",
        )
    assert (series.label, series.facilitator_label, series.association) == (
        "Cours de français",
        "Centre social fictif",
        personas.association,
    )
    assert AccessLog.objects.filter(event="workshop_series.create", object_id=str(series.pk)).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"topic": "astrology"}, "Choisissez un thème de la liste."),
        ({"label": "  "}, "L'intitulé est obligatoire."),
        (
            {"facilitator": None},
            "Indiquez l'animatrice : un membre de l'association ou un organisme extérieur.",
        ),
        (
            {"external_facilitator": "Organisme fictif"},
            "Choisissez un membre de l'association ou un organisme extérieur, pas les deux.",
        ),
        (
            {"ends_on": D(2026, 2, 28)},
            "La fin de la série (28 février 2026) précède son début (1er mars 2026).",
        ),
        ({"facilitator": "outsider"}, "L'animatrice doit être un membre actif de votre association."),
    ],
)
def test_a_series_is_refused_with_a_french_message(personas, changes, message):
    data = dict(
        topic="money",
        label="Atelier",
        starts_on=D(2026, 3, 1),
        ends_on=D(2026, 6, 1),
        facilitator=personas.worker,
        external_facilitator="",
    )
    data.update(changes)
    if data["facilitator"] == "outsider":
        data["facilitator"] = personas.outsider
    with pytest.raises(DomainError) as refused, clock.travel_to(TODAY):
        services.create_series(personas.worker, **data)
    assert refused.value.message == message
    assert WorkshopSeries.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["volunteer", "intern", "secretariat"])
def test_volunteers_interns_and_others_manage_no_workshop(personas, series, who):
    with pytest.raises(DomainError) as refused:
        services.create_series(
            getattr(personas, who),
            topic="money",
            label="Atelier",
            starts_on=D(2026, 3, 1),
            ends_on=D(2026, 6, 1),
            external_facilitator="Organisme fictif",
        )
    assert refused.value.message == "Votre rôle ne permet pas de gérer les ateliers."
    with pytest.raises(DomainError):
        services.add_session(
            series, getattr(personas, who), date=D(2026, 2, 3), starts_at=T(9), ends_at=T(10)
        )
    assert WorkshopSeries.objects.count() == 1 and WorkshopSession.objects.count() == 0


@pytest.mark.django_db
def test_a_worker_of_another_association_touches_no_series(personas, series):
    with pytest.raises(DomainError) as refused:
        services.add_session(series, personas.outsider, date=D(2026, 2, 3), starts_at=T(9), ends_at=T(10))
    assert refused.value.message == "Cette série d'ateliers appartient à une autre association."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "start", "end", "message"),
    [
        (D(2026, 2, 3), T(11, 30), T(9, 30), "La séance finit (09:30) avant de commencer (11:30)."),
        (D(2026, 2, 3), T(9, 30), T(9, 30), "La séance finit (09:30) avant de commencer (09:30)."),
        (
            D(2026, 7, 7),
            T(9, 30),
            T(11, 30),
            "La séance doit se tenir pendant la série, du 6 janvier 2026 au 30 juin 2026.",
        ),
        (
            None,
            T(9, 30),
            T(11, 30),
            "La date, l'heure de début et l'heure de fin de la séance sont obligatoires.",
        ),
    ],
)
def test_a_session_ending_before_it_starts_or_outside_the_series_is_refused(
    personas, series, day, start, end, message
):
    with pytest.raises(DomainError) as refused:
        session_on(series, personas.worker, day, start, end)
    assert refused.value.message == message
    assert WorkshopSession.objects.count() == 0


@pytest.mark.django_db
def test_enrolment_takes_people_of_the_association_once(personas, series):
    mine = personas.person()
    theirs = PersonFactory(association=personas.other_association)
    services.enrol(series, personas.worker, mine)
    with pytest.raises(DomainError) as twice:
        services.enrol(series, personas.head, mine)
    assert twice.value.message == f"{mine.reference} est déjà inscrite à cette série."
    with pytest.raises(DomainError) as other:
        services.enrol(series, personas.worker, theirs.pk)
    assert other.value.message == "Choisissez une personne suivie par votre association."
    assert list(Participant.objects.values_list("person_id", flat=True)) == [mine.pk]
    row = AccessLog.objects.get(event="workshop_participant.enrol")
    assert row.person_id == mine.pk


@pytest.mark.django_db
def test_attendance_is_noted_for_enrolled_people_once_the_session_is_held(personas, series):
    alice, bea, stranger = personas.person(), personas.person(), personas.person()
    services.enrol(series, personas.worker, alice)
    services.enrol(series, personas.worker, bea)
    session = session_on(series, personas.worker, D(2026, 2, 3))
    with clock.travel_to(D(2026, 2, 2)), pytest.raises(DomainError) as early:
        services.record_attendance(session, personas.worker, {alice.pk: "present"})
    assert early.value.message == (
        "La séance du 3 février 2026 n'a pas encore eu lieu : les présences se notent le jour même ou après."
    )
    with clock.travel_to(D(2026, 2, 3)):
        with pytest.raises(DomainError) as not_enrolled:
            services.record_attendance(
                session, personas.worker, {alice.pk: "present", stranger.pk: "present"}
            )
        assert not_enrolled.value.message == "Une des personnes n'est pas inscrite à cette série."
        with pytest.raises(DomainError) as bad:
            services.record_attendance(session, personas.worker, {alice.pk: "late"})
        assert bad.value.message == "Choisissez présente, absente ou excusée pour chaque personne."
        assert Attendance.objects.count() == 0
        assert (
            services.record_attendance(session, personas.worker, {alice.pk: "present", bea.pk: "excused"})
            == 2
        )
        # The same statuses again change nothing and write no journal row; one change writes one.
        assert (
            services.record_attendance(session, personas.worker, {alice.pk: "present", bea.pk: "excused"})
            == 0
        )
        assert services.record_attendance(session, personas.head, {bea.pk: "absent"}) == 1
    assert dict(Attendance.objects.values_list("person_id", "status")) == {
        alice.pk: "present",
        bea.pk: "absent",
    }
    rows = AccessLog.objects.filter(event="workshop_attendance.record").order_by("seq")
    assert [r.person_id for r in rows] == [alice.pk, bea.pk, bea.pk]


@pytest.mark.django_db
def test_a_cancelled_session_takes_no_attendance_and_a_held_one_is_not_cancelled(personas, series):
    alice = personas.person()
    services.enrol(series, personas.worker, alice)
    cancelled = session_on(series, personas.worker, D(2026, 2, 3))
    held = session_on(series, personas.worker, D(2026, 2, 10))
    services.cancel_session(cancelled, personas.head)
    with pytest.raises(DomainError) as again:
        services.cancel_session(cancelled, personas.head)
    assert again.value.message == "Cette séance est déjà annulée."
    cancelled.refresh_from_db()
    with clock.travel_to(TODAY):
        with pytest.raises(DomainError) as refused:
            services.record_attendance(cancelled, personas.worker, {alice.pk: "present"})
        assert refused.value.message == "Cette séance est annulée : aucune présence ne s'y note."
        services.record_attendance(held, personas.worker, {alice.pk: "present"})
    with pytest.raises(DomainError) as took_place:
        services.cancel_session(held, personas.worker)
    assert took_place.value.message == "Des présences sont notées pour cette séance : elle a eu lieu."


@pytest.mark.django_db
def test_withdrawing_keeps_the_attendances_already_noted(personas, series):
    alice = personas.person()
    services.enrol(series, personas.worker, alice)
    session = session_on(series, personas.worker, D(2026, 2, 3))
    with clock.travel_to(TODAY):
        services.record_attendance(session, personas.worker, {alice.pk: "present"})
    services.withdraw(series, personas.worker, alice.pk)
    assert Participant.objects.count() == 0 and Attendance.objects.count() == 1
    with pytest.raises(DomainError) as refused:
        services.withdraw(series, personas.worker, alice.pk)
    assert refused.value.message == f"{alice.reference} n'est pas inscrite à cette série."
    assert AccessLog.objects.get(event="workshop_participant.withdraw").person_id == alice.pk
