"""Beyond one server (issue 9): two app servers share nothing but the PostgreSQL database and the object
store.

Two gunicorn instances on two free ports, each with its own empty data folder, both in the production
configuration (no demo mode, keys from the environment, HTTPS behind a proxy, second factor required), on
one throwaway PostgreSQL database and one bucket of moto's S3 server (tests/s3.py). A social worker logs in
through instance A with her password and an authenticator code, uploads a document to a person's file
through A, and downloads it through instance B with the same session cookie: the same bytes come back. The
session lives in the database, the document in the bucket, sealed (a canary of its text is not in the
object), and neither instance's data folder holds a document.

PostgreSQL only, like the other operations tests (the PostgreSQL pass of .ci/run).
"""

import hashlib
import hmac
import http.client
import json
import re
import signal
import struct
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import kill9_writes
import pytest
import scratchdb

from ..core.test_settings import production_env
from ..s3 import free_port, s3_server

HOST = "parcours.example.org"
LOGIN = "/compte/connexion/"
VERIFY = "/compte/verification/"
PASSWORD = "mot-de-passe-fictif-deux-instances"
TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, hex (20 bytes)
CANARY = "Canari-Deux-Instances-Leocadie"
DOWNLOAD = re.compile(r'href="(/pieces/documents/(\d+)/telecharger/)"')

SETUP = f"""
import json
import django
django.setup()
from django_otp.plugins.otp_totp.models import TOTPDevice
from parcours.accounts.models import User
from parcours.people.models import Person
worker = User.objects.get(username="travailleuse1")
TOTPDevice.objects.create(user=worker, name="Application fictive", key="{TOTP_KEY}", confirmed=True)
print(json.dumps({{"person": Person.objects.get(referent=worker).pk}}))
"""


def totp(key_hex: str, at: float) -> str:
    """RFC 6238 (HMAC-SHA1, 30-second steps, 6 digits), written from the RFC: the oracle of the code."""
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def test_totp_matches_the_rfc_6238_test_vectors():
    # RFC 6238 appendix B gives 8 digits for SHA-1; the 6-digit code is their last six.
    assert totp(TOTP_KEY, 59) == "287082"
    assert totp(TOTP_KEY, 1111111109) == "081804"


class Client:
    """A browser reduced to what the test needs: one cookie jar, the headers the reverse proxy would add
    (the public host name, X-Forwarded-Proto: https) and the Origin of a form posted from the site."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, body: bytes | None = None, content_type: str = ""):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers.update({"Origin": f"https://{HOST}", "Referer": f"https://{HOST}{path}"})
            headers["Content-Type"] = content_type
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, urlsplit(response.getheader("Location") or "").path, content
        finally:
            conn.close()

    def form(self, port: int, path: str, field: str):
        status, _, html = self.request(port, "GET", path)
        assert status == 200, (path, status)
        return kill9_writes.find_form(html.decode(), field)

    def post_form(self, port: int, path: str, data: list[tuple[str, str]]):
        return self.request(port, "POST", path, urlencode(data).encode(), "application/x-www-form-urlencoded")

    def post_multipart(self, port: int, path: str, data: list[tuple[str, str]], file: tuple[str, str, bytes]):
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in data
        ]
        field, filename, content = file
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(port, "POST", path, body, f"multipart/form-data; boundary={boundary}")


def wait_ready(process: subprocess.Popen, port: int, log_file: Path, timeout: float = 90) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(
                f"gunicorn s'est arrêté (code {process.returncode}) :\n{kill9_writes.tail(log_file)}"
            )
        try:
            if Client().request(port, "GET", LOGIN)[0] == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn ne répond pas après {timeout:.0f} s :\n{kill9_writes.tail(log_file)}")


def child(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], env=env, cwd=scratchdb.ROOT, capture_output=True, text=True, timeout=180
    )


def files_under(folder: Path) -> list[str]:
    return [str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()]


@pytest.fixture
def shared_database(pg_server, migrated_template):
    with scratchdb.throwaway_database(pg_server, "deux_instances", template=migrated_template) as url:
        yield url


@pytest.fixture
def bucket_server():
    with s3_server() as server:
        yield server


def test_a_document_uploaded_through_one_server_is_downloaded_through_the_other(
    shared_database, bucket_server, tmp_path
):
    bucket = bucket_server.create_bucket(f"parcours-{uuid.uuid4().hex[:12]}")
    # One set of keys and one SECRET_KEY for both servers (docs/deploy/scaling.md); each its own data folder.
    common = production_env(
        tmp_path / "a", DATABASE_URL=shared_database, ALLOWED_HOSTS=HOST, **bucket_server.env(bucket)
    )
    envs = {}
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        envs[name] = {
            **common,
            "PARCOURS_DATA_DIR": str(folder),
            "PARCOURS_AUDIT_CHECKPOINT_FILE": str(folder / "audit-checkpoints.log"),
        }
    assert envs["a"].get("PARCOURS_DEMO") == "0" and envs["a"].get("PARCOURS_MFA_REQUIRED") is None

    # The accounts and a person (bench/scratchdb.py seed), and an authenticator application for the worker.
    seeded = scratchdb.seed({**envs["a"], "BENCH_PASSWORD": PASSWORD}, workers=1, people=1)
    assert seeded["people"] == 1
    done = child(envs["a"], "-c", SETUP)
    assert done.returncode == 0, done.stderr
    person = json.loads(done.stdout.strip().splitlines()[-1])["person"]

    ports = {"a": free_port()}
    ports["b"] = next(p for p in iter(free_port, None) if p != ports["a"])
    servers = {}
    try:
        for name in ("a", "b"):
            log_file = tmp_path / f"gunicorn-{name}.log"
            servers[name] = kill9_writes.start_server(envs[name], ports[name], log_file)
        for name in ("a", "b"):
            wait_ready(servers[name], ports[name], tmp_path / f"gunicorn-{name}.log")

        # Log in through A: password, then the authenticator code (the second factor is required).
        browser = Client()
        fields = browser.form(ports["a"], LOGIN, "password")
        data = kill9_writes.fill(fields, {"username": "travailleuse1", "password": PASSWORD})
        status, location, _ = browser.post_form(ports["a"], LOGIN, data)
        assert status == 302 and not location.startswith(LOGIN), (status, location)
        fields = browser.form(ports["a"], VERIFY, "code")
        status, location, _ = browser.post_form(
            ports["a"], VERIFY, kill9_writes.fill(fields, {"code": totp(TOTP_KEY, time.time())})
        )
        assert status == 302 and location != VERIFY, (status, location)
        session_cookie = next(name for name in browser.cookies if name.endswith("sessionid"))

        # Upload a document to the person's file through A.
        documents = f"/pieces/personnes/{person}/documents/"
        content = sample_pdf(f"Attestation fictive {CANARY}")
        fields = browser.form(ports["a"], documents, "file")
        data = kill9_writes.fill(fields, {"kind": "certificate", "title": "Attestation fictive"})
        status, location, _ = browser.post_multipart(
            ports["a"], documents, data, ("file", "attestation.pdf", content)
        )
        assert status == 302 and location == documents, (status, location)
        status, _, page = browser.request(ports["a"], "GET", documents)
        [(download, _pk)] = DOWNLOAD.findall(page.decode())

        # Download it through B with the same cookies: the session is in the shared database.
        status, _, body = browser.request(ports["b"], "GET", download)
        assert status == 200, status
        assert body == content
        # Control: without A's session cookie, B sends to the login page.
        stranger = Client()
        status, location, _ = stranger.request(ports["b"], "GET", download)
        assert status == 302 and location == LOGIN
        without_session = Client()
        without_session.cookies = {k: v for k, v in browser.cookies.items() if k != session_cookie}
        assert without_session.request(ports["b"], "GET", download)[:2] == (302, LOGIN)
    finally:
        for process in servers.values():
            kill9_writes.kill_group(process, signal.SIGTERM)

    # The document is in the bucket, sealed: no canary, the envelope's prefix; and in no data folder.
    objects = bucket_server.objects(bucket)
    assert len(objects) == 1
    [stored] = objects.values()
    assert CANARY.encode() not in stored and stored.startswith(b"v1:")
    for name in ("a", "b"):
        assert not [f for f in files_under(tmp_path / name) if "documents" in f], files_under(tmp_path / name)


def sample_pdf(text: str) -> bytes:
    from parcours.records import samples

    pdf = samples.pdf(text)
    assert (
        text.encode() in pdf
    )  # the plaintext carries the canary, so its absence from the bucket means something
    return pdf
