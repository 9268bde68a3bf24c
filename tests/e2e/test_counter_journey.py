"""The counter on a phone at the desk (issue 11, « done when »): as `benevole`, on a 375×740 viewport, record
ten visits at today's drop-in session in under thirty taps and see them counted; then the network drops
(Playwright's offline mode), five more taps are queued on the phone and the screen says « 5 en attente
d'envoi »; the network comes back, the queue is sent, and exactly fifteen visits are counted, on the page
and in the database.

Every pointer action (a tap on a link, a button, a chip) goes through `tap()`, which counts it; logging in is
not counted (the same for every journey). The live server runs on the real clock: the session is today.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from parcours.core import clock
from parcours.outreach import services
from parcours.outreach.models import Visit

from ..factories import MembershipFactory, OrganisationFactory
from .conftest import TIMEOUT_MS
from .test_request_journey import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
MAX_TAPS = 30
PHONE = {"width": 375, "height": 740}


def test_ten_visits_in_under_thirty_taps_then_five_offline_make_fifteen(browser, live_server):
    association = OrganisationFactory(name="Association Horizon Fictif")
    head = MembershipFactory(organisation=association, role="head_of_service", user__username="cheffe")
    MembershipFactory(organisation=association, role="volunteer", user__username="benevole")
    session = services.add_extra_session(
        head, day=clock.today(), starts_at=dt.time(0, 0), ends_at=dt.time(23, 59), place="Local fictif"
    )
    # Logged in at a desktop width (the header's logout button is what log_in waits for), then the phone.
    context = browser.new_context(locale="fr-FR", base_url=live_server.url, has_touch=True,
                                  viewport={"width": 1280, "height": 900})  # fmt: skip
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    taps = []

    def tap(locator, what):
        locator.click()
        taps.append(what)

    log_in(page, "benevole")  # not counted
    page.set_viewport_size(PHONE)
    page.goto("/")
    tap(page.get_by_role("link", name="ouvrir le comptoir"), "the counter from her home page")
    button = page.get_by_role("button", name="+ Passage")
    total, detail = page.locator("#counter-total"), page.locator("#counter-detail")
    expect(total).to_have_text("0")
    for n in range(1, 11):
        if n == 3:
            tap(page.locator("label.outreach-chip", has_text="Femme trans"), "a tally: trans woman")
        if n == 5:
            tap(page.locator("label.outreach-chip", has_text="Café et échange"), "a service: coffee and talk")
        tap(button, f"visit {n}")
    expect(detail).to_have_text("10 enregistrés par le serveur")
    expect(total).to_have_text("10")
    assert len(taps) < MAX_TAPS, taps
    assert Visit.objects.filter(session=session).count() == 10
    assert Visit.objects.filter(session=session, gender="trans_woman").count() == 1
    assert Visit.objects.filter(session=session, services=["coffee"]).count() == 1

    context.set_offline(True)
    for n in range(11, 16):
        tap(button, f"visit {n}, offline")
    expect(detail).to_have_text("10 enregistrés par le serveur · 5 en attente d'envoi")
    expect(total).to_have_text("15")
    expect(page.locator("#counter-offline")).to_be_visible()
    assert Visit.objects.filter(session=session).count() == 10

    context.set_offline(False)
    expect(detail).to_have_text("15 enregistrés par le serveur")
    expect(total).to_have_text("15")
    assert Visit.objects.filter(session=session).count() == 15
    # Reloading the page shows the server's count, and nothing is left waiting on the phone.
    page.reload()
    expect(total).to_have_text("15")
    expect(detail).to_have_text("15 enregistrés par le serveur")
    queue = page.evaluate(f"localStorage.getItem('parcours-comptoir:session:{session.pk}')")
    assert queue == "[]"
    assert Visit.objects.filter(session=session).count() == 15
    print(f"{len(taps)} taps: {taps}")
    context.close()


def test_the_outreach_pages_pass_axe_and_fit_1280_and_375_px(browser, live_server):
    """The pages of this app, as the volunteer and as the head of service, with the checks of
    test_pages_browser.py (axe-core, widths, tables in focusable containers)."""
    from django.urls import reverse

    from ..tools import skip_or_fail
    from .test_pages_browser import AXE, CHECKS, check_page

    if not AXE.exists():
        skip_or_fail(f"axe-core absent ({AXE}) : npm ci --prefix tests/e2e/js")
    association = OrganisationFactory(name="Association Horizon Fictif")
    head = MembershipFactory(
        organisation=association, role="head_of_service", user__username="cheffe",
        user__first_name="Bérangère", user__last_name="Démo-Cheffe-de-service",
    )  # fmt: skip
    volunteer = MembershipFactory(organisation=association, role="volunteer", user__username="benevole",
                                  user__first_name="Clothaire", user__last_name="Démo-Bénévole")  # fmt: skip
    services.create_schedule(head, weekday=1, starts_at=dt.time(13, 30), ends_at=dt.time(18, 30),
                             place="Locaux de l'association Horizon Fictif, Nîmes")  # fmt: skip
    session = services.add_extra_session(
        head, day=clock.today(), starts_at=dt.time(0, 0), ends_at=dt.time(23, 59), place="Local fictif"
    )
    visit, _ = services.record_visit(volunteer, session, "6f1c2a52-8d2e-4c8a-9a61-0c6f5b1d2e01",
                                     gender="trans_woman", services=["coffee", "health"])  # fmt: skip
    services.record_presence(volunteer, session, volunteer, 270)
    now = clock.now()
    round_ = services.create_round(
        head, kind="street", places="Avenue fictive de la Gare", starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=2),
    )  # fmt: skip
    services.record_visit(volunteer, round_, "6f1c2a52-8d2e-4c8a-9a61-0c6f5b1d2e02", age_band="18_25")
    services.ask_followup(volunteer, round_)
    common = [
        reverse("core:volunteer"), reverse("outreach:sessions"),
        reverse("outreach:session", kwargs={"pk": session.pk}),
        reverse("outreach:session_counter", kwargs={"pk": session.pk}), reverse("outreach:rounds"),
        reverse("outreach:round", kwargs={"pk": round_.pk}),
        reverse("outreach:round_counter", kwargs={"pk": round_.pk}),
    ]  # fmt: skip
    staff = [reverse("outreach:schedules"), reverse("outreach:visit_link", kwargs={"pk": visit.pk}),
             reverse("outreach:callbacks"), *common[1:]]  # fmt: skip
    problems = []
    for username, urls in (("benevole", common), ("cheffe", staff)):
        context = browser.new_context(locale="fr-FR", base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(script=AXE.read_text())
        context.add_init_script(path=CHECKS)
        page = context.new_page()
        log_in(page, username)
        for url in urls:
            problems += [f"[{username}] {p}" for p in check_page(page, url)]
        context.close()
    assert not problems, "\n".join(problems)


def test_a_tap_on_a_session_cancelled_meanwhile_shows_the_french_refusal_and_is_not_retried(
    browser, live_server
):
    association = OrganisationFactory(name="Association Horizon Fictif")
    head = MembershipFactory(organisation=association, role="head_of_service", user__username="cheffe")
    MembershipFactory(organisation=association, role="intern", user__username="stagiaire")
    session = services.add_extra_session(
        head, day=clock.today(), starts_at=dt.time(0, 0), ends_at=dt.time(23, 59), place="Local fictif"
    )
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in(page, "stagiaire")
    page.set_viewport_size(PHONE)
    page.goto(f"/terrain/permanences/{session.pk}/comptoir/")
    expect(page.locator("#counter-total")).to_have_text("0")
    services.cancel_session(head, session, "Locaux fermés")  # while her screen is open
    page.get_by_role("button", name="+ Passage").click()
    day = clock.today().strftime("%d/%m/%Y")
    expect(page.get_by_role("alert")).to_have_text(
        f"La permanence du {day} est annulée (Locaux fermés) : aucun passage ne peut y être compté."
    )
    expect(page.locator("#counter-total")).to_have_text("0")
    assert page.evaluate(f"localStorage.getItem('parcours-comptoir:session:{session.pk}')") == "[]"
    assert Visit.objects.count() == 0
    context.close()
