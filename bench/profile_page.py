"""Profile one page on a dataset of bench/generate.py with pyinstrument (not a project dependency):

    pip install --target /tmp/pyi pyinstrument
    PYTHONPATH=/tmp/pyi .venv/bin/python bench/profile_page.py --preset medium --page todo

Pages: caseload, search, person, todo, session, statistics, statistics-2025 and floor (the accounts of
bench/run.py), or any --path read as the social worker. The page is read once to warm the caches, then
timed and profiled over --repeat reads in process (Django's test client, no server; --computed: with
nothing held in memory); prints the number of SQL queries, the milliseconds per read (mean, fastest,
median), the CPU time of the process, the number of Python function calls of one read (cProfile: the figure
to compare two versions on a machine whose speed wanders) and pyinstrument's text report.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="ci")
    parser.add_argument("--page", default="todo")
    parser.add_argument("--path", help="another page, read as the social worker (e.g. /notifications/)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="empty the cache before each read")
    parser.add_argument("--sql", type=int, default=0, help="print the N slowest queries of one read, timed")
    parser.add_argument("--calls", type=int, default=0,
                        help="print the N functions of one read by own time (cProfile)")  # fmt: skip
    parser.add_argument("--sort", default="tottime", help="with --calls: tottime, or cumulative")
    parser.add_argument("--computed", action="store_true",
                        help="drop what the workers hold in memory before each read (to-do pages, "
                             "decision 0057; search keys, 0056; a person's summaries, 0059; the caseload's "
                             "lines, 0060; a session's agenda, 0061): the page computed, "
                             "not held")  # fmt: skip
    args = parser.parse_args()
    info = json.loads((ROOT / "bench" / ".data" / args.preset / "bench.json").read_text())
    os.environ.update(DATABASE_URL=info["database_url"], PARCOURS_DATA_DIR=info["data_dir"],
                      PARCOURS_DEMO="1", SECRET_KEY=info["secret_key"], PARCOURS_MFA_REQUIRED="0",
                      DJANGO_SETTINGS_MODULE="parcours.settings", DEBUG="0",
                      PARCOURS_BENCH_FLOOR="1")  # fmt: skip
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler

    from parcours.accounts.models import User
    from parcours.desk import caseload_held, person_held, todo_held
    from parcours.pathway import agenda_held, session_held
    from parcours.people.search import forget_name_keys

    def fresh():
        if args.cold:
            cache.clear()
        if args.computed:
            todo_held.forget()
            person_held.forget()
            caseload_held.forget()
            agenda_held.forget()
            session_held.forget()
            forget_name_keys()

    pages = {
        "caseload": (info["worker"], "/personnes/"),
        "search": (info["worker"], f"/personnes/?q={quote(info['misspelt_query'])}"),
        "person": (info["worker"], f"/personnes/{info['person_500_notes']}/"),
        "todo": (info["worker"], "/parcours/a-faire/"),
        "session": (info["secretariat"], f"/parcours/seances/{info['full_session']}/"),
        "statistics": (info["national"], "/statistiques/"),
        "statistics-2025": (info["national"], "/statistiques/?debut=2025-01-01&fin=2025-12-31"),
        "floor": (info["worker"], "/banc/plancher/"),  # bench/run.py's floor
    }
    account, path = (info["worker"], args.path) if args.path else pages[args.page]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=account))
    queries = []

    def count(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - started) * 1000, sql))

    fresh()
    with connection.execute_wrapper(count):
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    walls, cpus = [], []
    for _ in range(args.repeat):  # timed without the profiler, which slows Django's deep stacks
        fresh()
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(path)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    elapsed = sum(walls) / args.repeat
    counter = cProfile.Profile()  # Python function calls of one read: the same on a busy machine
    fresh()
    counter.runcall(client.get, path)
    calls = pstats.Stats(counter).total_calls
    if args.calls:
        pstats.Stats(counter, stream=sys.stdout).sort_stats(args.sort).print_stats(args.calls)
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    with profiler:
        for _ in range(args.repeat):
            fresh()
            client.get(path)
    profiled = (time.perf_counter() - started) * 1000 / args.repeat
    size = len(response.content) / 1024
    print(f"{args.path or args.page} {path}: {len(queries)} queries, {elapsed:.0f} ms per read in process "
          f"({profiled:.0f} ms under the profiler), {size:.0f} KB of HTML")  # fmt: skip
    # On a shared machine the mean wanders; the fastest read and the CPU time of this process (without the
    # database's) compare better between two versions.
    median = sorted(walls)[len(walls) // 2]
    cpu = sorted(cpus)[len(cpus) // 2]
    print(f"reads: fastest {min(walls):.0f} ms, median {median:.0f} ms; CPU of this process: median "
          f"{cpu:.0f} ms; {calls:,} Python calls")  # fmt: skip
    print(f"SQL: {sum(ms for ms, _sql in queries):.0f} ms of the first read")
    for ms, sql in sorted(queries, reverse=True)[: args.sql]:
        print(f"{ms:8.1f} ms  {sql[:600]}")
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
