"""The commission as a body (docs/decisions/0039): dated composition, attendance and mandates, quorum,
reconvened session, recusal per agenda item, the vote of each avis, the convocation five days ahead, the
meetings required per year, and the session's papers read back from the PDF by pdftotext."""

import datetime as dt

import pytest
from django.core import mail

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.pathway import commission as body
from parcours.pathway import rules
from parcours.pathway import transitions as t
from parcours.pathway.models import Attendance, Avis, CommissionMember, Recusal

from ..conftest import complete_content, request_in_state
from ..tools import pdf_text

pytestmark = pytest.mark.django_db

OPENED = dt.date(2025, 1, 6)
SESSION = dt.date(2025, 2, 3)


def seat(personas, name, college="state", **kw):
    with clock.travel_to(OPENED):
        return body.appoint_member(
            personas.secretariat,
            body.MemberData(college=college, name=name, function=f"Fonction fictive de {name}",
                            appointed_on=dt.date(2024, 1, 1), email=f"{name.lower()}@example.org", **kw),
        )  # fmt: skip


@pytest.fixture
def composition(personas):
    """Four members; the associations' member represents the association that prepares the request and is
    the account `membre`."""
    return {
        "prefet": seat(
            personas,
            "Fictif-Préfet",
            substitute_name="Fictif-Adjoint",
            substitute_email="adjoint@example.org",
        ),
        "juge": seat(personas, "Fictif-Juge", college="justice"),
        "sante": seat(personas, "Fictif-Santé", college="health"),
        "asso": seat(
            personas,
            "Fictif-Asso",
            college="associations",
            association=personas.association,
            user_id=personas.member.user_id,
        ),
    }


@pytest.fixture
def scheduled(personas):
    person = personas.person(first_name="Canaria", last_name="Nomfictif", birth_date=dt.date(1995, 5, 17))
    with clock.travel_to(OPENED):
        req = t.open_request(person, "entry", personas.worker, complete_content(signed_on=OPENED))
        t.validate_request(req, personas.head)
        t.submit_request(req, personas.worker)
        session = t.create_session(personas.secretariat, SESSION)
        t.schedule_request(req, session, personas.secretariat)
    return req, session


def attend(personas, session, presences):
    with clock.travel_to(session.date):
        return body.record_attendance(session, personas.secretariat, presences)


def present(composition, **changes):
    rows = {m.pk: ("present", None) for m in composition.values()}
    for key, value in changes.items():
        rows[composition[key].pk] = value
    return rows


# --- Rules at their edges ----------------------------------------------------------------------------
def test_quorum_is_half_of_the_members_at_least():
    assert [rules.quorum_reached(8, n) for n in (3, 4)] == [False, True]
    assert [rules.quorum_reached(9, n) for n in (4, 5)] == [False, True]
    assert rules.quorum_reached(0, 0) is False


def test_the_convocation_goes_five_days_before_at_the_latest():
    assert rules.convocation_deadline(dt.date(2026, 3, 10)) == dt.date(2026, 3, 5)


def test_meetings_required_once_a_year_until_2025_then_twice():
    assert rules.meetings_required(2025).per_year == 1
    assert rules.meetings_required(2026).per_year == 2
    assert "30 décembre 2025" in rules.meetings_required(2026).basis.text


def test_age_band_at_its_edges():
    born = dt.date(2000, 6, 15)
    assert body.age_band(born, dt.date(2025, 6, 14)) == "18-24 ans"
    assert body.age_band(born, dt.date(2025, 6, 15)) == "25-34 ans"
    assert body.age_band(None, dt.date(2025, 6, 15)) == ""


# --- Composition --------------------------------------------------------------------------------------
def test_members_are_dated(personas, composition):
    with clock.travel_to(dt.date(2025, 3, 1)):
        body.end_member(composition["sante"], personas.secretariat, dt.date(2025, 3, 1))
    ids = lambda day: {m.name for m in body.members_on(personas.commission.pk, day)}  # noqa: E731
    assert ids(dt.date(2025, 3, 1)) == {"Fictif-Préfet", "Fictif-Juge", "Fictif-Santé", "Fictif-Asso"}
    assert ids(dt.date(2025, 3, 2)) == {"Fictif-Préfet", "Fictif-Juge", "Fictif-Asso"}
    assert ids(dt.date(2023, 12, 31)) == set()


def test_a_member_cannot_end_before_her_appointment(personas, composition):
    with pytest.raises(DomainError, match="ne peut pas précéder la nomination"):
        body.end_member(composition["juge"], personas.secretariat, dt.date(2023, 1, 1))
    composition["juge"].refresh_from_db()
    assert composition["juge"].ended_on is None


def test_only_the_associations_college_represents_an_association(personas):
    with pytest.raises(DomainError, match="collège des associations"):
        seat(personas, "Fictif-Erreur", college="state", association=personas.association)
    assert not CommissionMember.objects.filter(name="Fictif-Erreur").exists()


def test_the_secretariat_of_another_commission_cannot_end_a_member(personas, composition):
    with pytest.raises(DomainError):
        body.end_member(composition["juge"], personas.other_secretariat, dt.date(2025, 3, 1))


# --- Attendance, mandates, quorum ---------------------------------------------------------------------
def test_quorum_with_a_substitute_and_a_mandate(personas, composition, scheduled):
    _req, session = scheduled
    q = attend(personas, session, present(composition, prefet=("substitute", None),
                                          sante=("mandate", composition["juge"].pk),
                                          asso=("absent", None)))  # fmt: skip
    assert (q.members, q.counted, q.needed, q.reached) == (4, 3, 2, True)


def test_one_mandate_at_most(personas, composition, scheduled):
    _req, session = scheduled
    juge = composition["juge"].pk
    with pytest.raises(DomainError, match="nul ne peut détenir plus d'un mandat"):
        attend(personas, session, present(composition, sante=("mandate", juge), asso=("mandate", juge)))
    assert not Attendance.objects.filter(session=session).exists()


def test_a_mandate_to_an_absent_member_is_refused(personas, composition, scheduled):
    _req, session = scheduled
    with pytest.raises(DomainError, match="ne siège pas à cette séance"):
        attend(personas, session, present(composition, sante=("mandate", composition["juge"].pk),
                                          juge=("absent", None)))  # fmt: skip


def test_every_member_must_be_given(personas, composition, scheduled):
    _req, session = scheduled
    rows = present(composition)
    del rows[composition["juge"].pk]
    with pytest.raises(DomainError, match="Fictif-Juge"):
        attend(personas, session, rows)


def test_without_quorum_no_avis_then_the_reconvened_session_sits_without_it(personas, composition, scheduled):
    req, session = scheduled
    q = attend(personas, session, present(composition, prefet=("absent", None), asso=("absent", None),
                                          sante=("absent", None)))  # fmt: skip
    assert (q.counted, q.reached) == (1, False)
    with clock.travel_to(SESSION), pytest.raises(DomainError, match="Quorum non atteint"):
        t.record_avis(req, session, "favourable", personas.secretariat, votes=(1, 0, 0))
    req.refresh_from_db()
    assert req.status == "scheduled" and not Avis.objects.exists()

    with clock.travel_to(SESSION):
        again = body.reconvene(session, personas.secretariat, dt.date(2025, 2, 17))
    assert again.agenda.get().request_id == req.pk
    q = attend(personas, again, present(composition, prefet=("absent", None), asso=("absent", None),
                                        sante=("absent", None)))  # fmt: skip
    assert (q.reached, q.may_deliberate) == (False, True)
    with clock.travel_to(again.date):
        t.record_avis(req, again, "favourable", personas.secretariat, votes=(1, 0, 0))
    req.refresh_from_db()
    assert req.status == "avis_given"


def test_a_reconvened_request_shows_its_new_session_on_the_timeline_and_in_the_journal(
    client, personas, composition, scheduled
):
    req, session = scheduled
    attend(personas, session, present(composition, prefet=("absent", None), asso=("absent", None),
                                      sante=("absent", None)))  # fmt: skip
    with clock.travel_to(SESSION):
        body.reconvene(session, personas.secretariat, dt.date(2025, 2, 17))
    req.refresh_from_db()
    assert req.status == "scheduled"
    step = req.pathway.events.get(action="reconvene")
    assert (step.request_id, step.actor.username, step.from_status, step.to_status) == (
        req.pk,
        "secretariat",
        "",
        "",
    )
    row = AccessLog.objects.get(event="request.reconvene")
    assert (row.person_id, row.object_id, row.action) == (req.pathway.person_id, str(req.pk), "update")
    client.force_login(personas.worker.user)
    page = client.get(f"/personnes/{req.pathway.person_id}/").content.decode()
    assert "Demande reportée à une nouvelle séance" in page
    assert "Séance du 17 février 2025 (quorum non atteint le 3 février 2025)" in page


def test_a_request_closed_before_its_session_leaves_the_agenda_and_gets_no_step_when_it_is_reconvened(
    request, personas
):
    """The préfet ends a pathway early while its renewal is on a planned agenda: the renewal is closed
    (withdrawn) and leaves the agenda, as an unscheduled request does; reconvening the session of the
    others moves no step onto it."""
    req = request_in_state(personas, "scheduled", kind="renewal")
    other = request_in_state(personas, "submitted", kind="renewal")
    session = req.agenda_items.get().session
    with clock.travel_to(dt.date(2025, 6, 2)):
        t.schedule_request(other, session, personas.secretariat)
    composition = request.getfixturevalue("composition")  # after the entries' avis, given without it
    with clock.travel_to(dt.date(2025, 6, 20)):
        t.end_early(req.pathway, personas.agent, dt.date(2025, 6, 20), "Motivation fictive")
    req.refresh_from_db()
    assert req.status == "withdrawn"
    assert list(session.agenda.values_list("request_id", flat=True)) == [other.pk]
    attend(personas, session, present(composition, prefet=("absent", None), asso=("absent", None),
                                      sante=("absent", None)))  # fmt: skip
    with clock.travel_to(session.date):
        body.reconvene(session, personas.secretariat, session.date + dt.timedelta(days=14))
    assert not req.pathway.events.filter(action="reconvene").exists()
    assert list(AccessLog.objects.filter(event="request.reconvene").values_list("object_id", flat=True)) == [
        str(other.pk)
    ]


def test_no_avis_before_the_attendance_is_recorded(personas, composition, scheduled):
    req, session = scheduled
    with clock.travel_to(SESSION), pytest.raises(DomainError, match="Enregistrez d'abord les présences"):
        t.record_avis(req, session, "favourable", personas.secretariat, votes=(3, 0, 0))


# --- Recusal and vote ---------------------------------------------------------------------------------
def test_the_member_of_the_preparing_association_is_recused_and_her_vote_refused(
    personas, composition, scheduled
):
    req, session = scheduled
    attend(personas, session, present(composition))
    item = session.agenda.get()
    assert [m.name for m in body.recused_on(item)] == ["Fictif-Asso"]
    # Four present, one recused: three votes at most.
    with clock.travel_to(SESSION), pytest.raises(DomainError, match=r"Récusé.*Fictif-Asso"):
        t.record_avis(req, session, "favourable", personas.secretariat, votes=(4, 0, 0))
    assert not Avis.objects.exists()
    with clock.travel_to(SESSION):
        avis = t.record_avis(req, session, "favourable", personas.secretariat, votes=(2, 0, 1))
    assert (avis.votes_for, avis.votes_against, avis.abstentions) == (2, 0, 1)
    assert list(Recusal.objects.values_list("member__name", flat=True)) == ["Fictif-Asso"]


def test_the_vote_must_match_the_avis(personas, composition, scheduled):
    req, session = scheduled
    attend(personas, session, present(composition))
    with clock.travel_to(SESSION), pytest.raises(DomainError, match="avis favorable suppose"):
        t.record_avis(req, session, "favourable", personas.secretariat, votes=(1, 2, 0))
    with clock.travel_to(SESSION), pytest.raises(DomainError, match="résultat du vote"):
        t.record_avis(req, session, "favourable", personas.secretariat)


def test_without_a_composition_the_former_rule_holds(personas, scheduled):
    req, session = scheduled
    with clock.travel_to(SESSION):
        avis = t.record_avis(req, session, "favourable", personas.secretariat)
    assert avis.votes_for is None


# --- Convocation --------------------------------------------------------------------------------------
def test_the_convocation_carries_a_link_and_no_identity(personas, composition, scheduled, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _req, session = scheduled
    with clock.travel_to(dt.date(2025, 1, 29)):  # the last day: five days before 3 February
        body.send_convocation(session, personas.secretariat, "https://parcours.example.org/")
    to = sorted(a for m in mail.outbox for a in m.to)
    assert to == sorted(["fictif-préfet@example.org", "adjoint@example.org", "fictif-juge@example.org",
                         "fictif-santé@example.org", "fictif-asso@example.org"])  # fmt: skip
    text = mail.outbox[0].subject + mail.outbox[0].body
    assert f"https://parcours.example.org/parcours/seances/{session.pk}/" in text
    assert "3 février 2025" in text
    assert "Canaria" not in text and "Nomfictif" not in text and "P-0" not in text


def test_a_late_convocation_is_refused_with_the_date_it_should_have_gone(
    personas, composition, scheduled, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _req, session = scheduled
    with clock.travel_to(dt.date(2025, 1, 30)), pytest.raises(DomainError) as exc:
        body.send_convocation(session, personas.secretariat, "https://parcours.example.org/")
    assert "au plus tard le 29 janvier 2025" in exc.value.message
    assert mail.outbox == [] and not session.convocations.exists()


# --- The session's papers -----------------------------------------------------------------------------
def test_the_minutes_list_attendance_quorum_recusal_and_avis_without_names(personas, composition, scheduled):
    from parcours.accounts.letterhead import letterhead_for
    from parcours.core.pdf import render_pdf

    req, session = scheduled
    attend(personas, session, present(composition, prefet=("substitute", None), juge=("absent", None)))
    with clock.travel_to(SESSION):
        t.record_avis(req, session, "unfavourable", personas.secretariat, reason="Projet à préciser",
                      votes=(0, 2, 0))  # fmt: skip
        context = body.papers_context(session, letterhead_for(session.commission))
        minutes = pdf_text(render_pdf("pathway/commission/minutes_pdf.html", context))
        agenda = pdf_text(render_pdf("pathway/commission/agenda_pdf.html", context))
    flat = " ".join(minutes.split())
    assert "3 février 2025" in flat
    assert "Quorum atteint : 3 membres présents ou représentés sur 4 (quorum : 2)" in flat
    assert "Fictif-Asso ne siège pas" in flat
    assert "Défavorable" in flat and "Projet à préciser" in flat and "0 pour, 2 contre, 0 abstention" in flat
    # pdftotext joins a word hyphenated at a line end: compare without hyphens.
    assert "Représenté par son suppléant (FictifAdjoint)" in flat.replace("-", "")
    for text in (flat, " ".join(agenda.split())):
        assert "Canaria" not in text and "NOMFICTIF" not in text.upper()
        assert "C. N." in text and "25-34 ans" in text and req.pathway.person.reference in text


def test_the_minutes_pdf_is_for_the_commission_only(client, personas, composition, scheduled):
    _req, session = scheduled
    url = f"/parcours/seances/{session.pk}/pdf/proces-verbal/"
    client.force_login(personas.member.user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AccessLog.objects.filter(path__startswith=f"/parcours/seances/{session.pk}/pdf/").exists()
    client.force_login(personas.agent.user)
    assert client.get(url).status_code == 403
    client.force_login(personas.other_secretariat.user)
    assert client.get(url).status_code == 404


# --- The secretariat's to-do page ---------------------------------------------------------------------
def test_the_todo_page_warns_until_the_years_minimum_is_scheduled(client, personas):
    client.force_login(personas.secretariat.user)
    with clock.travel_to(dt.date(2026, 3, 2)):
        t.create_session(personas.secretariat, dt.date(2026, 4, 6))
        page = client.get("/parcours/a-faire/").content.decode()
        assert "La commission doit se réunir au moins 2 fois en 2026" in page
        assert "Séance du 6 avril 2026 : convocation au plus tard le 1er avril 2026" in page
        t.create_session(personas.secretariat, dt.date(2026, 10, 5))
        page = client.get("/parcours/a-faire/").content.decode()
    assert "doit se réunir" not in page


# --- The pages ----------------------------------------------------------------------------------------
def test_the_secretariat_adds_and_ends_a_member_through_the_pages(client, personas):
    client.force_login(personas.secretariat.user)
    data = {"college": "associations", "name": "Fictif-Page", "function": "Représentante fictive",
            "association": personas.association.pk, "appointed_on": "2025-01-06"}  # fmt: skip
    response = client.post("/parcours/commission/membres/", data, follow=True)
    assert "Le membre est ajouté à la composition." in response.content.decode()
    member = CommissionMember.objects.get(name="Fictif-Page")
    assert (member.association_id, member.appointed_on) == (personas.association.pk, dt.date(2025, 1, 6))
    # Bad input: a State member cannot represent an association; nothing saved.
    data |= {"college": "state", "name": "Fictif-Erreur"}
    page = client.post("/parcours/commission/membres/", data).content.decode()
    assert "Seul un membre du collège des associations représente une association." in page
    assert not CommissionMember.objects.filter(name="Fictif-Erreur").exists()
    response = client.post(f"/parcours/commission/membres/{member.pk}/fin/", {"ended_on": "2025-06-30"})
    member.refresh_from_db()
    assert response.status_code == 302 and member.ended_on == dt.date(2025, 6, 30)
    # Another commission's secretariat does not reach it.
    client.force_login(personas.other_secretariat.user)
    assert client.get(f"/parcours/commission/membres/{member.pk}/fin/").status_code == 404


def test_a_late_convocation_through_the_page_says_when_it_should_have_gone(
    client, personas, composition, scheduled, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _req, session = scheduled
    client.force_login(personas.secretariat.user)
    with clock.travel_to(dt.date(2025, 1, 31)):
        page = client.post(f"/parcours/seances/{session.pk}/convoquer/", follow=True).content.decode()
    assert "elle devait partir au plus tard le 29 janvier 2025" in page
    assert mail.outbox == []
