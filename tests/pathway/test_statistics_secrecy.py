"""Statistical secrecy across levels and roles (issue 7, findings 6 and 9).

Oracle: an independent attacker. It takes every number every role can read (each département row, each
reader's total), adds what one insider already knows without the statistics page (a département's
secretariat and préfecture: every count of their département; an association: its own count in each
département), and solves the linear system exactly (fractions). No count from 1 to 10 that the insider does
not already know may come out: not a hidden département, not one association's count, not "the others" of a
département.

Before the change each role's table was suppressed on its own: the national table hid Gard (12) and
Bouches-du-Rhône (10) but published the total 22, and the Gard secretariat's own table published Gard = 12,
so 22 − 12 = 10 was revealed: test_the_22_12_10_case_through_every_readers_page failed on the old code
(`{'Gard (30)': '12'} != {'Gard (30)': 'secret'}`), and
test_the_attacker_finds_the_22_12_10_leak_of_the_old_tables
shows the attacker finds that leak in the old tables.
"""

import datetime as dt
import re
from fractions import Fraction

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.core import clock
from parcours.pathway import rules
from parcours.pathway.models import Pathway, PathwayRequest, Period
from parcours.pathway.statistics import national_table, table_for

from ..factories import OrganisationFactory, PersonFactory, commission, departement

LIMIT = 10
TODAY = dt.date(2026, 3, 10)


# --- The attacker ------------------------------------------------------------------------------------
def _reduce(rows, vector):
    """`vector` minus its projection on the span of `rows` (rows in echelon form: (pivot, row))."""
    v = list(vector)
    for pivot, row in rows:
        if v[pivot]:
            f = v[pivot] / row[pivot]
            v = [a - f * b for a, b in zip(v, row, strict=True)]
    return v


def _echelon(vectors):
    rows = []
    for vec in vectors:
        v = _reduce(rows, [Fraction(x) for x in vec])
        pivot = next((i for i, x in enumerate(v) if x), None)
        if pivot is not None:
            rows.append((pivot, v))
    return rows


def determined(echelon, target) -> bool:
    """Whether the linear functional `target` is fixed by the published functionals (in echelon form)."""
    return not any(_reduce(echelon, [Fraction(x) for x in target]))


def disclosures(counts, published, insiders):
    """Every (insider, what, value) with value from 1 to LIMIT that the insider can compute from the published
    numbers and her own knowledge, and did not know already.

    counts: (dep, assoc) → n. published: list of (set of départements summed, value). insiders: name →
    set of (dep, assoc) cells she knows."""
    cells = sorted(counts)

    def functional(members):
        return [1 if c in members else 0 for c in cells]

    public = [functional({c for c in cells if c[0] in deps}) for deps, _v in published]
    zeros = {c for c in cells if counts[c] == 0}  # worst case: the attacker knows which cells are empty
    found = []
    for name, known in insiders.items():
        known = known | zeros
        echelon = _echelon(public + [functional({c}) for c in known])
        # What she does not know yet: one association's count, or all the others of a département (for the
        # public and for an association: the département's count, or its count minus her own).
        targets = [(f"cell {c}", {c}) for c in cells if c not in known]
        for dep in sorted({d for d, _a in cells}):
            unknown = {c for c in cells if c[0] == dep} - known
            targets.append((f"département {dep} (what she does not know)", unknown))
        for what, members in targets:
            value = sum(counts[c] for c in members)
            if 0 < value <= LIMIT and determined(echelon, functional(members)):
                found.append((name, what, value))
    return found


def readers(counts):
    """Every reader of the statistics and the départements of the table she reads (None: all)."""
    deps = sorted({d for d, _a in counts})
    assocs = sorted({a for _d, a in counts})
    yield "national", None
    for d in deps:
        yield f"secretariat/préfecture {d}", [d]
    for a in assocs:
        yield f"head of service {a}", [d for (d, b), n in counts.items() if b == a and n > 0]


def insiders_of(counts):
    deps = sorted({d for d, _a in counts})
    assocs = sorted({a for _d, a in counts})
    known = {"public": set()}
    known |= {f"département {d}": {c for c in counts if c[0] == d} for d in deps}
    known |= {f"association {a}": {c for c in counts if c[1] == a} for a in assocs}
    return known


def check(counts):
    table = national_table(counts, LIMIT)
    published = []
    for name, deps in readers(counts):
        codes, total = table_for(table, deps)
        for d in codes:
            value = table.cells[d]
            # One national table: a reader never reads another value than the national one.
            assert value == (None if value is None else sum(n for (e, _a), n in counts.items() if e == d))
            if value is not None:
                assert not 0 < value <= LIMIT, (name, d, value)
                published.append(({d}, value))
        if total is not None:
            assert not 0 < total <= LIMIT, (name, total)
            published.append((set(codes), total))
    assert disclosures(counts, published, insiders_of(counts)) == []
    return table


# --- Literal cases -----------------------------------------------------------------------------------
def test_the_22_12_10_case_is_closed():
    counts = {("30", 1): 12, ("13", 2): 10}
    table = check(counts)
    assert table.cells == {"13": None, "30": None}
    assert table.total is None  # the Gard secretariat knows its 12: 22 would give the 10 away


def test_the_attacker_finds_the_22_12_10_leak_of_the_old_tables():
    """The checker is able to fail: the old readers' tables (national 22 with both hidden, Gard 12 for the
    Gard secretariat) reveal the 10."""
    counts = {("30", 1): 12, ("13", 2): 10}
    leaks = disclosures(counts, [({"30", "13"}, 22), ({"30"}, 12)], insiders_of(counts))
    assert ("public", "département 13 (what she does not know)", 10) in leaks


def test_a_large_table_stays_published():
    counts = {("30", 1): 40, ("13", 2): 35, ("75", 3): 50, ("75", 4): 30}
    table = check(counts)
    assert table.cells == {"13": 35, "30": 40, "75": 80} and table.total == 155


def test_one_small_departement_hides_two_more_or_the_total():
    counts = {("30", 1): 40, ("13", 2): 35, ("75", 3): 50, ("69", 4): 4}
    table = check(counts)
    assert table.cells["69"] is None
    assert table.total is None or sum(v is None for v in table.cells.values()) >= 3


def test_an_associations_share_that_leaves_few_to_the_others_is_hidden():
    counts = {("30", 1): 30, ("30", 2): 6, ("13", 3): 50, ("75", 4): 60}
    table = check(counts)
    assert table.cells["30"] is None  # association 1 would read the 6 of association 2


# --- Property: random tables, every reader, every insider ------------------------------------------
DEPS = ["13", "30", "34", "69", "75"]
cells = st.dictionaries(
    st.tuples(st.sampled_from(DEPS), st.integers(1, 4)),
    st.one_of(st.integers(0, 14), st.integers(0, 60)),
    min_size=1,
    max_size=12,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells)
def test_no_reader_or_pair_of_readers_can_recompute_a_small_count(counts):
    check(counts)


# --- Through the pages -------------------------------------------------------------------------------
def _active_pathways(association, code, n, user):
    """`n` pathways with an authorised period running today, written as rows (the oracle is the literal n)."""
    for _ in range(n):
        pathway = Pathway.objects.create(
            person=PersonFactory(association=association),
            association=association,
            departement=departement(code),
            status=rules.PathwayStatus.ACTIVE,
            rule_version="2016",
        )
        req = PathwayRequest.objects.create(
            pathway=pathway,
            kind="entry",
            status="authorised",
            commission=commission(code),
            created_by=user,
            submitted_on=dt.date(2026, 1, 5),
        )
        Period.objects.create(
            pathway=pathway,
            request=req,
            number=1,
            start=dt.date(2026, 2, 1),
            end=dt.date(2026, 7, 31),
            months=6,
        )


def _read(client, membership):
    """The statistics table as the reader sees it: {label: text}, and the total's text."""
    client.force_login(membership.user)
    with clock.travel_to(TODAY):
        page = client.get(reverse("pathway:statistics")).content.decode()
    rows = dict(re.findall(r"<tr><td>([^<]*)</td><td>(?:<abbr[^>]*>)?([^<]*)", page))
    total = re.search(r"Total</th><td>([^<]*)</td>", page).group(1)
    return rows, total


@pytest.mark.django_db
def test_the_22_12_10_case_through_every_readers_page(client, personas):
    other = OrganisationFactory(departement=departement("13"), name="Association fictive 13")
    _active_pathways(personas.association, "30", 12, personas.worker.user)
    _active_pathways(other, "13", 10, personas.worker.user)
    national, national_total = _read(client, personas.national)
    gard, _t = _read(client, personas.secretariat)
    gard_agent, _t = _read(client, personas.agent)
    head, head_total = _read(client, personas.head)
    bouches, _t = _read(client, personas.other_secretariat)
    assert national == {"Gard (30)": "secret", "Bouches-du-Rhône (13)": "secret"}
    assert gard == gard_agent == head == {"Gard (30)": "secret"}
    assert bouches == {"Bouches-du-Rhône (13)": "secret"}
    assert national_total == "secret" and head_total == "secret"
