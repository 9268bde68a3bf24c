"""Operations tests (backup and restore, kill -9): they need a PostgreSQL server on which to create
throwaway databases, and use the scripts of scripts/ and bench/ as they are run by hand.

They run when the suite runs on PostgreSQL (DATABASE_URL=postgres://…, as in the PostgreSQL pass of .ci/run);
on SQLite (`make test`) they are skipped with the reason, rather than looking for a server on their own. On
PostgreSQL, in CI, an unusable server or a missing pg_dump fails them (tests/tools.py).
"""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for folder in ("bench", "scripts"):
    if str(ROOT / folder) not in sys.path:
        sys.path.insert(0, str(ROOT / folder))

import scratchdb  # noqa: E402

from ..tools import skip_or_fail  # noqa: E402  (in CI a PostgreSQL pass that cannot run them fails)


@pytest.fixture(scope="session")
def pg_server():
    """Connection parameters of the suite's PostgreSQL server; skips when the suite runs on SQLite."""
    params = scratchdb.server_params(os.environ.get("DATABASE_URL"))
    if params is None:
        pytest.skip(
            "la suite tourne sur SQLite : ces tests d'exploitation demandent PostgreSQL "
            "(DATABASE_URL=postgres://…, passe PostgreSQL de .ci/run)"
        )
    if os.environ.get("PARCOURS_TEST_DB_TEMPLATE"):
        # That database is the template the copies below are made from: no connection may stay open to it
        # while another worker copies it (PostgreSQL refuses, "being accessed by other users"). The
        # throwaway databases are created and dropped from the maintenance database instead.
        params = {**params, "dbname": scratchdb.MAINTENANCE_DATABASES[0]}
    if problem := scratchdb.unreachable(params):
        skip_or_fail(f"PostgreSQL inutilisable pour créer des bases jetables : {problem}")
    return params


@pytest.fixture(scope="session")
def migrated_template(pg_server, tmp_path_factory):
    """The name of a migrated, empty database, migrated once and copied by each test (CREATE DATABASE …
    TEMPLATE): a migration takes several seconds. In the PostgreSQL pass of .ci/run, the database it has just
    migrated with `manage.py migrate` (PARCOURS_TEST_DB_TEMPLATE, decision 0065)."""
    if template := os.environ.get("PARCOURS_TEST_DB_TEMPLATE"):
        yield template
        return
    with scratchdb.throwaway_database(pg_server, "ops_modele") as url:
        scratchdb.migrate(scratchdb.django_env(url, tmp_path_factory.mktemp("ops-data")))
        yield scratchdb.database_name(url)
