"""Backup → restore → identical checksums (docs/operations/backup.md), on a throwaway PostgreSQL database
populated through the services."""

import io
import secrets
import subprocess
import sys

import backup_restore_check as brc
import psycopg
import pytest
import scratchdb

SCRIPT = scratchdb.ROOT / "scripts" / "backup_restore_check.py"


@pytest.fixture(scope="module")
def populated(pg_server, migrated_template, tmp_path_factory):
    """A copy of the migrated template with accounts and twelve people whose requests were walked through
    the services to every stage (draft … authorised, refused, exited). Shared by the module's tests, which
    only read it (the second one changes a copy)."""
    if brc.find_binary("pg_dump") is None or brc.find_binary("pg_restore") is None:
        pytest.skip(
            "pg_dump ou pg_restore absent (PATH, /usr/lib/postgresql/*/bin) : paquet postgresql-client"
        )
    with scratchdb.throwaway_database(pg_server, "sauvegarde", template=migrated_template) as url:
        data = tmp_path_factory.mktemp("data")
        env = scratchdb.django_env(url, data, BENCH_PASSWORD=secrets.token_urlsafe(16))
        yield url, scratchdb.seed(env, workers=2, people=12)


def rows_of(output: str) -> dict[str, list[str]]:
    """The result table, by table name: [rows in the source, rows restored, checksum, verdict…]."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("---")) + 1
    end = lines.index("", start)
    return {line.split()[0]: line.split()[1:] for line in lines[start:end]}


def test_a_backup_restores_identically_and_the_scratch_database_is_dropped(populated, pg_server, tmp_path):
    url, seeded = populated
    kept = tmp_path / "sauvegardes" / "parcours.dump"
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(SCRIPT), "--database-url", url, "--keep-dump", str(kept)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RÉSULTAT : sauvegarde restaurée à l'identique" in done.stdout
    rows = rows_of(done.stdout)
    assert rows["people_person"][:2] == ["12", "12"]
    assert rows["pathway_event"][:2] == [str(seeded["events"])] * 2
    for table in ("pathway_pathway", "pathway_period", "pathway_decision", "pathway_exit", "accounts_user"):
        assert int(rows[table][0]) > 0 and rows[table][-1] == "identique", table
    assert all(r[-1] == "identique" for r in rows.values())
    # The output names tables, never a person.
    assert "Démo-Banc" not in done.stdout and "Prénomfictif" not in done.stdout
    # The verified dump is kept, private, in pg_dump's custom format.
    assert kept.read_bytes()[:5] == b"PGDMP"
    assert kept.stat().st_mode & 0o777 == 0o600
    # The scratch database is gone.
    prefix = f"verif_{scratchdb.database_name(url)[:40]}_"
    with scratchdb.admin_connect(pg_server) as conn:
        left = conn.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
        ).fetchall()
    assert left == []


def test_a_restore_that_differs_is_reported(populated, pg_server):
    """The comparison is not vacuous: a changed row, a missing row and a sequence behind the restored
    identifiers each show."""
    url, _ = populated
    source = scratchdb.database_name(url)
    with scratchdb.throwaway_database(pg_server, "copie", template=source) as copy_url:
        with psycopg.connect(copy_url, autocommit=True) as conn:
            conn.execute(
                "UPDATE people_person SET first_name = 'Modifiée' "
                "WHERE id = (SELECT min(id) FROM people_person)"
            )
            conn.execute("DELETE FROM pathway_commitment WHERE id = (SELECT max(id) FROM pathway_commitment)")
            conn.execute("SELECT setval(pg_get_serial_sequence('pathway_event', 'id'), 1)")
        with psycopg.connect(url) as original, psycopg.connect(copy_url) as copy:
            brc.prepare_session(original)
            brc.prepare_session(copy)
            before, after = brc.inventory(original), brc.inventory(copy)
            sequences, lagging = brc.lagging_sequences(copy)
    out = io.StringIO()
    assert brc.report(before, after, sequences, lagging, out) is False
    text = out.getvalue()
    rows = rows_of(text)
    assert rows["people_person"][0] == rows["people_person"][1] and rows["people_person"][-1] == "DIFFÉRENTE"
    assert int(rows["pathway_commitment"][1]) == int(rows["pathway_commitment"][0]) - 1
    assert rows["pathway_planaction"][-1] == "identique"
    assert "pathway_event_id_seq" in text
    assert "RÉSULTAT : 3 différence(s)" in text


def test_a_database_url_that_is_not_postgresql_is_an_error(capsys):
    assert brc.main(["--database-url", "sqlite:///var/parcours.sqlite3"]) == brc.ERROR
    assert "ne désigne pas une base PostgreSQL" in capsys.readouterr().err
