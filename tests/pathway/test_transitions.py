"""The domain services: every step, who may take it, from which state, with which data; and the journal."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from parcours.accounts.roles import ASSOCIATION_STAFF, Role
from parcours.core import clock
from parcours.pathway import rules
from parcours.pathway import transitions as t
from parcours.pathway.models import (
    AgendaItem,
    Avis,
    CommissionSession,
    Decision,
    Event,
    Exit,
    Pathway,
    PathwayRequest,
    Period,
)

from ..conftest import (
    CALENDARS,
    FIRST_PERIOD_END,
    authorised_pathway,
    complete_content,
    pathway_in_state,
    renew,
    request_in_state,
    walk_to_avis,
)
from ..factories import MembershipFactory, departement

D = dt.date
ONE_DAY = dt.timedelta(days=1)
RS = rules.RequestStatus
PS = rules.PathwayStatus

# Messages of a refusal for lack of rights (role, association, commission, département).
ACCESS_REFUSED = {
    "Votre rôle ne permet pas cette action.",
    "Ce parcours est suivi par une autre association.",
    "Cette personne est suivie par une autre association.",
    "Cette demande relève d'une autre commission.",
    "Cette demande relève d'un autre département.",
    "Ce parcours relève d'un autre département.",
}

# Every persona, with her role and whether she belongs to the organisation in charge of the Gard case
# (the association following the person, the Gard commission, the Gard préfecture).
ACTORS = {
    "worker": (Role.SOCIAL_WORKER, True),
    "head": (Role.HEAD_OF_SERVICE, True),
    "volunteer": (Role.VOLUNTEER, True),
    "intern": (Role.INTERN, True),
    "outsider": (Role.SOCIAL_WORKER, False),
    "other_head": (Role.HEAD_OF_SERVICE, False),
    "secretariat": (Role.SECRETARIAT, True),
    "member": (Role.COMMISSION_MEMBER, True),
    "other_secretariat": (Role.SECRETARIAT, False),
    "agent": (Role.PREFECTURE_AGENT, True),
    "other_agent": (Role.PREFECTURE_AGENT, False),
    "national": (Role.NATIONAL_ADMIN, False),
}


def allowed_actors(roles):
    return [name for name, (role, in_charge) in ACTORS.items() if role in roles and in_charge]


def forbidden_actors(roles):
    return [name for name in ACTORS if name not in allowed_actors(roles)]


@pytest.fixture
def actors(personas):
    personas.other_head = MembershipFactory(
        organisation=personas.other_association, role="head_of_service", user__username="autre-cheffe"
    )
    return {name: getattr(personas, name) for name in ACTORS}


def test_the_actor_table_matches_the_personas(actors):
    for name, (role, _in_charge) in ACTORS.items():
        assert actors[name].role == role


# --- Snapshots: a refused step leaves the database as it was -----------------------------------------
def snapshot():
    return {
        "requests": sorted(PathwayRequest.objects.values_list("pk", "status", "submitted_on", "commission")),
        "pathways": sorted(Pathway.objects.values_list("pk", "status")),
        "sessions": sorted(CommissionSession.objects.values_list("pk", "status")),
        **{
            model.__name__: model.objects.count()
            for model in (Event, Decision, Period, Avis, AgendaItem, Exit, Pathway, PathwayRequest)
        },
    }


def assert_refused(action, *, match=None, messages=None):
    """`action` raises DomainError with a French message and changes nothing."""
    before = snapshot()
    with pytest.raises(t.DomainError) as refused:
        action()
    message = refused.value.message
    if match is not None:
        assert match in message, message
    if messages is not None:
        assert message in messages, message
    assert snapshot() == before
    return message


# --- Doing each step ---------------------------------------------------------------------------------
def session_of(req):
    """The session `request_in_state` planned for this request."""
    return CommissionSession.objects.filter(date=CALENDARS[req.kind].session).order_by("pk").first()


REQUEST_STEPS = {
    "submit_for_validation": lambda req, by: t.submit_for_validation(req, by),
    "take_back": lambda req, by: t.take_back_request(req, by, "À reprendre"),
    "validate": lambda req, by: t.validate_request(req, by),
    "return_to_draft": lambda req, by: t.return_to_draft(req, by, "À revoir"),
    "submit": lambda req, by: t.submit_request(req, by),
    "schedule": lambda req, by: t.schedule_request(req, session_of(req), by),
    "unschedule": lambda req, by: t.unschedule_request(req, by),
    "record_avis": lambda req, by: t.record_avis(req, session_of(req), "favourable", by),
    "adjourn": lambda req, by: t.record_avis(req, session_of(req), "adjourned", by, "Pièces manquantes"),
    "resubmit": lambda req, by: t.resubmit_request(req, by),
    "authorise": lambda req, by: t.authorise(req, by, clock.today()),
    "refuse": lambda req, by: t.refuse(req, by, clock.today(), ["project"], "Projet à construire"),
    "withdraw": lambda req, by: t.withdraw_request(req, by, "Retrait fictif"),
}

# Each step is taken ten days after the préfet's decision of the calendar of `request_in_state`.
ACT_ON = {kind: days.decided + dt.timedelta(days=10) for kind, days in CALENDARS.items()}

PATHWAY_STEPS = {
    "record_exit": lambda pathway, by: t.record_exit(pathway, by, clock.today(), "completed"),
    "end_early": lambda pathway, by: t.end_early(pathway, by, clock.today(), "Engagements non tenus"),
}
PATHWAY_ACT_ON = FIRST_PERIOD_END + dt.timedelta(days=11)  # after the first period: lapsed if expired


def test_every_transition_has_a_step_in_these_tests():
    assert set(REQUEST_STEPS) == set(rules.REQUEST_TRANSITIONS)
    assert set(PATHWAY_STEPS) | {"expire_period"} == set(rules.PATHWAY_TRANSITIONS)


def _cases(table, kinds=("entry",)):
    for action, transition in table.items():
        for kind in kinds:
            for source in sorted(transition.sources):
                yield action, kind, source


ALLOWED_REQUEST_CASES = [
    pytest.param(action, kind, source, actor, id=f"{kind}-{action}-from-{source}-by-{actor}")
    for action, kind, source in _cases(rules.REQUEST_TRANSITIONS, kinds=("entry", "renewal"))
    for actor in allowed_actors(rules.REQUEST_TRANSITIONS[action].roles)
]


@pytest.mark.parametrize(("action", "kind", "source", "actor"), ALLOWED_REQUEST_CASES)
def test_allowed_request_step_moves_the_request_and_records_who_did_it(
    actors, personas, action, kind, source, actor
):
    req = request_in_state(personas, source, kind=kind)
    transition = rules.REQUEST_TRANSITIONS[action]
    with clock.travel_to(ACT_ON[kind]):
        REQUEST_STEPS[action](req, actors[actor])
    req.refresh_from_db()
    assert req.status == transition.target
    event = req.events.order_by("pk").last()
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        action,
        actors[actor].user,
        source,
        transition.target,
    )
    assert event.actor_organisation == actors[actor].organisation


def refusal_problems(attempts):
    """Try each `(name, step, accept)` and describe every step that is not refused with an accepted
    message or that changes the database. One state is built for many attempts: a refused step leaves
    it as it was, which is what is checked."""
    problems = []
    for name, step, accept in attempts:
        before = snapshot()
        try:
            step()
        except t.DomainError as refused:
            if not accept(refused.message):
                problems.append(f"{name}: unexpected message {refused.message!r}")
        else:
            problems.append(f"{name}: not refused")
        if snapshot() != before:
            problems.append(f"{name}: database changed")
    return problems


def wrong_state_message(transition, states, status):
    return f"« {transition.label} » est impossible dans l'état actuel ({states(status).label})."


@pytest.mark.parametrize("action", list(rules.REQUEST_TRANSITIONS))
def test_request_step_by_someone_without_the_right_is_refused(actors, personas, action):
    transition = rules.REQUEST_TRANSITIONS[action]
    req = request_in_state(personas, sorted(transition.sources)[0])
    with clock.travel_to(ACT_ON["entry"]):
        problems = refusal_problems(
            (actor, lambda by=actors[actor]: REQUEST_STEPS[action](req, by), ACCESS_REFUSED.__contains__)
            for actor in forbidden_actors(transition.roles)
        )
    assert problems == []


@pytest.mark.parametrize("kind", ["entry", "renewal"])
@pytest.mark.parametrize("status", RS.values)
def test_request_steps_from_a_wrong_state_are_refused(actors, personas, kind, status):
    req = request_in_state(personas, status, kind=kind)
    attempts = []
    for action, transition in rules.REQUEST_TRANSITIONS.items():
        if status not in transition.sources:
            by = actors[allowed_actors(transition.roles)[0]]
            expected = wrong_state_message(transition, RS, status)
            attempts.append((action, lambda a=action, b=by: REQUEST_STEPS[a](req, b), expected.__eq__))
    assert attempts, "every state is outside the sources of some step"
    with clock.travel_to(ACT_ON[kind]):
        assert refusal_problems(attempts) == []


ALLOWED_PATHWAY_CASES = [
    pytest.param(action, source, actor, id=f"{action}-from-{source}-by-{actor}")
    for action, _kind, source in _cases(rules.PATHWAY_TRANSITIONS)
    for actor in allowed_actors(rules.PATHWAY_TRANSITIONS[action].roles)
]


@pytest.mark.parametrize(("action", "source", "actor"), ALLOWED_PATHWAY_CASES)
def test_allowed_pathway_step_closes_the_pathway(actors, personas, action, source, actor):
    pathway = pathway_in_state(personas, source)
    transition = rules.PATHWAY_TRANSITIONS[action]
    with clock.travel_to(PATHWAY_ACT_ON):
        exit_ = PATHWAY_STEPS[action](pathway, actors[actor])
    pathway.refresh_from_db()
    assert pathway.status == transition.target
    assert exit_.date == PATHWAY_ACT_ON
    event = pathway.events.order_by("pk").last()
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        action,
        actors[actor].user,
        source,
        transition.target,
    )


@pytest.mark.parametrize("action", list(PATHWAY_STEPS))
def test_pathway_step_by_someone_without_the_right_is_refused(actors, personas, action):
    pathway = pathway_in_state(personas, "active")
    with clock.travel_to(PATHWAY_ACT_ON):
        problems = refusal_problems(
            (actor, lambda by=actors[actor]: PATHWAY_STEPS[action](pathway, by), ACCESS_REFUSED.__contains__)
            for actor in forbidden_actors(rules.PATHWAY_TRANSITIONS[action].roles)
        )
    assert problems == []


@pytest.mark.parametrize("status", PS.values)
def test_pathway_steps_from_a_wrong_state_are_refused(actors, personas, status):
    pathway = pathway_in_state(personas, status)
    attempts = []
    for action, step in PATHWAY_STEPS.items():
        transition = rules.PATHWAY_TRANSITIONS[action]
        if status not in transition.sources:
            by = actors[allowed_actors(transition.roles)[0]]
            expected = wrong_state_message(transition, PS, status)
            attempts.append((action, lambda s=step, b=by: s(pathway, b), expected.__eq__))
    with clock.travel_to(PATHWAY_ACT_ON):
        assert refusal_problems(attempts) == []


@pytest.mark.parametrize(
    "status", [s for s in PS.values if s not in rules.PATHWAY_TRANSITIONS["expire_period"].sources]
)
def test_the_daily_job_leaves_pathways_in_other_states_alone(personas, status):
    pathway_in_state(personas, status)
    before = snapshot()
    assert t.expire_periods(D(2030, 1, 1)) == 0
    assert snapshot() == before


# --- Opening requests --------------------------------------------------------------------------------
OPENING_CASES = [
    pytest.param(kind, status, id=f"{kind}-on-{status}")
    for kind, states in rules.REQUEST_OPENING_STATES.items()
    for status in PS.values
    # A preparing pathway always has its open entry request; an exited one is left for a new pathway.
    if status not in (PS.PREPARING, PS.EXITED)
]


@pytest.mark.parametrize(("kind", "status"), OPENING_CASES)
def test_a_request_opens_only_from_the_pathway_states_of_the_rules(personas, kind, status):
    pathway = pathway_in_state(personas, status)
    open_ = lambda: t.open_request(pathway.person, kind, personas.worker, complete_content())  # noqa: E731
    with clock.travel_to(PATHWAY_ACT_ON):
        if status in rules.REQUEST_OPENING_STATES[kind]:
            req = open_()
            assert (req.pathway, req.kind, req.status) == (pathway, kind, RS.DRAFT)
        else:
            assert_refused(open_)


def test_a_new_entry_after_a_refusal_prepares_the_same_pathway_again(personas):
    pathway = pathway_in_state(personas, "refused")
    with clock.travel_to(PATHWAY_ACT_ON):
        req = t.open_request(pathway.person, "entry", personas.worker, complete_content())
    pathway.refresh_from_db()
    assert req.pathway == pathway
    assert pathway.status == PS.PREPARING


def test_an_entry_after_an_exit_opens_a_new_pathway(personas):
    old = pathway_in_state(personas, "exited")
    with clock.travel_to(PATHWAY_ACT_ON):
        req = t.open_request(old.person, "entry", personas.worker, complete_content())
    assert req.pathway != old
    assert req.pathway.status == PS.PREPARING
    assert Pathway.objects.filter(person=old.person).count() == 2


@pytest.mark.parametrize("actor", forbidden_actors(ASSOCIATION_STAFF))
def test_only_the_association_staff_following_the_person_opens_a_request(actors, personas, actor):
    person = personas.person()
    with clock.travel_to(D(2025, 1, 6)):
        assert_refused(
            lambda: t.open_request(person, "entry", actors[actor], complete_content()),
            messages=ACCESS_REFUSED,
        )
    assert not Pathway.objects.exists()


def test_opening_an_entry_journals_the_new_pathway_and_the_draft(personas):
    person = personas.person()
    with clock.travel_to(D(2025, 1, 6)):
        req = t.open_request(person, "entry", personas.worker, complete_content())
    assert req.pathway.rule_version == "2016"
    assert list(req.pathway.events.values_list("action", "from_status", "to_status")) == [
        ("open_pathway", "", PS.PREPARING),
        ("open_request", "", RS.DRAFT),
    ]
    assert [a.description for a in req.actions.all()] == ["Accès à un hébergement stable"]
    assert [c.text for c in req.commitments.all()] == ["Suivre les cours de français"]


# --- Effects of decisions on the pathway --------------------------------------------------------------
def test_an_authorised_entry_opens_a_six_month_period_and_activates_the_pathway(personas):
    req = request_in_state(personas, "authorised")
    period = req.period
    assert (period.number, period.start, period.end, period.months) == (
        1,
        D(2025, 2, 10),
        FIRST_PERIOD_END,
        6,
    )
    assert req.pathway.status == PS.ACTIVE
    assert req.decision.kind == "authorised"
    assert req.pathway.events.filter(
        action="pathway_status", from_status=PS.PREPARING, to_status=PS.ACTIVE
    ).exists()


def test_an_entry_may_start_up_to_three_months_after_the_decision(personas):
    req = request_in_state(personas, "avis_given")
    decided = D(2025, 2, 10)
    with clock.travel_to(decided):
        for start in (decided - ONE_DAY, D(2025, 5, 11)):
            assert_refused(
                lambda s=start: t.authorise(req, personas.agent, decided, start=s), match="trois mois"
            )
        period = t.authorise(req, personas.agent, decided, start=D(2025, 5, 10))
    assert (period.start, period.end) == (D(2025, 5, 10), D(2025, 11, 9))


def test_a_refused_entry_marks_the_pathway_refused_with_reasons(personas):
    req = request_in_state(personas, "refused")
    assert req.pathway.status == PS.REFUSED
    assert req.decision.refusal_reasons == ["project"]
    assert not Period.objects.exists()


def test_a_refused_renewal_leaves_the_pathway_running(personas):
    req = request_in_state(personas, "refused", kind="renewal")
    assert req.pathway.status == PS.ACTIVE
    assert req.pathway.periods.count() == 1


def test_withdrawing_an_entry_closes_the_pathway_as_withdrawn(personas):
    req = request_in_state(personas, "withdrawn")
    assert req.pathway.status == PS.EXITED
    assert req.pathway.exit.reason == rules.ExitReason.WITHDRAWN


def test_withdrawing_a_renewal_leaves_the_pathway_running(personas):
    req = request_in_state(personas, "withdrawn", kind="renewal")
    assert req.pathway.status == PS.ACTIVE
    assert not Exit.objects.exists()


def test_unscheduling_frees_the_request_for_another_session(personas):
    req = request_in_state(personas, "scheduled")
    with clock.travel_to(D(2025, 1, 20)):
        t.unschedule_request(req, personas.secretariat)
        later = t.create_session(personas.secretariat, D(2025, 3, 3))
        t.schedule_request(req, later, personas.secretariat)
    assert list(req.agenda_items.values_list("session__date", flat=True)) == [D(2025, 3, 3)]


def test_an_adjourned_request_is_completed_and_examined_again(personas):
    req = request_in_state(personas, "adjourned")
    with clock.travel_to(D(2025, 2, 10)):
        t.update_request(req, personas.worker, complete_content(motivation="Projet précisé"))
        t.resubmit_request(req, personas.worker)
        later = t.create_session(personas.secretariat, D(2025, 3, 3))
        t.schedule_request(req, later, personas.secretariat)
    with clock.travel_to(D(2025, 3, 3)):
        t.record_avis(req, later, "favourable", personas.secretariat)
    with clock.travel_to(D(2025, 3, 4)):
        # The decision follows the last avis, not the adjournment.
        assert_refused(lambda: t.authorise(req, personas.agent, D(2025, 3, 2)), match="3 mars 2025")
        period = t.authorise(req, personas.agent, D(2025, 3, 4))
    assert period.start == D(2025, 3, 4)
    assert list(req.avis.order_by("session__date").values_list("kind", flat=True)) == [
        "adjourned",
        "favourable",
    ]


def test_an_early_end_closes_the_pending_renewal_which_cannot_revive_the_pathway(personas):
    req = request_in_state(personas, "avis_given", kind="renewal")
    with clock.travel_to(D(2025, 7, 5)):
        t.end_early(req.pathway, personas.agent, D(2025, 7, 5), "Engagements non tenus")
    req.refresh_from_db()
    assert req.status == RS.WITHDRAWN
    assert req.pathway.events.filter(action="close_request", request=req).exists()
    with clock.travel_to(D(2025, 7, 10)):
        assert_refused(lambda: t.authorise(req, personas.agent, D(2025, 7, 10)), match="impossible")
    req.pathway.refresh_from_db()
    assert req.pathway.status == PS.EXITED


# --- Finding 7 c: an exit or an early end closes the running period ----------------------------------------
@pytest.mark.parametrize("action", list(PATHWAY_STEPS))
def test_an_exit_ends_the_running_period_that_day_and_keeps_the_authorised_end(actors, personas, action):
    """Before the fix the period kept its end (9 August 2025) after an exit on 20 March."""
    pathway = pathway_in_state(personas, "active")  # 10 February – 9 August 2025
    by = actors[allowed_actors(rules.PATHWAY_TRANSITIONS[action].roles)[0]]
    with clock.travel_to(D(2025, 3, 20)):
        PATHWAY_STEPS[action](pathway, by)
    period = Period.objects.get(pathway=pathway)
    assert (period.start, period.end, period.planned_end, period.months) == (
        D(2025, 2, 10),
        D(2025, 3, 20),
        FIRST_PERIOD_END,
        6,
    )
    event = pathway.events.get(action=action)
    assert "Période n° 1 close le 20 mars 2025 (fin autorisée : 9 août 2025)." in event.comment


def test_an_exit_on_the_last_day_of_the_period_leaves_it_whole(personas):
    pathway = pathway_in_state(personas, "active")
    with clock.travel_to(FIRST_PERIOD_END):
        t.record_exit(pathway, personas.worker, FIRST_PERIOD_END, "completed")
    period = Period.objects.get(pathway=pathway)
    assert (period.end, period.planned_end) == (FIRST_PERIOD_END, None)
    assert "close" not in pathway.events.get(action="record_exit").comment


def test_an_early_end_cancels_a_renewal_period_that_had_not_started(personas):
    pathway = entry_pathway(personas)
    person = pathway.person
    renew(personas, person, submitted_on=D(2025, 6, 2), session_on=D(2025, 7, 1), decided_on=D(2025, 7, 10))
    with clock.travel_to(D(2025, 7, 20)):
        t.end_early(pathway, personas.agent, D(2025, 7, 20), "Engagements non tenus")
    periods = list(pathway.periods.values_list("number", "end", "planned_end"))
    assert periods == [(1, D(2025, 7, 20), FIRST_PERIOD_END)]
    comment = pathway.events.get(action="end_early").comment
    assert "Période n° 2 (du 10 août 2025 au 9 février 2026) annulée par la sortie." in comment


# --- Finding 7 e: a new entry in the same département tells of the earlier pathway ------------------------
def test_a_new_entry_after_an_exit_shows_the_earlier_pathway_and_its_months_here(personas):
    from parcours.pathway.history import earlier_pathways_here, months_used_before

    old = pathway_in_state(personas, "active")  # 10 February 2025
    with clock.travel_to(D(2025, 5, 20)):
        t.record_exit(old, personas.worker, D(2025, 5, 20), "withdrawn")
    with clock.travel_to(D(2025, 9, 1)):
        req = t.open_request(old.person, "entry", personas.worker, complete_content(signed_on=D(2025, 9, 1)))
        earlier = earlier_pathways_here(req.pathway, include_index_matches=False)
    assert [(e.reference, e.start, e.end, e.months_used, e.exit_reason) for e in earlier] == [
        (old.reference, D(2025, 2, 10), D(2025, 5, 20), 3, "Retrait de la personne")
    ]
    assert months_used_before(earlier) == 3
    # The cap of the new pathway is not reduced (rules.CAP_PER_PATHWAY, to check in the regulation).
    assert t.months_used(req.pathway) == 0
    assert not rules.CAP_PER_PATHWAY.verified


# --- The 24-month cap --------------------------------------------------------------------------------
def four_periods(personas):
    """Entry on 10 January 2025, then three renewals each requested two months before the end."""
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
    return pathway


def test_four_authorised_periods_reach_exactly_24_months(personas):
    pathway = four_periods(personas)
    periods = list(pathway.periods.values_list("number", "start", "end", "months"))
    assert periods == [
        (1, D(2025, 1, 10), D(2025, 7, 9), 6),
        (2, D(2025, 7, 10), D(2026, 1, 9), 6),
        (3, D(2026, 1, 10), D(2026, 7, 9), 6),
        (4, D(2026, 7, 10), D(2027, 1, 9), 6),
    ]
    assert t.months_used(pathway) == 24


def test_a_fifth_period_cannot_be_requested(personas):
    pathway = four_periods(personas)
    with clock.travel_to(D(2026, 11, 9)):
        message = assert_refused(
            lambda: t.open_request(pathway.person, "renewal", personas.worker, complete_content())
        )
    assert message == "Le plafond de 24 mois de parcours est atteint : aucun renouvellement n'est possible."


# --- Renewal dates and the daily job -----------------------------------------------------------------
def entry_pathway(personas):
    """An entry authorised on 10 February 2025: first period 10 February – 9 August 2025."""
    person = personas.person()
    pathway = authorised_pathway(
        personas, person, submitted_on=D(2025, 1, 6), session_on=D(2025, 2, 3), decided_on=D(2025, 2, 10)
    )
    assert pathway.periods.get().end == FIRST_PERIOD_END
    return pathway


def test_renewal_requested_in_time_but_decided_after_the_lapse_continues_without_gap(personas):
    pathway = entry_pathway(personas)
    req = walk_to_avis(
        personas, pathway.person, kind="renewal", submitted_on=D(2025, 7, 1), session_on=D(2025, 8, 20)
    )
    assert t.expire_periods(D(2025, 8, 10)) == 1
    with clock.travel_to(D(2025, 9, 1)):
        period = t.authorise(req, personas.agent, D(2025, 9, 1))
    assert (period.number, period.start, period.end) == (2, D(2025, 8, 10), D(2026, 2, 9))
    pathway.refresh_from_db()
    assert pathway.status == PS.ACTIVE
    assert pathway.events.filter(action="pathway_status", from_status=PS.LAPSED, to_status=PS.ACTIVE).exists()


def test_renewal_with_an_explicit_start_other_than_the_day_after_is_refused(personas):
    pathway = entry_pathway(personas)
    req = walk_to_avis(
        personas, pathway.person, kind="renewal", submitted_on=D(2025, 7, 1), session_on=D(2025, 7, 15)
    )
    with clock.travel_to(D(2025, 7, 20)):
        message = assert_refused(
            lambda: t.authorise(req, personas.agent, D(2025, 7, 20), start=D(2025, 7, 20))
        )
    assert "10 août 2025" in message


def test_renewal_requested_after_the_end_starts_on_the_decision(personas):
    pathway = entry_pathway(personas)
    t.expire_periods(D(2025, 8, 10))
    req = walk_to_avis(
        personas, pathway.person, kind="renewal", submitted_on=D(2025, 8, 20), session_on=D(2025, 9, 1)
    )
    with clock.travel_to(D(2025, 9, 5)):
        period = t.authorise(req, personas.agent, D(2025, 9, 5))
    assert (period.start, period.end) == (D(2025, 9, 5), D(2026, 3, 4))


def test_a_renewal_decided_after_its_own_period_ended_leaves_the_pathway_lapsed(personas):
    pathway = entry_pathway(personas)
    req = walk_to_avis(
        personas, pathway.person, kind="renewal", submitted_on=D(2025, 7, 1), session_on=D(2025, 7, 15)
    )
    t.expire_periods(D(2025, 8, 10))
    with clock.travel_to(D(2026, 3, 1)):
        period = t.authorise(req, personas.agent, D(2026, 3, 1))
    assert (period.start, period.end) == (D(2025, 8, 10), D(2026, 2, 9))
    pathway.refresh_from_db()
    assert pathway.status == PS.LAPSED


def test_the_daily_job_lapses_a_period_only_after_its_last_day(personas):
    pathway = entry_pathway(personas)
    assert t.expire_periods(FIRST_PERIOD_END) == 0
    pathway.refresh_from_db()
    assert pathway.status == PS.ACTIVE
    with clock.travel_to(FIRST_PERIOD_END + ONE_DAY):
        assert t.expire_periods() == 1
    pathway.refresh_from_db()
    assert pathway.status == PS.LAPSED
    event = pathway.events.get(action="expire_period")
    assert (event.actor, event.from_status, event.to_status) == (None, PS.ACTIVE, PS.LAPSED)
    assert event.comment == "Fin de la période le 9 août 2025"


def test_the_daily_job_is_idempotent(personas):
    pathway = entry_pathway(personas)
    day = FIRST_PERIOD_END + dt.timedelta(days=3)
    assert t.expire_periods(day) == 1
    assert t.expire_periods(day) == 0
    assert t.expire_periods(day + ONE_DAY) == 0
    assert pathway.events.filter(action="expire_period").count() == 1


def test_the_daily_job_keeps_a_pathway_whose_renewal_is_already_authorised(personas):
    pathway = entry_pathway(personas)
    renew(
        personas,
        pathway.person,
        submitted_on=D(2025, 6, 2),
        session_on=D(2025, 7, 1),
        decided_on=D(2025, 7, 10),
    )
    assert t.expire_periods(FIRST_PERIOD_END + ONE_DAY) == 0
    pathway.refresh_from_db()
    assert pathway.status == PS.ACTIVE


# --- Bad input ---------------------------------------------------------------------------------------
def test_a_decision_cannot_precede_the_commission_session(personas):
    req = request_in_state(personas, "avis_given")  # session on 3 February 2025
    with clock.travel_to(D(2025, 2, 10)):
        assert_refused(
            lambda: t.authorise(req, personas.agent, D(2025, 2, 2)), match="séance du 3 février 2025"
        )
        assert_refused(
            lambda: t.refuse(req, personas.agent, D(2025, 2, 2), ["project"], "Motif"), match="précéder"
        )


def test_a_decision_cannot_be_dated_in_the_future(personas):
    req = request_in_state(personas, "avis_given")
    with clock.travel_to(D(2025, 2, 10)):
        assert_refused(lambda: t.authorise(req, personas.agent, D(2025, 2, 11)), match="futur")


def test_a_session_cannot_precede_the_submission(personas):
    req = request_in_state(personas, "submitted")  # submitted on 6 January 2025
    with clock.travel_to(D(2025, 1, 6)):
        early = t.create_session(personas.secretariat, D(2025, 1, 5))
        assert_refused(lambda: t.schedule_request(req, early, personas.secretariat), match="antérieure")


def test_a_session_before_the_2016_decree_is_refused(personas):
    assert_refused(lambda: t.create_session(personas.secretariat, D(2016, 10, 29)), match="décret")


def test_only_the_secretariat_plans_sessions(personas):
    for by in (personas.member, personas.worker, personas.agent, personas.national):
        assert_refused(lambda b=by: t.create_session(b, D(2025, 3, 3)), messages=ACCESS_REFUSED)


def test_a_request_goes_only_on_its_own_commission_sessions_still_planned(personas):
    req = request_in_state(personas, "submitted")
    with clock.travel_to(D(2025, 1, 6)):
        elsewhere = t.create_session(personas.other_secretariat, D(2025, 2, 3))
        assert_refused(
            lambda: t.schedule_request(req, elsewhere, personas.secretariat), match="autre commission"
        )
    held = request_in_state(personas, "avis_given").agenda_items.get().session
    assert_refused(lambda: t.schedule_request(req, held, personas.secretariat), match="séance prévue")


def test_the_avis_is_recorded_only_for_a_request_on_the_agenda_from_the_session_day(personas):
    req = request_in_state(personas, "scheduled")
    session = req.agenda_items.get().session
    with clock.travel_to(session.date - ONE_DAY):
        assert_refused(
            lambda: t.record_avis(req, session, "favourable", personas.secretariat), match="jour de la"
        )
    with clock.travel_to(D(2025, 1, 6)):
        other = t.create_session(personas.secretariat, D(2025, 1, 20))
    with clock.travel_to(D(2025, 2, 3)):
        assert_refused(
            lambda: t.record_avis(req, other, "favourable", personas.secretariat), match="ordre du jour"
        )


@pytest.mark.parametrize("kind", ["unfavourable", "adjourned"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_an_unfavourable_or_adjourned_avis_needs_a_reason(personas, kind, reason):
    req = request_in_state(personas, "scheduled")
    session = req.agenda_items.get().session
    with clock.travel_to(session.date):
        assert_refused(
            lambda: t.record_avis(req, session, kind, personas.secretariat, reason), match="motivé"
        )


def test_an_unfavourable_avis_with_a_reason_awaits_the_decision(personas):
    req = request_in_state(personas, "scheduled")
    session = req.agenda_items.get().session
    with clock.travel_to(session.date):
        avis = t.record_avis(req, session, "unfavourable", personas.secretariat, " Projet flou ")
    req.refresh_from_db()
    session.refresh_from_db()
    assert (req.status, avis.reason, session.status) == (RS.AVIS_GIVEN, "Projet flou", "held")


@pytest.mark.parametrize(
    ("reasons", "motivation"), [([], "Motivation écrite"), (["project"], ""), (["project"], "  "), ([], "")]
)
def test_a_refusal_needs_reasons_and_a_written_motivation(personas, reasons, motivation):
    req = request_in_state(personas, "avis_given")
    with clock.travel_to(D(2025, 2, 10)):
        assert_refused(
            lambda: t.refuse(req, personas.agent, D(2025, 2, 10), reasons, motivation), match="motif"
        )


def test_a_refusal_with_an_unknown_reason_is_refused(personas):
    req = request_in_state(personas, "avis_given")
    with clock.travel_to(D(2025, 2, 10)):
        assert_refused(
            lambda: t.refuse(req, personas.agent, D(2025, 2, 10), ["complaint"], "M"), match="inconnu"
        )


def test_a_request_goes_to_the_commission_of_the_persons_departement(personas):
    req = request_in_state(personas, "validated")
    with clock.travel_to(D(2025, 1, 6)):
        message = assert_refused(
            lambda: t.submit_request(req, personas.worker, commission=personas.other_commission)
        )
        assert "Commission départementale 30" in message
        t.submit_request(req, personas.worker, commission=personas.commission)
    req.refresh_from_db()
    assert (req.status, req.commission, req.submitted_on) == (
        RS.SUBMITTED,
        personas.commission,
        D(2025, 1, 6),
    )


def test_a_person_living_in_another_departement_goes_to_that_commission(personas):
    person = personas.person(departement=departement("13"))
    req = request_in_state(personas, "submitted", person=person)
    assert req.commission == personas.other_commission
    assert_refused(
        lambda: t.schedule_request(req, session_of(req), personas.secretariat), messages=ACCESS_REFUSED
    )


def test_a_request_cannot_be_submitted_twice(personas):
    req = request_in_state(personas, "submitted")
    with clock.travel_to(D(2025, 1, 7)):
        assert_refused(lambda: t.submit_request(req, personas.worker), match="Transmise à la commission")


def test_a_pathway_has_only_one_open_request(personas):
    req = request_in_state(personas, "submitted")
    with clock.travel_to(D(2025, 1, 7)):
        message = assert_refused(
            lambda: t.open_request(req.pathway.person, "entry", personas.worker, complete_content())
        )
    assert message == "Une demande est déjà en cours pour ce parcours."


def test_the_database_also_forbids_two_open_requests(personas):
    req = request_in_state(personas, "draft")
    with pytest.raises(IntegrityError), transaction.atomic():
        PathwayRequest.objects.create(pathway=req.pathway, kind="entry", created_by=personas.worker.user)


def test_an_incomplete_request_cannot_be_validated_and_the_message_lists_what_is_missing(personas):
    person = personas.person()
    with clock.travel_to(D(2025, 1, 6)):
        req = t.open_request(person, "entry", personas.worker, t.RequestContent())
        message = assert_refused(lambda: t.validate_request(req, personas.head))
    assert message == (
        "La demande est incomplète : il manque la motivation et le projet d'insertion, au moins une action "
        "prévue, au moins un engagement de la personne, la date de signature."
    )


def test_a_renewal_without_evaluation_cannot_be_validated(personas):
    pathway = entry_pathway(personas)
    with clock.travel_to(D(2025, 6, 2)):
        req = t.open_request(pathway.person, "renewal", personas.worker, complete_content(evaluation=""))
        message = assert_refused(lambda: t.validate_request(req, personas.head))
    assert message == "La demande est incomplète : il manque l'évaluation de la période écoulée."


def test_blank_plan_lines_do_not_count_as_actions_or_commitments(personas):
    content = complete_content(actions=[t.PlanLine("health", "   ")], commitments=[" "])
    with clock.travel_to(D(2025, 1, 6)):
        req = t.open_request(personas.person(), "entry", personas.worker, content)
        message = assert_refused(lambda: t.validate_request(req, personas.head))
    assert "au moins une action prévue, au moins un engagement" in message


def test_an_adjourned_request_still_incomplete_cannot_be_resubmitted(personas):
    req = request_in_state(personas, "adjourned")
    with clock.travel_to(D(2025, 2, 4)):
        t.update_request(req, personas.worker, complete_content(motivation=" "))
        assert_refused(lambda: t.resubmit_request(req, personas.worker), match="la motivation")


# --- Finding 7 f: the sworn statement is recorded when signed and never blocks (CE n° 440802) ---------
def test_a_request_without_the_signed_sworn_statement_is_validated_submitted_and_authorised(personas):
    """Before the fix, validation refused it: « il manque l'attestation sur l'honneur »."""
    person = personas.person()
    with clock.travel_to(D(2025, 1, 6)):
        req = t.open_request(person, "entry", personas.worker, complete_content(sworn_statement=False))
        t.validate_request(req, personas.head)
        t.submit_request(req, personas.worker)
        session = t.create_session(personas.secretariat, D(2025, 2, 3))
        t.schedule_request(req, session, personas.secretariat)
    with clock.travel_to(D(2025, 2, 3)):
        t.record_avis(req, session, "favourable", personas.secretariat)
    with clock.travel_to(D(2025, 2, 10)):
        period = t.authorise(req, personas.agent, D(2025, 2, 10))
    req.refresh_from_db()
    assert (req.status, req.sworn_statement, req.sworn_statement_on) == (RS.AUTHORISED, False, None)
    assert period.start == D(2025, 2, 10)
    assert rules.SWORN_STATEMENT_REQUIRED is False
    assert "440802" in rules.SWORN_STATEMENT.text and not rules.SWORN_STATEMENT.verified


def test_the_sworn_statement_is_recorded_with_the_day_it_was_signed_and_never_in_the_future(personas):
    req = request_in_state(personas, "adjourned")  # the statement was not signed when first examined
    with clock.travel_to(D(2025, 2, 20)):
        assert_refused(
            lambda: t.update_request(
                req,
                personas.worker,
                complete_content(sworn_statement=False, sworn_statement_on=D(2025, 2, 21)),
            ),
            match="attestation sur l'honneur ne peut pas être dans le futur",
        )
        t.update_request(
            req, personas.worker, complete_content(sworn_statement=False, sworn_statement_on=D(2025, 2, 20))
        )
    req.refresh_from_db()
    assert (req.sworn_statement, req.sworn_statement_on) == (True, D(2025, 2, 20))


def test_a_signature_in_the_future_is_refused_and_nothing_is_created(personas):
    person = personas.person()
    with clock.travel_to(D(2025, 1, 6)):
        assert_refused(
            lambda: t.open_request(
                person, "entry", personas.worker, complete_content(signed_on=D(2025, 1, 7))
            ),
            match="signature",
        )
    assert not Pathway.objects.exists()


def test_a_plan_action_before_the_2016_law_is_refused(personas):
    req = request_in_state(personas, "draft")
    content = complete_content(actions=[t.PlanLine("health", "Bilan de santé", D(2016, 4, 12))])
    with clock.travel_to(D(2025, 1, 6)):
        assert_refused(lambda: t.update_request(req, personas.worker, content), match="13 avril 2016")


@pytest.mark.parametrize("status", ["validated", "submitted", "avis_given"])
def test_only_a_draft_or_adjourned_request_can_be_edited(personas, status):
    req = request_in_state(personas, status)
    with clock.travel_to(D(2025, 2, 20)):
        assert_refused(lambda: t.update_request(req, personas.worker, complete_content()), match="brouillon")


def test_the_association_records_neither_an_early_end_nor_an_unknown_reason(personas):
    pathway = pathway_in_state(personas, "active")
    with clock.travel_to(D(2025, 3, 20)):
        assert_refused(
            lambda: t.record_exit(pathway, personas.worker, D(2025, 3, 20), "ended_early"), match="préfet"
        )
        assert_refused(
            lambda: t.record_exit(pathway, personas.worker, D(2025, 3, 20), "holiday"), match="inconnu"
        )


@pytest.mark.parametrize("action", list(PATHWAY_STEPS))
def test_an_exit_cannot_precede_the_start_nor_be_in_the_future(actors, personas, action):
    pathway = pathway_in_state(personas, "active")  # started on 10 February 2025
    by = actors[allowed_actors(rules.PATHWAY_TRANSITIONS[action].roles)[0]]
    with clock.travel_to(D(2025, 3, 20)):
        if action == "record_exit":
            close = lambda day: t.record_exit(pathway, by, day, "completed")  # noqa: E731
        else:
            close = lambda day: t.end_early(pathway, by, day, "Engagements non tenus")  # noqa: E731
        assert_refused(lambda: close(D(2025, 2, 9)), match="précède le début du parcours (10 février 2025)")
        assert_refused(lambda: close(D(2025, 3, 21)), match="futur")
        close(D(2025, 2, 10))
    pathway.refresh_from_db()
    assert pathway.exit.date == D(2025, 2, 10)


def test_an_exit_is_refused_while_a_request_is_open(personas):
    pathway = request_in_state(personas, "submitted", kind="renewal").pathway
    with clock.travel_to(D(2025, 7, 1)):
        assert_refused(
            lambda: t.record_exit(pathway, personas.worker, D(2025, 7, 1), "moved"), match="retirez-la"
        )


def test_an_early_end_must_be_motivated(personas):
    pathway = pathway_in_state(personas, "active")
    with clock.travel_to(D(2025, 3, 20)):
        assert_refused(lambda: t.end_early(pathway, personas.agent, D(2025, 3, 20), "  "), match="motivée")


# --- The timeline ------------------------------------------------------------------------------------
def test_the_timeline_tells_who_moved_the_pathway_from_which_state_to_which_in_order(personas):
    person = personas.person()
    pathway = authorised_pathway(
        personas, person, submitted_on=D(2025, 1, 6), session_on=D(2025, 2, 3), decided_on=D(2025, 2, 10)
    )
    renew(personas, person, submitted_on=D(2025, 6, 2), session_on=D(2025, 7, 1), decided_on=D(2025, 7, 10))
    with clock.travel_to(D(2025, 12, 1)):
        t.record_exit(
            pathway, personas.head, D(2025, 12, 1), "completed", housing="social", activity="employed"
        )

    request_steps = [
        ("open_request", "travailleuse", "", RS.DRAFT),
        ("validate", "cheffe", RS.DRAFT, RS.VALIDATED),
        ("submit", "travailleuse", RS.VALIDATED, RS.SUBMITTED),
        ("schedule", "secretariat", RS.SUBMITTED, RS.SCHEDULED),
        ("record_avis", "secretariat", RS.SCHEDULED, RS.AVIS_GIVEN),
        ("authorise", "prefecture", RS.AVIS_GIVEN, RS.AUTHORISED),
    ]
    timeline = [
        (e.action, e.actor.username, e.from_status, e.to_status)
        for e in pathway.events.select_related("actor")  # in the model's order: when, then insertion
    ]
    assert timeline == [
        ("open_pathway", "travailleuse", "", PS.PREPARING),
        *request_steps,
        ("pathway_status", "prefecture", PS.PREPARING, PS.ACTIVE),
        *request_steps,  # the renewal: the pathway stays active
        ("record_exit", "cheffe", PS.ACTIVE, PS.EXITED),
    ]
    moments = list(pathway.events.values_list("at", flat=True))
    assert moments == sorted(moments)
    assert moments[-1].date() == D(2025, 12, 1)
    organisations = {e.actor.username: e.actor_organisation for e in pathway.events.select_related("actor")}
    assert organisations["secretariat"] == personas.commission
    assert organisations["prefecture"] == personas.prefecture
    exit_ = pathway.exit
    assert (exit_.date, exit_.reason, exit_.housing, exit_.activity) == (
        D(2025, 12, 1),
        "completed",
        "social",
        "employed",
    )


def test_the_timeline_names_a_refused_renewal_in_the_words_of_a_request(client, personas):
    """« refused » is « Refusée » for a request and « Entrée refusée » for a pathway: a refused renewal leaves
    the pathway active, and its step must not read as a refused entry."""
    req = request_in_state(personas, "refused", kind="renewal")
    client.force_login(personas.worker.user)
    page = client.get(f"/personnes/{req.pathway.person_id}/").content.decode()
    timeline = page[page.index('<ol class="fr-pl-2w timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]
    assert "(Avis rendu, en attente de décision → Refusée)" in timeline
    assert "Entrée refusée" not in timeline
    # A step of the pathway itself still reads in the pathway's words.
    assert "(Demande en préparation → En cours)" in timeline


def test_the_timeline_names_a_refused_entry_in_the_words_of_a_pathway(client, personas):
    req = request_in_state(personas, "refused")
    client.force_login(personas.worker.user)
    page = client.get(f"/personnes/{req.pathway.person_id}/").content.decode()
    timeline = page[page.index('<ol class="fr-pl-2w timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]
    assert "(Avis rendu, en attente de décision → Refusée)" in timeline  # the request
    assert "(Demande en préparation → Entrée refusée)" in timeline  # the pathway
