"""How long the caseload name search takes on a large association: 5,000 people by default.

    .venv/bin/python bench/search_bench.py                 # 5,000 people, prints milliseconds per search
    .venv/bin/python bench/search_bench.py --people 20000

(with PARCOURS_DEMO=1 and PARCOURS_MFA_REQUIRED=0 in the environment, as `make demo`)

It builds a throwaway SQLite database in a temporary folder (never the demo's or the production's), with
one association whose people have invented names made of syllables (a third of them with another name or
spelling), then times `people.search.search_ids` — the two queries and the matching the caseload page runs —
for exact, prefix, misspelled, two-word and absent names, the duplicate check of the creation form, and the
caseload page (first page and a misspelt name) through Django's test client.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYLLABLES = ["a", "ba", "chi", "da", "de", "e", "fu", "ga", "i", "ja", "ka", "ke", "li", "lo", "ma", "mi",
             "na", "ne", "ng", "o", "la", "pa", "qi", "ra", "ri", "sa", "se", "ta", "tu", "u", "wa", "xi",
             "ya", "yo", "zu", "an", "el", "in", "on", "un", "ș", "ă", "ei", "ao"]  # fmt: skip
QUERIES = {
    "exact": "{first}",
    "prefix": "{first_prefix}",
    "one typo": "{first_typo}",
    "two words": "{first} {last}",
    "absent": "Zzyzxwvut",
}


def invented_name(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()


def typo(word: str) -> str:
    i = len(word) // 2
    return word[:i] + word[i + 1 :]  # one letter missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    folder = tempfile.TemporaryDirectory(prefix="parcours-search-bench-")
    os.environ["PARCOURS_DATA_DIR"] = folder.name
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(folder.name) / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")
    sys.path.insert(0, str(ROOT / "src"))

    import django

    django.setup()
    from django.core.management import call_command

    from parcours.accounts.models import Membership, Organisation, User
    from parcours.core.models import Departement
    from parcours.people.models import OtherName, Person
    from parcours.people.search import possible_duplicates, search_ids

    call_command("migrate", verbosity=0)
    gard = Departement.objects.get(code="30")
    association = Organisation.objects.create(kind="association", name="Association fictive du banc d'essai",
                                              departement=gard)  # fmt: skip
    association.departements_served.add(gard)
    user = User.objects.create(username="banc-essai")
    worker = Membership.objects.create(user=user, organisation=association, role="social_worker")

    rng = random.Random(args.seed)  # noqa: S311 -- invented names, not secrets
    people = [
        Person(association=association, departement=gard, first_name=invented_name(rng, rng.randint(2, 4)),
               last_name=invented_name(rng, rng.randint(2, 4)),
               alias=invented_name(rng, 2) if rng.random() < 0.3 else "",
               birth_date=f"{rng.randint(1960, 2006)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        for _ in range(args.people)
    ]  # fmt: skip
    people = Person.objects.bulk_create(people, batch_size=500)
    OtherName.objects.bulk_create(
        [
            OtherName(person=p, name=f"{invented_name(rng, 3)} {p.last_name}")
            for p in people
            if rng.random() < 1 / 3
        ],
        batch_size=500,
    )
    target = people[len(people) // 2]
    values = {"first": target.first_name, "last": target.last_name, "first_prefix": target.first_name[:4],
              "first_typo": typo(target.first_name)}  # fmt: skip
    visible = Person.objects.visible_to(worker)

    others = OtherName.objects.count()
    print(f"{args.people} people, {others} other names; median and worst of {args.repeat} runs")
    for label, pattern in QUERIES.items():
        query = pattern.format(**values)
        timings, cpu, found = [], [], []
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            found = search_ids(visible, query)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        print(f"  search {label:<10} {statistics.median(timings):7.1f} ms (worst {max(timings):6.1f} ms, "
              f"processor {statistics.median(cpu):6.1f} ms), {len(found)} found")  # fmt: skip
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        possible_duplicates(visible, target.first_name, target.last_name, target.birth_date)
        timings.append((time.perf_counter() - start) * 1000)
    print(f"  duplicate check   {statistics.median(timings):7.1f} ms (worst {max(timings):6.1f} ms)")
    # The caseload page itself, in process (Django's test client, no web server): first page, misspelt name.
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for label, params in (("first page", {}), ("misspelt", {"q": typo(target.first_name)})):
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get("/personnes/", params)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        print(f"  caseload {label:<9}{statistics.median(timings):7.1f} ms (worst {max(timings):6.1f} ms)")
    print(f"  (load average when done: {os.getloadavg()[0]:.1f} on {os.cpu_count()} processors)")
    folder.cleanup()


if __name__ == "__main__":
    main()
