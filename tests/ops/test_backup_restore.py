"""Backup → restore → identical checksums (docs/operations/backup.md), on a throwaway PostgreSQL database
populated through the services."""

import base64
import io
import secrets
import subprocess
import sys

import backup_restore_check as brc
import psycopg
import pytest
import scratchdb

from ..tools import skip_or_fail

SCRIPT = scratchdb.ROOT / "scripts" / "backup_restore_check.py"


@pytest.fixture(scope="module")
def populated(pg_server, migrated_template, tmp_path_factory):
    """A copy of the migrated template with accounts and twelve people whose requests were walked through
    the services to every stage (draft … authorised, refused, exited). Shared by the module's tests, which
    only read it (the second one changes a copy)."""
    if brc.find_binary("pg_dump") is None or brc.find_binary("pg_restore") is None:
        skip_or_fail(
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


# --- After the restore, the data is readable: a canary decrypts, the documents folder comes back ----------
CANARY_NAME = "Canarisauvegarde"
CANARY_TEXT = "PIECE CANARI DE SAUVEGARDE"


@pytest.fixture(scope="module")
def canaried(pg_server, migrated_template, tmp_path_factory):
    """A copy of the template with one account, a person written through the model with a known first name,
    and a PDF document uploaded through the records service, under keys given to this test only."""
    if brc.find_binary("pg_dump") is None or brc.find_binary("pg_restore") is None:
        skip_or_fail("pg_dump ou pg_restore absent : paquet postgresql-client")
    from parcours.core.crypto import generate_key_line

    with scratchdb.throwaway_database(pg_server, "canari", template=migrated_template) as url:
        data = tmp_path_factory.mktemp("canari")
        env = scratchdb.django_env(
            url,
            data,
            BENCH_PASSWORD=secrets.token_urlsafe(16),
            PARCOURS_ENCRYPTION_KEYS=generate_key_line("sauvegarde"),
            PARCOURS_BLIND_INDEX_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
            PARCOURS_DOCUMENTS_DIR=str(data / "documents"),
        )
        scratchdb.seed(env, workers=1)
        canary = scratchdb.run_django(
            env, scratchdb.ROOT / "bench" / "scratchdb.py", "canary", "--first-name", CANARY_NAME,
            "--document-text", CANARY_TEXT,
        )  # fmt: skip
        yield url, env, canary, data / "documents"


def run_check(env, *args):
    return subprocess.run(  # noqa: S603
        [sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_after_restore_a_canary_field_and_a_canary_document_decrypt(canaried, pg_server, tmp_path):
    """Before this, the check compared ciphertexts and never decrypted anything, and left the documents out:
    a backup restorable but unreadable (wrong keys, documents folder lost) passed."""
    from parcours.records import samples

    url, env, canary, documents = canaried
    kept_dump, kept_docs = tmp_path / "parcours.dump", tmp_path / "documents.tar"
    done = run_check(
        env, "--database-url", url, "--documents-dir", str(documents), "--decrypt",
        "--keep-dump", str(kept_dump), "--keep-documents", str(kept_docs),
    )  # fmt: skip
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "Pièces déposées : 1 fichier(s) archivé(s), 1 restauré(s) — empreintes SHA-256 identiques" in out
    assert "0 ligne(s) indéchiffrable(s) ; 1 pièce(s), 0 indéchiffrable(s)" in out
    assert "tout se déchiffre" in out
    assert CANARY_NAME not in out and CANARY_TEXT not in out
    assert kept_docs.stat().st_mode & 0o777 == 0o600
    # Both kept files hold ciphertext only.
    assert CANARY_NAME.encode() not in kept_dump.read_bytes()
    assert CANARY_TEXT.encode() not in kept_docs.read_bytes()

    # The independent oracle: restore the kept backup by hand into a new database and folder, then read
    # the canaries through the application and compare with what was written.
    with scratchdb.throwaway_database(pg_server, "restauree") as restored_url:
        params = brc.connection_params(restored_url)
        target, tool_env = brc.libpq_target(params, params["dbname"])
        pg_restore = brc.find_binary("pg_restore")
        restore = [pg_restore, "--exit-on-error", "--no-owner", f"--dbname={target}", str(kept_dump)]
        subprocess.run(restore, env=tool_env, check=True, capture_output=True)  # noqa: S603
        folder = tmp_path / "pieces-restaurees"
        brc.restore_documents(kept_docs, folder)
        read = scratchdb.run_django(
            {**env, "DATABASE_URL": restored_url, "PARCOURS_DOCUMENTS_DIR": str(folder)},
            scratchdb.ROOT / "bench" / "scratchdb.py", "read-canary",
            "--person", str(canary["person"]), "--document", str(canary["document"]),
        )  # fmt: skip
    assert read["first_name"] == CANARY_NAME
    assert base64.b64decode(read["content"]) == samples.pdf(CANARY_TEXT)


def test_a_backup_that_does_not_decrypt_is_reported(canaried):
    """The same backup checked with another key (keys lost or mixed up): restorable, identical ciphertexts,
    but nothing decrypts — a failure, and the dump is not kept."""
    from parcours.core.crypto import generate_key_line

    url, env, _, documents = canaried
    done = run_check(
        {**env, "PARCOURS_ENCRYPTION_KEYS": generate_key_line("autre")},
        "--database-url", url, "--documents-dir", str(documents), "--decrypt",
    )  # fmt: skip
    out = done.stdout
    assert done.returncode == brc.DIFFERENT, out + done.stderr
    assert "1 pièce(s), 1 indéchiffrable(s)" in out and "ÉCHEC" in out
    assert "0 ligne(s) indéchiffrable(s)" not in out
