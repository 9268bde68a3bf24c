"""What is due on a pathway: months used, renewal date, next deadline in each state."""

import datetime as dt

import pytest

from parcours.core import clock
from parcours.pathway import deadlines, rules
from parcours.pathway import transitions as t
from parcours.pathway.models import Pathway

from ..conftest import (
    CALENDARS,
    FIRST_PERIOD_END,
    authorised_pathway,
    pathway_in_state,
    renew,
    request_in_state,
)

D = dt.date
RS = rules.RequestStatus


def summary(pathway, today):
    """The summary of `pathway` as the pages load it: prefetched as lists (the to-do page, the caseload, the
    notifications), prefetched by Django (the person page), or not at all; the three must agree, so that
    every literal expectation below checks each of them."""
    loadings = [
        Pathway.objects.prefetch_related(*deadlines.summary_lookups()),
        Pathway.objects.prefetch_related("periods", "requests__agenda_items__session"),
        Pathway.objects.all(),
    ]
    summaries = [deadlines.summarise(loading.get(pk=pathway.pk), today=today) for loading in loadings]
    assert summaries[0] == summaries[1] == summaries[2]
    return summaries[0]


def test_an_active_pathway_is_due_for_renewal_two_months_before_its_end(personas):
    pathway = pathway_in_state(personas, "active")  # 10 February – 9 August 2025
    s = summary(pathway, D(2025, 3, 1))
    # 19 days in: no month used yet, six authorised (finding 7 d: the page said 6 / 24).
    assert (s.months_used, s.months_authorised, s.max_months, s.cap_reached) == (0, 6, 24, False)
    assert (s.current_period.number, s.last_period.number) == (1, 1)
    assert s.renewal_due == D(2025, 6, 9)
    assert s.open_request is None
    assert s.next_deadline == deadlines.Deadline("Demande de renouvellement à transmettre", D(2025, 6, 9))


@pytest.mark.parametrize(("lead", "due"), [(1, D(2025, 7, 9)), (3, D(2025, 5, 9))])
def test_the_renewal_lead_time_follows_the_setting(personas, settings, lead, due):
    settings.PARCOURS_RENEWAL_LEAD_MONTHS = lead
    s = summary(pathway_in_state(personas, "active"), D(2025, 3, 1))
    assert s.renewal_due == due
    assert s.next_deadline.date == due


def test_a_renewal_deadline_becomes_overdue_the_day_after(personas):
    pathway = pathway_in_state(personas, "active")
    deadline = summary(pathway, D(2025, 6, 9)).next_deadline
    with clock.travel_to(D(2025, 6, 9)):
        assert not deadline.overdue
    with clock.travel_to(D(2025, 6, 10)):
        assert deadline.overdue


def test_there_is_no_current_period_after_the_end(personas):
    pathway = pathway_in_state(personas, "active")
    assert summary(pathway, FIRST_PERIOD_END).current_period is not None
    assert summary(pathway, FIRST_PERIOD_END + dt.timedelta(days=1)).current_period is None


def test_a_lapsed_pathway_asks_to_renew_or_record_the_exit(personas):
    s = summary(pathway_in_state(personas, "lapsed"), D(2025, 8, 20))
    assert s.current_period is None
    assert s.next_deadline == deadlines.Deadline(
        "Période échue : renouveler ou enregistrer la sortie", FIRST_PERIOD_END
    )


def test_a_refused_pathway_may_start_again(personas):
    s = summary(pathway_in_state(personas, "refused"), D(2025, 3, 1))
    assert (s.months_used, s.last_period, s.renewal_due) == (0, None, None)
    assert s.next_deadline == deadlines.Deadline("Entrée refusée : nouvelle demande possible", None)


def test_an_exited_pathway_has_no_deadline(personas):
    s = summary(pathway_in_state(personas, "exited"), D(2025, 4, 1))  # 10 February – exit 20 March
    assert s.next_deadline is None
    assert (s.months_used, s.months_authorised) == (1, 6)


REQUEST_LABELS = {
    RS.DRAFT: "Brouillon à compléter puis soumettre à la validation",
    RS.READY: "Soumise à la validation de la cheffe de service",
    RS.VALIDATED: "Demande validée à transmettre",
    RS.SUBMITTED: "En attente d'inscription à une séance",
    RS.SCHEDULED: "Examen en séance de la commission",
    RS.ADJOURNED: "Demande ajournée à compléter",
    RS.AVIS_GIVEN: "En attente de la décision du préfet",
}


def test_every_open_request_state_has_a_deadline_label():
    assert set(REQUEST_LABELS) == rules.OPEN_REQUEST_STATUSES


@pytest.mark.parametrize("kind", ["entry", "renewal"])
@pytest.mark.parametrize("status", sorted(rules.OPEN_REQUEST_STATUSES))
def test_an_open_request_sets_the_next_deadline(personas, kind, status):
    req = request_in_state(personas, status, kind=kind)
    s = summary(req.pathway, CALENDARS[kind].opened)
    assert s.open_request == req
    session_day = CALENDARS[kind].session if status == RS.SCHEDULED else None
    assert s.next_deadline == deadlines.Deadline(REQUEST_LABELS[status], session_day)


def test_a_request_examined_again_shows_its_new_session(personas):
    req = request_in_state(personas, "adjourned")  # adjourned on 3 February 2025
    with clock.travel_to(D(2025, 2, 10)):
        t.resubmit_request(req, personas.worker)
        later = t.create_session(personas.secretariat, D(2025, 3, 3))
        t.schedule_request(req, later, personas.secretariat)
    s = summary(req.pathway, D(2025, 2, 10))
    assert s.next_deadline == deadlines.Deadline("Examen en séance de la commission", D(2025, 3, 3))


def test_after_four_periods_the_cap_is_reached_and_the_end_is_the_deadline(personas):
    person = personas.person()
    pathway = authorised_pathway(
        personas, person, submitted_on=D(2024, 12, 2), session_on=D(2025, 1, 6), decided_on=D(2025, 1, 10)
    )
    for year, month in ((2025, 5), (2025, 11), (2026, 5)):
        renew(
            personas,
            person,
            submitted_on=D(year, month, 9),
            session_on=D(year, month + 1, 2),
            decided_on=D(year, month + 1, 9),
        )
    s = summary(pathway, D(2026, 8, 1))
    # 10 January 2025 → 1 August 2026: 18 whole months used; the 24 are all authorised.
    assert (s.months_used, s.months_authorised, s.cap_reached, s.renewal_due) == (18, 24, True, None)
    assert s.current_period.number == 4
    assert s.next_deadline == deadlines.Deadline("Fin du parcours (24 mois)", D(2027, 1, 9))


def test_months_authorised_count_every_period_and_months_used_only_the_elapsed_ones(personas):
    req = request_in_state(personas, "authorised", kind="renewal")  # renewal decided on 10 July 2025
    s = summary(req.pathway, D(2025, 7, 15))
    assert (s.months_used, s.months_authorised) == (5, 12)  # 10 February → 15 July: five whole months
    assert (s.current_period.number, s.last_period.number) == (1, 2)
    assert s.renewal_due == D(2025, 12, 9)  # two months before 9 February 2026


# --- Months used (finding 7 d): whole months elapsed, counted like the durations (art. 641 CPC) -------------
def test_on_the_first_day_of_the_first_period_no_month_is_used_and_six_are_authorised(personas):
    """Before the fix the summary said 6 / 24 from the first day (the sum of the authorised periods)."""
    pathway = pathway_in_state(personas, "active")  # 10 February – 9 August 2025
    first_day = summary(pathway, D(2025, 2, 10))
    assert (first_day.months_used, first_day.months_authorised) == (0, 6)
    assert summary(pathway, D(2025, 3, 8)).months_used == 0
    assert summary(pathway, D(2025, 3, 9)).months_used == 1  # 10 February – 9 March: one month
    assert summary(pathway, FIRST_PERIOD_END).months_used == 6
    assert summary(pathway, FIRST_PERIOD_END + dt.timedelta(days=40)).months_used == 6  # lapsed: no more


def test_the_person_page_says_months_used_and_authorised_apart(client, personas):
    from django.urls import reverse

    pathway = pathway_in_state(personas, "active")
    client.force_login(personas.worker.user)
    with clock.travel_to(D(2025, 2, 10)):
        page = client.get(reverse("people:person", args=[pathway.person_id])).content.decode()
    assert "Mois de parcours utilisés : 0 / 24 — 6 mois autorisés" in page
    assert "6 / 24" not in page


def test_the_24_months_are_used_on_the_last_day_of_the_fourth_period_and_no_more_after(personas):
    person = personas.person()
    pathway = authorised_pathway(
        personas, person, submitted_on=D(2024, 12, 2), session_on=D(2025, 1, 6), decided_on=D(2025, 1, 10)
    )
    for year, month in ((2025, 5), (2025, 11), (2026, 5)):
        renew(personas, person, submitted_on=D(year, month, 9), session_on=D(year, month + 1, 2),
              decided_on=D(year, month + 1, 9))  # fmt: skip
    assert summary(pathway, D(2027, 1, 8)).months_used == 23
    assert summary(pathway, D(2027, 1, 9)).months_used == 24  # last day of the fourth period
    assert summary(pathway, D(2027, 6, 1)).months_used == 24
