"""What the parts of the demo generator share: nationality groups, the Paris clock helpers, fictional phone
numbers and the few places they all name. No database access here."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

from parcours.core import clock

D = dt.timedelta

NON_EU = frozenset({"NG", "CN", "BR", "CO"})
EU_OTHER = frozenset({"RO", "BG"})

# ARCEP reserves these blocks for fiction (films, books, demos): no subscriber can ever hold them.
MOBILE_FICTION = "06 39 98"
LANDLINE_FICTION = "04 65 71"  # the south-east block: the Gard and the Bouches-du-Rhône both dial 04

# Where an association receives people: never the place where someone is sheltered.
NEUTRAL_PLACES = {
    "horizon": "Locaux de l'association Horizon Fictif, Nîmes",
    "boussole": "Locaux du Collectif Boussole Imaginaire, Marseille",
    "passerelle": "Permanence du Réseau Passerelle Démo",
    "ocean": "Locaux de l'Association Océan Fictif, Mamoudzou",
}
CITIES = {
    "30": (("30000", "Nîmes"), ("30900", "Nîmes"), ("30100", "Alès"), ("30300", "Beaucaire")),
    "13": (("13001", "Marseille"), ("13003", "Marseille"), ("13015", "Marseille"),
           ("13100", "Aix-en-Provence"), ("13200", "Arles")),
    "976": (("97600", "Mamoudzou"),),
}  # fmt: skip
STREETS = ("rue de l'Exemple", "rue des Essais", "avenue de la Démonstration", "impasse Fictive",
           "chemin du Prototype", "place de l'Échantillon", "allée des Maquettes",
           "boulevard Imaginaire")  # fmt: skip


def fold(text: str) -> str:
    """Lower-case, without accents: how names are compared (and searched)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if unicodedata.category(c) != "Mn")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A time of day in Paris, for `clock.travel_to` and appointments."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.PARIS)


def moment(g, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """When something was done on `day`: that time, but never after the moment the demo is generated."""
    return min(at(day, hour, minute), g.now)


def between(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
    """A day from `low` to `high` included (`low` when the range is empty)."""
    return low + D(days=rng.randint(0, max((high - low).days, 0)))


def mobile(rng: random.Random) -> str:
    return f"{MOBILE_FICTION} {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


def landline(rng: random.Random) -> str:
    return f"{LANDLINE_FICTION} {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


def street_address(rng: random.Random, dept: str) -> str:
    postcode, city = rng.choice(CITIES[dept])
    return f"{rng.randint(1, 60)} {rng.choice(STREETS)}\n{postcode} {city}"
