"""Load test of the main pages on a dataset of bench/generate.py, through gunicorn on loopback.

    .venv/bin/python bench/generate.py --preset medium && .venv/bin/python bench/run.py --preset medium
    .venv/bin/python bench/run.py --preset ci --duration 1 --connections 1,10 --check   # CI (.ci/run)

gunicorn runs 2 sync workers (`--workers N` for another count; deploy/gunicorn.conf.py's own count, 2 per
core plus one, is `--workers production`).
For each page and each number of connections (1, 10 and 50 by default) it runs
`wrk -t<min(c,2)> -c<c> -d<duration>s --timeout 30s --latency -H "Cookie: <session>" <url>` and reads the
requests per second and the 50th, 95th (interpolated between wrk's 90 % and 99 %) and 99th percentiles.
The pages, each opened by the account that uses it, logged in through the login form (session cookie):
- floor: /banc/plancher/, a minimal view reading one row through the same middleware and database
  (parcours/core/bench.py, mounted by PARCOURS_BENCH_FLOOR=1, demo mode only): ratios are to it;
- caseload (first page) and a misspelt-name search of the largest association (a social worker);
- the person with 500 notes; the to-do page (the same social worker);
- the full session page (the commission's secretariat); the national statistics (the national admin);
- an API list (/api/v1/people, 50 per page) with a personal token of the social worker, created for the
  run through parcours.api.tokens (the throttle is raised to its maximum for the run).
Every page is first fetched once and must answer 200 (a redirect to the login page would count as a success
for wrk), then loaded for one second with 2 connections, not counted: each worker has then served it (sync
workers take a new connection per request) before the measures. Without it, the first measure of a run read
a worker still loading (the floor at 1 connection: 1 to 111 requests in the same second, four starts). The
run fails (exit 1) on any non-2xx answer or socket error during the load or the warm-up, never on speed.
Results: a Markdown table on the standard output and bench/.data/<preset>/results.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scratchdb
from kill9_writes import Browser, free_port, start_server, tail, wait_ready

ROOT = scratchdb.ROOT


def production_workers() -> int:
    """The worker count of deploy/gunicorn.conf.py on this machine, read from that file (not a copy of it)."""
    settings: dict = {}
    exec((ROOT / "deploy" / "gunicorn.conf.py").read_text(), settings)  # noqa: S102 (our own file)
    return int(settings["workers"])


def pages(info: dict) -> list[tuple[str, str, str]]:
    """(name, account, path)"""
    worker = info["worker"]
    return [
        ("floor", worker, "/banc/plancher/"),
        ("caseload, first page", worker, "/personnes/"),
        ("caseload, misspelt search", worker, f"/personnes/?q={quote(info['misspelt_query'])}"),
        ("person, 500 notes", worker, f"/personnes/{info['person_500_notes']}/"),
        ("to-do (social worker)", worker, "/parcours/a-faire/"),
        ("session, full agenda", info["secretariat"], f"/parcours/seances/{info['full_session']}/"),
        ("national statistics", info["national"], "/statistiques/"),
        ("API list of people", f"api:{worker}", "/api/v1/people?per_page=50"),
    ]


TOKEN_CODE = """
import datetime as dt
from parcours.accounts.models import Membership
from parcours.api.tokens import create_token
from parcours.core import clock
m = Membership.objects.select_related("user").get(user__username={username!r})
_token, secret = create_token(m, name="banc d'essai", read=["people"], write=[],
                              expires_on=clock.today() + dt.timedelta(days=1))
print(secret)
"""  # noqa: S105 (Python run in `manage.py shell`, not a password)


def api_token(env: dict, username: str) -> str:
    """A personal API token of `username`, made by the project's own service (hashed, journaled)."""
    code = TOKEN_CODE.format(username=username)
    command = [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        raise SystemExit(f"jeton d'API impossible à créer (base à migrer ?) :\n{done.stderr[-2000:]}")
    return done.stdout.strip().splitlines()[-1]


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def parse_wrk(output: str) -> dict:
    percentiles = {int(p): milliseconds(v) for p, v in re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.M)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = sum(int(x) for x in socket.groups()) if socket else 0
    p90, p99 = percentiles.get(90), percentiles.get(99)
    p95 = p90 + (p99 - p90) * 5 / 9 if p90 is not None and p99 is not None else None
    return {"rps": rps, "requests": total, "p50": percentiles.get(50), "p90": p90, "p95": p95, "p99": p99,
            "non_2xx": non_2xx, "socket_errors": errors}  # fmt: skip


def run_wrk(port: int, header: str, path: str, connections: int, duration: float) -> dict:
    command = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
               "--latency", "-H", header, f"http://127.0.0.1:{port}{path}"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    result = parse_wrk(done.stdout)
    if result["p50"] is None:
        result["raw"] = done.stdout
    result["command"] = " ".join([*command[:-3], "-H", f"'{header.split(':')[0]}: …'", command[-1]])
    return result


def api_get(port: int, path: str, header: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    key, value = header.split(": ", 1)
    connection.request("GET", path, headers={key: value})
    response = connection.getresponse()
    return response.status, response.read().decode()


WARM_UP = (2, 1)  # connections, seconds of a load not counted, before a page's measures


def measure(results, failures, port, header, name, path, levels, duration, first, html) -> None:
    warm_up = run_wrk(port, header, path, *WARM_UP)
    if warm_up["non_2xx"] or warm_up["socket_errors"]:
        failures.append(f"{name} while warming up: {warm_up['non_2xx']} non-2xx answers, "
                        f"{warm_up['socket_errors']} socket errors")  # fmt: skip
    for connections in levels:
        result = run_wrk(port, header, path, connections, duration)
        result.update(page=name, path=path, connections=connections, first_ms=round(first, 1),
                      html_kb=round(len(html.encode()) / 1024, 1))  # fmt: skip
        results.append(result)
        if result["non_2xx"] or result["socket_errors"]:
            failures.append(f"{name} at {connections}: {result['non_2xx']} non-2xx answers, "
                            f"{result['socket_errors']} socket errors")  # fmt: skip
        print(f"  {name:28} c={connections:<3} {result['rps']:8.1f} req/s  p50 {ms(result['p50'])} "
              f"p95 {ms(result['p95'])}  p99 {ms(result['p99'])} ms  ({result['requests']} requests)",
              flush=True)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="ci")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page and level")
    parser.add_argument("--connections", default="1,10,50")
    parser.add_argument("--only", default="",
                        help="starts of page names, e.g. person,session (the floor always runs)")  # fmt: skip
    parser.add_argument("--check", action="store_true", help="CI: fail on errors only, print less")
    parser.add_argument("--workers", default="2",
                        help="gunicorn sync workers, or 'production' (deploy/gunicorn.conf.py)")  # fmt: skip
    args = parser.parse_args()
    args.workers = production_workers() if args.workers == "production" else int(args.workers)
    if shutil.which("wrk") is None:
        print("wrk manque : apt-get install -y wrk", file=sys.stderr)
        return 2
    info_path = ROOT / "bench" / ".data" / args.preset / "bench.json"
    info = json.loads(info_path.read_text())
    env = scratchdb.django_env(info["database_url"], Path(info["data_dir"]), PARCOURS_BENCH_FLOOR="1")
    env["SECRET_KEY"] = info["secret_key"]
    env["PARCOURS_API_CALLS_PER_MINUTE"] = "10000"  # the settings' maximum: the load is not a client's
    levels = [int(c) for c in args.connections.split(",")]
    chosen = pages(info)
    if args.only:
        # Names hold commas (« person, 500 notes »): each item chooses the pages whose name starts with it.
        wanted = tuple(name.strip() for name in args.only.split(",") if name.strip())
        chosen = [p for p in chosen if p[0] == "floor" or p[0].startswith(wanted)]
    port = free_port()
    log_file = Path(info["data_dir"]) / "gunicorn.log"
    server = start_server(env, port, log_file, workers=args.workers)
    failures = []
    results = []
    try:
        ready = wait_ready(server, port, log_file)
        print(f"gunicorn ({args.workers} workers) ready in {ready:.1f} s on 127.0.0.1:{port} "
              f"({args.preset}: {info['counts']})", flush=True)  # fmt: skip
        cookies, headers = {}, {}
        for name, account, path in chosen:
            if account.startswith("api:"):
                headers[account] = (
                    headers.get(account) or f"Authorization: Bearer {api_token(env, account[4:])}"
                )
                started = time.perf_counter()
                status, html = api_get(port, path, headers[account])
                first = (time.perf_counter() - started) * 1000
                if status != 200:
                    failures.append(f"{name}: {path} answered {status}")
                    continue
                measure(
                    results, failures, port, headers[account], name, path, levels, args.duration, first, html
                )
                continue
            if account not in cookies:
                browser = Browser(port)
                browser.login(account, info["password"])
                cookies[account] = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
            browser = Browser(port)
            browser.cookies = dict(c.split("=", 1) for c in cookies[account].split("; "))
            started = time.perf_counter()
            status, _location, html = browser.request("GET", path)
            first = (time.perf_counter() - started) * 1000
            if status != 200:
                failures.append(f"{name}: {path} answered {status}")
                continue
            header = f"Cookie: {cookies[account]}"
            measure(results, failures, port, header, name, path, levels, args.duration, first, html)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    floor = {r["connections"]: r["rps"] for r in results if r["page"] == "floor"}
    for r in results:
        r["floor_ratio"] = (
            round(r["rps"] / floor[r["connections"]], 3) if floor.get(r["connections"]) else None
        )
    out = Path(info["data_dir"]) / "results.json"
    out.write_text(json.dumps({"preset": args.preset, "counts": info["counts"], "duration_s": args.duration,
                               "workers": args.workers,
                               "results": results, "failures": failures}, indent=2))  # fmt: skip
    print("\n| page | c | req/s | p50 ms | p95 ms | p99 ms | throughput / floor | HTML KB |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        ratio = f"{r['floor_ratio']:.2f}" if r["floor_ratio"] is not None else "-"
        print(f"| {r['page']} | {r['connections']} | {r['rps']:.1f} | {ms(r['p50'])} | {ms(r['p95'])} | "
              f"{ms(r['p99'])} | {ratio} | {r['html_kb']} |")  # fmt: skip
    if failures:
        print("\nFAILED:\n- " + "\n- ".join(failures) + "\n" + tail(log_file), file=sys.stderr)
        return 1
    print(f"\nresults in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
