"""A fictional dataset the size of a preset, for the load benchmark (bench/run.py, docs/performance.md).

    .venv/bin/python bench/generate.py --preset ci          # a few seconds: CI (.ci/run)
    .venv/bin/python bench/generate.py --preset medium      # one large association of 3,000 people
    .venv/bin/python bench/generate.py --preset national    # 101 départements, 60,000 people
    .venv/bin/python bench/generate.py --preset ci --sqlite # SQLite instead of PostgreSQL

It (re)creates the database `parcours_bench_<preset>` on the PostgreSQL server of --server (default
postgres://postgres@127.0.0.1:5432; with --sqlite, bench/.data/<preset>/db.sqlite3), migrates it, and writes
bench/.data/<preset>/bench.json: the database URL, the data folder (the demo-mode keys are generated there,
so the server of bench/run.py decrypts with the same keys), the accounts' password and the objects the
benchmark opens. Everything is invented (names made of syllables, fictional associations).

What goes through the project's services and what does not (say so in any figure taken from it):
- organisations, users (one password hash for all), people: model instances saved with bulk_create; each
  encrypted column is encrypted by its field (core/fields.py) exactly as a save() would, and the keyed
  identity and birth indexes (people.models) are computed by the project's functions;
- pathways, requests, sessions, avis, decisions, periods and exits: through parcours.pathway.transitions,
  one service call per step in its transaction, each with its journal row (the slow part: about 10 to 20
  pathways a second);
- the full session of 30 requests and the person with 500 notes: through the services for the session;
  notes by bulk_create (the text encrypted by its field);
- notes and history journal rows of ten years: bulk_create. Journal rows are chained and sealed with the
  project's own hash (AccessLog.compute_hash, ChainHead.compute_seal), so verify_audit_chain still passes;
  a checkpoint is written at the end.
Progress is printed phase by phase with its rate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import scratchdb  # noqa: E402
from search_bench import invented_name  # noqa: E402

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Preset:
    departements: int
    associations: int
    largest: int  # people of the largest association
    people: int  # in all
    pathways: int  # through the services; a fifth of them in the largest association
    notes: int  # bulk, spread over the people
    journal: int  # bulk history rows of the journal, over ten years
    session_requests: int = 30
    big_notes: int = 500


PRESETS = {
    "ci": Preset(departements=2, associations=3, largest=60, people=120, pathways=24, notes=2_000,
                 journal=2_000, session_requests=6, big_notes=60),
    "medium": Preset(departements=10, associations=30, largest=3_000, people=10_000, pathways=1_000,
                     notes=300_000, journal=300_000),
    "national": Preset(departements=101, associations=300, largest=3_000, people=60_000, pathways=12_000,
                       notes=1_500_000, journal=1_500_000),  # 3 million rows with the pathways' events
}  # fmt: skip
BATCH = 5_000


def spread(total: int, weights: list[float], cap: int) -> list[int]:
    """`total` people shared in proportion to `weights`, no share above `cap` nor under 1: what a capped
    share cannot take goes to the others, so the shares add up to `total` (when `cap` allows it)."""
    sizes = [0] * len(weights)
    free = set(range(len(weights)))
    left = total
    while left > 0 and free:
        weight = sum(weights[i] for i in free)
        capped = {i for i in free if left * weights[i] / weight >= cap}
        if not capped:
            for i in free:
                sizes[i] = max(1, int(left * weights[i] / weight))
            order = sorted(free, key=lambda i: -weights[i])
            for k in range(total - sum(sizes)):  # the rounding's remainder, one each to the largest
                sizes[order[k % len(order)]] += 1
            break
        for i in capped:
            sizes[i] = cap
        left -= cap * len(capped)
        free -= capped
    return sizes


class Progress:
    def __init__(self, phase: str, total: int):
        self.phase, self.total, self.done, self.start = phase, total, 0, time.monotonic()
        self._last = 0.0

    def add(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last > 1 or self.done >= self.total:
            self._last = now
            rate = self.done / max(now - self.start, 1e-6)
            print(f"\r  {self.phase}: {self.done:,}/{self.total:,} ({rate:,.0f}/s)", end="", flush=True)

    def end(self) -> float:
        elapsed = time.monotonic() - self.start
        rate = self.done / max(elapsed, 1e-6)
        print(f"\r  {self.phase}: {self.done:,} in {elapsed:,.1f} s ({rate:,.0f}/s)        ", flush=True)
        return elapsed


def data_dir(preset: str) -> Path:
    return ROOT / "bench" / ".data" / preset


def prepare(args) -> tuple[str, Path, dict]:
    folder = data_dir(args.preset)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in ("keys", "db.sqlite3", "audit-checkpoints.jsonl"):  # a new database starts a new journal
        path = folder / stale
        if path.is_dir():
            for f in path.iterdir():
                f.unlink()
        elif path.exists():
            path.unlink()
    if args.sqlite:
        url = f"sqlite:///{folder / 'db.sqlite3'}"
    else:
        params = scratchdb.server_params(args.server)
        name = f"parcours_bench_{args.preset}"
        scratchdb.drop_database(params, name)
        from psycopg import sql

        with scratchdb.admin_connect(params) as conn:
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if args.template:  # an already migrated database (CI): migrate has nothing left to do
                statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(args.template))
            conn.execute(statement)
        url = scratchdb.url_for(params, name)
    settings = {
        "database_url": url,
        "data_dir": str(folder),
        "secret_key": secrets.token_urlsafe(50),
        "password": secrets.token_urlsafe(12),
    }
    return url, folder, settings


def setup_django(settings: dict) -> None:
    os.environ.update(
        DATABASE_URL=settings["database_url"],
        DJANGO_SETTINGS_MODULE="parcours.settings",
        PARCOURS_DATA_DIR=settings["data_dir"],
        PARCOURS_DEMO="1",
        SECRET_KEY=settings["secret_key"],
        PARCOURS_MFA_REQUIRED="0",
        DEBUG="0",
    )
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def generate(preset: Preset, rng: random.Random, password: str) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Max, QuerySet

    from parcours.accounts.models import Membership, Organisation, User
    from parcours.accounts.roles import OrganisationKind, Role
    from parcours.audit import chain
    from parcours.audit.models import COMMON_CHAIN, AccessLog, Action, ChainHead, Outcome
    from parcours.core import clock
    from parcours.core.models import Departement
    from parcours.followup.models import Domain, Note
    from parcours.pathway import transitions as t
    from parcours.pathway.models import Pathway, PathwayRequest
    from parcours.people.models import Person, birth_index, identity_index

    timings = {}
    started = time.monotonic()
    print("== migrate", flush=True)
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.monotonic() - started
    today = clock.today()
    hashed = make_password(password)

    # --- Organisations and accounts ---------------------------------------------------------------
    departements = list(Departement.objects.order_by("code")[: preset.departements])
    gard = Departement.objects.get(code="30")
    if gard not in departements:
        departements[0] = gard  # the largest association is in the Gard
    progress = Progress("organisations and accounts", preset.associations + 2 * len(departements))
    users = []

    def account(username, organisation, role):
        user = User(username=username, password=hashed, first_name="Banc", last_name=f"Fictif-{username}")
        users.append((user, organisation, role))
        return user

    by_departement = {}
    with transaction.atomic():
        for d in departements:
            commission = Organisation.objects.create(
                kind=OrganisationKind.COMMISSION, name=f"Commission fictive {d.code}", departement=d
            )
            prefecture = Organisation.objects.create(
                kind=OrganisationKind.PREFECTURE, name=f"Préfecture fictive {d.code}", departement=d
            )
            account(f"secretariat-{d.code}", commission, Role.SECRETARIAT)
            account(f"prefecture-{d.code}", prefecture, Role.PREFECTURE_AGENT)
            by_departement[d.pk] = {"commission": commission, "prefecture": prefecture}
            progress.add(2)
        associations = []
        for n in range(preset.associations):
            d = departements[0] if n == 0 else departements[n % len(departements)]
            association = Organisation.objects.create(
                kind=OrganisationKind.ASSOCIATION, name=f"Association fictive n° {n + 1} ({d.code})",
                departement=d, approval_number=f"AGR-{d.code}-BANC-{n + 1:04d}",
                approval_start=today - dt.timedelta(days=3650),
            )  # fmt: skip
            association.departements_served.add(d)
            associations.append(association)
            for k in range(3 if n == 0 else 1):
                account(f"travailleuse-{n + 1}-{k + 1}", association, Role.SOCIAL_WORKER)
            account(f"cheffe-{n + 1}", association, Role.HEAD_OF_SERVICE)
            progress.add()
        national = Organisation.objects.create(kind="national", name="Administration nationale fictive")
        account("national", national, Role.NATIONAL_ADMIN)
        User.objects.bulk_create([u for u, _o, _r in users])
        saved = {u.username: u for u in User.objects.all()}
        memberships = Membership.objects.bulk_create(
            [Membership(user=saved[u.username], organisation=o, role=r) for u, o, r in users]
        )
    timings["organisations"] = progress.end()
    member = {m.user.username: m for m in Membership.objects.select_related("user", "organisation")}
    del memberships

    # --- People -------------------------------------------------------------------------------------
    sizes = [preset.largest]
    rest = preset.people - preset.largest
    others = preset.associations - 1
    if others:
        weights = [rng.paretovariate(1.5) for _ in range(others)]
        sizes += spread(rest, weights, cap=preset.largest - 1)
    progress = Progress("people (bulk, encrypted by their fields)", sum(sizes))
    created = clock.now() - dt.timedelta(days=3651)  # before the first pathway of the ten years
    nationalities = ["NG", "RO", "CN", "BR", "CM", "FR", "BG", "CI", "AL", "VE"]
    for n, (association, size) in enumerate(zip(associations, sizes, strict=True)):
        referents = [m.user for m in member.values() if m.organisation_id == association.pk
                     and m.role in (Role.SOCIAL_WORKER, Role.HEAD_OF_SERVICE)]  # fmt: skip
        batch = []
        for i in range(size):
            first, last = invented_name(rng, rng.randint(2, 3)), invented_name(rng, rng.randint(2, 4))
            born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randint(0, 13_000))
            batch.append(Person(
                association=association, referent=rng.choice(referents), first_name=first, last_name=last,
                birth_date=born, nationality=rng.choice(nationalities), gender="woman",
                departement=association.departement, identity_index=identity_index(first, last, born),
                birth_index=birth_index(born),
                created_at=created,
            ))  # fmt: skip
            if len(batch) >= BATCH or i == size - 1:
                Person.objects.bulk_create(batch)
                progress.add(len(batch))
                batch = []
        if n == 0:
            largest = association
    timings["people"] = progress.end()

    # --- Journal history (bulk, chained with the project's hash) -------------------------------------
    readers = [m for m in member.values() if m.organisation.kind == OrganisationKind.ASSOCIATION]
    person_ids = list(Person.objects.values_list("pk", "association_id"))
    by_association = {}
    for pk, association_id in person_ids:
        by_association.setdefault(association_id, []).append(pk)
    progress = Progress("journal history (bulk, chained and sealed)", preset.journal)
    with transaction.atomic():
        # The history goes into the common chain, as a journal written before the chains were split would
        # (decision 0062); its numbers follow every number in use, and the sequence is moved past them.
        head = ChainHead.objects.select_for_update().get_or_create(pk=COMMON_CHAIN)[0]
        seq = max(head.last_seq, AccessLog.objects.aggregate(top=Max("seq"))["top"] or 0)
        previous = head.last_hash
        start = clock.now() - dt.timedelta(days=3650)
        step = dt.timedelta(days=3650) / max(preset.journal, 1)
        batch = []
        for i in range(preset.journal):
            m = rng.choice(readers)
            pool = by_association.get(m.organisation_id) or [person_ids[0][0]]
            person = rng.choice(pool)
            seq += 1
            row = AccessLog(
                seq=seq, at=start + step * i, user_id=m.user_id, organisation_id=m.organisation_id,
                role=m.role, action=Action.READ, object_type="person", object_id=str(person),
                person_id=person, ip="127.0.0.1", path=f"/personnes/{person}/", status_code=200,
                outcome=Outcome.ALLOWED, previous_hash=previous,
            )  # fmt: skip
            row.hash = row.compute_hash(keyed=seq >= head.keyed_from)
            previous = row.hash
            batch.append(row)
            if len(batch) >= BATCH or i == preset.journal - 1:
                # The journal refuses bulk_create (rows are appended one by one by audit.log): the generator
                # writes the history rows itself, chained and sealed as chain.append would.
                QuerySet.bulk_create(AccessLog.objects.get_queryset(), batch)
                progress.add(len(batch))
                batch = []
        head.last_seq, head.last_hash = seq, previous
        head.seal = head.compute_seal()
        head.save()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval('audit_accesslog_number', GREATEST(%s, last_value)) "
                               "FROM audit_accesslog_number", [seq])  # fmt: skip
    timings["journal"] = progress.end()

    # --- Pathways through the services ---------------------------------------------------------------
    def staff(association):
        workers = [m for m in member.values() if m.organisation_id == association.pk]
        return (next(m for m in workers if m.role == Role.SOCIAL_WORKER),
                next(m for m in workers if m.role == Role.HEAD_OF_SERVICE))  # fmt: skip

    def content(day):
        return t.RequestContent(
            situation="Situation fictive.", motivation="Projet fictif : formation d'agente de propreté.",
            sworn_statement=True, signed_on=day,
            actions=[t.PlanLine("housing", "Accès à un hébergement stable", day + dt.timedelta(days=90))],
            commitments=["Suivre les cours de français"],
        )  # fmt: skip

    sessions = {}

    def session_for(secretariat, day):
        key = (secretariat.organisation_id, day.isoformat())
        if key not in sessions:
            with clock.travel_to(min(day, today)):
                sessions[key] = t.create_session(secretariat, day, "Salle fictive")
        return sessions[key]

    def open_and_schedule(person, association, opened, stage):
        """First pass: the request is opened, and scheduled on the session of the Monday two weeks later."""
        worker, head = staff(association)
        secretariat = member[f"secretariat-{association.departement.code}"]
        with clock.travel_to(opened):
            req = t.open_request(person, "entry", worker, content(opened))
            if stage == "draft":
                return None
            t.validate_request(req, head)
            t.submit_request(req, worker)
            if stage == "submitted":
                return None
            session_day = opened + dt.timedelta(days=14 - opened.weekday())
            session = session_for(secretariat, session_day)
            t.schedule_request(req, session, secretariat)
        return (session_day, req.pk, session, stage, worker, secretariat,
                member[f"prefecture-{association.departement.code}"])  # fmt: skip

    def decide(session_day, req, session, stage, worker, secretariat, agent):
        """Second pass, in the order of the sessions (a session that gave an avis takes no more requests)."""
        with clock.travel_to(session_day):
            t.record_avis(req, session, "favourable", secretariat)
        decided = session_day + dt.timedelta(days=7)
        with clock.travel_to(decided):
            if stage == "refused":
                t.refuse(req, agent, decided, ["project"], "Motivation fictive")
                return
            period = t.authorise(req, agent, decided)
        if stage == "exited":
            exit_day = min(period.end, decided + dt.timedelta(days=rng.randint(60, 170)))
            with clock.travel_to(exit_day):
                t.record_exit(period.pathway, worker, exit_day, "completed")

    in_largest = preset.pathways // 5
    chosen = rng.sample(by_association[largest.pk], min(in_largest, len(by_association[largest.pk])))
    elsewhere = [pk for pk, association_id in person_ids if association_id != largest.pk]
    chosen += rng.sample(elsewhere, min(preset.pathways - len(chosen), len(elsewhere)))
    people_by_pk = Person.objects.select_related("association__departement").in_bulk(chosen)
    progress = Progress("pathways through the services (opened and scheduled; decided after)", len(chosen))
    to_decide = []
    for pk in chosen:
        person = people_by_pk[pk]
        age = rng.random()
        if age < 0.6:  # ten years of history: opened 1 to 10 years ago, exited
            opened, stage = today - dt.timedelta(days=rng.randint(365, 3650)), "exited"
        else:  # the current caseload
            opened = today - dt.timedelta(days=rng.randint(30, 300))
            stage = rng.choices(
                ["draft", "submitted", "scheduled", "refused", "active"], [15, 10, 10, 10, 55]
            )[0]
            if stage == "scheduled" and opened + dt.timedelta(days=14) <= today:
                stage = "active"
        scheduled = open_and_schedule(person, person.association, opened, stage)
        if scheduled is not None and stage != "scheduled":
            to_decide.append(scheduled)
        progress.add()
    for session_day, req_pk, session, stage, worker, secretariat, agent in sorted(
        to_decide, key=lambda x: x[:2]
    ):
        decide(session_day, PathwayRequest.objects.get(pk=req_pk), session, stage, worker, secretariat, agent)
    lapsed = t.expire_periods(today)
    timings["pathways"] = progress.end()
    print(f"  {lapsed} pathway(s) lapsed at the end of their period", flush=True)

    # --- The full session: 30 requests of the largest association on one coming session ---------------
    progress = Progress("full session through the services", preset.session_requests)
    worker, head = staff(largest)
    secretariat = member[f"secretariat-{largest.departement.code}"]
    coming = today + dt.timedelta(days=7)
    with transaction.atomic():
        full = t.create_session(secretariat, coming, "Salle fictive (séance pleine)")
    no_pathway = list(
        Person.objects.filter(association=largest, pathways__isnull=True).values_list("pk", flat=True)[
            : preset.session_requests + 1
        ]
    )
    for pk in no_pathway[: preset.session_requests]:
        person = Person.objects.get(pk=pk)
        req = t.open_request(person, "entry", worker, content(today))
        t.validate_request(req, head)
        t.submit_request(req, worker)
        t.schedule_request(req, full, secretariat)
        progress.add()
    timings["session"] = progress.end()

    # --- Notes (bulk), 500 of them for one person ------------------------------------------------------
    big = Person.objects.get(pk=no_pathway[-1])
    domains = list(Domain.values)
    authors = {m.organisation_id: m.user_id for m in member.values() if m.role == Role.SOCIAL_WORKER}
    texts = [f"Entretien fictif : point sur {w}." for w in ("le logement", "la santé", "les papiers",
                                                              "la formation", "les ressources")]  # fmt: skip
    progress = Progress("notes (bulk, encrypted by their field)", preset.notes + preset.big_notes)

    def note(pk, association_id, held_on):
        return Note(person_id=pk, domain=rng.choice(domains), held_on=held_on, text=rng.choice(texts),
                    author_id=authors[association_id])  # fmt: skip

    batch = [note(big.pk, largest.pk, today - dt.timedelta(days=n * 3)) for n in range(preset.big_notes)]
    for i in range(preset.notes):
        pk, association_id = person_ids[rng.randrange(len(person_ids))]
        batch.append(note(pk, association_id, today - dt.timedelta(days=rng.randint(0, 3650))))
        if len(batch) >= BATCH or i == preset.notes - 1:
            Note.objects.bulk_create(batch)
            progress.add(len(batch))
            batch = []
    timings["notes"] = progress.end()
    chain.checkpoint()

    largest_worker = member["travailleuse-1-1"]
    names = Person.objects.filter(association=largest).order_by("pk").only("last_name")[:200]
    word = next((p.last_name for p in names if len(p.last_name) >= 7), names[0].last_name)
    typo = word[: len(word) // 2] + word[len(word) // 2 + 1 :]
    return {
        "timings_s": {k: round(v, 1) for k, v in timings.items()},
        "counts": {
            "departements": len(departements),
            "associations": len(associations),
            "users": User.objects.count(),
            "people": Person.objects.count(),
            "largest_association_people": Person.objects.filter(association=largest).count(),
            "pathways": Pathway.objects.count(),
            "notes": Note.objects.count(),
            "journal_rows": AccessLog.objects.count(),
        },
        "worker": largest_worker.user.username,
        "head": "cheffe-1",
        "secretariat": secretariat.user.username,
        "national": "national",
        "person_500_notes": big.pk,
        "full_session": full.pk,
        "misspelt_query": typo,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="ci")
    parser.add_argument("--server", default=os.environ.get("BENCH_DATABASE_SERVER", DEFAULT_SERVER))
    parser.add_argument("--sqlite", action="store_true", help="SQLite in bench/.data/<preset>/")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--template", help="PostgreSQL: copy this migrated, empty database (no migrate)")
    args = parser.parse_args()
    started = time.monotonic()
    url, folder, settings = prepare(args)
    print(f"== {args.preset} preset into {url}", flush=True)
    setup_django(settings)
    summary = generate(PRESETS[args.preset], random.Random(args.seed), settings["password"])  # noqa: S311
    elapsed = time.monotonic() - started
    counts = summary["counts"]
    rows = sum(counts[k] for k in ("people", "notes", "journal_rows"))
    summary.update(settings, preset=args.preset, elapsed_s=round(elapsed, 1),
                   rows_per_s=round(rows / elapsed))  # fmt: skip
    (folder / "bench.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in summary.items() if k not in {"password", "secret_key"}}, indent=2,
                     ensure_ascii=False))  # fmt: skip
    print(f"== done in {elapsed:,.0f} s: {rows:,} people, notes and journal rows ({rows / elapsed:,.0f}/s), "
          f"{counts['pathways']:,} pathways through the services; {folder / 'bench.json'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
