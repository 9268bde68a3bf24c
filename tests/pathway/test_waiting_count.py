"""A session page's badge counts every request waiting to be scheduled, read with the first twenty in one
query (a window count, decision 0063), with none, one, twenty, twenty-one or more waiting, and with « Voir
toutes ». (From the review of the change.)"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from parcours.core import clock
from parcours.pathway import transitions as t
from parcours.pathway.models import PathwayRequest

from ..conftest import complete_content, request_in_state

pytestmark = pytest.mark.django_db


def _submit(personas, n, person=None):
    for i in range(n):
        with clock.travel_to(dt.date(2026, 1, 1) + dt.timedelta(days=i)):
            person = personas.person(first_name="Prénom", last_name=f"Attente-{i:02d}")
            req = t.open_request(person, "entry", personas.worker, complete_content(clock.today()))
            t.validate_request(req, personas.head)
            t.submit_request(req, personas.worker)


@pytest.mark.parametrize("n", [0, 1, 20, 21, 25])
def test_the_waiting_count_is_every_waiting_request(client, personas, n):
    with clock.travel_to(dt.date(2026, 2, 1)):
        session = t.create_session(personas.secretariat, dt.date(2026, 3, 20))
    _submit(personas, n)
    request_in_state(personas, "draft")  # the secretariat never sees drafts
    with clock.travel_to(dt.date(2026, 3, 10)):
        client.force_login(personas.secretariat.user)
        url = reverse("pathway:session", args=[session.pk])
        for params in ({}, {"attente": "toutes"}):
            page = client.get(url, params).content.decode()
            badge = re.search(r'id="attente">[^<]*<span[^>]*>(\d+)</span>', page)
            assert int(badge.group(1)) == n, params
            visible = PathwayRequest.objects.visible_to(personas.secretariat)
            assert visible.filter(status="submitted").count() == n
            shown = len(re.findall(r'form="schedule" name="request_id"', page))
            assert shown == (n if params else min(n, 20))
            assert (f"sur {n} affichées" in page) == (not params and n > 20)
