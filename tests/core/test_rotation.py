"""Key rotation (`manage.py rotate_encryption_keys`): fields AND uploaded documents are re-encrypted under the
new key, so that once the old key is removed everything still decrypts.

Oracle independent of the code under test: the raw column and the raw file are read directly (SQL, disk) and
opened with AES-256-GCM and key B's bytes in the test itself. Before this change the command skipped the
documents: after removing key A, `files.read` raised DecryptionError (the last assertions failed).
"""

import base64
import io
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import call_command
from django.db import connection

from parcours.core import crypto
from parcours.people.models import Person
from parcours.records import files, samples, services

from ..records.conftest import upload


def stored_path(storage_name: str) -> Path:
    """Where the folder storage (the default, core/storage.py) keeps a document's sealed file."""
    return Path(files.storage().path(files.stored_name(storage_name)))


pytestmark = pytest.mark.django_db

KEY_A = crypto.generate_key_line("a")
KEY_B = crypto.generate_key_line("b")


@pytest.fixture
def keys(settings):
    def use(*lines):
        settings.PARCOURS_ENCRYPTION_KEYS = ",".join(lines)
        crypto.load_keys.cache_clear()

    yield use
    crypto.load_keys.cache_clear()


@pytest.fixture
def documents_dir(settings, tmp_path):
    settings.PARCOURS_DOCUMENTS_DIR = tmp_path / "documents"
    return settings.PARCOURS_DOCUMENTS_DIR


def raw_column(model, pk, column) -> str:
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def open_with(key_line: str, envelope: bytes, associated: str) -> bytes:
    """AES-256-GCM by hand: b"v1:<kid>:" + 12-byte nonce + ciphertext-and-tag."""
    _prefix, _kid, blob = envelope.split(b":", 2)
    key = base64.b64decode(key_line.partition(":")[2])
    return AESGCM(key).decrypt(blob[:12], blob[12:], associated.encode())


def rotate(*options) -> str:
    out = io.StringIO()
    call_command("rotate_encryption_keys", *options, stdout=out)
    return out.getvalue()


def test_rotation_reencrypts_fields_and_documents_and_the_old_key_can_go(keys, personas, documents_dir):
    keys(KEY_A)
    person = personas.person(first_name="Canari-Rotation", last_name="Fictive", referent=personas.worker.user)
    content = samples.pdf("Pièce canari de rotation")
    document = services.add_document(person, personas.worker, kind="certificate", upload=upload(content))
    # A file written by the code before the shared envelope: "PRC1:<kid>:" + nonce + AES-GCM, the storage
    # name as associated data. It must be read, then rewritten in the envelope by the rotation.
    legacy_content = samples.pdf("Pièce canari ancienne")
    legacy = services.add_document(person, personas.worker, kind="certificate", upload=upload(legacy_content))
    nonce = bytes(12)
    key_a = AESGCM(base64.b64decode(KEY_A.partition(":")[2]))
    sealed = b"PRC1:a:" + nonce + key_a.encrypt(nonce, legacy_content, legacy.storage_name.encode())
    stored_path(legacy.storage_name).write_bytes(sealed)
    assert files.read(legacy.storage_name) == legacy_content
    path = stored_path(document.storage_name)
    assert path.read_bytes().startswith(b"v1:a:")
    assert raw_column(Person, person.pk, "first_name").startswith("v1:a:")

    keys(KEY_B, KEY_A)  # B first: it encrypts, A still decrypts
    simulated = rotate()
    assert "2 fichier(s) à rechiffrer" in simulated
    assert raw_column(Person, person.pk, "first_name").startswith(
        "v1:a:"
    )  # nothing written without --wet-run
    assert path.read_bytes().startswith(b"v1:a:")
    done = rotate("--wet-run")
    assert "2 fichier(s)" in done and "rechiffré" in done

    keys(KEY_B)  # A removed
    assert "0 ligne(s) et 0 fichier(s)" in rotate()
    stored = raw_column(Person, person.pk, "first_name")
    assert stored.startswith("v1:b:")
    assert open_with(
        KEY_B, stored.encode()[:5] + base64.b64decode(stored[5:]), "people.person.first_name"
    ) == (b"Canari-Rotation")
    for doc, plain in ((document, content), (legacy, legacy_content)):
        raw = stored_path(doc.storage_name).read_bytes()
        assert raw.startswith(b"v1:b:")
        assert open_with(KEY_B, raw, f"records.document.file:{doc.storage_name}") == plain
        assert files.read(doc.storage_name) == plain
        assert stored_path(doc.storage_name).stat().st_mode & 0o777 == 0o600
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.first_name, fresh.last_name) == ("Canari-Rotation", "Fictive")
    # No temporary file left behind by the atomic rewrite.
    assert sorted(p.name for p in documents_dir.rglob("*") if p.is_file()) == sorted(
        [document.storage_name, legacy.storage_name]
    )


def test_each_wet_run_writes_one_system_journal_row(keys, personas):
    """Review of issue 7, m11: the rotation rewrites every person's encrypted row with `.update`, bypassing
    the services and their journal rows; before, a run left no trace in the journal. Read with SQL."""
    keys(KEY_A)
    personas.person(first_name="Canari", last_name="Rotation")
    keys(KEY_B, KEY_A)

    def journal_rows():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT event, action, role, user_id, object_id, person_id FROM audit_accesslog "
                "WHERE event = 'keys.rotate' ORDER BY seq"
            )
            return cursor.fetchall()

    rotate()
    assert journal_rows() == []  # a simulation writes nothing
    rotate("--wet-run")
    rotate("--wet-run")  # a second run (nothing left to rewrite) is still one run: one row
    assert journal_rows() == [("keys.rotate", "update", "system", None, "b", None)] * 2
