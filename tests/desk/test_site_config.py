"""django-dsfr's SITE_CONFIG is read through a cache (desk/site_config.py): same value as dsfr's own context
processor, no query on the following pages, and a saved or deleted configuration shows at once."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from dsfr.context_processors import site_config as dsfr_site_config
from dsfr.models import DsfrConfig

from parcours.desk.site_config import site_config

pytestmark = pytest.mark.django_db


def both(request):
    return site_config(request)["SITE_CONFIG"], dsfr_site_config(request)["SITE_CONFIG"]


def test_the_cached_configuration_is_dsfr_s_and_read_once():
    request = RequestFactory().get("/")
    with translation.override("fr"):
        assert both(request) == (None, None)
        with CaptureQueriesContext(connection) as queries:
            assert site_config(request) == {"SITE_CONFIG": None}
        assert len(queries) == 0


def test_a_saved_or_deleted_configuration_shows_at_once():
    request = RequestFactory().get("/")
    with translation.override("fr"):
        site_config(request)
        config = DsfrConfig.objects.create(language="fr", site_title="Parcours fictif")
        ours, theirs = both(request)
        assert ours == theirs == config
        config.site_title = "Parcours renommé"
        config.save()
        assert site_config(request)["SITE_CONFIG"].site_title == "Parcours renommé"
        config.delete()
        assert both(request) == (None, None)
