import datetime as dt

import pytest

from parcours.core import clock
from parcours.directory import services as directory

D = dt.date


@pytest.fixture
def agencies(personas):
    """Eight temp agencies of the Gard's directory (the seed's job-dating)."""
    with clock.travel_to(D(2026, 1, 5)):
        return [
            directory.create_entry(
                personas.worker, kind="temp_agency", name=f"Intérim Démo-{n}", town="Nîmes"
            )
            for n in ("Nord", "Sud", "Est", "Ouest", "Centre", "Gare", "Port", "Plaine")
        ]
