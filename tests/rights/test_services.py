"""Recording the AFIS and APS files: who may, and which dates are refused (with nothing saved)."""

import datetime as dt

import pytest

from parcours.core import clock
from parcours.rights import services
from parcours.rights.models import AfisFile, ApsFile
from parcours.rights.services import AfisDates, ApsDates, DomainError

D = dt.date
TODAY = D(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(TODAY):
        yield


@pytest.fixture
def person(personas):
    return personas.person()


def refused(call, *args) -> str:
    with pytest.raises(DomainError) as exc:
        call(*args)
    return exc.value.message


# --- AFIS ----------------------------------------------------------------------------------------------
def test_worker_records_an_afis_request_then_its_first_payment(personas, person):
    afis = services.save_afis(person, personas.worker, AfisDates(D(2026, 1, 12)))
    assert (afis.requested_on, afis.first_payment_on, afis.running) == (D(2026, 1, 12), None, True)
    services.save_afis(person, personas.head, AfisDates(D(2026, 1, 12), first_payment_on=D(2026, 2, 5)), afis)
    afis.refresh_from_db()
    assert afis.first_payment_on == D(2026, 2, 5)
    assert afis.updated_by == personas.head.user


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (AfisDates(None), "Indiquez la date de la demande"),
        (AfisDates(D(2026, 3, 11)), "ne peut pas être dans le futur"),
        (AfisDates(D(2015, 1, 1)), "précède la création du parcours"),
        (
            AfisDates(D(2026, 2, 1), first_payment_on=D(2026, 1, 31)),
            "Le premier versement ne peut pas précéder",
        ),
        (AfisDates(D(2026, 1, 1), first_payment_on=D(2026, 3, 11)), "ne peut pas être dans le futur"),
        (
            AfisDates(D(2026, 1, 1), D(2026, 2, 1), stopped_on=D(2026, 1, 31), stop_reason="prefet"),
            "L'arrêt du versement ne peut pas précéder le premier versement",
        ),
        (
            AfisDates(D(2026, 1, 1), stopped_on=D(2025, 12, 31), stop_reason="other"),
            "L'arrêt ne peut pas précéder",
        ),
        (AfisDates(D(2026, 1, 1), D(2026, 2, 1), stopped_on=D(2026, 3, 1)), "Indiquez le motif de l'arrêt"),
        (
            AfisDates(D(2026, 1, 1), stopped_on=D(2026, 5, 1), stop_reason="prefet"),
            "enregistré d'avance jusqu'au 30 avril 2026 au plus tard",
        ),
        (AfisDates(D(2026, 1, 1), stop_reason="rsa"), "Un motif d'arrêt suppose une date d'arrêt"),
        (AfisDates(D(2026, 1, 1), stopped_on=D(2026, 3, 1), stop_reason="bogus"), "Motif d'arrêt inconnu"),
    ],
)
def test_afis_dates_out_of_order_are_refused_and_nothing_is_saved(personas, person, dates, message):
    assert message in refused(services.save_afis, person, personas.worker, dates)
    assert not AfisFile.objects.exists()


def test_a_refused_update_leaves_the_afis_as_it_was(personas, person):
    afis = services.save_afis(
        person, personas.worker, AfisDates(D(2026, 1, 12), first_payment_on=D(2026, 2, 5))
    )
    refused(
        services.save_afis,
        person,
        personas.worker,
        AfisDates(D(2026, 2, 10), first_payment_on=D(2026, 2, 5)),
        afis,
    )
    afis.refresh_from_db()
    assert afis.requested_on == D(2026, 1, 12)


def test_only_one_afis_runs_at_a_time(personas, person):
    first = services.save_afis(person, personas.worker, AfisDates(D(2025, 6, 2), D(2025, 7, 5)))
    assert "déjà en cours" in refused(services.save_afis, person, personas.worker, AfisDates(D(2026, 1, 5)))
    services.save_afis(
        person,
        personas.worker,
        AfisDates(D(2025, 6, 2), D(2025, 7, 5), D(2025, 8, 9), "pathway_ended"),
        first,
    )
    second = services.save_afis(person, personas.worker, AfisDates(D(2026, 1, 5)))
    assert second.running and AfisFile.objects.count() == 2


@pytest.mark.parametrize("role", ["volunteer", "intern", "secretariat", "agent", "national"])
def test_afis_is_recorded_only_by_association_staff(personas, person, role):
    message = refused(services.save_afis, person, getattr(personas, role), AfisDates(D(2026, 1, 12)))
    assert message == "Votre rôle ne permet pas cette action."
    assert not AfisFile.objects.exists()


def test_another_associations_worker_cannot_record_rights(personas, person):
    assert "autre association" in refused(
        services.save_afis, person, personas.outsider, AfisDates(D(2026, 1, 12))
    )
    assert "autre association" in refused(
        services.save_aps, person, personas.outsider, ApsDates(D(2026, 1, 12))
    )


def test_an_afis_file_of_another_person_cannot_be_edited_through_her(personas, person):
    other = personas.person()
    afis = services.save_afis(other, personas.worker, AfisDates(D(2026, 1, 12)))
    assert "autre personne" in refused(
        services.save_afis, person, personas.worker, AfisDates(D(2026, 1, 12)), afis
    )


# --- APS -----------------------------------------------------------------------------------------------
def test_worker_follows_an_aps_from_request_to_renewal(personas, person):
    aps = services.save_aps(person, personas.worker, ApsDates(D(2025, 2, 12)))
    full = ApsDates(
        D(2025, 2, 12),
        receipt_on=D(2025, 2, 20),
        receipt_expires_on=D(2025, 5, 19),
        issued_on=D(2025, 3, 15),
        expires_on=D(2025, 9, 14),
        renewal_requested_on=D(2025, 7, 10),
    )
    services.save_aps(person, personas.worker, full, aps)
    aps.refresh_from_db()
    assert (aps.issued_on, aps.expires_on, aps.renewal_requested_on) == (
        D(2025, 3, 15),
        D(2025, 9, 14),
        D(2025, 7, 10),
    )
    renewed = services.save_aps(
        person, personas.worker, ApsDates(D(2025, 7, 10), issued_on=D(2025, 9, 1), expires_on=D(2026, 2, 28))
    )
    assert ApsFile.objects.filter(person=person).count() == 2
    assert renewed.expires_on == D(2026, 2, 28)


def test_expiries_may_be_in_the_future_other_dates_may_not(personas, person):
    aps = services.save_aps(
        person,
        personas.worker,
        ApsDates(
            D(2026, 1, 5),
            receipt_on=D(2026, 1, 6),
            receipt_expires_on=D(2026, 4, 5),
            issued_on=D(2026, 3, 1),
            expires_on=D(2026, 8, 31),
        ),
    )
    assert aps.expires_on == D(2026, 8, 31)


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (ApsDates(None), "Indiquez la date de la demande d'APS"),
        (ApsDates(D(2026, 3, 11)), "ne peut pas être dans le futur"),
        (
            ApsDates(D(2026, 1, 5), issued_on=D(2026, 3, 11), expires_on=D(2026, 9, 10)),
            "ne peut pas être dans le futur",
        ),
        (ApsDates(D(2026, 1, 5), receipt_on=D(2026, 1, 4)), "Le récépissé ne peut pas précéder la demande"),
        (
            ApsDates(D(2026, 1, 5), issued_on=D(2026, 1, 4)),
            "L'APS ne peut pas être délivrée avant la demande",
        ),
        (
            ApsDates(D(2026, 1, 5), issued_on=D(2026, 2, 1), expires_on=D(2026, 2, 1)),
            "La fin de validité de l'APS doit suivre sa délivrance",
        ),
        (
            ApsDates(D(2026, 1, 5), issued_on=D(2026, 2, 1), expires_on=D(2026, 1, 20)),
            "La fin de validité de l'APS doit suivre sa délivrance",
        ),
        (ApsDates(D(2026, 1, 5), expires_on=D(2026, 8, 1)), "Indiquez la date de délivrance de l'APS"),
        (ApsDates(D(2026, 1, 5), issued_on=D(2026, 2, 1), expires_on=D(2036, 2, 1)), "n'est pas plausible"),
        (
            ApsDates(D(2026, 1, 5), receipt_on=D(2026, 1, 6), receipt_expires_on=D(2026, 1, 6)),
            "La fin de validité du récépissé doit suivre sa délivrance",
        ),
        (
            ApsDates(D(2026, 1, 5), receipt_expires_on=D(2026, 4, 6)),
            "Indiquez la date de délivrance du récépissé",
        ),
        (
            ApsDates(D(2026, 1, 5), renewal_requested_on=D(2026, 2, 1)),
            "Un renouvellement suppose une APS délivrée",
        ),
        (
            ApsDates(
                D(2026, 1, 5),
                issued_on=D(2026, 2, 1),
                expires_on=D(2026, 8, 1),
                renewal_requested_on=D(2026, 1, 31),
            ),
            "Le renouvellement ne peut pas être demandé avant la délivrance",
        ),
        (ApsDates(D(1999, 1, 5)), "précède la création du parcours"),
    ],
)
def test_aps_dates_out_of_order_are_refused_and_nothing_is_saved(personas, person, dates, message):
    assert message in refused(services.save_aps, person, personas.worker, dates)
    assert not ApsFile.objects.exists()


def test_every_problem_is_listed_at_once(personas, person):
    message = refused(
        services.save_aps,
        person,
        personas.worker,
        ApsDates(D(2026, 1, 5), receipt_on=D(2026, 1, 4), issued_on=D(2026, 1, 3)),
    )
    assert "récépissé ne peut pas précéder" in message and "délivrée avant la demande" in message


def test_a_second_aps_request_while_one_is_pending_is_refused(personas, person):
    services.save_aps(person, personas.worker, ApsDates(D(2026, 1, 5)))
    assert "déjà en cours" in refused(services.save_aps, person, personas.worker, ApsDates(D(2026, 2, 5)))
    assert ApsFile.objects.count() == 1


def test_a_renewed_aps_cannot_be_requested_before_the_previous_was_issued(personas, person):
    services.save_aps(
        person, personas.worker, ApsDates(D(2025, 6, 2), issued_on=D(2025, 7, 1), expires_on=D(2026, 1, 1))
    )
    message = refused(services.save_aps, person, personas.worker, ApsDates(D(2025, 6, 30)))
    assert "ne peut pas précéder la délivrance de l'APS précédente (1er juillet 2025)" in message


@pytest.mark.parametrize("role", ["volunteer", "intern", "member"])
def test_aps_is_recorded_only_by_association_staff(personas, person, role):
    refused(services.save_aps, person, getattr(personas, role), ApsDates(D(2026, 1, 12)))
    assert not ApsFile.objects.exists()


def test_a_stop_from_next_month_is_recorded_ahead(personas, person):
    """Finding 7 a: on 10 March, the préfet's early end stops the AFIS from 1 April; the association records
    it now. Before the fix a stop date after today was refused (« ne peut pas être dans le futur »)."""
    afis = services.save_afis(person, personas.worker, AfisDates(D(2026, 1, 12), D(2026, 2, 5)))
    services.save_afis(
        person, personas.worker, AfisDates(D(2026, 1, 12), D(2026, 2, 5), D(2026, 4, 1), "prefet"), afis
    )
    afis.refresh_from_db()
    assert (afis.stopped_on, afis.stop_reason) == (D(2026, 4, 1), "prefet")
    last_day_of_next_month = AfisDates(D(2026, 1, 12), D(2026, 2, 5), D(2026, 4, 30), "prefet")
    services.save_afis(person, personas.worker, last_day_of_next_month, afis)


@pytest.mark.parametrize(
    ("day", "pathway_condition_met"),
    [
        (D(2025, 3, 10), True),  # the exit day
        (D(2025, 3, 11), True),  # the day after the exit: still due this month
        (D(2025, 3, 31), True),  # the last day of the month
        (D(2025, 4, 1), False),  # the AFIS stops from the first day of the following month
    ],
)
def test_after_an_exit_the_pathway_condition_holds_until_the_afis_stops(personas, day, pathway_condition_met):
    """Review of issue 7 (B3, finding 7 a): after an exit on 10 March 2025 the to-do said « AFIS due jusqu'au
    31 mars », but the eligibility said « Aucune période de parcours autorisée » from 11 March, because the
    exit closes the period that day. The rights page and the to-do now agree, to the day."""
    from parcours.pathway import transitions as t

    from ..conftest import authorised_pathway

    person = personas.person()
    pathway = authorised_pathway(
        personas,
        person,
        submitted_on=D(2025, 1, 6),
        session_on=D(2025, 2, 3),
        decided_on=D(2025, 2, 10),
    )
    with clock.travel_to(D(2025, 3, 10)):
        t.record_exit(pathway, personas.worker, D(2025, 3, 10), "withdrawn")
    with clock.travel_to(day):
        assert (services.psp_period_on(person, day) is not None) is pathway_condition_met
        reasons = " ".join(str(c) for c in services.eligibility(person, day).conditions)
        assert ("Aucune période de parcours autorisée" in reasons) is not pathway_condition_met
