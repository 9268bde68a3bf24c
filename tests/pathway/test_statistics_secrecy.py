"""Statistical secrecy across levels and roles (issue 7, findings 6 and 9).

The page these tests first read (`pathway:statistics`) was replaced by the statistics dashboard (issue 13,
docs/decisions/0048): the tests "through the pages" now read its table of people in a pathway, which
follows the same rule per département and association (parcours.statistics.secrecy).

Oracle: an independent attacker. It takes every number every role can read (each département row, each
reader's total), adds what one insider already knows without the statistics page (a département's
secretariat and préfecture: every count of their département; an association: its own count in each
département), and solves the linear system exactly (fractions). No count from 1 to 10 that the insider does
not already know may come out: not a hidden département, not one association's count, not "the others" of a
département.

Before the change each role's table was suppressed on its own: the national table hid Gard (12) and
Bouches-du-Rhône (10) but published the total 22, and the Gard secretariat's own table published Gard = 12,
so 22 − 12 = 10 was revealed: test_the_22_12_10_case_through_every_readers_page failed on that code
(it then expected Gard hidden; since B4 it expects Gard's 12 everywhere and the total hidden, which that
code's national total of 22 would fail: reasoned, not re-run), and
test_the_attacker_finds_the_22_12_10_leak_of_the_old_tables
shows the attacker finds that leak in the old tables.

Coalitions (review of issue 7, B4): the attacker was then extended from one insider to coalitions, whose
knowledge is the union of their members' (`coalitions`): every pair, and, for every set U of association
counts in one département, the largest coalition that does not know U (every other département's
secretariat and préfecture, every other association). A coalition that does not know U knows a part of what
that largest one knows, and knowing more can only determine more, so if no largest coalition can compute
U, no coalition of any size can. On the code before that change, national_table published Paris = 50 and
the total 68 for the review's example (Gard 5, Hérault 6, Bouches-du-Rhône 7): the Gard and Hérault
secretariats together compute 68 − 50 − 5 − 6 = 7. test_the_review_example_two_secretariats_together and
test_three_associations_two_of_them_read_the_third failed there (checked in a worktree of main at
cd0d8f0: `assert 68 is None` and `assert 83 is None`), so did test_the_review_example_through_the_pages
(on main at 03a8526: `'68' == 'secret'`), and
test_the_attacker_finds_the_review_leak_with_a_pair_not_alone shows the single-insider attacker missed it.
"""

import datetime as dt
import itertools
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

from ..factories import MembershipFactory, OrganisationFactory, PersonFactory, commission, departement

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


def coalitions(counts):
    """Every pair of insiders (union of what they know), and the largest coalition that does not know U, for
    every set U of non-empty association counts in one département (see the module's docstring)."""
    single = insiders_of(counts)
    names = sorted(single)
    known = dict(single)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            known[f"{a} + {b}"] = single[a] | single[b]
    for dep in sorted({d for d, _a in counts}):
        mine = [c for c in sorted(counts) if c[0] == dep and counts[c] > 0]
        for size in range(1, len(mine) + 1):
            for unknown in itertools.combinations(mine, size):
                known[f"all but {unknown}"] = set(counts) - set(unknown)
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
    assert disclosures(counts, published, coalitions(counts)) == []
    return table


# --- Literal cases -----------------------------------------------------------------------------------
def test_the_22_12_10_case_is_closed():
    counts = {("30", 1): 12, ("13", 2): 10}
    table = check(counts)
    assert table.cells == {"13": None, "30": 12}
    assert table.total is None  # 22 beside the published 12 would give the 10 away


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


def test_the_review_example_two_secretariats_together():
    """Review B4: Gard 5, Hérault 6, Bouches-du-Rhône 7, Paris 50. The old table published Paris 50 and the
    total 68; Gard's and Hérault's secretariats together read Bouches-du-Rhône's 7."""
    counts = {("30", 1): 5, ("34", 2): 6, ("13", 3): 7, ("75", 4): 50}
    table = national_table(counts, LIMIT)
    assert table.total is None
    assert table.cells == {"13": None, "30": None, "34": None, "75": 50}
    check(counts)


def test_the_attacker_finds_the_review_leak_with_a_pair_not_alone():
    """The old table of the review's example: no single insider reads the 7, a pair does (so the attacker
    of one insider at a time could not see it)."""
    counts = {("30", 1): 5, ("34", 2): 6, ("13", 3): 7, ("75", 4): 50}
    old = [({"75"}, 50), ({"13", "30", "34", "75"}, 68)]
    assert disclosures(counts, old, insiders_of(counts)) == []
    leaks = disclosures(counts, old, coalitions(counts))
    assert ("département 30 + département 34", "département 13 (what she does not know)", 7) in leaks


def test_three_associations_two_of_them_read_the_third():
    """Two associations of a département with 50, 30 and 3 people: the old rule published 83 (no single
    share left 1 to 10 to the others), associations 1 and 2 together read 83 − 50 − 30 = 3."""
    counts = {("30", 1): 50, ("30", 2): 30, ("30", 3): 3, ("13", 4): 40, ("75", 5): 60}
    table = national_table(counts, LIMIT)
    assert table.cells["30"] is None and table.total is None
    assert table.cells["13"] == 40 and table.cells["75"] == 60
    check(counts)
    old = [({"30"}, 83), ({"13"}, 40), ({"75"}, 60), ({"13", "30", "75"}, 183)]
    assert ("association 1 + association 2", "cell ('30', 3)", 3) in disclosures(
        counts, old, coalitions(counts)
    )


def test_the_whole_country_but_one_cannot_read_it():
    """The strongest coalition: every secretariat but Bouches-du-Rhône's, every association but the one
    there. A total published beside a hidden département would give it away, whatever its size."""
    counts = {("30", 1): 40, ("34", 2): 35, ("13", 3): 4, ("75", 4): 50, ("69", 5): 30, ("69", 6): 25}
    table = check(counts)
    assert table.total is None and table.cells["13"] is None
    assert {d: v for d, v in table.cells.items() if d != "13"} == {"30": 40, "34": 35, "69": 55, "75": 50}


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
def test_no_reader_or_coalition_of_readers_can_recompute_a_small_count(counts):
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
    """The table of people in a pathway on the statistics dashboard (parcours.statistics, the page that
    replaced the old one of pathway/statistics.py) as the reader sees it: {label: text}, and the total's
    text ("secret" where the page shows « s »)."""
    client.force_login(membership.user)
    with clock.travel_to(TODAY):
        page = client.get(reverse("statistics:dashboard")).content.decode()
    table = page[page.index('<h2 id="active">') :]
    table = table[table.index("<tbody>") : table.index("</table>")]
    secret = {"s": "secret"}
    rows = {
        label: secret.get(value, value)
        for label, value in re.findall(
            r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td>', table[: table.index("</tbody>")]
        )
    }
    total = re.search(r'<tfoot><tr><th scope="row">Total</th><td>([^<]*)</td>', table).group(1)
    return rows, secret.get(total, total)


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
    # Gard's 12 is published in every table that shows Gard, the 10 in none, nor the total 22 (since B4).
    assert national == {"Gard (30)": "12", "Bouches-du-Rhône (13)": "secret"}
    assert gard == gard_agent == head == {"Gard (30)": "12"}
    assert bouches == {"Bouches-du-Rhône (13)": "secret"}
    assert national_total == "secret" and head_total == "12"


@pytest.mark.django_db
def test_the_review_example_through_the_pages(client, personas):
    """Review B4 through the pages: Gard 5, Hérault 6, Bouches-du-Rhône 7, Paris 50. The national page
    published Paris 50 and the total 68 before B4; the Gard and Hérault secretariats know their 5 and 6."""
    herault = OrganisationFactory(departement=departement("34"), name="Association fictive 34")
    bouches = OrganisationFactory(departement=departement("13"), name="Association fictive 13")
    paris = OrganisationFactory(departement=departement("75"), name="Association fictive 75")
    _active_pathways(personas.association, "30", 5, personas.worker.user)
    _active_pathways(herault, "34", 6, personas.worker.user)
    _active_pathways(bouches, "13", 7, personas.worker.user)
    _active_pathways(paris, "75", 50, personas.worker.user)
    national, national_total = _read(client, personas.national)
    assert national == {
        "Bouches-du-Rhône (13)": "secret",
        "Gard (30)": "secret",
        "Hérault (34)": "secret",
        "Paris (75)": "50",
    }
    assert national_total == "secret"
    herault_secretariat = MembershipFactory(organisation=commission("34"), role="secretariat")
    assert _read(client, herault_secretariat) == ({"Hérault (34)": "secret"}, "secret")
    assert _read(client, personas.secretariat) == ({"Gard (30)": "secret"}, "secret")
