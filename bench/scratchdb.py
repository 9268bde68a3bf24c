"""Throwaway PostgreSQL databases for the operations benches and tests (kill -9, backup and restore).

The helpers run on the caller's side with psycopg only; everything that needs Django runs in a child process
whose DATABASE_URL names the throwaway database, so a test process already configured for its own test
database is never touched:

    python bench/scratchdb.py seed --workers 2 --people 6     # DATABASE_URL and BENCH_PASSWORD in the env

`seed` creates a Gard association, its commission and préfecture and their accounts (one shared, known
password), then, with --people, walks requests through the services of `parcours.pathway.transitions` so
that most pathway tables hold rows (draft, validated, submitted, authorised, refused, exited). Its last
line of output is a JSON summary.

    python bench/scratchdb.py canary --first-name X --document-text Y   # after seed
    python bench/scratchdb.py read-canary --person P --document D       # the restore side

`canary` writes, through the model and the records service, a person whose first name is X and a PDF
document saying Y (the backup test's canaries); `read-canary` reads them back (decrypting them) and prints
the first name and the document's SHA-256 and base64 content.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parent.parent
MAINTENANCE_DATABASES = ("postgres", "template1")


# --- The server and its throwaway databases ----------------------------------------------------------
def server_params(database_url: str | None) -> dict[str, str] | None:
    """Connection parameters of the PostgreSQL server named by `database_url`, None if it is not one."""
    if not database_url or not database_url.startswith(("postgres://", "postgresql://")):
        return None
    return {k: str(v) for k, v in conninfo_to_dict(database_url).items() if v is not None}


def url_for(params: dict[str, str], dbname: str) -> str:
    """A postgres:// URL (what DATABASE_URL and dj-database-url expect) for `dbname` on the same server."""
    from urllib.parse import quote

    user = quote(params.get("user", ""), safe="")
    password = f":{quote(params['password'], safe='')}" if params.get("password") else ""
    auth = f"{user}{password}@" if user or password else ""
    host = params.get("host", "127.0.0.1")
    port = f":{params['port']}" if params.get("port") else ""
    extra = {k: v for k, v in params.items() if k not in {"user", "password", "host", "port", "dbname"}}
    query = "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in extra.items()) if extra else ""
    return f"postgresql://{auth}{host}{port}/{quote(dbname, safe='')}{query}"


def admin_connect(params: dict[str, str]) -> psycopg.Connection:
    """An autocommit connection to create and drop databases: the named database, else a maintenance one."""
    errors = []
    for dbname in dict.fromkeys([params.get("dbname"), *MAINTENANCE_DATABASES]):
        if not dbname:
            continue
        try:
            return psycopg.connect(
                make_conninfo(**{**params, "dbname": dbname}), autocommit=True, connect_timeout=5
            )
        except psycopg.OperationalError as exc:
            errors.append(f"{dbname}: {str(exc).strip()}")
    raise psycopg.OperationalError("; ".join(errors))


def unreachable(params: dict[str, str]) -> str | None:
    """Why the server cannot be used to create databases, or None."""
    try:
        with admin_connect(params) as conn:
            allowed = conn.execute(
                "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
            ).fetchone()[0]
    except psycopg.OperationalError as exc:
        return str(exc)
    return None if allowed else "le rôle PostgreSQL ne peut pas créer de base (CREATEDB)"


def drop_database(params: dict[str, str], name: str) -> None:
    with admin_connect(params) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def throwaway_database(params: dict[str, str], prefix: str, template: str | None = None) -> Iterator[str]:
    """Create an empty database (or a copy of `template`), yield its URL, drop it whatever happens."""
    name = f"parcours_{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with admin_connect(params) as conn:
        conn.execute(statement)
    try:
        yield url_for(params, name)
    finally:
        drop_database(params, name)


def database_name(url: str) -> str:
    return conninfo_to_dict(url)["dbname"]


# --- Django in a child process -----------------------------------------------------------------------
def django_env(url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a Parcours process on the throwaway database: its own data folder and secret key
    (the project's var/ is not touched), no second factor, no debug pages. Demo mode (PARCOURS_DEMO=1): the
    throwaway instance's keys are generated into its throwaway data folder."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="parcours.settings",
        PARCOURS_DATA_DIR=str(data_dir),
        PARCOURS_DEMO="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        PARCOURS_MFA_REQUIRED="0",
        DEBUG="0",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p),
        **extra,
    )
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"],
        env=env,
        check=True,
        cwd=ROOT,
    )


def run_django(env: dict[str, str], script: Path, *args: str) -> dict:
    """Run `script` (which sets Django up) in a child process; its last line of output is JSON."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(script), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script.name} {' '.join(args)} a échoué :\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def seed(env: dict[str, str], *, workers: int = 1, people: int = 0) -> dict:
    """Accounts (password: env["BENCH_PASSWORD"]) and, with `people`, pathways built through the services."""
    return run_django(env, Path(__file__), "seed", "--workers", str(workers), "--people", str(people))


# --- The child's side --------------------------------------------------------------------------------
def _seed(workers: int, people: int, password: str) -> dict:
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from parcours.accounts.models import Membership, Organisation, User
    from parcours.accounts.roles import OrganisationKind, Role
    from parcours.core import clock
    from parcours.core.models import Departement
    from parcours.pathway import transitions as t
    from parcours.people.models import Person

    today = clock.today()
    hashed = make_password(password)  # hashed once: the production hasher takes about 0.4 s per hash

    with transaction.atomic():
        gard = Departement.objects.get(code="30")
        association = Organisation.objects.create(
            kind=OrganisationKind.ASSOCIATION,
            name="Association fictive du banc d'essai",
            departement=gard,
            approval_number="AGR-30-BANC-0001",
            approval_start=today - dt.timedelta(days=400),
        )
        association.departements_served.add(gard)
        commission = Organisation.objects.create(
            kind=OrganisationKind.COMMISSION, name="Commission fictive du Gard", departement=gard
        )
        prefecture = Organisation.objects.create(
            kind=OrganisationKind.PREFECTURE, name="Préfecture fictive du Gard", departement=gard
        )

        def member(username: str, organisation: Organisation, role: str) -> Membership:
            user = User.objects.create(
                username=username, password=hashed, first_name="Banc", last_name=f"Démo-{username}"
            )
            return Membership.objects.create(user=user, organisation=organisation, role=role)

        staff = [member(f"travailleuse{i}", association, Role.SOCIAL_WORKER) for i in range(1, workers + 1)]
        head = member("cheffe", association, Role.HEAD_OF_SERVICE)
        secretariat = member("secretariat", commission, Role.SECRETARIAT)
        agent = member("prefecture", prefecture, Role.PREFECTURE_AGENT)

    # People and pathways, each step through its service (one transaction each, as the pages do).
    worker = staff[0]
    for i in range(people):
        person = Person.objects.create(
            association=association,
            referent=worker.user,
            first_name=f"Prénomfictif{i}",
            last_name=f"Démo-Banc{i}",
            birth_date=dt.date(1990, 1, 1) + dt.timedelta(days=97 * i),
            nationality="NG",
            gender="woman",
            departement=gard,
        )
        content = t.RequestContent(
            situation=f"Situation fictive {i}.",
            motivation="Projet fictif : formation d'agente de propreté.",
            sworn_statement=True,
            signed_on=today,
            actions=[t.PlanLine("housing", "Accès à un hébergement stable", today + dt.timedelta(days=90))],
            commitments=["Suivre les cours de français"],
        )
        req = t.open_request(person, "entry", worker, content)
        stage = i % 6
        if stage == 0:
            continue  # a draft
        t.validate_request(req, head)
        if stage == 1:
            continue
        t.submit_request(req, worker)
        if stage == 2:
            continue
        session = t.create_session(secretariat, today, "Salle fictive")  # "held" after its first avis
        t.schedule_request(req, session, secretariat)
        t.record_avis(
            req,
            session,
            "favourable" if stage != 4 else "unfavourable",
            secretariat,
            reason="" if stage != 4 else "Motif fictif",
        )
        if stage == 4:
            t.refuse(req, agent, today, ["project"], "Motivation fictive")
            continue
        period = t.authorise(req, agent, today)
        if stage == 5:
            t.record_exit(period.pathway, worker, today, "completed", comment="Sortie fictive")
    from parcours.pathway.models import Event, Pathway

    return {
        "association": association.pk,
        "usernames": [m.user.username for m in staff],
        "people": Person.objects.count(),
        "pathways": Pathway.objects.count(),
        "events": Event.objects.count(),
    }


def _canary(first_name: str, document_text: str) -> dict:
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from parcours.accounts.models import Membership
    from parcours.people.models import Person
    from parcours.records import samples, services

    worker = Membership.objects.filter(role="social_worker").order_by("pk").first()
    person = Person.objects.create(
        association=worker.organisation,
        referent=worker.user,
        first_name=first_name,
        last_name="Démo-Canari",
        departement=worker.organisation.departement,
    )
    content = samples.pdf(document_text)
    document = services.add_document(
        person, worker, kind="certificate", upload=SimpleUploadedFile("canari.pdf", content)
    )
    return {"person": person.pk, "document": document.pk, "storage_name": document.storage_name}


def _read_canary(person_pk: int, document_pk: int) -> dict:
    import base64
    import hashlib

    import django

    django.setup()
    from parcours.people.models import Person
    from parcours.records import files
    from parcours.records.models import Document

    person = Person.objects.get(pk=person_pk)
    content = files.read(Document.objects.get(pk=document_pk).storage_name)
    return {
        "first_name": person.first_name,
        "sha256": hashlib.sha256(content).hexdigest(),
        "content": base64.b64encode(content).decode(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    canary = sub.add_parser("canary", help="une personne et un document canaris")
    canary.add_argument("--first-name", required=True)
    canary.add_argument("--document-text", required=True)
    read = sub.add_parser("read-canary", help="relit les canaris (déchiffrés)")
    read.add_argument("--person", type=int, required=True)
    read.add_argument("--document", type=int, required=True)
    seed_parser = sub.add_parser("seed", help="comptes et parcours fictifs (DATABASE_URL, BENCH_PASSWORD)")
    seed_parser.add_argument("--workers", type=int, default=1)
    seed_parser.add_argument("--people", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "seed":
        print(json.dumps(_seed(args.workers, args.people, os.environ["BENCH_PASSWORD"])))
    elif args.command == "canary":
        print(json.dumps(_canary(args.first_name, args.document_text)))
    elif args.command == "read-canary":
        print(json.dumps(_read_canary(args.person, args.document)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
