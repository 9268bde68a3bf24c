"""The page's document (parcours/base.html): django-dsfr's fixed fragments rendered once per process and
language, the request's own CSP nonce on its scripts, and skip links that lead somewhere (decision 0064)."""

import hashlib
import re
from pathlib import Path

import dsfr
import pytest
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from dsfr.models import DsfrConfig

from parcours.core.templatetags import layout

# django-dsfr 3.6.1's dsfr/base.html, which parcours/base.html copies. When django-dsfr changes it, this
# fails: compare the two, carry the change into parcours/base.html, then record the new digest here.
DSFR_BASE_SHA256 = "369ce5a9cbb5f0865079d6182348a467c6d562e0096018709822f2e9707d8d91"


def test_django_dsfr_base_template_is_the_one_parcours_base_copies():
    source = Path(dsfr.__file__).parent / "templates" / "dsfr" / "base.html"
    assert hashlib.sha256(source.read_bytes()).hexdigest() == DSFR_BASE_SHA256


VOLUNTEER = ["/benevoles/", "/terrain/permanences/", "/ateliers/", "/annuaire/", "/compte/organisation/"]


def skip_targets(html):
    start = html.index('<div class="fr-skiplinks">')
    return re.findall(r'href="#([^"]+)"', html[start : html.index("</div>", start)])


def nav_links(html):
    return re.findall(r'<a class="fr-nav__link" href="([^"]+)"', html)


def assert_targets_exist(html):
    for target in skip_targets(html):
        assert len(re.findall(rf'\sid="{target}"', html)) == 1, target


def script_nonces(html: str) -> set[str]:
    tags = re.findall(r"<script[^>]*dsfr\.(?:module|nomodule)\.min\.js[^>]*>", html)
    assert len(tags) == 2
    return {re.search(r'nonce="([^"]*)"', tag).group(1) for tag in tags}


def header_nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


@pytest.mark.django_db
def test_each_page_carries_its_own_nonce_on_the_dsfr_scripts_not_a_cached_one(client, personas):
    client.force_login(personas.worker.user)
    seen = []
    for path in ("/personnes/", "/personnes/", reverse("pathway:todo")):
        response = client.get(path)
        html = response.content.decode()
        assert script_nonces(html) == {header_nonce(response)}
        assert layout.NONCE not in html
        seen.append(header_nonce(response))
    assert len(set(seen)) == 3


def test_a_page_without_a_nonce_gets_scripts_without_one():
    html = layout.layout_fragment({"csp_nonce": ""}, "js")
    assert "nonce=" not in html and layout.NONCE not in html
    assert len(re.findall(r"<script", html)) == 2


def test_the_fragments_are_rendered_in_the_active_language():
    """The display settings' labels come from django-dsfr's catalogue: the cache is kept per language."""
    with translation.override("fr"):
        french = layout.layout_fragment({}, "theme_modale")
    with translation.override("en"):
        english = layout.layout_fragment({}, "theme_modale")
    assert "Paramètres d’affichage" in french and "Paramètres d’affichage" not in english
    assert "Display settings" in english


@pytest.mark.django_db
def test_the_skip_links_lead_to_the_content_the_menu_and_the_footer(client, personas):
    client.force_login(personas.worker.user)
    html = client.get("/personnes/").content.decode()
    start = html.index('<div class="fr-skiplinks">')
    labelled = re.findall(
        r'<a class="fr-link" href="#([^"]+)">([^<]+)</a>', html[start : html.index("</div>", start)]
    )
    assert labelled == [("content", "Contenu"), ("navigation-principale", "Menu"), ("footer", "Pied de page")]
    assert_targets_exist(html)


@pytest.mark.django_db
def test_a_signed_out_page_has_no_menu_to_skip_to(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert skip_targets(html) == ["content", "footer"]
    assert 'id="navigation-principale"' not in html


@pytest.mark.django_db
def test_the_footer_follows_the_branding_and_title_settings(client, settings):
    def footer():
        html = client.get(reverse("accounts:login")).content.decode()
        return html[html.index('<footer class="fr-footer"') : html.index("</footer>")]

    settings.PARCOURS_STATE_BRANDING, settings.PARCOURS_SITE_TITLE = False, "Parcours"
    assert '<p class="fr-h5 fr-mb-0">Parcours</p>' in footer() and "fr-logo" not in footer()
    settings.PARCOURS_SITE_TITLE = "Parcours Guyane"
    assert '<p class="fr-h5 fr-mb-0">Parcours Guyane</p>' in footer()
    settings.PARCOURS_STATE_BRANDING = True
    assert '<p class="fr-logo">République<br>française</p>' in footer()
    assert "Logiciel libre — licence AGPL-3.0." in footer()


@pytest.mark.django_db
def test_while_the_second_factor_is_pending_no_skip_link_leads_to_the_hidden_menu(client, personas):
    TOTPDevice.objects.create(user=personas.worker.user, name="Application", confirmed=True)
    client.force_login(personas.worker.user)
    response = client.get(reverse("accounts:mfa_verify"))
    assert response.status_code == 200
    html = response.content.decode()
    assert skip_targets(html) == ["content", "footer"]
    assert 'id="navigation-principale"' not in html
    assert_targets_exist(html)


@pytest.mark.django_db
def test_error_pages_of_a_signed_in_reader_have_working_skip_links(client, personas):
    client.force_login(personas.volunteer.user)
    for path, status in (("/personnes/", 403), ("/nulle-part/", 404)):
        response = client.get(path)
        assert response.status_code == status
        html = response.content.decode()
        assert skip_targets(html) == ["content", "navigation-principale", "footer"], path
        assert_targets_exist(html)
        assert nav_links(html) == VOLUNTEER


@pytest.mark.django_db
def test_the_site_configuration_s_notice_and_mourning_reach_the_page(client):
    DsfrConfig.objects.create(language="fr", notice_title="Maintenance ce soir", mourning=True)
    html = client.get(reverse("accounts:login")).content.decode()
    assert "data-fr-mourning" in html
    assert "Maintenance ce soir" in html and "fr-notice" in html


@pytest.mark.django_db
def test_the_dsfr_fragments_follow_django_dsfr_s_integrity_setting(client, settings):
    """A setting changed while the process runs (in a test) drops the fragments rendered under the old one."""
    assert "integrity=" in client.get(reverse("accounts:login")).content.decode()
    settings.DSFR_USE_INTEGRITY_CHECKSUMS = False
    assert "integrity=" not in client.get(reverse("accounts:login")).content.decode()
