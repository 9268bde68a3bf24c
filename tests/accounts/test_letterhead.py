"""The letterhead of official papers: a default derived from the organisation, or the one it configured."""

import pytest

from parcours.accounts.letterhead import letterhead_for
from parcours.accounts.models import Letterhead
from tests.factories import prefecture


@pytest.mark.django_db
def test_without_a_letterhead_the_organisation_name_and_the_usual_signatory():
    org = prefecture("33")
    data = letterhead_for(org)
    assert data.authority == org.name
    assert data.signatory_title == "Le préfet"
    assert data.city == org.departement.name
    assert not data.configured


@pytest.mark.django_db
def test_a_configured_letterhead_is_printed_line_by_line():
    org = prefecture("33")
    Letterhead.objects.create(
        organisation=org,
        authority="Préfet de la Gironde",
        service_lines="Direction départementale\n\n  Mission droits des femmes  ",
        address="2 esplanade Charles-de-Gaulle\n33000 Bordeaux",
        city="Bordeaux",
        signatory_name="Camille Exemple",
        signatory_title="Pour le préfet, la secrétaire générale",
    )
    data = letterhead_for(org)
    assert data.service_lines == ("Direction départementale", "Mission droits des femmes")
    assert data.address_lines == ("2 esplanade Charles-de-Gaulle", "33000 Bordeaux")
    assert (data.city, data.signatory_title, data.configured) == (
        "Bordeaux",
        "Pour le préfet, la secrétaire générale",
        True,
    )
