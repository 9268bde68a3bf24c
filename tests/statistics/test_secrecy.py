"""The generalised rule (statistics/secrecy.py) against an adversary solving linear equations.

The adversary knows every published cell of a table, its published margins, the row totals even when they
are hidden here (they may be published in another table about the same people, which hides them only
when they count 1 to 10), and the same table for an adjacent period (a disjoint calendar year: its
published cells and row totals too). It solves exactly (fractions) and
tries to compute any hidden cell, or any sum of hidden cells of a row, that counts from 1 to 10. It never
succeeds. The oracle is the linear algebra, not the code's bookkeeping."""

from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from parcours.statistics.secrecy import balance_forced, publish

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


# --- Rule (4): the stock-and-flow identity between tables -------------------------------------------------
# Per département and year: closing = opening + entries − exits (exits by two reasons), the opening of a
# year being the closing of the one before. The adversary knows every published number of the four tables
# of two consecutive years (each table suppressed as the dashboard does, secrecy.balance_forced included)
# and every balance equation as exact; it tries to compute a hidden count from 1 to 10: a stock, the
# entries, one exit reason or the row of exits.
REASONS = ["k0", "k1"]


def _stock(values):
    return publish({(d, "total", "a"): n for d, n in values.items()}, columns=["total"], limit=LIMIT)


def _balance_year(opening, entries, exits, closing, rule4=True):
    e_atoms = {(d, "total", "a"): n for d, n in entries.items()}
    x_atoms = {(d, k, "a"): n for (d, k), n in exits.items()}
    e_pub = publish(e_atoms, columns=["total"], limit=LIMIT)
    x_pub = publish(x_atoms, columns=REASONS, limit=LIMIT)
    if rule4:
        force_e, force_x = balance_forced(opening, e_pub, x_pub, closing)
        e_pub = publish(e_atoms, columns=["total"], limit=LIMIT, force=force_e)
        x_pub = publish(x_atoms, columns=REASONS, limit=LIMIT, force=force_x)
    return e_pub, x_pub


def balance_leaks(deps, stocks, entries, exits, rule4=True):
    """stocks[t][d] for t = 0, 1, 2; entries[y][d], exits[y][(d, k)] for y = 1, 2."""
    index = {}

    def var(*key):
        return index.setdefault(key, len(index))

    for d in deps:
        for t in range(3):
            var("S", t, d)
        for y in (1, 2):
            var("E", y, d)
            for k in REASONS:
                var("x", y, d, k)
    size = len(index)

    def vec(keys):
        v = [0] * size
        for k in keys:
            v[index[k]] += 1
        return v

    stock_pubs = [_stock(stocks[t]) for t in range(3)]
    tables = []  # (published table, cell → variable key)
    for t in range(3):
        tables.append((stock_pubs[t], {(d, "total"): ("S", t, d) for d in deps}))
    for y in (1, 2):
        e_pub, x_pub = _balance_year(stock_pubs[y - 1], entries[y], exits[y], stock_pubs[y], rule4)
        tables.append((e_pub, {(d, "total"): ("E", y, d) for d in deps}))
        tables.append((x_pub, {(d, k): ("x", y, d, k) for d in deps for k in REASONS}))
    eqs = []
    for pub, keys in tables:
        for cell, key in keys.items():
            if pub.cells.get(cell, 0) is not None:  # published (a row absent from the table is a 0)
                eqs.append(vec([key]))
        for c, value in pub.column_totals.items():
            if value is not None:
                eqs.append(vec([keys[(d, c)] for d in deps]))
        for r, value in pub.row_totals.items():
            if value is not None:
                eqs.append(vec([keys[(r, c)] for c in pub.columns]))
        if pub.total is not None:
            eqs.append(vec(list(keys.values())))
    for d in deps:  # the identity, taken as exact
        for y in (1, 2):
            v = [a - b for a, b in zip(vec([("S", y, d)]), vec([("S", y - 1, d), ("E", y, d)]), strict=True)]
            v = [a + b for a, b in zip(v, vec([("x", y, d, k) for k in REASONS]), strict=True)]
            eqs.append(v)
    echelon = _echelon(eqs)
    values = {("S", t, d): stocks[t][d] for t in range(3) for d in deps}
    values |= {("E", y, d): entries[y][d] for y in (1, 2) for d in deps}
    values |= {("x", y, d, k): exits[y][(d, k)] for y in (1, 2) for d in deps for k in REASONS}
    found = []
    for pub, keys in tables:
        for r in deps:
            hidden = [keys[(r, c)] for c in pub.columns if pub.cells.get((r, c), 0) is None]
            groups = [[h] for h in hidden] + ([hidden] if len(hidden) > 1 else [])
            for g in groups:
                value = sum(values[k] for k in g)
                if 1 <= value <= LIMIT and determined(echelon, vec(g)):
                    found.append((g, value))
    return found


@st.composite
def two_years(draw):
    deps = [f"d{i}" for i in range(draw(st.integers(1, 3)))]
    value = st.one_of(st.just(0), st.integers(1, LIMIT), st.integers(LIMIT + 1, 60))
    entries = {y: {d: draw(value) for d in deps} for y in (1, 2)}
    exits = {y: {(d, k): draw(value) for d in deps for k in REASONS} for y in (1, 2)}
    stocks = {0: {d: draw(value) for d in deps}}
    for y in (1, 2):
        stocks[y] = {
            d: stocks[y - 1][d] + entries[y][d] - sum(exits[y][(d, k)] for k in REASONS) for d in deps
        }
    assume(all(n >= 0 for t in range(3) for n in stocks[t].values()))
    return deps, stocks, entries, exits


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(two_years())
def test_no_small_count_follows_from_the_stock_and_flow_identity(case):
    deps, stocks, entries, exits = case
    assert balance_leaks(deps, stocks, entries, exits) == []


def test_without_rule_4_the_identity_gives_hidden_exits_away():
    """50 on 1 January, 20 entries, 65 on 31 December: the 5 exits (3 + 2, hidden by rule 1) are
    50 + 20 − 65 without rule (4); with it the entries are hidden too and the 5 cannot be computed."""
    deps = ["d0"]
    stocks = {0: {"d0": 40}, 1: {"d0": 50}, 2: {"d0": 65}}
    entries = {1: {"d0": 30}, 2: {"d0": 20}}
    exits = {1: {("d0", "k0"): 20, ("d0", "k1"): 0}, 2: {("d0", "k0"): 3, ("d0", "k1"): 2}}
    leaked = balance_leaks(deps, stocks, entries, exits, rule4=False)
    assert ([("x", 2, "d0", "k0"), ("x", 2, "d0", "k1")], 5) in leaked
    assert balance_leaks(deps, stocks, entries, exits) == []
    force_e, force_x = balance_forced(
        _stock(stocks[1]),
        publish({("d0", "total", "a"): 20}, limit=LIMIT),
        publish({("d0", "k0", "a"): 3, ("d0", "k1", "a"): 2}, limit=LIMIT),
        _stock(stocks[2]),
    )
    assert (force_e, force_x) == ({"d0"}, set())
