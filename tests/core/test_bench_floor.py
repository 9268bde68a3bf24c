"""The load benchmark's floor page (/banc/plancher/) exists only when PARCOURS_BENCH_FLOOR=1 in demo mode."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_bench_floor_is_not_served_by_default(personas):
    client = Client()
    client.force_login(personas.worker.user)
    assert client.get("/banc/plancher/").status_code == 404
