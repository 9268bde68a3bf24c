"""Finding a person again by any of her names, however it was spelled."""

import datetime as dt
import hashlib
import hmac

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from parcours.core import clock, crypto
from parcours.people.models import OtherName, Person
from parcours.people.search import (
    matches,
    name_keys,
    normalise,
    possible_duplicates,
    rank,
    search_ids,
    within_distance,
)

from ..factories import PersonFactory


def osa_distance(a: str, b: str) -> int:
    """Reference Damerau-Levenshtein distance (optimal string alignment), the whole table."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


@given(st.text("abcd", max_size=9), st.text("abcd", max_size=9), st.integers(0, 3))
def test_banded_distance_agrees_with_the_full_table(a, b, limit):
    assert within_distance(a, b, limit) == (osa_distance(a, b) <= limit)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Ștefania-Ioana", "stefania ioana"),
        ("ŞTEFĂNESCU", "stefanescu"),
        ("N'Diaye", "n diaye"),
        ("Łucja Øster", "lucja oster"),
        ("  Chiamaka   ", "chiamaka"),
    ],
)
def test_names_are_compared_without_accents_case_or_punctuation(raw, clean):
    assert normalise(raw) == clean


def names(*values):
    return name_keys(values)


@pytest.mark.parametrize(
    ("typed", "recorded"),
    [
        ("Chiamka", "Chiamaka"),  # a letter missing
        ("Chiamaka", "Chiamka"),
        ("Xiao Ling", "Xiaoling"),  # written in one word or two
        ("Xiaoling", "Xiao Ling"),
        ("Stefania", "Ștefania"),  # the comma below of Romanian
        ("Oluwasegun", "Oluwaseun"),  # a letter added
        ("Oluwaseun", "Oluwasegun"),
        ("oluw", "Oluwaseun"),  # the start of a name, while typing
        ("Blessnig", "Blessing"),  # two letters swapped
        ("Adebayo Oluwaseun", "Oluwaseun Adebayo"),  # order of the names
        ("ndiaye", "N'Diaye"),
        ("Ekaterina Prutianu", "Ecaterina Prutyanu"),  # two tokens, one typo each
        ("Xiao Lign", "Xiaoling"),  # joined, one typo
    ],
)
def test_spelling_variants_are_found(typed, recorded):
    assert rank(typed, [(1, [recorded])]) == [1]


@pytest.mark.parametrize(
    ("typed", "recorded"),
    [
        ("Chiamaka", "Chidinma"),
        ("Blessing", "Grace"),
        ("Oluwaseun", "Olumide"),
        ("Xiaoling", "Meiling"),
        ("Ana", "Ada"),  # short names must be typed exactly
        ("Li", "Lu"),
        ("Mei", "Wei"),
        ("Ioana Popescu", "Ioana Ionescu"),  # one of the two names is clearly different
    ],
)
def test_clearly_different_names_are_not_found(typed, recorded):
    assert rank(typed, [(1, [recorded])]) == []


def test_exact_and_prefix_matches_come_before_typo_matches():
    candidates = [(1, ["Chiamka Fictive"]), (2, ["Chiamaka Fictive"]), (3, ["Grace Fictive"])]
    assert rank("Chiamaka", candidates) == [2, 1]


def test_three_letter_names_tolerate_no_typo_but_two_longer_ones_do():
    assert rank("Amy", [(1, ["Ami"])]) == []
    assert rank("Amina", [(1, ["Amena"])]) == [1]
    assert rank("Funmilayo", [(1, ["Fumilaoy"])]) == [1]  # 9 letters, a deletion and a transposition


pytestmark = pytest.mark.django_db


def test_search_finds_every_kind_of_name(personas):
    person = personas.person(first_name="Chiamaka", last_name="Fictive", usage_name="Nwosu-Fictive",
                             alias="Mama Chi")  # fmt: skip
    OtherName.objects.create(person=person, name="Tchiamaka Fictif")
    visible = Person.objects.visible_to(personas.worker)
    for typed in ("chiamaka", "FICTIVE", "nwosu", "mama chi", "tchiamaka", "Tchiamak"):
        assert search_ids(visible, typed) == [person.pk], typed


def test_search_only_looks_into_the_visible_caseload(personas):
    PersonFactory(association=personas.other_association, first_name="Oluwaseun", last_name="Ailleurs")
    assert search_ids(Person.objects.visible_to(personas.worker), "Oluwaseun") == []


def test_search_costs_four_queries_then_two_whatever_the_caseload(personas):
    """Two aggregates (the fingerprint of the held name keys), then the names and the other names when they
    changed since the last search: only the two aggregates when they did not."""
    wanted = None
    for n in range(30):
        person = personas.person(first_name=f"Prenom{n}", last_name="Fictive")
        OtherName.objects.create(person=person, name=f"Autre{n}")
        wanted = wanted or (person if n == 12 else None)
    for expected_queries in (4, 2):
        with CaptureQueriesContext(connection) as queries:
            found = search_ids(Person.objects.visible_to(personas.worker), "autre12")
        assert found[0] == wanted.pk  # the exact match first, then "Autre1", "Autre13"… one typo away
        assert len(queries) == expected_queries


def test_matches_reads_prefetched_other_names(personas):
    person = personas.person(first_name="Ioana", last_name="Fictiva")
    OtherName.objects.create(person=person, name="Yoana")
    person = Person.objects.prefetch_related("other_names").get(pk=person.pk)
    with CaptureQueriesContext(connection) as queries:
        assert matches(person, "yoana")
        assert not matches(person, "maria")
    assert len(queries) == 0


def test_possible_duplicates_need_the_same_birth_date_and_a_similar_name(personas):
    born = dt.date(1996, 3, 4)
    same = personas.person(first_name="Xiaoling", last_name="Wang", birth_date=born)
    personas.person(first_name="Xiaoling", last_name="Wang", birth_date=dt.date(1996, 3, 5))
    personas.person(first_name="Grace", last_name="Wang", birth_date=born)
    visible = Person.objects.visible_to(personas.worker)
    assert possible_duplicates(visible, "Xiao Ling", "Wang", born) == [same]
    assert possible_duplicates(visible, "Wang", "Xiaolin", born) == [same]  # swapped, one typo
    assert possible_duplicates(visible, "Xiaoling", "Zhang", born) == []
    assert possible_duplicates(visible, "Xiaoling", "Wang", None) == []
    assert possible_duplicates(visible, "Xiao", "Wang", born) == []  # no prefix matching here


def test_the_duplicate_check_reads_only_the_people_born_that_day(personas):
    """Issue 15: the people born on other days are not read (nor decrypted); the stored index is the keyed
    hash of the birth date, recomputed here from the key."""
    born = dt.date(1991, 7, 14)
    same = personas.person(first_name="Amina", last_name="Diallo", birth_date=born)
    for n in range(40):
        personas.person(
            first_name="Amina", last_name="Diallo", birth_date=dt.date(1960, 1, 1) + dt.timedelta(n)
        )
    expected = hmac.new(crypto.blind_index_key(), b"birth\x1f1991-07-14", hashlib.sha256).digest()
    bits = settings.PARCOURS_BLIND_INDEX_BITS if hasattr(settings, "PARCOURS_BLIND_INDEX_BITS") else 16
    value = int.from_bytes(expected, "big") >> (256 - bits)
    stored = Person.objects.filter(pk=same.pk).values_list("birth_index", flat=True).get()
    assert stored == f"{value:0{(bits + 3) // 4}x}"
    visible = Person.objects.visible_to(personas.worker)
    with CaptureQueriesContext(connection) as queries:
        assert possible_duplicates(visible, "Amina", "Diallo", born) == [same]
    people_query = next(q["sql"] for q in queries if 'FROM "people_person"' in q["sql"])
    assert '"people_person"."birth_index" =' in people_query


def test_a_corrected_birth_date_is_found_by_the_duplicate_check(personas):
    person = personas.person(first_name="Joy", last_name="Okafor", birth_date=dt.date(1990, 1, 1))
    person.birth_date = dt.date(1993, 9, 30)
    person.save(update_fields=["birth_date"])
    visible = Person.objects.visible_to(personas.worker)
    assert possible_duplicates(visible, "Joy", "Okafor", dt.date(1993, 9, 30)) == [person]
    assert possible_duplicates(visible, "Joy", "Okafor", dt.date(1990, 1, 1)) == []


# --- The caseload page ---------------------------------------------------------------------------------
def login(client, membership):
    client.force_login(membership.user)
    return client


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(dt.date(2026, 3, 10)):
        yield


def test_worker_finds_a_person_with_a_misspelled_name(client, personas):
    personas.person(first_name="Oluwaseun", last_name="Fictive")
    personas.person(first_name="Grace", last_name="Autre")
    response = login(client, personas.worker).get(reverse("people:caseload"), {"q": "Oluwasegun"})
    page = response.content.decode()
    assert "Oluwaseun" in page
    assert "Grace" not in page
    assert "1 personne" in page


def test_caseload_finds_a_person_by_an_other_name_and_lists_exact_matches_first(client, personas):
    person = personas.person(first_name="Ștefania", last_name="Fictiva")
    OtherName.objects.create(person=person, name="Stefaniya Fiktiva")
    personas.person(first_name="Stefanie", last_name="Zeta")
    page = login(client, personas.worker).get(reverse("people:caseload"), {"q": "Stefaniya"}).content.decode()
    assert page.index("Ștefania") < page.index("Stefanie")


def test_caseload_search_combines_with_the_status_filter(client, personas):
    personas.person(first_name="Chiamaka", last_name="Fictive")
    page = (
        login(client, personas.worker)
        .get(reverse("people:caseload"), {"q": "Chiamka", "statut": "active"})
        .content.decode()
    )
    assert "Aucune personne ne correspond." in page


# --- Issue 8, point 8: a reference finds its person ------------------------------------------------------
def test_caseload_search_finds_a_person_and_a_pathway_by_reference(client, personas):
    """Before: « P-000098 » and « PSP-30-00022 » were searched as names and found nobody. The references
    are written here from the pks (the oracle), not read from the code that formats them."""
    from parcours.pathway import transitions as t

    from ..conftest import complete_content

    wanted = personas.person(first_name="Aminata", last_name="Cherchee")
    other = personas.person(first_name="Blessing", last_name="Autre")
    with clock.travel_to(dt.date(2026, 3, 1)):
        req = t.open_request(
            wanted, "entry", personas.worker, complete_content(signed_on=dt.date(2026, 3, 1))
        )
    pathway = req.pathway
    login(client, personas.worker)
    url = reverse("people:caseload")
    person_refs = [f"P-{wanted.pk:06d}", f"p-{wanted.pk:06d}", f" P {wanted.pk} ", f"p{wanted.pk:06d}"]
    pathway_refs = [f"PSP-{pathway.departement_id}-{pathway.pk:05d}",
                    f"psp {pathway.departement_id.lower()} {pathway.pk}"]  # fmt: skip
    for query in person_refs + pathway_refs:
        page = client.get(url, {"q": query}).content.decode()
        assert "CHERCHEE" in page.upper(), query
        assert "BLESSING" not in page.upper(), query
    # exact: another number finds nobody, and a reference of a pathway of another département neither
    page = client.get(url, {"q": f"P-{other.pk + 1000:06d}"}).content.decode().upper()
    assert "CHERCHEE" not in page and "BLESSING" not in page
    page = client.get(url, {"q": f"PSP-99-{pathway.pk:05d}"}).content.decode().upper()
    assert "CHERCHEE" not in page


def test_a_reference_never_reaches_outside_the_visible_caseload(personas):
    outsider = PersonFactory(association=personas.other_association, first_name="Hors", last_name="Champ")
    assert search_ids(Person.objects.visible_to(personas.worker), f"P-{outsider.pk:06d}") == []


def test_a_caller_who_may_see_nobody_finds_nobody(personas):
    personas.person(first_name="Anne", last_name="Fictive")
    assert search_ids(Person.objects.none(), "anne") == []
