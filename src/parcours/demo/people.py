"""The person's file in the demo: spelling variants to search for, twins that trigger the duplicate warning,
safe-contact rules, confidential shelters, residence, health cover, children, resources and consents.

`prepare` draws the situation of every (not yet saved) person; `create_people` then opens each file with
`people.services.create_person` on the day of her first contact, with her consent to the processing of her
data, and adds her other names with `add_other_name`; `add_sharing_consents` records and withdraws the
consents to share with partners (`record_consent`, `withdraw_consent`), each on its own day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from parcours.core import clock
from parcours.pathway.rules import PathwayStatus
from parcours.people import services
from parcours.people.models import (
    Consent,
    ConsentPurpose,
    FrenchLevel,
    Gender,
    HealthCover,
    OtherName,
    Person,
    ResidenceStatus,
    SharingScope,
)

from .common import CITIES, EU_OTHER, D, at, between, fold, landline, mobile, moment, street_address

if TYPE_CHECKING:
    from .generator import Generator

RS, HC = ResidenceStatus, HealthCover


# --- Names that other spellings must find ------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    first_name: str
    last_name: str
    nationality: str
    languages: str
    other_names: tuple[str, ...] = ()
    usage_name: str = ""


# Invented names, written in several ways as they are on passports, receipts and in the person's mouth.
VARIANTS = (
    Variant("Chiamazé", "Démo-Okéluwa", "NG", "anglais, igbo", ("Chiamzé", "Démo-Okeluwah")),
    Variant("Xiaoruo", "Démo-Linwé", "CN", "mandarin", ("Xiao Ruo",)),
    # No other name: "Stelaria" differs only by its accent, which the search ignores (and add_other_name
    # refuses as a duplicate).
    Variant("Ștelaria", "Démo-Vasilé", "RO", "roumain"),
    Variant("Ecatelina", "Démo-Morozé", "BG", "bulgare", ("Ekatelina",)),
    Variant("Lunéssa", "Démo-Kabéri", "FR", "français", usage_name="Démo-Marivel"),
)
# Twin sisters: the same birth date and close names, so that opening a file for either shows the duplicate
# warning (README, « Visite guidée »).
TWINS = (("Okarina", "Démo-Bamélé"), ("Okarine", "Démo-Bamélé"))
TWINS_BORN = dt.date(1999, 6, 11)


def reserved_names() -> set[str]:
    """Names written here: the generator draws no invented name equal to them."""
    return {fold(f"{v.first_name} {v.last_name}") for v in VARIANTS} | {fold(f"{f} {n}") for f, n in TWINS}


# --- Contact, housing -----------------------------------------------------------------------------------
SAFE_TIMES = ("En semaine entre 10 h et 12 h", "Le mardi et le jeudi après 14 h", "Le matin avant 9 h",
              "En semaine entre 13 h et 15 h")  # fmt: skip
NEVER_CALL = (
    "Ne jamais appeler : le téléphone est contrôlé. Passer un message par l'accueil de jour.",
    "Ne pas appeler : elle rappelle elle-même depuis le téléphone de l'association.",
)
NO_WRITTEN = (
    "Aucun SMS ni message écrit : le téléphone est partagé.",
    "Pas de courrier à l'adresse d'hébergement ; aucun message sur les messageries.",
)
BOTH = "Contact uniquement en face à face, lors des permanences du mardi et du jeudi."
VOICEMAIL = "Ne pas laisser de message vocal."
NO_PHONE = "Pas de téléphone : passe à l'accueil de jour le mardi matin."
SHELTERS = ("CHRS Les Tilleuls (fictif)", "Résidence sociale Le Phare (fictive)",
            "Hôtel social du Centre (fictif)", "Hébergement d'urgence (115)")  # fmt: skip
CONFIDENTIAL_SHELTERS = ("Appartement de mise à l'abri (fictif)", "Lieu d'accueil sécurisé (fictif)",
                         "Maison-relais Les Arbousiers (fictive)")  # fmt: skip
CONFIDENTIAL_NOTE = (
    "Adresse confidentielle : ne jamais la communiquer ; rendez-vous dans les locaux de l'association."
)
SECOND_NATIONALITY = {"BR": "PT", "CO": "ES", "RO": "MD", "FR": "MA", "NG": "GH"}
CHILDREN = ((0, 68), (1, 16), (2, 9), (3, 4), (4, 3))
CONFIDENTIAL_COUNT = {"horizon": 4, "boussole": 3, "passerelle": 2}

# --- Sharing consents -------------------------------------------------------------------------------------
PARTNER_SCOPES = {
    "france_travail": (SharingScope.IDENTITY_CONTACT, SharingScope.EMPLOYMENT),
    "siao": (SharingScope.IDENTITY_CONTACT, SharingScope.ADMINISTRATIVE),
    "cidff": (SharingScope.IDENTITY_CONTACT, SharingScope.ADMINISTRATIVE, SharingScope.APPOINTMENTS),
}
TYPED_PARTNERS = (
    ("PASS de l'hôpital (fictive)", "Coordonnées et couverture maladie"),
    ("Centre de santé sexuelle (fictif)", "Coordonnées et motif de l'orientation"),
    ("Accueil de jour Les Figuiers (fictif)", "Coordonnées sûres et situation d'hébergement"),
    ("Centre social — cours de FLE (fictif)", "Niveau de français et disponibilités"),
)
# The first people of the Gard association who consent show these cases, in this order.
GARD_CONSENT_CASES = ("active", "expired", "withdrawn", "active", "open", "expired", "withdrawn")


def weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def money(value: int | float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


# --- The situation of each file -------------------------------------------------------------------------
def prepare(g: Generator) -> None:
    """Identity overrides (variants, twins, Mayotte) and the situation of every person, before creation."""
    g.other_names: dict[int, tuple[str, ...]] = {}
    g.confirmed_distinct: set[int] = set()
    leftovers = list(g.pool[("horizon", "30")])  # Gard people without a pathway, in drawing order
    special = leftovers[: len(VARIANTS) + len(TWINS) + 1]
    for person, variant in zip(special, VARIANTS, strict=False):
        _apply_variant(g, person, variant)
    twin_a, twin_b = special[len(VARIANTS)], special[len(VARIANTS) + 1]
    for person, (first, last) in ((twin_a, TWINS[0]), (twin_b, TWINS[1])):
        person.first_name, person.last_name, person.alias = first, last, ""
        person.birth_date, person.nationality, person.gender = TWINS_BORN, "NG", Gender.WOMAN
        person.languages = "anglais, edo"
    g.opened_on[id(twin_b)] = g.opened_on[id(twin_a)]  # the sisters came together
    # The worker checked that the second file is another person (whichever is opened second).
    g.confirmed_distinct.update({id(twin_a), id(twin_b)})
    g.cases = {"twin_a": twin_a, "twin_b": twin_b, "variant": special[0], "usage_name": special[4]}
    for person in g.people:
        situation(g, person)
    large = special[len(VARIANTS) + 2]
    large.dependent_children = 4
    g.cases["four_children"] = large
    mayotte = next(p for p in g.people if g.association_of[id(p)] == "ocean")
    _mayotte(g, mayotte)
    _confidential(g)


def _apply_variant(g: Generator, person: Person, v: Variant) -> None:
    person.first_name, person.last_name, person.alias = v.first_name, v.last_name, ""
    person.nationality, person.languages, person.usage_name = v.nationality, v.languages, v.usage_name
    person.gender = Gender.WOMAN
    g.other_names[id(person)] = v.other_names


def _mayotte(g: Generator, person: Person) -> None:
    """The person followed in Mayotte: four children, so that the rights page shows the Mayotte scale."""
    T = g.today
    person.nationality, person.birth_country, person.gender = "FR", "YT", Gender.WOMAN
    person.languages, person.french_level = "shimaoré, français", FrenchLevel.B1
    person.residence_status, person.residence_permit_expiry = RS.FRENCH, None
    person.health_cover, person.health_cover_expiry = HC.CSS, T + D(days=150)
    person.dependent_children, person.monthly_resources = 4, money(310)
    person.receives_rsa = person.receives_ada = False
    person.shelter_name, person.address = "", street_address(g.rng, "976")
    g.cases["mayotte"] = person


def stage(g: Generator, person: Person) -> str:
    """Where the person stands: "active" (authorised period now), "after" (authorised once, now over),
    "preparing" (a request, no period yet) or "none" (followed without a pathway)."""
    story = g.story_of.get(id(person))
    if story is None:
        return "none"
    if story.expect[0] == PathwayStatus.ACTIVE:
        return "active"
    return "after" if story.authorised else "preparing"


def situation(g: Generator, person: Person) -> None:
    rng = g.rng
    code = person.nationality.code
    where = stage(g, person)
    person.birth_country = code
    if code in SECOND_NATIONALITY and rng.random() < 0.08:
        person.other_nationalities = [SECOND_NATIONALITY[code]]
    if code == "FR":
        person.french_level = FrenchLevel.NATIVE
    elif "français" in person.languages:
        person.french_level = weighted(rng, ((FrenchLevel.A2, 4), (FrenchLevel.B1, 3), (FrenchLevel.B2, 1)))
    else:
        person.french_level = weighted(
            rng, ((FrenchLevel.NONE, 4), (FrenchLevel.A1, 4), (FrenchLevel.UNKNOWN, 1))
        )
    person.dependent_children = weighted(rng, CHILDREN)
    _contact(g, person)
    _housing(g, person)
    _residence(g, person, code, where)
    _health(g, person)
    _resources(g, person, code, where)


def _contact(g: Generator, person: Person) -> None:
    rng = g.rng
    if rng.random() < 0.07:
        person.contact_notes = NO_PHONE
        return
    person.phone = mobile(rng)
    r = rng.random()
    if r < 0.15:
        person.safe_phone = landline(rng) if rng.random() < 0.5 else mobile(rng)
        person.safe_times = rng.choice(SAFE_TIMES)
    elif r < 0.25:
        person.never_call, person.contact_notes = True, rng.choice(NEVER_CALL)
    elif r < 0.35:
        person.no_written_messages, person.contact_notes = True, rng.choice(NO_WRITTEN)
    elif r < 0.40:
        person.never_call = person.no_written_messages = True
        person.contact_notes = BOTH
    elif r < 0.47:
        person.safe_times, person.contact_notes = rng.choice(SAFE_TIMES), VOICEMAIL


def _housing(g: Generator, person: Person) -> None:
    rng, dept = g.rng, person.departement_id
    r = rng.random()
    if r < 0.45:
        person.shelter_name = rng.choice(SHELTERS)
        person.address = street_address(rng, dept)
    elif r < 0.75:
        person.address = "Hébergée chez une compatriote\n" + street_address(rng, dept)
    elif r < 0.9:
        person.address = f"Domiciliation : CCAS fictif de {rng.choice(CITIES[dept])[1]}"
    # else: no stable address recorded


def _confidential(g: Generator) -> None:
    """A few people sheltered in a place whose address must never appear (lists, documents, appointments)."""
    rng = g.rng
    g.confidential: list[Person] = []
    for association, count in CONFIDENTIAL_COUNT.items():
        candidates = [
            p for p in g.people if g.association_of[id(p)] == association and p not in g.cases.values()
        ]
        for person in rng.sample(candidates, count):
            person.shelter_name = rng.choice(CONFIDENTIAL_SHELTERS)
            person.address = street_address(rng, person.departement_id)
            person.address_confidential = True
            person.contact_notes = "\n".join(n for n in (person.contact_notes, CONFIDENTIAL_NOTE) if n)
            g.confidential.append(person)


def _residence(g: Generator, person: Person, code: str, where: str) -> None:
    rng, T = g.rng, g.today
    if code == "FR":
        status, expiry = RS.FRENCH, None
    elif code in EU_OTHER:
        status, expiry = RS.EU, None
    elif where == "active":  # the pathway brings an APS (CESEDA L425-4)
        status, expiry = RS.APS, T + D(days=rng.randint(70, 330))
    else:
        choices = {
            "after": ((RS.PERMIT, 50), (RS.APS, 30), (RS.RECEIPT_RENEWAL, 20)),
            "preparing": ((RS.NONE, 45), (RS.ASYLUM_SEEKER, 35), (RS.RECEIPT, 20)),
            "none": ((RS.NONE, 35), (RS.ASYLUM_SEEKER, 30), (RS.RECEIPT, 10), (RS.PERMIT, 20), (RS.APS, 5)),
        }[where]
        status = weighted(rng, choices)
        expiry = {
            RS.NONE: None,
            RS.ASYLUM_SEEKER: T + D(days=rng.randint(-40, 200)),  # some expired, some soon
            RS.RECEIPT: T + D(days=rng.randint(-10, 120)),
            RS.RECEIPT_RENEWAL: T + D(days=rng.randint(-10, 120)),
            RS.PERMIT: T + D(days=rng.randint(30, 1400)),
            RS.APS: T + D(days=rng.randint(-300, -20) if where == "after" else rng.randint(-60, 200)),
        }[status]
    person.residence_status, person.residence_permit_expiry = status, expiry


def _health(g: Generator, person: Person) -> None:
    rng, T = g.rng, g.today
    status = person.residence_status
    if status == RS.NONE:
        cover = weighted(rng, ((HC.AME, 70), (HC.NONE, 30)))
    elif status == RS.ASYLUM_SEEKER:
        cover = weighted(rng, ((HC.PUMA, 60), (HC.CSS, 40)))
    else:
        cover = weighted(rng, ((HC.PUMA, 45), (HC.CSS, 45), (HC.NONE, 10)))
    person.health_cover = cover
    # CSS and AME are granted for a year: some ended already and wait for their renewal.
    person.health_cover_expiry = T + D(days=rng.randint(-90, 330)) if cover in (HC.CSS, HC.AME) else None


def _resources(g: Generator, person: Person, code: str, where: str) -> None:
    rng = g.rng
    person.receives_rsa = person.receives_ada = False
    if person.residence_status == RS.ASYLUM_SEEKER:
        person.receives_ada = rng.random() < 0.7
        person.monthly_resources = money(426) if person.receives_ada else money(0)
        return
    can_rsa = code == "FR" or code in EU_OTHER or person.residence_status == RS.PERMIT
    weights = {
        "active": (("below", 75), ("above", 15), ("rsa", 10)),
        "after": (("below", 40), ("above", 35), ("unknown", 15), ("rsa", 10)),
    }.get(where, (("below", 45), ("unknown", 25), ("above", 20), ("rsa", 10)))
    kind = weighted(rng, weights)
    if kind == "rsa" and not can_rsa:
        kind = "below"
    if kind == "below":
        person.monthly_resources = money(rng.randrange(0, 530, 10))
    elif kind == "above":
        person.monthly_resources = money(rng.randrange(760, 1400, 10))  # a part-time job, a training wage
    elif kind == "rsa":
        person.receives_rsa, person.monthly_resources = True, money(650)
    else:
        person.monthly_resources = None


# --- Creation through the service -----------------------------------------------------------------------
def create_people(g: Generator) -> None:
    """Open every file on the day of the first contact, in date order, with the processing consent."""
    order = sorted(range(len(g.people)), key=lambda i: (g.opened_on[id(g.people[i])], i))
    minute: Counter = Counter()
    for i in order:
        person = g.people[i]
        day = g.opened_on[id(person)]
        when = at(day, 11) + D(minutes=7 * minute[day])
        minute[day] += 1
        by = g.member(person.referent_id)
        with clock.travel_to(when):
            person.created_at = when
            _create(g, person, by, day)
            for name in g.other_names.get(id(person), ()):
                services.add_other_name(person, by, name)


def _create(g: Generator, person: Person, by, day: dt.date) -> None:
    distinct = id(person) in g.confirmed_distinct
    for _attempt in range(10):
        try:
            services.create_person(by, person, distinct_confirmed=distinct, processing_consent_on=day)
            return
        except services.PossibleDuplicate:
            # Two invented people happen to share a birth date and a close name: draw another birth date.
            person.birth_date -= D(days=g.rng.randint(20, 300))
    raise RuntimeError("Démo : doublons possibles à répétition.")


# --- Sharing consents -----------------------------------------------------------------------------------
def add_sharing_consents(g: Generator) -> None:
    """About a third of the people consent to share with one or two partners; some consents expired since,
    some were withdrawn."""
    rng, T = g.rng, g.today
    partners = {key: g.orgs[key] for key in PARTNER_SCOPES}
    g.sharing: list[Consent] = []
    gard_cases = list(GARD_CONSENT_CASES)
    for person in g.people:
        association = g.association_of[id(person)]
        forced = (
            association == "horizon"
            and gard_cases
            and person.referent_id == g.members["travailleuse"].user_id
        )
        if not forced and rng.random() > 0.33:
            continue
        by = g.member(person.referent_id)
        opened = g.opened_on[id(person)]
        for n in range(1 if rng.random() < 0.7 else 2):
            case = gard_cases.pop(0) if forced and n == 0 and gard_cases else _consent_case(rng)
            if case == "expired" and opened > T - D(days=200):
                case = "active"
            if rng.random() < 0.7:
                key = weighted(rng, (("france_travail", 40), ("siao", 35), ("cidff", 25)))
                target = {"partner": partners[key], "scopes": PARTNER_SCOPES[key]}
            else:
                name, scope = rng.choice(TYPED_PARTNERS)
                target = {"partner_name": name, "scope": scope}
            consent = _consent(g, person, by, opened, case, target)
            if consent is not None:
                g.sharing.append(consent)


def _consent_case(rng) -> str:
    return weighted(rng, (("active", 55), ("open", 20), ("expired", 13), ("withdrawn", 12)))


def _consent(g: Generator, person: Person, by, opened: dt.date, case: str, target: dict) -> Consent | None:
    rng, T = g.rng, g.today
    if case == "expired":
        given = between(rng, opened, T - D(days=200))
        expires = given + D(days=183)
    else:
        given = between(rng, max(opened, T - D(days=300)), T - D(days=3))
        expires = None if case == "open" else given + D(days=365)
    with clock.travel_to(moment(g, given, 15)):
        consent = services.record_consent(person, by, purpose=ConsentPurpose.SHARING, given_on=given,
                                          expires_on=expires, **target)  # fmt: skip
    if case == "withdrawn":
        last = min(expires or T, T)
        if given + D(days=10) > last:
            return consent
        withdrawn = between(rng, given + D(days=10), last)
        with clock.travel_to(moment(g, withdrawn, 16)):
            services.withdraw_consent(consent, by, withdrawn)
    return consent


# --- Counts -----------------------------------------------------------------------------------------------
def summary(today: dt.date) -> dict:
    consents = list(Consent.objects.all())
    people = list(Person.objects.all())
    return {
        "other_names": OtherName.objects.count(),
        "consents_processing": sum(c.purpose == ConsentPurpose.PROCESSING for c in consents),
        "consents_sharing": dict(
            Counter(str(c.status(today)) for c in consents if c.purpose == ConsentPurpose.SHARING)
        ),
        "consents_with_partner_of_parcours": sum(bool(c.partner_id) for c in consents),
        "confidential_addresses": sum(p.address_confidential for p in people),
        "contact_restricted": sum(p.contact_restricted for p in people),
        "people_by_departement": dict(Counter(p.departement_id for p in people)),
    }
