"""The main menu: what each role may open, in drop-down menus when the list would not fit on one line."""

import re

import pytest

pytestmark = pytest.mark.django_db


def menu(client, membership, path="/"):
    client.force_login(membership.user)
    page = client.get(path, follow=True).content.decode()
    nav = page[page.index('<nav class="fr-nav"') : page.index("</nav>", page.index('<nav class="fr-nav"'))]
    buttons = re.findall(r'<button class="fr-nav__btn"[^>]*>([^<]+)</button>', nav)
    links = re.findall(r'<a class="fr-nav__link" href="([^"]+)"', nav)
    return buttons, links, nav


def test_a_volunteer_reads_her_few_entries_without_a_drop_down(client, personas):
    buttons, links, _ = menu(client, personas.volunteer)
    assert buttons == []
    assert links == ["/benevoles/", "/terrain/permanences/", "/ateliers/", "/annuaire/",
                     "/compte/organisation/"]  # fmt: skip


def test_the_head_of_service_gets_collective_work_and_steering_as_two_drop_downs(client, personas):
    buttons, links, nav = menu(client, personas.head, "/ateliers/")
    assert buttons == ["Activité collective", "Pilotage"]
    assert "/ateliers/" in links and "/journal/" in links and "/suivi/reunions/" in links
    assert "/reprise-et-export/" in links  # the import of the caseload and the full export (issue 14)
    # The group of the page she is on is marked current, and the page itself inside it.
    assert re.search(r'<button class="fr-nav__btn"[^>]*aria-current="true"[^>]*>Activité collective<', nav)
    assert '<a class="fr-nav__link" href="/ateliers/" aria-current="page">' in nav
