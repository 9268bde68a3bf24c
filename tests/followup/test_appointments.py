"""Appointments of a person: booked with a worker of the association, at a neutral place when her address
is confidential, and their outcome recorded."""

import datetime as dt

import pytest
from django.urls import reverse

from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.followup import services
from parcours.followup.models import Appointment, AppointmentStatus

from .conftest import login

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.PARIS)


def book(file, membership, day=dt.date(2026, 3, 12), hour=10, **kwargs):
    values = dict(worker=membership.user, starts_at=at(day, hour), ends_at=at(day, hour + 1),
                  purpose="housing", place="Locaux de l'association")  # fmt: skip
    values.update(kwargs)
    return services.schedule_appointment(file, membership, **values)


def form_data(**overrides):
    data = {"day": "2026-03-12", "start": "14:00", "end": "15:00", "purpose": "rights",
            "place": "Locaux de l'association"}  # fmt: skip
    data.update(overrides)
    return data


def test_worker_books_an_appointment_and_sees_it_coming(client, personas, file):
    url = reverse("followup:appointments", args=[file.pk])
    response = login(client, personas.worker).post(url, form_data(worker=personas.worker.user.pk))
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.starts_at == at(dt.date(2026, 3, 12), 14)
    assert appointment.status == AppointmentStatus.PLANNED
    page = client.get(url).content.decode()
    assert "jeudi 12 mars 2026" in page and "14:00 – 15:00" in page and "Accès aux droits, papiers" in page


def test_the_end_must_come_after_the_start(client, personas, file):
    url = reverse("followup:appointments", args=[file.pk])
    response = login(client, personas.worker).post(
        url, form_data(worker=personas.worker.user.pk, end="13:30")
    )
    assert response.status_code == 200
    assert "Le rendez-vous doit finir après son début." in response.content.decode()
    assert not Appointment.objects.exists()


def test_implausible_dates_are_refused(personas, file):
    with pytest.raises(DomainError, match="plus de 12 mois"):
        book(file, personas.worker, day=dt.date(2027, 6, 1))
    with pytest.raises(DomainError, match="plus d'un an"):
        book(file, personas.worker, day=dt.date(2024, 6, 1))
    with pytest.raises(DomainError, match="au plus 12 heures"):
        book(file, personas.worker, ends_at=at(dt.date(2026, 3, 13), 10))
    assert not Appointment.objects.exists()


def test_the_worker_must_belong_to_the_association_staff(personas, file):
    with pytest.raises(DomainError, match="professionnelle de l'association"):
        book(file, personas.worker, worker=personas.volunteer.user)
    with pytest.raises(DomainError, match="professionnelle de l'association"):
        book(file, personas.worker, worker=personas.outsider.user)


def test_a_confidential_address_cannot_be_the_place(client, personas, file):
    file.shelter_name = "Foyer des Tilleuls fictif"
    file.address = "12 impasse des Glycines fictives\n30000 Nîmes"
    file.address_confidential = True
    file.save()
    with pytest.raises(DomainError, match="adresse de cette personne est confidentielle"):
        book(file, personas.worker, place="foyer des tilleuls FICTIF, chambre 3")
    with pytest.raises(DomainError, match="confidentielle"):
        book(file, personas.worker, place="12 Impasse des Glycines Fictives")
    page = (
        login(client, personas.worker).get(reverse("followup:appointments", args=[file.pk])).content.decode()
    )
    assert "indiquez un lieu neutre" in page
    book(file, personas.worker, place="Locaux de l'association")


def test_contact_rules_are_shown_where_the_worker_may_call_her(client, personas, file):
    file.never_call = True
    file.safe_times = "Le mardi matin"
    file.save()
    page = (
        login(client, personas.worker).get(reverse("followup:appointments", args=[file.pk])).content.decode()
    )
    assert "Le mardi matin" in page


def test_outcome_of_a_past_appointment(client, personas, file):
    with clock.travel_to(dt.date(2026, 3, 2)):
        appointment = book(file, personas.worker, day=dt.date(2026, 3, 5))
    response = login(client, personas.worker).post(
        reverse("followup:appointment_outcome", args=[appointment.pk]),
        {"status": "missed", "version": appointment.version},
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.MISSED


def test_a_coming_appointment_can_be_cancelled_but_not_honoured(client, personas, file):
    appointment = book(file, personas.worker)
    login(client, personas.worker)
    url = reverse("followup:appointment_outcome", args=[appointment.pk])
    data = {"status": "honoured", "version": appointment.version}
    page = client.post(url, data, follow=True).content.decode()
    assert "ne peut pas encore être honoré" in page
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.PLANNED
    client.post(url, {"status": "cancelled", "version": appointment.version})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


@pytest.mark.parametrize("role", ["volunteer", "intern"])
def test_volunteers_and_interns_reach_no_appointment(client, personas, file, role):
    appointment = book(file, personas.worker)
    login(client, getattr(personas, role))
    assert client.get(reverse("followup:appointments", args=[file.pk])).status_code == 404
    assert client.post(reverse("followup:appointment_outcome", args=[appointment.pk]),
                       {"status": "cancelled"}).status_code == 404  # fmt: skip


def test_outsider_gets_a_404(client, personas, file):
    appointment = book(file, personas.worker)
    login(client, personas.outsider)
    assert client.get(reverse("followup:appointments", args=[file.pk])).status_code == 404
    response = client.post(
        reverse("followup:appointment_outcome", args=[appointment.pk]), {"status": "cancelled"}
    )
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.PLANNED
