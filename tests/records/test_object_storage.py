"""Documents on an S3-compatible object store (PARCOURS_S3_*, core/storage.py): sealed before they leave the
application, served only by the download view, removed with their row, rewritten in place by the key rotation;
a store configured by half refuses to start.

The store is moto's S3 server started by the test on a free loopback port (tests/s3.py); what it holds is read
back with boto3 directly, not through Parcours.
"""

import base64
import uuid

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.urls import reverse

from parcours import env
from parcours.core import crypto
from parcours.records import files, services

from ..core.test_settings import WSGI_IMPORT, production_env, run
from ..s3 import free_port, s3_server
from .conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db

CANARY = "Canari-Objet-Zephyrine"


@pytest.fixture(scope="module")
def server():
    with s3_server() as running:
        yield running


@pytest.fixture
def bucket(server, settings):
    """A fresh bucket, and the application's documents in it (the options read by env.object_storage)."""
    name = server.create_bucket(f"parcours-{uuid.uuid4().hex[:12]}")
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "parcours.core.storage.DocumentS3Storage",
            "OPTIONS": env.object_storage(environ=server.env(name)),
        },
    }
    return name


def add(person, by, content, name="piece.pdf"):
    return services.add_document(person, by, kind="certificate", upload=upload(content, name))


def stored_files(folder):
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_document_is_sealed_before_it_reaches_the_bucket(
    client, server, bucket, personas, followed, documents_dir
):
    content = pdf_bytes(f"Attestation {CANARY}")
    assert CANARY.encode() in content  # the plaintext does carry the canary: the check below can fail
    document = add(followed, personas.worker, content, name=f"{CANARY}.pdf")

    objects = server.objects(bucket)
    key = f"documents/{document.storage_name[:2]}/{document.storage_name}"
    assert list(objects) == [key]  # under the prefix, named by a random UUID, not by the file's name
    stored = objects[key]
    assert CANARY.encode() not in stored and b"%PDF" not in stored
    assert stored.startswith(f"v1:{crypto.current_kid()}:".encode())
    assert stored_files(documents_dir) == []  # nothing written to the local folder

    client.force_login(personas.worker.user)
    response = client.get(reverse("records:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response.content == content


def test_deleting_a_document_removes_its_object(
    server, bucket, personas, followed, django_capture_on_commit_callbacks
):
    document = add(followed, personas.worker, pdf_bytes("A supprimer"))
    assert len(server.objects(bucket)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_document(document, personas.worker)
    assert server.objects(bucket) == {}


def test_an_object_swapped_or_missing_in_the_bucket_is_not_served(client, server, bucket, personas, followed):
    first = add(followed, personas.worker, pdf_bytes("Premier"))
    second = add(followed, personas.worker, pdf_bytes("Second"))
    s3 = server.client()
    key = {d.pk: f"documents/{d.storage_name[:2]}/{d.storage_name}" for d in (first, second)}
    s3.put_object(Bucket=bucket, Key=key[first.pk], Body=server.objects(bucket)[key[second.pk]])
    client.force_login(personas.worker.user)
    for document in (first, second):
        response = client.get(reverse("records:document_download", args=[document.pk]), follow=True)
        assert "Le fichier de ce document est manquant ou altéré" in response.content.decode()
        s3.delete_object(Bucket=bucket, Key=key[second.pk])


def test_key_rotation_rewrites_the_objects_in_place(server, bucket, personas, followed, settings):
    key_a, key_b = crypto.generate_key_line("a"), crypto.generate_key_line("b")
    settings.PARCOURS_ENCRYPTION_KEYS = key_a
    crypto.load_keys.cache_clear()
    try:
        content = pdf_bytes("Rotation dans le compartiment")
        document = add(followed, personas.worker, content)
        settings.PARCOURS_ENCRYPTION_KEYS = f"{key_b},{key_a}"
        crypto.load_keys.cache_clear()
        assert files.rewrap(wet_run=False) == 1
        assert files.rewrap(wet_run=True) == 1
        [(key, stored)] = server.objects(bucket).items()
        assert key.endswith(document.storage_name) and stored.startswith(b"v1:b:")
        # Opened by hand with key B and the file's associated data: the bytes uploaded.
        nonce, sealed = stored[5:17], stored[17:]
        aead = AESGCM(base64.b64decode(key_b.partition(":")[2]))
        assert (
            aead.decrypt(nonce, sealed, f"records.document.file:{document.storage_name}".encode()) == content
        )
        assert files.rewrap(wet_run=False) == 0
    finally:
        crypto.load_keys.cache_clear()


def test_an_unreachable_store_refuses_the_upload_in_french_and_keeps_nothing(
    client, server, personas, followed, settings
):
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    options = env.object_storage(environ=server.env("parcours-absent", PARCOURS_S3_ENDPOINT_URL=closed))
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "parcours.core.storage.DocumentS3Storage", "OPTIONS": options},
    }
    client.force_login(personas.worker.user)
    response = client.post(
        reverse("records:documents", args=[followed.pk]),
        {"kind": "certificate", "file": upload(pdf_bytes("Jamais stocke"))},
        follow=True,
    )
    assert "le stockage des documents ne répond pas" in response.content.decode()
    assert not followed.documents.exists()


# --- Configuration: all or nothing ----------------------------------------------------------------------
FULL = {
    "PARCOURS_S3_BUCKET": "parcours-documents",
    "PARCOURS_S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud",
    "PARCOURS_S3_REGION": "fr-par",
    "PARCOURS_S3_ACCESS_KEY_ID": "SCWEXAMPLEKEYID",
    "PARCOURS_S3_SECRET_ACCESS_KEY": "exemple-de-secret-jamais-affiche",
}


def test_without_any_s3_variable_the_documents_stay_in_the_folder():
    assert env.object_storage(environ={}) is None


def test_a_complete_configuration_gives_the_store_its_options():
    options = env.object_storage(environ=FULL)
    assert options["bucket_name"] == "parcours-documents"
    assert options["endpoint_url"] == "https://s3.fr-par.scw.cloud"
    assert options["region_name"] == "fr-par"
    assert (options["access_key"], options["secret_key"]) == (
        "SCWEXAMPLEKEYID",
        "exemple-de-secret-jamais-affiche",
    )
    assert options["location"] == "documents"
    assert options["addressing_style"] is None  # auto


@pytest.mark.parametrize(
    "missing", ["PARCOURS_S3_BUCKET", "PARCOURS_S3_ACCESS_KEY_ID", "PARCOURS_S3_SECRET_ACCESS_KEY"]
)
def test_a_store_configured_by_half_is_refused(missing):
    with pytest.raises(env.ConfigurationError) as refused:
        env.object_storage(environ={k: v for k, v in FULL.items() if k != missing})
    assert f"{missing} manque" in str(refused.value)
    assert "exemple-de-secret-jamais-affiche" not in str(refused.value)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PARCOURS_S3_ENDPOINT_URL", "http://s3.example.org", "https://"),
        ("PARCOURS_S3_ENDPOINT_URL", "s3.example.org", "adresse du service S3"),
        ("PARCOURS_S3_ADDRESSING_STYLE", "dns", "path"),
        ("PARCOURS_S3_PREFIX", "documents/../autre", "préfixe"),
    ],
)
def test_a_malformed_value_is_refused_with_its_name(name, value, expected):
    with pytest.raises(env.ConfigurationError) as refused:
        env.object_storage(environ={**FULL, name: value})
    assert name in str(refused.value) and expected in str(refused.value)


def test_plain_http_is_accepted_on_this_machine_only():
    local = env.object_storage(environ={**FULL, "PARCOURS_S3_ENDPOINT_URL": "http://127.0.0.1:9000"})
    assert local["endpoint_url"] == "http://127.0.0.1:9000"


def test_production_refuses_to_start_with_a_store_configured_by_half(tmp_path):
    done = run(
        WSGI_IMPORT,
        production_env(tmp_path, PARCOURS_S3_BUCKET="parcours-documents", PARCOURS_S3_ACCESS_KEY_ID="ID"),
    )
    assert done.returncode != 0
    assert "PARCOURS_S3_SECRET_ACCESS_KEY manque" in done.stderr
    assert "WSGI prête" not in done.stdout
