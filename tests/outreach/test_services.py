"""The services of the drop-in sessions and rounds: the refusals a user sees (literal French messages),
idempotent visits, the hours cap, holidays, and the monthly and yearly sums of hours."""

import datetime as dt

import pytest

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.followup.models import ActionItem
from parcours.outreach import calendar, figures, hours, services
from parcours.outreach.models import Callback, DropInSession, Presence, Visit

from ..factories import MembershipFactory, OrganisationFactory, PersonFactory
from .conftest import KEY, TUESDAY

pytestmark = pytest.mark.django_db
T = dt.time


def refused(message: str):
    return pytest.raises(DomainError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$")


# --- Holidays and the generation of a period ----------------------------------------------------------------
def test_french_public_holidays_of_2026_are_the_eleven_of_the_labour_code():
    assert calendar.public_holidays(2026) == {
        dt.date(2026, 1, 1): "Jour de l'an", dt.date(2026, 4, 6): "Lundi de Pâques",
        dt.date(2026, 5, 1): "Fête du travail", dt.date(2026, 5, 8): "Victoire 1945",
        dt.date(2026, 5, 14): "Ascension", dt.date(2026, 5, 25): "Lundi de Pentecôte",
        dt.date(2026, 7, 14): "Fête nationale", dt.date(2026, 8, 15): "Assomption",
        dt.date(2026, 11, 1): "Toussaint", dt.date(2026, 11, 11): "Armistice 1918",
        dt.date(2026, 12, 25): "Noël",
    }  # fmt: skip
    # Easter Sundays published by the calendars: 2024-03-31, 2025-04-20, 2027-03-28, 2038-04-25.
    assert [calendar.easter_sunday(y) for y in (2024, 2025, 2027, 2038)] == [
        dt.date(2024, 3, 31), dt.date(2025, 4, 20), dt.date(2027, 3, 28), dt.date(2038, 4, 25)]  # fmt: skip
    assert dt.date(2026, 4, 3) in calendar.public_holidays(2026, alsace_moselle=True)  # Good Friday


def test_a_year_of_tuesdays_skips_the_14th_of_july_and_is_generated_once(personas):
    schedule = services.create_schedule(personas.head, weekday=1, starts_at=T(13, 30), ends_at=T(18, 30),
                                        place="Local fictif")  # fmt: skip
    created, skipped = services.generate_sessions(personas.head, schedule, dt.date(2026, 1, 1),
                                                  dt.date(2026, 12, 31))  # fmt: skip
    assert len(created) == 51  # 52 Tuesdays, the 14th of July one skipped
    assert skipped == {dt.date(2026, 7, 14): "Fête nationale"}
    assert created[0].day == dt.date(2026, 1, 6) and created[-1].day == dt.date(2026, 12, 29)
    # Cancelled and moved sessions are kept as they are: generating again creates nothing.
    first, second = DropInSession.objects.order_by("day")[:2]
    services.cancel_session(personas.head, first, "Locaux fermés")
    services.move_session(personas.head, second, day=dt.date(2026, 1, 14), starts_at=T(14), ends_at=T(18))
    again, _ = services.generate_sessions(personas.head, schedule, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert again == []
    assert DropInSession.objects.count() == 51
    second.refresh_from_db()
    assert (second.day, second.moved_from) == (dt.date(2026, 1, 14), dt.date(2026, 1, 13))


def test_end_before_start_and_wrong_periods_are_refused(personas):
    with refused("La fin (13:00) doit être après le début (13:30)."):
        services.create_schedule(personas.head, weekday=1, starts_at=T(13, 30), ends_at=T(13), place="Local")
    with refused("La fin (12:00) doit être après le début (12:00)."):
        services.add_extra_session(personas.head, day=TUESDAY, starts_at=T(12), ends_at=T(12), place="Local")
    schedule = services.create_schedule(
        personas.head, weekday=1, starts_at=T(9), ends_at=T(12), place="Local"
    )
    with refused("La fin de la période (01/01/2026) précède son début (31/12/2026)."):
        services.generate_sessions(personas.head, schedule, dt.date(2026, 12, 31), dt.date(2026, 1, 1))
    with refused("La fin de la maraude doit être après son début."):
        services.create_round(personas.head, kind="street", places="Quartier fictif",
                              starts_at=dt.datetime(2026, 3, 3, 22, tzinfo=clock.PARIS),
                              ends_at=dt.datetime(2026, 3, 3, 20, tzinfo=clock.PARIS))  # fmt: skip
    assert DropInSession.objects.count() == 0


def test_volunteers_do_not_manage_schedules(personas):
    with refused("Votre rôle ne permet pas cette action."):
        services.create_schedule(personas.volunteer, weekday=1, starts_at=T(9), ends_at=T(12), place="Local")


# --- The counter --------------------------------------------------------------------------------------------
def test_the_same_key_counts_once_and_is_journaled_once(personas, session):
    with clock.travel_to(TUESDAY):
        first, created = services.record_visit(personas.volunteer, session, KEY, gender="trans_woman",
                                               services=["coffee", "prevention"])  # fmt: skip
        again, created_again = services.record_visit(personas.volunteer, session, KEY)
        services.record_visit(personas.intern, session, "6f1c2a52-8d2e-4c8a-9a61-0c6f5b1d2e02")
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Visit.objects.filter(session=session).count() == 2
    assert AccessLog.objects.filter(event="visit.record").count() == 2
    assert Visit.objects.get(pk=first.pk).services == ["coffee", "prevention"]


def test_a_cancelled_session_accepts_no_visit_nor_hours(personas, session):
    services.cancel_session(personas.head, session, "Équipe en formation")
    with (
        clock.travel_to(TUESDAY),
        refused(
            "La permanence du 03/03/2026 est annulée (Équipe en formation) : aucun passage ne peut y être "
            "compté."
        ),
    ):
        services.record_visit(personas.volunteer, session, KEY)
    with (
        clock.travel_to(TUESDAY),
        refused("Cette permanence est annulée : aucune présence ne peut y être enregistrée."),
    ):
        services.record_presence(personas.volunteer, session, personas.volunteer, 60)
    assert Visit.objects.count() == 0


def test_a_session_with_visits_is_not_cancelled(personas, session):
    with clock.travel_to(TUESDAY):
        services.record_visit(personas.volunteer, session, KEY)
    with refused("Des passages sont déjà comptés à cette permanence : elle a eu lieu et ne peut plus être "
                 "annulée."):  # fmt: skip
        services.cancel_session(personas.head, session, "Erreur")


def test_nothing_is_counted_before_the_session_nor_with_a_bad_key_or_tally(personas, session):
    with (
        clock.travel_to(TUESDAY - dt.timedelta(days=1)),
        refused("Cette permanence ou cette maraude n'a pas encore eu lieu : rien ne peut y être compté."),
    ):
        services.record_visit(personas.volunteer, session, KEY)
    with clock.travel_to(TUESDAY):
        with refused("Ce passage n'a pas de clé valide : rechargez la page du comptoir."):
            services.record_visit(personas.volunteer, session, "pas-une-cle")
        with refused("Genre : choisissez une valeur de la liste."):
            services.record_visit(personas.volunteer, session, KEY, gender="inconnu")
    assert Visit.objects.count() == 0


def test_another_association_counts_nothing_here(personas, session):
    with (
        clock.travel_to(TUESDAY),
        refused("Cette permanence ou cette maraude est celle d'une autre association."),
    ):
        services.record_visit(personas.outsider, session, KEY)
    with clock.travel_to(TUESDAY), refused("Votre rôle ne permet pas cette action."):
        services.record_visit(personas.secretariat, session, KEY)


# --- Hours --------------------------------------------------------------------------------------------------
def test_hours_beyond_the_session_are_refused_and_the_volunteer_records_her_own_only(personas, session):
    with clock.travel_to(TUESDAY):
        with refused("5 h 15, c'est plus que la durée de la permanence (5 h)."):
            services.record_presence(personas.volunteer, session, personas.volunteer, 315)
        services.record_presence(personas.volunteer, session, personas.volunteer, 300)
        services.record_presence(personas.volunteer, session, personas.volunteer, 270)  # corrected, not added
        with refused("Vous ne pouvez enregistrer que vos propres heures."):
            services.record_presence(personas.volunteer, session, personas.intern, 60)
        services.record_presence(personas.worker, session, personas.intern, 240)
        with refused("Seuls les membres de l'association peuvent être inscrits."):
            services.record_presence(personas.worker, session, personas.outsider, 60)
    assert sorted(Presence.objects.values_list("membership__user__username", "minutes", "role")) == [
        ("benevole", 270, "volunteer"), ("stagiaire", 240, "intern")]  # fmt: skip


def test_hours_are_not_recorded_in_advance(personas, session):
    with (
        clock.travel_to(TUESDAY - dt.timedelta(days=1)),
        refused("Les heures s'enregistrent le jour même ou après, pas à l'avance."),
    ):
        services.record_presence(personas.volunteer, session, personas.volunteer, 60)


@pytest.mark.parametrize(("text", "minutes"), [("4", 240), ("4,5", 270), ("4.25", 255), ("4h30", 270),
                                               ("4:05", 245), ("0h45", 45)])  # fmt: skip
def test_hours_are_read_as_people_type_them(text, minutes):
    assert services.parse_hours(text) == minutes


def test_unreadable_hours_are_refused():
    with refused("Indiquez une durée en heures, par exemple 4, 4,5 ou 4h30."):
        services.parse_hours("quatre")


def test_hours_are_summed_per_month_at_the_month_end_and_per_year(personas):
    """A session on 31 March counts in March, one on 1 April in April; a round starting on 31 March at
    22:00 and ending on 1 April at 01:00 counts in March (its start)."""
    head, volunteer = personas.head, personas.volunteer

    def session_on(day):
        return services.add_extra_session(head, day=day, starts_at=T(13), ends_at=T(18), place="Local")

    with clock.travel_to(dt.date(2026, 4, 2)):
        services.record_presence(volunteer, session_on(dt.date(2026, 3, 31)), volunteer, 150)
        services.record_presence(volunteer, session_on(dt.date(2026, 4, 1)), volunteer, 240)
        night = services.create_round(head, kind="street", places="Quartier fictif",
                                      starts_at=dt.datetime(2026, 3, 31, 22, tzinfo=clock.PARIS),
                                      ends_at=dt.datetime(2026, 4, 1, 1, tzinfo=clock.PARIS))  # fmt: skip
        services.record_presence(volunteer, night, volunteer, 180)
    with clock.travel_to(dt.date(2027, 1, 3)):
        services.record_presence(volunteer, session_on(dt.date(2026, 12, 31)), volunteer, 60)
        services.record_presence(volunteer, session_on(dt.date(2027, 1, 1)), volunteer, 30)
    assert hours.month_minutes(volunteer, 2026, 3) == 330
    assert hours.month_minutes(volunteer, 2026, 4) == 240
    assert hours.months_of_year(volunteer, 2026) == {1: 0, 2: 0, 3: 330, 4: 240, 5: 0, 6: 0, 7: 0, 8: 0, 9: 0,
                                                     10: 0, 11: 0, 12: 60}  # fmt: skip
    assert hours.year_minutes(volunteer, 2026) == 630
    assert hours.summary(volunteer, dt.date(2027, 1, 3)) == {"month": 30, "year": 30}
    assert hours.year_minutes(personas.intern, 2026) == 0


# --- Linking to a person, follow-ups of a round -------------------------------------------------------------
def test_only_her_association_s_staff_link_a_visit_to_a_person(personas, session):
    person = PersonFactory(association=personas.association, referent=personas.worker.user)
    elsewhere = PersonFactory(association=personas.other_association)
    with clock.travel_to(TUESDAY):
        visit, _ = services.record_visit(personas.volunteer, session, KEY)
    with refused("Votre rôle ne permet pas cette action."):
        services.link_visit(personas.volunteer, visit, person.reference)
    with refused(
        f"Aucune personne suivie par votre association ne porte la référence « {elsewhere.reference} »."
    ):
        services.link_visit(personas.worker, visit, elsewhere.reference)
    services.link_visit(personas.worker, visit, person.reference)
    visit.refresh_from_db()
    assert visit.person_id == person.pk
    assert AccessLog.objects.filter(event="visit.link", person_id=person.pk).count() == 1


def test_a_follow_up_asked_on_a_round(personas):
    person = PersonFactory(association=personas.association, referent=personas.worker.user)
    with clock.travel_to(dt.date(2026, 3, 5)):
        round_ = services.create_round(personas.head, kind="online", places="Sites fictifs",
                                       starts_at=dt.datetime(2026, 3, 5, 14, tzinfo=clock.PARIS),
                                       ends_at=dt.datetime(2026, 3, 5, 16, tzinfo=clock.PARIS))  # fmt: skip
        # A volunteer cannot name a file: she notes an anonymous callback.
        with refused("Seule l'équipe salariée relie une demande au dossier d'une personne : enregistrez une "
                     "demande de rappel anonyme."):  # fmt: skip
            services.ask_followup(personas.volunteer, round_, reference=person.reference)
        callback = services.ask_followup(personas.volunteer, round_)
        action = services.ask_followup(personas.worker, round_, reference=person.reference, domain="health")
    assert isinstance(callback, Callback) and callback.status == "waiting"
    assert (
        ActionItem.objects.get(pk=action.pk).description
        == "Suite demandée lors de la maraude numérique du 05/03/2026"
    )
    assert action.person_id == person.pk
    services.close_callback(personas.worker, callback)
    with refused("Cette demande de rappel est déjà traitée."):
        services.close_callback(personas.worker, callback)


# --- Figures ------------------------------------------------------------------------------------------------
def test_year_figures_count_what_was_held(personas):
    head, volunteer, intern = personas.head, personas.volunteer, personas.intern
    with clock.travel_to(dt.date(2026, 6, 30)):
        held = services.add_extra_session(
            head, day=dt.date(2026, 6, 2), starts_at=T(13, 30), ends_at=T(18, 30), place="Local"
        )
        cancelled = services.add_extra_session(head, day=dt.date(2026, 6, 9), starts_at=T(13, 30),
                                               ends_at=T(18, 30), place="Local")  # fmt: skip
        services.cancel_session(head, cancelled, "Fermeture")
        services.add_extra_session(head, day=dt.date(2026, 7, 7), starts_at=T(13, 30), ends_at=T(18, 30),
                                   place="Local")  # still to come  # fmt: skip
        for i in range(3):
            services.record_visit(
                volunteer, held, f"00000000-0000-4000-8000-00000000000{i}", first_visit=i == 0
            )
        services.record_presence(volunteer, held, volunteer, 300)
        services.record_presence(intern, held, intern, 120)
        services.record_presence(head, held, head, 60)
        round_ = services.create_round(head, kind="street", places="Quartier fictif",
                                       starts_at=dt.datetime(2026, 6, 4, 20, tzinfo=clock.PARIS),
                                       ends_at=dt.datetime(2026, 6, 4, 23, tzinfo=clock.PARIS))  # fmt: skip
        services.record_visit(volunteer, round_, KEY)
        services.record_presence(volunteer, round_, volunteer, 180)
        services.record_material(volunteer, round_, {"condoms": 50, "leaflets": 12})
        services.ask_followup(volunteer, round_)
        other = OrganisationFactory()
        elsewhere = MembershipFactory(organisation=other, role="head_of_service")
        services.add_extra_session(
            elsewhere, day=dt.date(2026, 6, 2), starts_at=T(9), ends_at=T(12), place="Ailleurs"
        )
        assert figures.year_figures(personas.association, 2026) == {
            "sessions_held": 1, "sessions_cancelled": 1, "visits": 3, "first_visits": 1,
            "minutes_staff": 60, "minutes_volunteer": 480, "minutes_intern": 120, "rounds": 1,
            "rounds_street": 1, "rounds_online": 0, "contacts": 1, "callbacks": 1, "material_condoms": 50,
            "material_lubricant": 0, "material_leaflets": 12, "material_hygiene": 0, "material_food": 0,
        }  # fmt: skip
