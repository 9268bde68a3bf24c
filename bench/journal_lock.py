"""How many journal rows a second the chain heads let through (issue 15, decisions 0053 and 0062).

    .venv/bin/python bench/journal_lock.py --preset ci            # on the database of bench/generate.py
    .venv/bin/python bench/journal_lock.py --preset ci --processes 1,2,4,8 --rows 300 --chains own

Each process appends `--rows` rows through parcours.audit.log.record_system (chain.append: SELECT … FOR UPDATE
of the chain head, insert, head update, commit: what every journaled request does) as fast as it can. It
prints the rows per second in all, and the time each append took (p50, p95), for each number of processes.
When the total stops growing with processes while the time per append grows, the lock serialises them.
`--chains same` (the default): every process writes into one chain (the common one; as every row did before
decision 0062, and as the members of one organisation still do); `--chains own`: each process writes as
another organisation, into its own chain.
The rows it writes are genuine journal rows (a `read` of object type `bench`): the chain stays verifiable.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def worker(info: dict, rows: int, start_at: float, queue, index: int | None) -> None:
    os.environ.update(DATABASE_URL=info["database_url"], PARCOURS_DATA_DIR=info["data_dir"],
                      PARCOURS_DEMO="1", SECRET_KEY=info["secret_key"],
                      DJANGO_SETTINGS_MODULE="parcours.settings")  # fmt: skip
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from parcours.accounts.models import Organisation
    from parcours.audit.log import record_system

    organisation = Organisation.objects.order_by("pk")[index] if index is not None else None
    record_system("read", "bench", "0", organisation=organisation)  # connection and key loaded first
    while time.time() < start_at:
        time.sleep(0.001)
    times = []
    for n in range(rows):
        began = time.perf_counter()
        record_system("read", "bench", str(n), organisation=organisation)
        times.append(time.perf_counter() - began)
    queue.put(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="ci")
    parser.add_argument("--processes", default="1,2,4,8")
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--chains", choices=("same", "own"), default="same")
    args = parser.parse_args()
    info = json.loads((ROOT / "bench" / ".data" / args.preset / "bench.json").read_text())
    context = multiprocessing.get_context("spawn")
    print("| processes | rows/s in all | append p50 ms | append p95 ms |")
    print("|---|---|---|---|")
    for count in [int(p) for p in args.processes.split(",")]:
        queue = context.Queue()
        start_at = time.time() + 4 + count * 0.5
        procs = [
            context.Process(
                target=worker,
                args=(info, args.rows, start_at, queue, n if args.chains == "own" else None),
            )
            for n in range(count)
        ]
        for p in procs:
            p.start()
        times = [queue.get() for _ in procs]
        for p in procs:
            p.join()
        elapsed = max(sum(t) for t in times)
        flat = sorted(x for t in times for x in t)
        p95 = flat[int(len(flat) * 0.95)]
        print(f"| {count} | {len(flat) / elapsed:,.0f} | {statistics.median(flat) * 1000:.1f} | "
              f"{p95 * 1000:.1f} |", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
