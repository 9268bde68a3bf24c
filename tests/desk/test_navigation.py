"""The main menu: what each role may open, in drop-down menus when the list would not fit on one line."""

import re

import pytest
from django.conf import settings as django_settings
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import get_script_prefix, reverse, set_script_prefix
from django.utils.html import escape

from parcours.desk.context_processors import parcours as layout_context

from ..factories import MembershipFactory

pytestmark = pytest.mark.django_db
VOLUNTEER = ["/benevoles/", "/terrain/permanences/", "/ateliers/", "/annuaire/", "/compte/organisation/"]


def nav_links(html):
    return re.findall(r'<a class="fr-nav__link" href="([^"]+)"', html)


def menu(client, membership, path="/"):
    client.force_login(membership.user)
    page = client.get(path, follow=True).content.decode()
    nav = page[page.index('<nav class="fr-nav"') : page.index("</nav>", page.index('<nav class="fr-nav"'))]
    buttons = re.findall(r'<button class="fr-nav__btn"[^>]*>([^<]+)</button>', nav)
    return buttons, nav_links(nav), nav


def test_a_volunteer_reads_her_few_entries_without_a_drop_down(client, personas):
    buttons, links, _ = menu(client, personas.volunteer)
    assert buttons == []
    assert links == VOLUNTEER


def test_the_head_of_service_gets_collective_work_and_steering_as_two_drop_downs(client, personas):
    buttons, links, nav = menu(client, personas.head, "/ateliers/")
    assert buttons == ["Activité collective", "Pilotage"]
    assert "/ateliers/" in links and "/journal/" in links and "/suivi/reunions/" in links
    assert "/reprise-et-export/" in links  # the import of the caseload and the full export (issue 14)
    # The group of the page she is on is marked current, and the page itself inside it.
    assert re.search(r'<button class="fr-nav__btn"[^>]*aria-current="true"[^>]*>Activité collective<', nav)
    assert '<a class="fr-nav__link" href="/ateliers/" aria-current="page">' in nav


def test_each_role_and_page_gets_its_own_menu_from_the_rendered_menus_a_process_keeps(client, personas):
    """The menu's HTML is rendered once per process for each set of allowed pages and current page (decision
    0064): a role never gets another role's menu, and the current page moves with the page."""
    _, head_links, _ = menu(client, personas.head, "/ateliers/")
    assert "/journal/" in head_links and "/statistiques/" in head_links
    _, links, nav = menu(client, personas.volunteer, "/ateliers/")
    assert links == VOLUNTEER
    assert '<a class="fr-nav__link" href="/ateliers/" aria-current="page">' in nav
    _, links, nav = menu(client, personas.volunteer, "/annuaire/")
    assert links == VOLUNTEER
    assert '<a class="fr-nav__link" href="/annuaire/" aria-current="page">' in nav
    assert nav.count("aria-current") == 1
    _, links, nav = menu(client, personas.head, "/annuaire/")
    assert links == head_links
    assert re.search(r'<button class="fr-nav__btn"[^>]*aria-current="true"[^>]*>Activité collective<', nav)


def test_the_header_names_the_role_and_organisation_of_the_membership(client, personas):
    client.force_login(personas.head.user)
    page = client.get("/ateliers/").content.decode()
    organisation = str(personas.head.organisation)
    assert f'<span class="parcours-account__org">Cheffe de service, {organisation}</span>' in page
    client.force_login(personas.volunteer.user)
    page = client.get("/ateliers/").content.decode()
    assert f'<span class="parcours-account__org">Bénévole, {organisation}</span>' in page


def test_two_accounts_of_one_role_and_organisation_each_get_their_own_header(personas):
    """A header cached by role and organisation would show one account's name and CSRF token to the other."""
    second = MembershipFactory(
        organisation=personas.association, role="social_worker",
        user__username="seconde", user__first_name="Seconde", user__last_name="Compte",
    )  # fmt: skip
    for membership in (personas.worker, second, personas.worker):
        client = Client()
        client.force_login(membership.user)
        html = client.get("/personnes/").content.decode()
        header = html[html.index("<header") : html.index("</header>")]
        assert f"<span>{escape(str(membership.user))}</span>" in header
        other = second if membership == personas.worker else personas.worker
        assert f"<span>{escape(str(other.user))}</span>" not in header
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        assert _unmask_cipher_token(token) == client.cookies[django_settings.CSRF_COOKIE_NAME].value


def test_the_menu_follows_a_role_change_and_an_ended_membership(client, personas):
    client.force_login(personas.head.user)
    assert "/journal/" in nav_links(client.get("/annuaire/").content.decode())
    personas.head.role = "volunteer"
    personas.head.save()
    assert nav_links(client.get("/annuaire/").content.decode()) == VOLUNTEER
    personas.head.is_active = False
    personas.head.save()
    html = client.get("/annuaire/").content.decode()
    assert nav_links(html) == [] and "navigation-principale" not in html


def test_the_menu_and_header_addresses_follow_the_script_prefix(rf, personas):
    def context(prefix):
        before = get_script_prefix()
        set_script_prefix(prefix)
        try:
            request = rf.get("/ateliers/", SCRIPT_NAME=prefix.rstrip("/"))
            request.membership = personas.volunteer
            return layout_context(request)
        finally:
            set_script_prefix(before)

    for prefix in ("/", "/parcours/", "/"):
        ctx = context(prefix)
        links = nav_links(ctx["menu"])
        assert links == [prefix + link[1:] for link in VOLUNTEER], prefix
        assert f'href="{prefix}ateliers/" aria-current="page"' in ctx["menu"]
        assert ctx["header_urls"]["logout"] == prefix + reverse("accounts:logout")[1:]
