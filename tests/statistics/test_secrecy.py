"""The generalised rule (statistics/secrecy.py) against an adversary solving linear equations.

The adversary knows every published cell of a table, its published margins, the row totals even when they
are hidden here (they may be published in another table about the same people, which hides them only
when they count 1 to 10), and the same table for an adjacent period (a disjoint calendar year: its
published cells and row totals too). It solves exactly (fractions) and
tries to compute any hidden cell, or any sum of hidden cells of a row, that counts from 1 to 10. It never
succeeds. The oracle is the linear algebra, not the code's bookkeeping."""

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.statistics.secrecy import publish

LIMIT = 10


def _reduce(rows, vector):
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
    return not any(_reduce(echelon, [Fraction(x) for x in target]))


def known_equations(tables):
    """Unknowns: every cell of every period; equations: what is published, plus every row total."""
    index = {}
    for p, (counts, _pub) in enumerate(tables):
        for key in counts:
            index[(p, *key)] = len(index)
    eqs = []

    def vec(keys):
        v = [0] * len(index)
        for k in keys:
            v[index[k]] = 1
        return v

    for p, (counts, pub) in enumerate(tables):
        for (r, c), value in pub.cells.items():
            if value is not None:
                eqs.append(vec([(p, r, c)]))
        for c, value in pub.column_totals.items():
            if value is not None:
                eqs.append(vec([(p, r, c) for r in pub.rows]))
        if pub.total is not None:
            eqs.append(vec([(p, *k) for k in counts]))
        for r in pub.rows:  # the row total, published elsewhere (rule 1) unless it counts 1 to 10
            if not 1 <= sum(counts[(r, c)] for c in pub.columns) <= LIMIT:
                eqs.append(vec([(p, r, c) for c in pub.columns]))
    return index, _echelon(eqs), vec


def leaks(tables):
    _index, echelon, vec = known_equations(tables)
    found = []
    for p, (counts, pub) in enumerate(tables):
        for r in pub.rows:
            hidden = [c for c in pub.columns if pub.cells[(r, c)] is None]
            # every hidden cell, and every sum of hidden cells of the row (pairs and the whole)
            groups = [[c] for c in hidden] + [[a, b] for i, a in enumerate(hidden) for b in hidden[i + 1 :]]
            for g in groups:
                value = sum(counts[(r, c)] for c in g)
                if 1 <= value <= LIMIT and determined(echelon, vec([(p, r, c) for c in g])):
                    found.append((p, r, g, value))
    return found


def _table(counts):
    atoms = {(r, c, "a"): n for (r, c), n in counts.items()}
    rows = sorted({r for r, _c in counts})
    cols = sorted({c for _r, c in counts})
    return counts, publish(atoms, rows=rows, columns=cols, limit=LIMIT)


def _grid(draw_counts, rows, cols):
    return {(r, c): draw_counts[i * len(cols) + j] for i, r in enumerate(rows) for j, c in enumerate(cols)}


@st.composite
def two_periods(draw):
    nrows = draw(st.integers(1, 6))
    ncols = draw(st.integers(1, 5))
    rows, cols = [f"d{i}" for i in range(nrows)], [f"k{j}" for j in range(ncols)]
    value = st.one_of(st.just(0), st.integers(1, LIMIT), st.integers(LIMIT + 1, 80))
    first = draw(st.lists(value, min_size=nrows * ncols, max_size=nrows * ncols))
    second = draw(st.lists(value, min_size=nrows * ncols, max_size=nrows * ncols))
    return _grid(first, rows, cols), _grid(second, rows, cols)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_periods())
def test_no_small_count_can_be_deduced_from_two_adjacent_periods(periods):
    tables = [_table(p) for p in periods]
    for _counts, pub in tables:
        for _key, value in pub.cells.items():
            assert value is None or value == 0 or value > LIMIT
        for value in [*pub.row_totals.values(), *pub.column_totals.values(), pub.total]:
            assert value is None or value == 0 or value > LIMIT
    assert leaks(tables) == []


def test_the_adversary_finds_a_leak_when_only_small_cells_are_hidden():
    """Primary suppression alone (hide 1–10, publish the rest and the margins) is broken: the adversary
    sees it, so it would see a leak of the real rule."""
    counts = {("d0", "k0"): 40, ("d0", "k1"): 5}
    pub = publish({(r, c, "a"): n for (r, c), n in counts.items()}, limit=LIMIT)
    pub.cells[("d0", "k0")] = 40  # what primary suppression alone would publish
    assert leaks([(counts, pub)]) == [(0, "d0", ["k1"], 5)]
    real = _table(counts)[1]
    assert real.cells == {("d0", "k0"): None, ("d0", "k1"): None} and leaks([(counts, real)]) == []


def test_an_associations_small_share_hides_the_cell():
    pub = publish({("30", "woman", 1): 24, ("30", "woman", 2): 6, ("30", "man", 1): 20}, limit=LIMIT)
    assert pub.cells == {("30", "man"): None, ("30", "woman"): None} and pub.total is None


def test_a_large_table_is_published_with_its_totals():
    pub = publish(
        {("30", "a", 1): 20, ("30", "b", 1): 0, ("13", "a", 2): 15, ("13", "b", 2): 12}, limit=LIMIT
    )
    assert pub.cells[("13", "b")] == 12 and pub.row_totals == {"13": 27, "30": 20} and pub.total == 47
