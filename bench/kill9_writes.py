"""kill -9 during a burst of writes: no acknowledged write is lost, no pathway is left half-written.

    .venv/bin/python bench/kill9_writes.py              # 8 clients, 3 kills, each after about 15 s of writes
    .venv/bin/python bench/kill9_writes.py --clients 4 --burst 4 --rounds 1  # tests/ops/test_kill9.py

What it does, on the PostgreSQL server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432):
1. creates a throwaway database, migrates it, creates an association, its commission and préfecture and
   accounts with a known (random) password (bench/scratchdb.py);
2. starts the real server: gunicorn `parcours.wsgi`, 2 workers, on a free 127.0.0.1 port below 32768, in its
   own process group, with DATABASE_URL and PARCOURS_MFA_REQUIRED=0;
3. runs concurrent clients that behave like a social worker in a browser: log in through the form (CSRF
   token), then, in a loop, fill in /personnes/nouvelle/ and /parcours/demandes/nouvelle/<pk>/entry/ (the
   forms are read from the pages at run time, so fields added later get a plausible value). Each write
   carries a unique marker (the person's last name, the request's situation, plan action and commitment);
   a write counts as acknowledged when the server answered 302;
4. in the middle of the burst, at a random instant when writes are in flight, sends SIGKILL to the whole
   process group (the gunicorn master and its workers) and checks that none survives; starts the server
   again and repeats (--rounds). A request counts as cut when it was sent before the kill and its connection
   was dropped without an answer; while no request was cut, more rounds are run (up to --max-rounds) and
   the run fails if none ever was: a kill between two requests proves nothing;
5. checks in the database, through the ORM in a child process: every acknowledged person and request is
   there with its content; no pathway without its request and its "open_pathway" event; no request without
   its "open_request" event, its plan action and its commitment; the counts agree; writes that were in flight
   are either complete or absent; every acknowledged write has its journal row (an audit row that is not a
   read or a refusal, by the account that made it, naming the person: person_id or the person as object);
6. starts the server once more on the same database and makes one more write (no lock left behind);
7. stops everything and drops the database, even on failure or Ctrl-C.

Exit code 0 when nothing is lost and nothing is half-written. Standard library, psycopg and gunicorn only.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import scratchdb

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
LOGIN = "/compte/connexion/"
PERSON_NEW = "/personnes/nouvelle/"
REQUEST_NEW = "/parcours/demandes/nouvelle/{pk}/entry/"
PERSON_URL = re.compile(r"^/personnes/(\d+)/$")
REQUEST_URL = re.compile(r"^/parcours/demandes/(\d+)/$")
HTTP_TIMEOUT = 60


# --- A minimal browser -------------------------------------------------------------------------------
@dataclass
class Field:
    kind: str  # input type, "select" or "textarea"
    name: str
    value: str = ""
    checked: bool = False
    required: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)


class FormParser(HTMLParser):
    """Every <form> of a page with its fields, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "fields": [],
            }
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "input" and a.get("name"):
            self._form["fields"].append(
                Field(
                    (a.get("type") or "text").lower(),
                    a["name"],
                    a.get("value") or "",
                    "checked" in a,
                    "required" in a,
                )
            )
        elif tag == "select" and a.get("name"):
            self._select = Field("select", a["name"], required="required" in a)
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append((a.get("value") or "", "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea = Field("textarea", a["name"], required="required" in a)
            self._form["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def find_form(html: str, field_name: str) -> list[Field]:
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form["method"] == "post" and any(f.name == field_name for f in form["fields"]):
            return form["fields"]
    raise LookupError(f"aucun formulaire avec le champ {field_name!r}")


PLAUSIBLE = {"date": "1990-01-01", "number": "0", "email": "banc@example.invalid", "tel": "0600000000"}


def fill(fields: list[Field], values: dict[str, str]) -> list[tuple[str, str]]:
    """What a browser sends after the user typed `values`: defaults, checked boxes, selected options, and a
    plausible value in any other required field (fields another developer adds later)."""
    data: list[tuple[str, str]] = []
    for f in fields:
        if f.kind in {"submit", "button", "image", "reset", "file"}:
            continue
        if f.name in values:
            if f.kind == "radio" and data and any(n == f.name for n, _ in data):
                continue
            data.append((f.name, values[f.name]))
            continue
        if f.kind in {"checkbox", "radio"}:
            if f.checked or (f.required and f.kind == "checkbox"):
                data.append((f.name, f.value or "on"))
            elif f.required and f.kind == "radio" and not any(n == f.name for n, _ in data):
                data.append((f.name, f.value))
            continue
        if f.kind == "select":
            selected = [v for v, s in f.options if s] or [v for v, _ in f.options[:1]]
            if f.required and not any(selected):
                selected = [v for v, _ in f.options if v][:1]
            data.extend((f.name, v) for v in selected)
            continue
        value = f.value
        if f.required and not value:
            value = PLAUSIBLE.get(f.kind, "Fictif")
        data.append((f.name, value))
    return data


class Browser:
    """Cookies and one HTTP/1.1 connection per request (gunicorn's sync workers close it anyway)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: list[tuple[str, str]] | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        try:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            body = None
            if data is not None:
                body = urlencode(data).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            location = urlsplit(response.getheader("Location") or "").path
            return response.status, location, content
        finally:
            conn.close()

    def get_form(self, path: str, field_name: str) -> list[Field]:
        status, _, html = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} : {status}")
        return find_form(html, field_name)

    def login(self, username: str, password: str) -> None:
        fields = self.get_form(LOGIN, "password")
        status, location, _ = self.request(
            "POST", LOGIN, fill(fields, {"username": username, "password": password})
        )
        if status != 302 or location.startswith(LOGIN):
            raise RuntimeError(f"connexion de {username} refusée ({status} → {location})")


# --- The burst ---------------------------------------------------------------------------------------
@dataclass
class Write:
    kind: str  # "person" or "request"
    marker: str
    person_pk: int | None = None  # the person of a request
    pk: int | None = None  # what the 302 pointed to
    acknowledged: bool = False
    outcome: str = "in flight"  # "acknowledged", "connection lost (…)", "refused: …"
    user: str = ""  # the account that made it: its journal row must name it
    began: float = 0.0  # time.monotonic() when the POST was about to be sent

    def cut_by(self, killed_at: float | None) -> bool:
        """Sent before the kill and never answered, the connection dropped by the server (not refused):
        the kill reached this request inside the server, before its response left."""
        return (
            killed_at is not None
            and self.began < killed_at
            and not self.acknowledged
            and self.outcome.startswith("connection lost")
            and "ConnectionRefused" not in self.outcome
        )


class WriteLog:
    def __init__(self):
        self.lock = threading.Lock()
        self.writes: list[Write] = []
        self.in_flight = 0
        self.latencies: list[float] = []

    def begin(self, write: Write) -> None:
        with self.lock:
            write.began = time.monotonic()
            self.writes.append(write)
            self.in_flight += 1

    def end(self, write: Write, outcome: str, pk: int | None = None, latency: float | None = None) -> None:
        with self.lock:
            self.in_flight -= 1
            write.outcome = outcome
            if outcome == "acknowledged":
                write.acknowledged, write.pk = True, pk
                self.latencies.append(latency)

    def acknowledged(self) -> int:
        with self.lock:
            return sum(w.acknowledged for w in self.writes)


class Client(threading.Thread):
    """One social worker: log in, then create a person and open her entry request, again and again.

    A failure before the kill is an error of the bench; after it (`killed` set), the expected end."""

    def __init__(
        self,
        number: int,
        port: int,
        username: str,
        password: str,
        log: WriteLog,
        marker: str,
        killed: threading.Event,
    ):
        super().__init__(name=f"client-{number}", daemon=True)
        self.number, self.browser = number, Browser(port)
        self.username, self.password = username, password
        self.log, self.marker, self.killed = log, marker, killed
        self.error: str | None = None
        self.logged_in = threading.Event()

    def post(self, write: Write, path: str, data, expected: re.Pattern) -> int | None:
        write.user = self.username
        self.log.begin(write)
        started = time.perf_counter()
        try:
            status, location, _ = self.browser.request("POST", path, data)
        except (OSError, http.client.HTTPException) as exc:
            self.log.end(write, f"connection lost ({type(exc).__name__})")
            if not self.killed.is_set():
                self.error = f"POST {path} : {type(exc).__name__}: {exc}"
            return None
        found = expected.match(location) if status == 302 else None
        if not found:
            self.log.end(write, f"refused: {status} {location}")
            self.error = f"POST {path} : réponse {status} {location} (formulaire refusé ?)"
            return None
        pk = int(found.group(1))
        self.log.end(write, "acknowledged", pk, time.perf_counter() - started)
        return pk

    def run(self):
        try:
            self.browser.login(self.username, self.password)
        except (OSError, http.client.HTTPException, RuntimeError, LookupError) as exc:
            self.error = f"connexion : {exc}"
            return
        finally:
            self.logged_in.set()
        # The day before today in UTC is never in the future in Paris: a signature date the form accepts.
        today = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
        n = 0
        while not self.killed.is_set():
            n += 1
            marker = f"{self.marker}c{self.number}n{n}"
            try:
                fields = self.browser.get_form(PERSON_NEW, "last_name")
                data = fill(fields, {"first_name": "Banc", "last_name": f"Démo-{marker}"})
                person_pk = self.post(Write("person", marker), PERSON_NEW, data, PERSON_URL)
                if person_pk is None:
                    return
                path = REQUEST_NEW.format(pk=person_pk)
                fields = self.browser.get_form(path, "motivation")
                data = fill(
                    fields,
                    {
                        "situation": f"Situation fictive {marker}",
                        "motivation": f"Projet fictif {marker}",
                        "sworn_statement": "on",
                        "signed_on": today.isoformat(),
                        "actions-0-domain": "housing",
                        "actions-0-description": f"Action {marker}",
                        "actions-0-target_date": (today + dt.timedelta(days=90)).isoformat(),
                        "commitments-0-text": f"Engagement {marker}",
                    },
                )
                if self.post(Write("request", marker, person_pk), path, data, REQUEST_URL) is None:
                    return
            except (OSError, http.client.HTTPException, RuntimeError, LookupError) as exc:
                if not self.killed.is_set():
                    self.error = f"{type(exc).__name__}: {exc}"
                return


# --- The server --------------------------------------------------------------------------------------
def free_port() -> int:
    """A free port below 32768 (above it, the kernel's ephemeral client ports may collide)."""
    rng = random.Random()  # noqa: S311 (not a secret)
    for _ in range(200):
        port = rng.randint(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("aucun port libre entre 20000 et 32000")


def start_server(env: dict[str, str], port: int, log_file: Path, workers: int = 2) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "parcours.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--graceful-timeout",
        "5",
        "--no-control-socket",
        "--log-level",
        "warning",
    ]
    with open(log_file, "ab") as log:
        # start_new_session: the master and its workers form a process group that one killpg reaches.
        return subprocess.Popen(  # noqa: S603
            command,
            env=env,
            cwd=scratchdb.ROOT,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )


def wait_ready(process: subprocess.Popen, port: int, log_file: Path, timeout: float = 60) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn s'est arrêté (code {process.returncode}) :\n{tail(log_file)}")
        try:
            if Browser(port).request("GET", LOGIN)[0] == 200:
                return time.perf_counter() - started
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn ne répond pas après {timeout:.0f} s :\n{tail(log_file)}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def group_members(pgid: int) -> list[int]:
    """Live processes of a process group (Linux /proc), zombies excluded."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL, timeout: float = 10) -> int:
    """Send `sig` to the server's process group, wait until none of its processes is left; returns how
    many there were."""
    members = group_members(process.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + timeout
    while group_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if group_members(process.pid):
        raise RuntimeError(f"des processus du serveur survivent : {group_members(process.pid)}")
    return len(members)


# --- The whole bench ---------------------------------------------------------------------------------
@dataclass
class Round:
    seconds: float = 0.0  # from the clients' first write to the kill
    in_flight_at_kill: int = 0  # POSTs sent and not yet answered when the kill was sent
    unanswered: int = 0  # writes of the round never acknowledged
    cut: int = 0  # of which sent before the kill and dropped by it: requests the kill cut in the server
    processes_killed: int = 0
    server_start_seconds: float = 0.0
    login_seconds: float = 0.0  # the clients log in (the password hasher is slow on purpose)


@dataclass
class Result:
    clients: int = 0
    rounds: list[Round] = field(default_factory=list)
    attempted: dict = field(default_factory=dict)
    acknowledged: dict = field(default_factory=dict)
    check: dict = field(default_factory=dict)
    restart_seconds: float | None = None
    restart_write: bool = False
    client_errors: list = field(default_factory=list)
    max_rounds: int = 0
    mean_latency_ms: float = 0.0
    timings: dict = field(default_factory=dict)

    @property
    def cut(self) -> int:
        return sum(r.cut for r in self.rounds)

    @property
    def ok(self) -> bool:
        c = self.check
        return (
            sum(self.acknowledged.values()) > 0
            and all(r.processes_killed >= 3 for r in self.rounds)
            and self.cut >= 1
            and not c.get("lost")
            and not c.get("unjournaled")
            and not c.get("half_written")
            and not c.get("unexplained")
            and not self.client_errors
            and self.restart_write
        )


def verify(env: dict[str, str], writes: list[Write], workdir: Path) -> dict:
    """Compare the log of writes with the database, in a child process with Django."""
    log_path = workdir / "writes.json"
    log_path.write_text(json.dumps([asdict(w) for w in writes]))
    return scratchdb.run_django(env, Path(__file__), "verify", str(log_path))


def burst_and_kill(
    env,
    log_file: Path,
    usernames: list[str],
    password: str,
    log: WriteLog,
    burst: float,
    marker: str,
    result: Result,
    say,
) -> Round:
    """Start the server, let the clients write, kill -9 the process group while writes are in flight."""
    rnd = Round()
    port = free_port()
    process = start_server(env, port, log_file)
    killed = threading.Event()
    killed_at: float | None = None
    threads: list[Client] = []
    try:
        rnd.server_start_seconds = wait_ready(process, port, log_file)
        threads = [
            Client(i, port, name, password, log, marker, killed) for i, name in enumerate(usernames, 1)
        ]
        for thread in threads:
            thread.start()
        logins = time.perf_counter()
        for thread in threads:
            thread.logged_in.wait(timeout=120)
        rnd.login_seconds = time.perf_counter() - logins
        started = time.perf_counter()
        target = burst * random.uniform(0.8, 1.0)  # noqa: S311 (a random instant, not a secret)
        # Wait for the target instant, then for a moment when POSTs are in the server (2 workers).
        wanted = min(2, len(threads))
        while time.perf_counter() - started < target or log.in_flight < wanted:
            if not any(t.is_alive() for t in threads) or time.perf_counter() - started > target + 30:
                break
            time.sleep(0.001)
        rnd.in_flight_at_kill = log.in_flight
        killed_at = time.monotonic()
        killed.set()
        rnd.processes_killed = kill_group(process)
        rnd.seconds = time.perf_counter() - started
    finally:
        killed.set()
        if process.poll() is None or group_members(process.pid):
            kill_group(process)
        for thread in threads:
            thread.join(timeout=HTTP_TIMEOUT + 5)
    result.client_errors += [f"{t.name}: {t.error}" for t in threads if t.error]
    mine = [w for w in log.writes if w.marker.startswith(f"{marker}c")]
    rnd.unanswered = sum(1 for w in mine if not w.acknowledged)
    rnd.cut = sum(1 for w in mine if w.cut_by(killed_at))
    say(
        f"kill -9 du groupe de processus (127.0.0.1:{port}) après {fr(rnd.seconds)} s d'écritures : "
        f"{rnd.processes_killed} processus tués, {rnd.in_flight_at_kill} écriture(s) en vol, "
        f"{rnd.unanswered} restée(s) sans réponse, dont {rnd.cut} coupée(s) dans le serveur."
    )
    return rnd


def run(
    server: dict[str, str],
    *,
    clients: int = 8,
    burst_seconds: float = 15.0,
    rounds: int = 1,
    max_rounds: int | None = None,
    template: str | None = None,
    say=print,
) -> Result:
    """The bench; `template` names an already migrated database to copy instead of migrating. After
    `rounds` rounds, more rounds are run (up to `max_rounds`) until at least one request was cut by a kill:
    a kill that fell between two requests proves nothing."""
    max_rounds = max(rounds, max_rounds or rounds)
    result = Result(clients=clients, max_rounds=max_rounds)
    password = secrets.token_urlsafe(16)
    timings = result.timings
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="parcours-kill9-") as tmp,
        scratchdb.throwaway_database(server, "kill9", template) as url,
    ):
        workdir = Path(tmp)
        env = scratchdb.django_env(url, workdir / "data", BENCH_PASSWORD=password)
        if template is None:
            scratchdb.migrate(env)
        seeded = scratchdb.seed(env, workers=clients)
        timings["préparation de la base"] = time.perf_counter() - started
        say(
            f"Base jetable « {scratchdb.database_name(url)} » prête ({clients} comptes), serveur gunicorn "
            "parcours.wsgi à 2 workers."
        )
        log_file = workdir / "gunicorn.log"
        log = WriteLog()
        run_id = secrets.token_hex(2)
        number = 0
        while number < rounds or (result.cut == 0 and number < max_rounds):
            number += 1
            rnd = burst_and_kill(
                env,
                log_file,
                seeded["usernames"],
                password,
                log,
                burst_seconds,
                f"K9{run_id}r{number}",
                result,
                say,
            )
            result.rounds.append(rnd)
            if result.client_errors:
                break
        timings["démarrages du serveur"] = sum(r.server_start_seconds for r in result.rounds)
        timings["connexions"] = sum(r.login_seconds for r in result.rounds)
        timings["rafales"] = sum(r.seconds for r in result.rounds)

        writes = list(log.writes)
        for kind in ("person", "request"):
            mine = [w for w in writes if w.kind == kind]
            result.attempted[kind] = len(mine)
            result.acknowledged[kind] = sum(w.acknowledged for w in mine)
        result.mean_latency_ms = 1000 * sum(log.latencies) / len(log.latencies) if log.latencies else 0.0
        checked = time.perf_counter()
        result.check = verify(env, writes, workdir)
        timings["vérification"] = time.perf_counter() - checked

        # The same database serves again and takes a write: no lock or state was left behind.
        port = free_port()
        restarted = start_server(env, port, log_file)
        try:
            result.restart_seconds = wait_ready(restarted, port, log_file)
            browser = Browser(port)
            browser.login(seeded["usernames"][0], password)
            fields = browser.get_form(PERSON_NEW, "last_name")
            status, location, _ = browser.request(
                "POST", PERSON_NEW, fill(fields, {"first_name": "Banc", "last_name": "Démo-Après-K9"})
            )
            result.restart_write = status == 302 and bool(PERSON_URL.match(location))
        finally:
            kill_group(restarted, signal.SIGTERM)
        timings["redémarrage et écriture"] = time.perf_counter() - checked - timings["vérification"]
        if not result.ok:
            say("Journal de gunicorn :\n" + tail(log_file))
    timings["total"] = time.perf_counter() - started
    return result


def fr(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def describe(r: Result) -> str:
    c = r.check
    ack = sum(r.acknowledged.values())
    attempted = sum(r.attempted.values())
    seconds = sum(x.seconds for x in r.rounds)
    in_flight = sum(x.in_flight_at_kill for x in r.rounds)
    unacknowledged = attempted - ack
    lines = [
        "",
        f"Clients simultanés                       : {r.clients}",
        f"kill -9 (maître et workers)              : {len(r.rounds)}, après "
        + " / ".join(f"{fr(x.seconds)} s" for x in r.rounds)
        + " d'écritures ; processus tués : "
        + " / ".join(str(x.processes_killed) for x in r.rounds),
        f"Écritures tentées (personnes / demandes) : {attempted} "
        f"({r.attempted.get('person', 0)} / {r.attempted.get('request', 0)})",
        f"Écritures acquittées par une redirection : {ack} "
        f"({r.acknowledged.get('person', 0)} / {r.acknowledged.get('request', 0)}), "
        f"{fr(ack / seconds if seconds else 0)} par seconde, latence moyenne {r.mean_latency_ms:.0f} ms",
        f"Acquittées retrouvées en base            : {c.get('found', 0)} sur {ack}",
        f"Acquittées perdues                       : {len(c.get('lost', []))}",
        f"Acquittées sans ligne de journal         : {len(c.get('unjournaled', []))} (non acquittées mais "
        f"enregistrées sans ligne : {c.get('unacknowledged_unjournaled', 0)}, pour information)",
        f"En vol au moment du kill                 : {in_flight} ; sans réponse : {unacknowledged}, dont "
        f"{r.cut} coupée(s) dans le serveur par le kill (au moins 1 exigée, {len(r.rounds)} kill(s) sur "
        f"{r.max_rounds} au plus) : {c.get('unacknowledged_present', 0)} enregistrée(s) en entier, "
        f"{unacknowledged - c.get('unacknowledged_present', 0)} absente(s)",
        f"Personnes / parcours / demandes en base  : {c.get('people', 0)} / {c.get('pathways', 0)} / "
        f"{c.get('requests', 0)}",
        f"Événements open_pathway / open_request   : {c.get('open_pathway_events', 0)} / "
        f"{c.get('open_request_events', 0)}",
        f"Orphelins (parcours ou demande à moitié) : {len(c.get('half_written', []))}",
        f"Lignes sans écriture correspondante      : {len(c.get('unexplained', []))}",
        f"Redémarrage, puis nouvelle écriture      : {'oui' if r.restart_write else 'NON'} "
        f"(serveur prêt en {fr(r.restart_seconds or 0)} s)",
    ]
    for label, items in (
        ("Perdues", c.get("lost")),
        ("Orphelins", c.get("half_written")),
        ("Sans ligne de journal", c.get("unjournaled")),
        ("Sans écriture correspondante", c.get("unexplained")),
        ("Erreurs des clients", r.client_errors),
    ):
        if items:
            lines.append(f"{label} : {items[:20]}")
    lines.append("Durées : " + ", ".join(f"{k} {fr(v)} s" for k, v in r.timings.items()))
    lines.append(
        "RÉSULTAT : "
        + ("aucune écriture acquittée perdue, aucun parcours à moitié écrit." if r.ok else "ÉCHEC.")
    )
    return "\n".join(lines)


# --- The child's side: the check, with the ORM --------------------------------------------------------
def _verify(log_path: str) -> dict:
    import django

    django.setup()
    from parcours.audit.models import AccessLog
    from parcours.pathway.models import Event, Pathway, PathwayRequest
    from parcours.people.models import Person

    writes = [Write(**w) for w in json.loads(Path(log_path).read_text())]
    people = {p.pk: p for p in Person.objects.all()}
    requests = {
        r.pk: r
        for r in PathwayRequest.objects.select_related("pathway").prefetch_related("actions", "commitments")
    }
    opened_requests = set(Event.objects.filter(action="open_request").values_list("request_id", flat=True))
    opened_pathways = set(Event.objects.filter(action="open_pathway").values_list("pathway_id", flat=True))
    pathways = {p.pk: p for p in Pathway.objects.prefetch_related("requests")}

    def complete(req: PathwayRequest, marker: str) -> bool:
        return (
            f"Situation fictive {marker}" == req.situation
            and [a.description for a in req.actions.all()] == [f"Action {marker}"]
            and [c.text for c in req.commitments.all()] == [f"Engagement {marker}"]
            and req.pk in opened_requests
            and req.pathway_id in opened_pathways
        )

    person_by_marker = {p.last_name.removeprefix("Démo-"): p for p in people.values()}
    request_by_marker = {}
    for req in requests.values():
        request_by_marker[req.situation.removeprefix("Situation fictive ")] = req

    lost, found, unacknowledged_present, explained_people, explained_requests = [], 0, 0, set(), set()
    for w in writes:
        if w.kind == "person":
            person = people.get(w.pk) if w.acknowledged else person_by_marker.get(w.marker)
            ok = person is not None and person.last_name == f"Démo-{w.marker}"
            if ok:
                explained_people.add(person.pk)
        else:
            req = requests.get(w.pk) if w.acknowledged else request_by_marker.get(w.marker)
            ok = req is not None and req.pathway.person_id == w.person_pk and complete(req, w.marker)
            if req is not None:
                explained_requests.add(req.pk)
        if w.acknowledged:
            found += ok
            if not ok:
                lost.append(f"{w.kind} {w.marker} (pk {w.pk})")
        elif ok:
            unacknowledged_present += 1

    # The journal: every acknowledged write has a row naming the person it is about and the account that
    # made it, with an action that is not a read or a refusal. Whether the row is written by the middleware
    # after the view ("update", object = the URL's argument) or inside the service's transaction with a
    # semantic event type, it names the person (person_id) or has the person as its object.
    not_writes = {"read", "denied", "download", "export", "print", "login", "login_failed", "logout", "purge"}
    journaled: set[tuple[str, int]] = set()
    for username, person_id, object_type, object_id in (
        AccessLog.objects.exclude(action__in=not_writes)
        .filter(user__isnull=False)
        .values_list("user__username", "person_id", "object_type", "object_id")
    ):
        if person_id is not None:
            journaled.add((username, person_id))
        if "person" in object_type and str(object_id).isdigit():
            journaled.add((username, int(object_id)))
    unjournaled, unacknowledged_unjournaled = [], 0
    for w in writes:
        person_pk = w.pk if w.kind == "person" else w.person_pk
        if w.acknowledged and (w.user, person_pk) not in journaled:
            unjournaled.append(f"{w.kind} {w.marker} (personne {person_pk}, {w.user})")
    # Writes that reached the database without their answer: reported (rows written after the change's
    # transaction may be missing for them), not part of the verdict.
    for w in writes:
        if w.kind == "person" and not w.acknowledged and (p := person_by_marker.get(w.marker)) is not None:
            unacknowledged_unjournaled += (w.user, p.pk) not in journaled

    half_written = []
    for p in pathways.values():
        if not p.requests.all():
            half_written.append(f"parcours {p.pk} sans demande")
        if p.pk not in opened_pathways:
            half_written.append(f"parcours {p.pk} sans événement open_pathway")
    for r in requests.values():
        if r.pk not in opened_requests:
            half_written.append(f"demande {r.pk} sans événement open_request")
        if not r.actions.all() or not r.commitments.all():
            half_written.append(f"demande {r.pk} sans action ou sans engagement")
    # Every row must come from a write of the log (the seed creates no person and no pathway).
    unexplained = [f"personne {pk}" for pk in people.keys() - explained_people]
    unexplained += [f"demande {pk}" for pk in requests.keys() - explained_requests]
    counts = {
        "pathways": len(pathways),
        "requests": len(requests),
        "open_pathway_events": Event.objects.filter(action="open_pathway").count(),
        "open_request_events": len(opened_requests),
    }
    if len(set(counts.values())) != 1:
        half_written.append(f"effectifs incohérents : {counts}")
    return {
        "found": found,
        "lost": lost,
        "unacknowledged_present": unacknowledged_present,
        "half_written": half_written,
        "unexplained": unexplained,
        "journaled": sum(w.acknowledged for w in writes) - len(unjournaled),
        "unjournaled": unjournaled,
        "unacknowledged_unjournaled": unacknowledged_unjournaled,
        "people": len(people),
        **counts,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="clients simultanés (défaut : 8)")
    parser.add_argument("--burst", type=float, default=15.0, help="secondes d'écritures avant chaque kill -9")
    parser.add_argument("--rounds", type=int, default=3, help="nombre de kill -9 successifs (défaut : 3)")
    parser.add_argument(
        "--max-rounds",
        type=int,
        default=6,
        help="nombre maximal de kill -9, tant qu'aucune requête n'a été coupée (défaut : 6)",
    )
    parser.add_argument("command", nargs="*", help=argparse.SUPPRESS)  # "verify FILE", for the child
    args = parser.parse_args(argv)
    if args.command[:1] == ["verify"]:
        print(json.dumps(_verify(args.command[1])))
        return 0
    url = os.environ.get("DATABASE_URL", "")
    server = scratchdb.server_params(url) or scratchdb.server_params(DEFAULT_SERVER)
    if problem := scratchdb.unreachable(server):
        print(f"PostgreSQL inutilisable : {problem}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))  # the finally blocks stop the server, drop the base
    result = run(
        server, clients=args.clients, burst_seconds=args.burst, rounds=args.rounds, max_rounds=args.max_rounds
    )
    print(describe(result))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
