"""Correcting a programme or an agreement and ending an agreement early: the same checks as the creation
(French messages, the input kept, nothing saved), a journal row with each change, another association's
objects are a 404, and an ended agreement takes no new enrolment."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.employment import deadlines, services
from parcours.employment.models import Agreement, Enrolment, Programme

from ..factories import MembershipFactory, OrganisationFactory

D = dt.date
TODAY = D(2026, 3, 10)


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def partner(db):
    return OrganisationFactory(kind="partner", name="France Travail fictif", departement=None)


@pytest.fixture
def programme(personas, partner):
    with clock.travel_to(D(2026, 1, 5)):
        return services.create_programme(personas.worker, name="Programme fictif", partners=[partner])


@pytest.fixture
def agreement(personas, partner):
    with clock.travel_to(D(2026, 1, 5)):
        return services.create_agreement(
            personas.worker,
            label="Accompagnement global fictif",
            starts_on=D(2026, 1, 1),
            ends_on=D(2026, 12, 31),
            support_months=12,
            partner=partner,
        )


@pytest.fixture
def other_head(personas):
    return MembershipFactory(
        organisation=personas.other_association, role="head_of_service", user__username="autre-cheffe"
    )


def agreement_data(partner, **overrides):
    data = {
        "label": "Accompagnement global corrigé",
        "partner": partner.pk,
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "support_months": "12",
        "terms": "Engagements fictifs",
    }
    return {**data, **overrides}


# --- Programme ----------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_programme_edit_page_is_prefilled_saves_and_journals(client, personas, programme, partner):
    client.force_login(personas.head.user)
    url = reverse("employment:programme_edit", args=[programme.pk])
    page = text(client.get(url))
    assert 'value="Programme fictif"' in page
    with clock.travel_to(TODAY):
        answer = client.post(
            url, {"name": "Pour un nouveau départ", "description": "Coaching et job-dating", "partners": []}
        )
    assert answer.status_code == 302 and answer.url == reverse("employment:programme", args=[programme.pk])
    programme.refresh_from_db()
    assert (programme.name, programme.description) == ("Pour un nouveau départ", "Coaching et job-dating")
    assert not programme.partners.exists()
    row = AccessLog.objects.get(event="employment_programme.update")
    assert row.object_id == str(programme.pk) and row.user_id == personas.head.user_id
    # The programme page links to the correction.
    assert url in client.get(reverse("employment:programme", args=[programme.pk])).content.decode()


@pytest.mark.django_db
def test_an_invalid_programme_edit_keeps_the_input_and_changes_nothing(client, personas, programme):
    client.force_login(personas.worker.user)
    answer = client.post(
        reverse("employment:programme_edit", args=[programme.pk]),
        {"name": "   ", "description": "Description tapée fictive"},
    )
    assert answer.status_code == 400
    page = text(answer)
    assert "Ce champ est obligatoire." in page and "Description tapée fictive" in page
    programme.refresh_from_db()
    assert programme.name == "Programme fictif" and programme.partners.count() == 1
    assert not AccessLog.objects.filter(event="employment_programme.update").exists()
    # The service refuses the same way, in French.
    with pytest.raises(DomainError) as refused:
        services.update_programme(programme, personas.worker, name=" ")
    assert refused.value.message == "Le nom du programme est obligatoire."


# --- Agreement ----------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_agreement_edit_page_saves_and_journals(client, personas, agreement, partner):
    client.force_login(personas.worker.user)
    url = reverse("employment:agreement_edit", args=[agreement.pk])
    assert 'value="Accompagnement global fictif"' in text(client.get(url))
    with clock.travel_to(TODAY):
        answer = client.post(url, agreement_data(partner, ends_on="2027-06-30", support_months="18"))
    assert answer.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.label, agreement.ends_on, agreement.support_months) == (
        "Accompagnement global corrigé",
        D(2027, 6, 30),
        18,
    )
    assert AccessLog.objects.filter(event="employment_agreement.update", object_id=str(agreement.pk)).exists()
    page = client.get(reverse("employment:agreement", args=[agreement.pk])).content.decode()
    assert url in page and "Terminer la convention" in page


@pytest.mark.django_db
def test_an_agreement_cannot_end_before_it_starts_nor_before_an_enrolment(
    client, personas, agreement, partner
):
    with clock.travel_to(TODAY):
        services.enrol_under_agreement(agreement, personas.worker, personas.person(), D(2026, 3, 2))
    client.force_login(personas.worker.user)
    url = reverse("employment:agreement_edit", args=[agreement.pk])
    answer = client.post(url, agreement_data(partner, starts_on="2026-02-01", ends_on="2026-01-15"))
    assert answer.status_code == 400
    page = text(answer)
    assert "La convention finit (15 janvier 2026) avant de commencer (1er février 2026)." in page
    assert "Accompagnement global corrigé" in page  # the label typed is kept
    answer = client.post(url, agreement_data(partner, ends_on="2026-03-01"))
    assert answer.status_code == 400
    assert (
        "La convention ne peut finir (1er mars 2026) avant le début d'un accompagnement déjà inscrit sous "
        "elle (2 mars 2026)." in text(answer)
    )
    agreement.refresh_from_db()
    assert (agreement.label, agreement.starts_on, agreement.ends_on) == (
        "Accompagnement global fictif",
        D(2026, 1, 1),
        D(2026, 12, 31),
    )
    assert not AccessLog.objects.filter(event="employment_agreement.update").exists()


# --- Ending an agreement early ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_ended_agreement_shows_its_end_and_refuses_a_new_enrolment(client, personas, agreement):
    person = personas.person()
    client.force_login(personas.head.user)
    url = reverse("employment:agreement", args=[agreement.pk])
    end_url = reverse("employment:agreement_end", args=[agreement.pk])
    with clock.travel_to(TODAY):
        assert client.get(end_url).status_code == 405  # an action: POST only
        page = client.get(url).content.decode()
        assert end_url in page and 'value="2026-03-10"' in page  # the date defaults to today
        answer = client.post(end_url, {"on": "2026-03-09"})
        assert answer.status_code == 302 and answer.url == url
        agreement.refresh_from_db()
        assert agreement.ended_on == D(2026, 3, 9)
        assert AccessLog.objects.filter(
            event="employment_agreement.end", object_id=str(agreement.pk)
        ).exists()
        page = text(client.get(url))
        assert "Terminée le 9 mars 2026" in page and end_url not in page
        # No new enrolment, from the page nor from the service.
        answer = client.post(url, {"action": "enrol", "person": person.pk, "starts_on": "2026-03-02"})
        assert answer.status_code == 400
        assert "Cette convention est terminée depuis le 9 mars 2026" in text(answer)
        with pytest.raises(DomainError) as refused:
            services.enrol_under_agreement(agreement, personas.worker, person, D(2026, 3, 2))
        assert refused.value.message == (
            "Cette convention est terminée depuis le 9 mars 2026 : plus aucune personne ne peut y être "
            "inscrite."
        )
        # Ended once; no reminder of its planned end either.
        with pytest.raises(DomainError):
            services.end_agreement(agreement, personas.head, TODAY)
        assert not deadlines.agreements_ending(personas.head, D(2026, 12, 15)).exists()
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_an_end_in_the_future_or_before_the_start_or_an_enrolment_is_refused(client, personas, agreement):
    with clock.travel_to(TODAY):
        services.enrol_under_agreement(agreement, personas.worker, personas.person(), D(2026, 3, 2))
        client.force_login(personas.worker.user)
        end_url = reverse("employment:agreement_end", args=[agreement.pk])
        for typed, message in (
            ("2026-03-11", "Une convention se termine le jour même ou avant, pas à l'avance."),
            ("2026-03-01", "Un accompagnement commence le 2 mars 2026 sous cette convention"),
        ):
            answer = client.post(end_url, {"on": typed})
            assert answer.status_code == 400
            assert message in text(answer) and f'value="{typed}"' in text(answer)
        with pytest.raises(DomainError) as refused:
            services.end_agreement(agreement, personas.worker, D(2025, 12, 31))
        assert refused.value.message == (
            "La convention ne peut se terminer (31 décembre 2025) avant de commencer (1er janvier 2026)."
        )
    agreement.refresh_from_db()
    assert agreement.ended_on is None
    assert not AccessLog.objects.filter(event="employment_agreement.end").exists()


# --- Another association ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_another_associations_head_gets_a_404_and_changes_nothing(
    client, personas, programme, agreement, partner, other_head
):
    client.force_login(other_head.user)
    with clock.travel_to(TODAY):
        for name, obj in (("programme_edit", programme), ("agreement_edit", agreement)):
            url = reverse(f"employment:{name}", args=[obj.pk])
            assert client.get(url).status_code == 404
        answer = client.post(
            reverse("employment:programme_edit", args=[programme.pk]), {"name": "Détourné fictif"}
        )
        assert answer.status_code == 404
        answer = client.post(
            reverse("employment:agreement_edit", args=[agreement.pk]), agreement_data(partner)
        )
        assert answer.status_code == 404
        answer = client.post(reverse("employment:agreement_end", args=[agreement.pk]), {"on": "2026-03-10"})
        assert answer.status_code == 404
        # ... and the services refuse her too.
        with pytest.raises(DomainError) as refused:
            services.end_agreement(agreement, other_head, TODAY)
        assert refused.value.message == "Cet élément appartient à une autre association."
    assert Programme.objects.get().name == "Programme fictif"
    agreement = Agreement.objects.get()
    assert agreement.label == "Accompagnement global fictif" and agreement.ended_on is None
