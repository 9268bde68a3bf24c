"""Name search over the caseload a user may see: any name or alias, accents and case ignored, one or two
typos tolerated, prefixes matched while typing.

Names are going to be encrypted at rest (they cannot be searched in SQL then); an association's caseload
is a few hundred to a few thousand files, which Python filters in milliseconds (bench/search_bench.py).

The rule, on names cut into normalised tokens (a name's adjacent tokens are also joined, so "Xiao Ling"
and "Xiaoling" meet):
- a typed token matches a name token that is equal, that it begins ("oluw" finds "Oluwaseun"), or that is
  within a Damerau-Levenshtein distance of 1 for tokens of 4 to 7 letters, 2 from 8 letters, 0 up to 3
  letters (the shorter of the two words decides, so short names never match loosely);
- a person matches when every typed token matches one of her names, or when the typed words joined match.
Exact and prefix matches rank before typo matches.

A query that is a reference finds its person exactly, whatever the case and spacing: a person's
« P-000098 » (also « p98 », « P 000098 ») or a pathway's « PSP-30-00022 » (« psp 30 22 »), which is all the
calendar export and the commission's pseudonymised agenda show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection

from parcours.core.compiled import Statements, compile_queryset
from parcours.core.held import Held

# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"})
_SEPARATORS = re.compile(r"[\W_]+")
MAX_JOINED = 3  # adjacent tokens of one name joined, up to this many

EXACT, TYPO = 0, 1


def normalise(text: str) -> str:
    """Lower case, without accents, punctuation turned into spaces: "Ștefania-Ioana" → "stefania ioana"."""
    if not text:
        return ""
    if text.isascii():
        if text.isalpha():  # the common case, a single plain word: no regular expression needed
            return text.lower()
        text = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        text = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_LETTERS)
    return _SEPARATORS.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    return normalise(text).split()


def name_keys(names: Iterable[str]) -> set[str]:
    """The tokens of each name, and the joins of up to MAX_JOINED adjacent tokens of the same name."""
    keys: set[str] = set()
    for name in names:
        if not name:
            continue
        words = normalise(name).split()
        if len(words) > 1:
            for size in range(2, min(len(words), MAX_JOINED) + 1):
                keys.update("".join(words[i : i + size]) for i in range(len(words) - size + 1))
        keys.update(words)
    return keys


SHORT, MEDIUM = 3, 7  # up to 3 letters no typo, up to 7 one typo, beyond two


def max_typos(a: str, b: str) -> int:
    shorter = min(len(a), len(b))
    if shorter <= SHORT:
        return 0
    return 1 if shorter <= MEDIUM else 2


def within_distance(a: str, b: str, limit: int) -> bool:
    """Whether the Damerau-Levenshtein distance (optimal string alignment: insertions, deletions,
    substitutions and transpositions of adjacent letters) between a and b is at most `limit`. Only the band
    of width `limit` around the diagonal is computed, and it stops as soon as a row exceeds the limit."""
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return False
    if limit == 0 or a == b:
        return a == b
    # Each letter of one word that the other lacks costs an edit (a transposition keeps the letters): this
    # cheap test, done in C, rules out most pairs before the table.
    letters_a, letters_b = set(a), set(b)
    if len(letters_a - letters_b) > limit or len(letters_b - letters_a) > limit:
        return False
    over = limit + 1
    before = None
    previous = list(range(lb + 1))
    for i in range(1, la + 1):
        current = [over] * (lb + 1)
        current[0] = i
        low, high = max(1, i - limit), min(lb, i + limit)
        letter = a[i - 1]
        best = current[0] if low == 1 else over
        for j in range(low, high + 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (letter != b[j - 1]))
            if before is not None and j > 1 and letter == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, before[j - 2] + 1)
            current[j] = value
            if value < best:
                best = value
        if best > limit:
            return False
        before, previous = previous, current
    return previous[lb] <= limit


class NameQuery:
    """A typed query, compiled once and checked against many people. Results per name token are remembered
    for the life of the query only (names repeat a lot across a caseload)."""

    # The typed words joined make one long word: one typo there, or "Ioana Popescu" finds "Ioana Ionescu".
    JOINED_MAX_TYPOS = 1

    def __init__(self, text: str, *, prefixes: bool = True):
        self.words = tokens(text)
        self.joined = "".join(self.words) if len(self.words) > 1 else ""
        self.prefixes = prefixes
        self._seen: dict[tuple[str, int], dict[str, bool]] = defaultdict(dict)

    def __bool__(self) -> bool:
        return bool(self.words)

    def _typo(self, word: str, key: str, cap: int) -> bool:
        seen = self._seen[word, cap]
        if key not in seen:
            seen[key] = within_distance(word, key, min(cap, max_typos(word, key)))
        return seen[key]

    def best(self, word: str, keys: Iterable[str], cap: int = 2) -> int | None:
        """EXACT when a key equals `word` (or begins with it), TYPO when one is close enough, else None."""
        if word in keys:
            return EXACT
        if self.prefixes and any(key.startswith(word) for key in keys):
            return EXACT
        if len(word) <= SHORT:  # short words are matched exactly
            return None
        size = len(word)
        if any(abs(len(key) - size) <= cap and self._typo(word, key, cap) for key in keys):
            return TYPO
        return None

    def score(self, keys: set[str]) -> int | None:
        """EXACT or TYPO when a person with these name keys matches, None otherwise."""
        if not self.words:
            return EXACT
        score = EXACT
        for word in self.words:
            found = self.best(word, keys)
            if found is None:
                score = None
                break
            score = max(score, found)
        if self.joined and score != EXACT:
            found = self.best(self.joined, keys, self.JOINED_MAX_TYPOS)
            if found is not None and (score is None or found < score):
                score = found
        return score


def person_names(person) -> list[str]:
    """Every name of a person: legal names, usage name, alias and other names (prefetch `other_names`)."""
    return [person.first_name, person.last_name, person.usage_name, person.alias,
            *(o.name for o in person.other_names.all())]  # fmt: skip


def matches(person, query: str) -> bool:
    return NameQuery(query).score(name_keys(person_names(person))) is not None


def rank(query: str, candidates: Iterable[tuple[int, list[str]]]) -> list[int]:
    """The pks of the candidates (pk, names) that match, exact and prefix matches first, then in the given
    order."""
    return rank_keys(query, ((pk, name_keys(names)) for pk, names in candidates))


def rank_keys(query: str, candidates: Iterable[tuple[int, set[str]]]) -> list[int]:
    """`rank` on candidates whose names are already cut into keys (pk, name_keys(names))."""
    compiled = NameQuery(query)
    found = []
    for position, (pk, keys) in enumerate(candidates):
        score = compiled.score(keys)
        if score is not None:
            found.append((score, position, pk))
    found.sort()
    return [pk for _score, _position, pk in found]


# People.reference is f"P-{pk:06d}", Pathway.reference f"PSP-{departement}-{pk:05d}" (departements are
# "30", "2A", "971"...). Separators, leading zeros, case and spaces are forgiven.
_PERSON_REFERENCE = re.compile(r"p\s*[-‐–—]?\s*(\d{1,9})", re.IGNORECASE)
_PATHWAY_REFERENCE = re.compile(r"psp\s*[-‐–—]?\s*(\d[0-9ab]|\d{3})\s*[-‐–—]?\s*(\d{1,9})", re.IGNORECASE)


def parse_reference(query: str) -> tuple[str, str | None, int] | None:
    """("person", None, pk) or ("pathway", departement, pk) when the query is a reference, else None."""
    text = (query or "").strip()
    if found := _PATHWAY_REFERENCE.fullmatch(text):
        return ("pathway", found.group(1).upper(), int(found.group(2)))
    if found := _PERSON_REFERENCE.fullmatch(text):
        return ("person", None, int(found.group(1)))
    return None


def search_ids(people, query: str, scope=None) -> list[int]:
    """The pks of the people of the queryset `people` whose names match `query`, best first (or the person a
    reference designates). Two queries whatever the number of people (the fingerprint of `held_name_keys`),
    two more when the names changed: their names, then all their other names."""
    reference = parse_reference(query)
    if reference is not None:
        kind, departement, pk = reference
        if kind == "person":
            found = people.filter(pk=pk)
        else:  # through the reverse relation: people does not import the pathway app (layers)
            found = people.filter(pathways__pk=pk, pathways__departement_id=departement)
        return list(found.values_list("pk", flat=True).distinct())

    return rank_keys(query, held_name_keys(people, scope))


# --- Name keys held in memory (issue 15) ----------------------------------------------------------------
# A search decrypts every name of the association (3,000 people, 6,000 decryptions and as many
# normalisations: most of a search's time). The keys are kept per caller's set of people, and only in this
# process's memory: never in Django's cache, which a deployment may share between servers or write to disk,
# for normalised names are identity data (docs/decisions/0056-search-keys-in-memory.md).
NAME_KEYS_SECONDS = 300
NAME_KEYS_HELD = 16  # sets of people held per process (a few associations' workers)
_held = Held(NAME_KEYS_HELD)


# The pairs joined and hashed by PostgreSQL: one short row read, not 3,000 pairs (issue 15). {sql} is
# Django's own SQL of the queryset's pk and version, never input.
FINGERPRINT_SQL = (
    "SELECT encode(sha256(convert_to(COALESCE(string_agg(rows.pk::text || ':' || rows.version::text || ';', "
    "'' ORDER BY rows.pk), ''), 'UTF8')), 'hex') FROM ({sql}) AS rows"
)
# A caller that names the `scope` of its queryset (everything its SQL depends on: the membership's
# `policy.scope_key`, a filter's value) has the statements below compiled once per scope (core/compiled.py,
# decision 0066): building and compiling them cost more than PostgreSQL takes to answer.
_statements = Statements()


def _query_text(people, scope) -> str:
    """The queryset's SQL and parameters, for a cache key (raises EmptyResultSet if it can match nothing)."""
    if scope is None:
        return str(people.query)
    compiled = _statements.get(("query", scope), lambda: people)
    if compiled is None:
        raise EmptyResultSet
    return f"{compiled.sql}|{compiled.params!r}"


def rows_fingerprint(people, scope=None) -> str:
    """The exact state of the rows of the queryset `people` that decide their names and their order: every
    (pk, version) pair, in pk order, hashed (SHA-256). A person added, removed, archived, reactivated, moved,
    or edited (every edit of the file raises its version: core/locking.py) changes it; no count or sum that
    two different sets could share. Reads two integers a person, decrypts nothing; an association's live
    files are read from the index person_live_by_association alone (decision 0063)."""
    pairs = people.order_by().values("pk", "version")
    if connection.vendor == "postgresql" and not people.query.combinator:
        compiled = (
            compile_queryset(pairs, FINGERPRINT_SQL)
            if scope is None
            else _statements.get(("fingerprint", scope), lambda: pairs, wrap=FINGERPRINT_SQL)
        )
        if compiled is None:  # a caller who may see nobody: the hash of no pairs
            return hashlib.sha256(b"").hexdigest()
        return compiled.first()[0]
    digest = hashlib.sha256()
    for pk, version in people.order_by("pk").values_list("pk", "version"):
        digest.update(f"{pk}:{version};".encode())
    return digest.hexdigest()


def held_name_keys(people, scope=None) -> list[tuple[int, set[str]]]:
    """(pk, name keys) of every person of the queryset `people`, computed once per change of its rows and
    held NAME_KEYS_SECONDS at most (the process's timer drops it even if no other search comes).

    The entry is found under the query and the exact state of the rows (`rows_fingerprint`, and the pks of
    their other names, which are added and removed, never edited)."""
    from .models import OtherName

    try:
        query = _query_text(people, scope)
    except EmptyResultSet:  # a caller who may see nobody
        return []
    others = OtherName.objects.filter(person__in=people.values("pk"))
    listed = others.order_by("pk").values("pk")
    if scope is None:
        other_pks = ",".join(str(pk) for (pk,) in listed.values_list("pk"))
    else:
        other_pks = ",".join(str(pk) for (pk,) in _statements.get(("others", scope), lambda: listed).rows())
    key = hashlib.sha256(f"{query}|{rows_fingerprint(people, scope)}|{other_pks}".encode()).hexdigest()
    found = _held.get(key)
    if found is not None:
        return found
    names: dict[int, list[str]] = defaultdict(list)
    for person_id, name in others.values_list("person_id", "name"):
        names[person_id].append(name)
    own_names = people.order_by("pk").values_list("pk", "first_name", "last_name", "usage_name", "alias")
    rows = [(pk, name_keys([*own, *names.get(pk, ())])) for pk, *own in own_names]  # ties: in pk order
    _held.put(key, rows, NAME_KEYS_SECONDS)
    return rows


def forget_name_keys() -> None:
    """Drop every held entry (tests: two rolled-back databases can share a fingerprint)."""
    _held.clear()


def similar_name(first_name: str, last_name: str, keys: set[str]) -> bool:
    """Whether a first name and a last name both resemble one of the names behind `keys` (no prefix
    matching: "Ana" is not "Anastasia"). First and last names may be swapped: Chinese names often are."""
    compiled = NameQuery("", prefixes=False)
    for part in (first_name, last_name):
        words = name_keys([part])
        if not words or all(compiled.best(word, keys) is None for word in words):
            return False
    return True


class DuplicateIndex:
    """The duplicate check of `possible_duplicates` over many names at once (an import of a whole caseload):
    the people of the queryset are decrypted once and grouped by birth date, instead of once per name.
    `add` makes a person created meanwhile (an earlier row of the same file) count too."""

    def __init__(self, people):
        self._by_birth: dict[dt.date, list[tuple[object, set[str]]]] = defaultdict(list)
        for person in people.prefetch_related("other_names"):
            if person.birth_date is not None:
                self._by_birth[person.birth_date].append((person, name_keys(person_names(person))))

    def add(self, key, first_name: str, last_name: str, birth_date: dt.date | None) -> None:
        if birth_date is not None:
            self._by_birth[birth_date].append((key, name_keys([first_name, last_name])))

    def matches(self, first_name: str, last_name: str, birth_date: dt.date | None) -> list:
        if birth_date is None:
            return []
        return [
            p for p, keys in self._by_birth.get(birth_date, ()) if similar_name(first_name, last_name, keys)
        ]


def possible_duplicates(people, first_name: str, last_name: str, birth_date: dt.date | None,
                        exclude_pk: int | None = None) -> list:  # fmt: skip
    """The people of the queryset `people` born on `birth_date` whose names resemble the given names."""
    if birth_date is None:
        return []
    # Birth dates are encrypted: the keyed birth index (people.models.birth_index) picks the people born that
    # day in SQL, with the few others its truncated hash gives the same value; their decrypted birth date
    # and names are then compared in Python (issue 15: no scan of the association).
    from .models import birth_index

    candidates = people.filter(birth_index=birth_index(birth_date)).prefetch_related("other_names")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    return [
        p
        for p in candidates
        if p.birth_date == birth_date and similar_name(first_name, last_name, name_keys(person_names(p)))
    ]


def sort_key(person) -> tuple[str, str]:
    """Alphabetical order of a list of people (names are encrypted, so SQL cannot sort them)."""
    return (normalise(person.last_name), normalise(person.first_name))


ORDER_CACHE_SECONDS = 300


def alphabetical_ids(people, scope=None) -> list[int]:
    """The pks of the queryset `people` in alphabetical order (last name, first name, then pk), read as
    three columns (no model instance per person: the caseload of a large association sorts thousands).

    The order is kept in the cache under the query and the exact state of its rows (`rows_fingerprint`: a
    person added, removed, archived or edited changes it), so that the names are decrypted once per change
    rather than on every page (issue 15). Only pks are cached, never a name; the caller still reads the
    people of a page through its own filtered query."""
    text = f"{_query_text(people, scope)}|{rows_fingerprint(people, scope)}"
    key = "people-order:" + hashlib.sha256(text.encode()).hexdigest()
    ids = cache.get(key)
    if ids is None:
        rows = people.values_list("pk", "last_name", "first_name")
        ids = [pk for pk, last, first in sorted(rows, key=lambda r: (normalise(r[1]), normalise(r[2]), r[0]))]
        cache.set(key, ids, ORDER_CACHE_SECONDS)
    return ids
