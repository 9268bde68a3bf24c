"""What is due on the AFIS and the APS, computed from the files and the pathway's periods."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from parcours.core import clock
from parcours.people.models import Person
from parcours.rights import deadlines, services
from parcours.rights.services import AfisDates, ApsDates

from ..conftest import pathway_in_state, request_in_state

D = dt.date
# pathway_in_state(…, "active"): first period 10 February – 9 August 2025.
START, END = D(2025, 2, 10), D(2025, 8, 9)


def eligible_person(personas, **overrides):
    values = dict(residence_status="aps", monthly_resources=Decimal("150"), dependent_children=1)
    values.update(overrides)
    return personas.person(**values)


def reload(person):
    return deadlines.with_rights(Person.objects.all()).get(pk=person.pk)


def items(person, today, right=None):
    found = deadlines.person_deadlines(reload(person), today)
    return [(d.label, d.date) for d in found if right is None or d.right == right]


def afis(personas, person, on, dates, existing=None):
    with clock.travel_to(on):
        return services.save_afis(person, personas.worker, dates, existing)


def aps(personas, person, on, dates, existing=None):
    with clock.travel_to(on):
        return services.save_aps(person, personas.worker, dates, existing)


# --- AFIS ----------------------------------------------------------------------------------------------
def test_once_authorised_an_eligible_person_gets_an_afis_request_to_send_to_the_msa(personas):
    person = eligible_person(personas)
    assert items(person, D(2025, 1, 20), "afis") == []  # not in a pathway yet
    pathway_in_state(personas, "active", person=person)
    assert items(person, D(2025, 3, 1), "afis") == [("Demande d'AFIS à adresser à la MSA", START)]


def test_no_afis_request_is_due_for_a_person_who_is_not_eligible(personas):
    person = eligible_person(personas, receives_ada=True)
    pathway_in_state(personas, "active", person=person)
    assert items(person, D(2025, 3, 1), "afis") == []


def test_an_incomplete_file_asks_to_check_eligibility(personas):
    person = eligible_person(personas, monthly_resources=None)
    pathway_in_state(personas, "active", person=person)
    assert items(person, D(2025, 3, 1), "afis") == [("Éligibilité à vérifier (dossier incomplet)", None)]


def test_the_msa_is_chased_two_months_after_the_request_without_a_first_payment(personas):
    person = eligible_person(personas)
    pathway_in_state(personas, "active", person=person)
    file = afis(personas, person, D(2025, 2, 20), AfisDates(D(2025, 2, 20)))
    assert items(person, D(2025, 3, 1), "afis") == [
        ("Relancer la MSA : aucun premier versement depuis la demande du 20 février 2025", D(2025, 4, 20))
    ]
    afis(personas, person, D(2025, 4, 2), AfisDates(D(2025, 2, 20), first_payment_on=D(2025, 4, 2)), file)
    assert items(person, D(2025, 4, 3), "afis") == []


def test_the_end_of_the_pathway_is_reported_to_the_msa_while_the_afis_runs(personas):
    person = eligible_person(personas)
    pathway = pathway_in_state(personas, "active", person=person)
    afis(personas, person, D(2025, 3, 5), AfisDates(D(2025, 2, 20), first_payment_on=D(2025, 3, 5)))
    from parcours.pathway import transitions as t

    with clock.travel_to(D(2025, 3, 20)):
        t.record_exit(pathway, personas.worker, D(2025, 3, 20), "withdrawn")
    # Finding 7 a: the AFIS is due for March and stops on 1 April (it said: stop on 20 March).
    assert items(person, D(2025, 3, 21), "afis") == [
        ("Signaler la fin du parcours à la MSA : AFIS due jusqu'au 31 mars 2025, arrêt le 1er avril 2025",
         D(2025, 4, 1))
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("ended", "stop"),
    [(D(2025, 3, 31), D(2025, 4, 1)), (D(2025, 4, 1), D(2025, 5, 1)), (D(2025, 7, 31), D(2025, 8, 1))],
)
def test_after_an_early_end_the_afis_stops_from_the_next_month_and_the_stop_is_recorded_ahead(
    personas, ended, stop
):
    person = eligible_person(personas)
    pathway = pathway_in_state(personas, "active", person=person)  # 10 February – 9 August 2025
    file = afis(personas, person, D(2025, 3, 5), AfisDates(D(2025, 2, 20), first_payment_on=D(2025, 3, 5)))
    from parcours.pathway import transitions as t

    with clock.travel_to(ended):
        t.end_early(pathway, personas.agent, ended, "Engagements non tenus")
    [(label, date)] = items(person, ended, "afis")
    day = "1er" if stop.day == 1 else stop.day  # French writes the first of the month « 1er »
    assert date == stop and f"arrêt le {day} " in label
    # Recorded on the day of the end, stop dated next month: accepted, and nothing is due any more.
    afis(personas, person, ended, AfisDates(D(2025, 2, 20), D(2025, 3, 5), stop, "prefet"), file)
    assert items(person, ended, "afis") == []


def test_an_exit_after_the_period_lapsed_stops_the_afis_with_the_period(personas):
    person = eligible_person(personas)
    afis(personas, person, D(2025, 3, 5), AfisDates(D(2025, 2, 20), first_payment_on=D(2025, 3, 5)))
    pathway = pathway_in_state(personas, "lapsed", person=person)  # period ended 9 August 2025
    from parcours.pathway import transitions as t

    with clock.travel_to(D(2025, 8, 20)):
        t.record_exit(pathway, personas.worker, D(2025, 8, 20), "completed")
    [(_label, date)] = items(person, D(2025, 8, 20), "afis")
    assert date == D(2025, 8, 10)


def test_a_lapsed_period_is_reported_to_the_msa_from_the_next_day(personas):
    person = eligible_person(personas)
    afis(personas, person, D(2025, 3, 5), AfisDates(D(2025, 2, 20), first_payment_on=D(2025, 3, 5)))
    pathway_in_state(personas, "lapsed", person=person)
    assert items(person, D(2025, 8, 12), "afis") == [
        ("Signaler la fin du parcours à la MSA : AFIS due jusqu'au 9 août 2025, arrêt le 10 août 2025",
         D(2025, 8, 10))
    ]  # fmt: skip


def test_a_renewed_period_asks_for_a_new_afis_request_when_the_previous_one_was_stopped(personas):
    person = eligible_person(personas)
    request_in_state(
        personas, "authorised", kind="renewal", person=person
    )  # second period from 10 August 2025
    afis(
        personas,
        person,
        D(2025, 8, 9),
        AfisDates(D(2025, 2, 20), D(2025, 3, 5), D(2025, 8, 9), "pathway_ended"),
    )
    assert items(person, D(2025, 8, 12), "afis") == [("Demande d'AFIS à adresser à la MSA", D(2025, 8, 10))]


# --- APS -----------------------------------------------------------------------------------------------
def test_an_aps_request_is_due_for_a_person_without_a_residence_permit(personas):
    person = eligible_person(personas, residence_status="none")
    pathway_in_state(personas, "active", person=person)
    assert items(person, D(2025, 3, 1), "aps") == [("Demande d'APS à adresser à la préfecture", START)]


def test_aps_renewal_is_due_sixty_days_before_expiry_with_the_period_end(personas):
    person = eligible_person(personas)
    pathway_in_state(personas, "active", person=person)
    aps(
        personas,
        person,
        D(2025, 3, 1),
        ApsDates(D(2025, 2, 12), issued_on=D(2025, 3, 1), expires_on=D(2025, 8, 31)),
    )
    assert items(person, D(2025, 3, 2), "aps") == [
        (
            "Renouvellement de l'APS à demander (expire le 31 août 2025 ; "
            "période de parcours jusqu'au 9 août 2025)",
            D(2025, 7, 2),
        )
    ]


@pytest.mark.parametrize(("lead", "due"), [(30, D(2025, 8, 1)), (90, D(2025, 6, 2))])
def test_the_aps_renewal_lead_follows_the_setting(personas, settings, lead, due):
    settings.PARCOURS_APS_RENEWAL_LEAD_DAYS = lead
    person = eligible_person(personas)
    aps(
        personas,
        person,
        D(2025, 3, 1),
        ApsDates(D(2025, 2, 12), issued_on=D(2025, 3, 1), expires_on=D(2025, 8, 31)),
    )
    assert [d for _label, d in items(person, D(2025, 3, 2), "aps")] == [due]


def test_an_expiring_receipt_is_to_be_extended_a_month_before(personas):
    person = eligible_person(personas, residence_status="none")
    pathway_in_state(personas, "active", person=person)
    aps(
        personas,
        person,
        D(2025, 2, 15),
        ApsDates(D(2025, 2, 12), receipt_on=D(2025, 2, 15), receipt_expires_on=D(2025, 5, 14)),
    )
    assert items(person, D(2025, 3, 1), "aps") == [
        ("Récépissé de demande d'APS à faire prolonger (expire le 14 mai 2025)", D(2025, 4, 14))
    ]
    assert items(person, D(2025, 5, 20), "aps") == [
        ("Récépissé de demande d'APS expiré le 14 mai 2025 : à faire prolonger", D(2025, 4, 14))
    ]


def test_an_expired_aps_with_a_renewal_requested_asks_for_the_new_one(personas):
    person = eligible_person(personas)
    aps(
        personas,
        person,
        D(2025, 7, 1),
        ApsDates(
            D(2025, 2, 12),
            issued_on=D(2025, 3, 1),
            expires_on=D(2025, 8, 31),
            renewal_requested_on=D(2025, 7, 1),
        ),
    )
    assert items(person, D(2025, 8, 1), "aps") == []  # asked in time, still valid
    assert items(person, D(2025, 9, 2), "aps") == [
        (
            "APS expirée le 31 août 2025 : renouvellement demandé le 1er juillet 2025, "
            "nouvelle APS à enregistrer",
            D(2025, 8, 31),
        )
    ]


def test_no_aps_renewal_once_the_pathway_is_over(personas):
    person = eligible_person(personas)
    aps(
        personas,
        person,
        D(2025, 3, 1),
        ApsDates(D(2025, 2, 12), issued_on=D(2025, 3, 1), expires_on=D(2025, 8, 31)),
    )
    pathway_in_state(personas, "exited", person=person)
    assert items(person, D(2025, 4, 1), "aps") == []


# --- Together ------------------------------------------------------------------------------------------
def test_next_deadline_of_each_right(personas):
    person = eligible_person(personas, residence_status="none")
    pathway_in_state(personas, "active", person=person)
    nxt = deadlines.next_by_right(reload(person), D(2025, 3, 1))
    assert nxt["afis"] is None  # no residence right yet: not eligible
    assert nxt["aps"].label == "Demande d'APS à adresser à la préfecture"


def test_due_items_lists_what_is_due_within_a_month_for_staff_only(personas):
    soon = eligible_person(personas)
    pathway_in_state(personas, "active", person=soon)  # AFIS request due since 10 February
    later = eligible_person(personas)
    aps(
        personas,
        later,
        D(2025, 3, 1),
        ApsDates(D(2025, 2, 12), issued_on=D(2025, 3, 1), expires_on=D(2025, 8, 31)),
    )
    found = deadlines.due_items(personas.worker, D(2025, 3, 1))
    assert [(d.person.pk, d.right, d.date) for d in found] == [(soon.pk, "afis", START)]
    assert found[0].overdue
    found = deadlines.due_items(personas.head, D(2025, 6, 15))  # APS renewal due on 2 July
    assert (later.pk, "aps", D(2025, 7, 2)) in [(d.person.pk, d.right, d.date) for d in found]
    for role in ("volunteer", "intern", "secretariat", "agent", "national", "outsider"):
        assert deadlines.due_items(getattr(personas, role), D(2025, 6, 15)) == []


def test_due_items_are_sorted_by_date_with_undated_last(personas):
    dated = eligible_person(personas)
    pathway_in_state(personas, "active", person=dated)
    undated = eligible_person(personas, monthly_resources=None)
    pathway_in_state(personas, "active", person=undated)
    found = deadlines.due_items(personas.worker, D(2025, 3, 1))
    assert [d.person.pk for d in found] == [dated.pk, undated.pk]
    assert found[-1].date is None


def test_the_to_do_page_names_the_afis_once(client, personas):
    """Issue 8, point 11. Before: « AFIS : AFIS : éligibilité à vérifier (dossier incomplet) »."""
    person = eligible_person(personas, monthly_resources=None, referent=personas.worker.user)
    pathway_in_state(personas, "active", person=person)
    client.force_login(personas.worker.user)
    with clock.travel_to(D(2025, 3, 1)):
        page = client.get("/parcours/a-faire/").content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "AFIS : Éligibilité à vérifier (dossier incomplet)" in text
    assert "AFIS : AFIS" not in text
