"""Who sees a person's identity on the commission's and the préfecture's pages (issue 7, finding 3).

The préfecture sees a person's identity only from the commission's avis on (the person visibility rule,
people/visibility.py); commission members never see it. Oracle: canary names typed into the people's
files, searched in every page each role can reach (every URL pattern without argument, every session,
request and person page), whatever the status code.

Before the change, the session page printed `person.full_name` for every agenda item to every reader but
the members, so the préfecture read the names of people whose request was only scheduled, adjourned or
withdrawn: test_prefecture_never_reads_a_name_before_the_avis failed on the session page.
"""

import contextlib
import datetime as dt
import io
import zipfile

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from parcours.core import clock
from parcours.pathway import transitions as t
from parcours.pathway.models import CommissionSession, PathwayRequest
from parcours.people.models import Person

from ..conftest import complete_content
from ..tools import pdf_text

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)
SESSION_DAY = dt.date(2026, 2, 2)
NEXT_SESSION_DAY = dt.date(2026, 4, 6)


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(TODAY):
        yield


def _argless_urls():
    """Every URL pattern of the project that takes no argument (new pages are walked without a list)."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name and not p.pattern.converters:
                with contextlib.suppress(NoReverseMatch):  # a regex group: not argument-less
                    yield reverse(prefix + p.name)

    return sorted(set(walk(get_resolver().url_patterns)))


def _pages(client, membership):
    """(url, body) of every page the membership may try: argument-less pages, every session, every request
    and every person of the database."""
    client.force_login(membership.user)
    urls = _argless_urls()
    urls += [reverse("pathway:session", args=[s.pk]) for s in CommissionSession.objects.all()]
    for r in PathwayRequest.objects.all():
        urls += [reverse("pathway:request", args=[r.pk]), reverse("pathway:decide", args=[r.pk])]
    urls += [reverse("people:person", args=[p.pk]) for p in Person.objects.all()]
    for url in urls:
        if "deconnexion" in url or "logout" in url:
            continue
        yield url, _text(client.get(url))


def _text(response) -> str:
    """What a reader sees in a response: the text of a PDF (pdftotext), of every member of a ZIP-based file
    (XLSX, ODS, export archive), or the decoded body."""
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        return pdf_text(response.content)
    if response.content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return response.content.decode()


def _submitted(personas, person):
    with clock.travel_to(dt.date(2026, 1, 5)):
        req = t.open_request(person, "entry", personas.worker, complete_content(dt.date(2026, 1, 5)))
        t.validate_request(req, personas.head)
        t.submit_request(req, personas.worker)
    return req


@pytest.fixture
def agenda(personas):
    """One past session with an avis given, an adjournment and a later withdrawal; one coming session with
    a request only scheduled. Each person has a canary name."""
    people = {
        kind: personas.person(first_name=f"Canari{kind}", last_name=f"Oiseau{kind}")
        for kind in ("avis", "adjourned", "withdrawn", "scheduled")
    }
    reqs = {kind: _submitted(personas, p) for kind, p in people.items()}
    with clock.travel_to(dt.date(2026, 1, 10)):
        past = t.create_session(personas.secretariat, SESSION_DAY)
        coming = t.create_session(personas.secretariat, NEXT_SESSION_DAY)
        for kind in ("avis", "adjourned", "withdrawn"):
            t.schedule_request(reqs[kind], past, personas.secretariat)
        t.schedule_request(reqs["scheduled"], coming, personas.secretariat)
    with clock.travel_to(SESSION_DAY):
        t.record_avis(reqs["avis"], past, "favourable", personas.secretariat)
        t.record_avis(reqs["adjourned"], past, "adjourned", personas.secretariat, "Piècecanari manquante")
        t.record_avis(reqs["withdrawn"], past, "adjourned", personas.secretariat, "Autre motif")
    with clock.travel_to(dt.date(2026, 2, 20)):
        t.withdraw_request(reqs["withdrawn"], personas.worker)
    return people, reqs, past, coming


def _leaks(pages, people):
    return sorted(
        (url, kind)
        for url, body in pages
        for kind, p in people.items()
        if p.first_name.lower() in body.lower() or p.last_name.lower() in body.lower()
    )


def test_prefecture_never_reads_a_name_before_the_avis(client, personas, agenda):
    people, _reqs, past, _coming = agenda
    pages = list(_pages(client, personas.agent))
    hidden = {k: p for k, p in people.items() if k != "avis"}
    assert _leaks(pages, hidden) == []
    # The person with an avis is identified, on the session page too (the control that the walk sees names).
    session_page = dict(pages)[reverse("pathway:session", args=[past.pk])]
    assert people["avis"].full_name in session_page
    # The others appear there pseudonymised, as to a member.
    assert people["adjourned"].reference in session_page and "C. O." in session_page
    # Free text about a request it may not read does not reach the préfecture either.
    assert "Piècecanari" not in session_page


def test_prefecture_reads_the_name_once_the_avis_is_given(client, personas, agenda):
    people, reqs, _past, coming = agenda
    with clock.travel_to(NEXT_SESSION_DAY):
        t.record_avis(reqs["scheduled"], coming, "unfavourable", personas.secretariat, "Motif fictif")
    pages = dict(_pages(client, personas.agent))
    assert people["scheduled"].full_name in pages[reverse("pathway:session", args=[coming.pk])]
    assert people["scheduled"].full_name in pages[reverse("pathway:todo")]
    assert people["scheduled"].full_name in pages[reverse("pathway:decisions")]
    assert people["scheduled"].full_name in pages[reverse("pathway:request", args=[reqs["scheduled"].pk])]
    assert _leaks(pages.items(), {k: p for k, p in people.items() if k in ("adjourned", "withdrawn")}) == []


def test_commission_member_reads_no_name_anywhere(client, personas, agenda):
    people, reqs, past, coming = agenda
    with clock.travel_to(NEXT_SESSION_DAY):
        t.record_avis(reqs["scheduled"], coming, "favourable", personas.secretariat)
    with clock.travel_to(dt.date(2026, 4, 10)):
        t.authorise(reqs["scheduled"], personas.agent, dt.date(2026, 4, 10))
    pages = list(_pages(client, personas.member))
    assert _leaks(pages, people) == []
    session_page = dict(pages)[reverse("pathway:session", args=[past.pk])]
    assert people["avis"].reference in session_page and "C. O." in session_page


def test_other_departements_prefecture_reads_no_name(client, personas, agenda):
    people, _reqs, _past, _coming = agenda
    assert _leaks(_pages(client, personas.other_agent), people) == []


def test_secretariat_is_warned_that_members_read_what_she_types(client, personas, agenda):
    _people, _reqs, past, _coming = agenda
    client.force_login(personas.secretariat.user)
    page = client.get(reverse("pathway:session", args=[past.pk])).content.decode()
    warning = "lu par les membres de la commission"
    # On the attendance field and on each avis reason field still to fill (none left here: a new session).
    assert page.count(warning) >= 1
    with clock.travel_to(dt.date(2026, 1, 10)):
        other = personas.person()
        req = _submitted(personas, other)
    with clock.travel_to(dt.date(2026, 3, 1)):
        session = t.create_session(personas.secretariat, dt.date(2026, 3, 9))
        t.schedule_request(req, session, personas.secretariat)
    page = client.get(reverse("pathway:session", args=[session.pk])).content.decode()
    assert page.count(warning) >= 2  # the attendance and the avis reason
    page = client.get(reverse("pathway:sessions")).content.decode()
    assert warning in page  # the place of a new session


@pytest.mark.parametrize(
    "status", ["scheduled", "adjourned", "withdrawn", "avis_given", "authorised", "refused"]
)
def test_session_page_names_whom_the_person_page_shows(client, personas, status):
    """One rule: the préfecture reads a name on the session page exactly when the person's page opens
    (failed before for scheduled, adjourned and withdrawn: named on the session page, 404 on hers)."""
    from ..conftest import request_in_state

    person = personas.person(first_name="Canarietat", last_name=f"Oiseau{status}")
    if status == "withdrawn":  # withdrawn after an adjournment, so that it stays on the agenda
        req = request_in_state(personas, "adjourned", person=person)
        with clock.travel_to(dt.date(2025, 2, 20)):
            t.withdraw_request(req, personas.worker)
    else:
        req = request_in_state(personas, status, person=person)
    session = req.agenda_items.get().session
    client.force_login(personas.agent.user)
    page = client.get(reverse("pathway:session", args=[session.pk])).content.decode()
    person_page = client.get(reverse("people:person", args=[person.pk]))
    named = "Canarietat" in page
    assert named == (person_page.status_code == 200)
    assert named == (status in ("avis_given", "authorised", "refused"))


def test_prefecture_does_not_read_the_reason_of_an_adjourned_renewal_on_the_person_page(client, personas):
    """Review of issue 7 (B2): the person's page showed the préfecture every event of the pathway, among them
    the avis of an adjourned renewal (reason included) whose request page answers 404 to her. The timeline
    now follows the request visibility rule; the secretariat, who may open that request, still reads it."""
    from ..conftest import authorised_pathway

    person = personas.person(first_name="Suivie", last_name="Renouvelée")
    pathway = authorised_pathway(
        personas,
        person,
        submitted_on=dt.date(2025, 1, 6),
        session_on=dt.date(2025, 2, 3),
        decided_on=dt.date(2025, 2, 10),
    )
    with clock.travel_to(dt.date(2025, 6, 2)):
        req = t.open_request(person, "renewal", personas.worker, complete_content(dt.date(2025, 6, 2)))
        t.validate_request(req, personas.head)
        t.submit_request(req, personas.worker)
        session = t.create_session(personas.secretariat, dt.date(2025, 7, 1))
        t.schedule_request(req, session, personas.secretariat)
    with clock.travel_to(dt.date(2025, 7, 1)):
        t.record_avis(req, session, "adjourned", personas.secretariat, "Motifcanari du renouvellement")
    url = reverse("people:person", args=[person.pk])
    with clock.travel_to(dt.date(2025, 7, 2)):
        client.force_login(personas.agent.user)
        assert client.get(reverse("pathway:request", args=[req.pk])).status_code == 404
        page = client.get(url)
        assert page.status_code == 200 and pathway.reference in page.content.decode()
        assert "Motifcanari" not in page.content.decode()
        client.force_login(personas.secretariat.user)
        assert "Motifcanari" in client.get(url).content.decode()
