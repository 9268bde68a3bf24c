"""Issue 7, finding 5 and "settings are read four ways" of finding 8: the configuration fails closed.

Before this change, each test below failed: production settings without keys started and generated
SECRET_KEY and the encryption, blind-index keys into the data folder (so `check`, the WSGI import and
`check --deploy` all succeeded); DEBUG and SQLite were accepted; the `demo` app (and `demo --reset`, which
flushed the base without confirmation) was installed everywhere; four modules read os.environ on their own;
a refusal logged a traceback; the demo's SQLite file was created 0644 in a 0755 folder.

The production processes are started apart (subprocess) with PARCOURS_DEMO=0: the suite itself runs in demo
mode (tests/pytest_demo_mode.py).
"""

import ast
import io
import json
import logging
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from parcours import env
from parcours.core import crypto
from parcours.env import generate_production_keys

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "parcours"
# The settings are read in processes of their own, on a database URL they never connect to, or in this
# process without a query: the SQLite pass runs these tests, not the PostgreSQL one (decision 0065). The
# refusal logged in one line reads a person's page: it runs on both engines.
INDEPENDENT = pytest.mark.engine_independent

KEYS = ("SECRET_KEY", "PARCOURS_ENCRYPTION_KEYS", "PARCOURS_BLIND_INDEX_KEY", "PARCOURS_AUDIT_KEY")
POSTGRES = "postgres://parcours@127.0.0.1:5432/parcours_never_connected"


def production_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """A production-like environment: no demo mode, every key, PostgreSQL (never connected to here)."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PARCOURS_") and k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "HTTPS"}
    }
    base.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    base.update(generate_production_keys())
    base.update(
        PARCOURS_DEMO="0",
        PARCOURS_DATA_DIR=str(data_dir),
        DATABASE_URL=POSTGRES,
        DJANGO_SETTINGS_MODULE="parcours.settings",
        PYTHONPATH=str(ROOT / "src"),
        ALLOWED_HOSTS="parcours.example.org",
        PARCOURS_AUDIT_CHECKPOINT_FILE=str(data_dir / "audit-checkpoints.log"),
        HTTPS="1",
    )
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def without(env: dict[str, str], *names: str) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in names}


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


WSGI_IMPORT = ["-c", "import parcours.wsgi; print('WSGI prête')"]


# --- Fail closed: no key, DEBUG, SQLite ---------------------------------------------------------------
@INDEPENDENT
def test_production_without_keys_refuses_to_start_and_generates_nothing(tmp_path):
    env = without(production_env(tmp_path), *KEYS)
    for args in (["manage.py", "check"], ["manage.py", "check", "--deploy"], WSGI_IMPORT):
        result = run(args, env)
        output = result.stdout + result.stderr
        assert result.returncode != 0, (args, output)
        assert "WSGI prête" not in output
        assert "Parcours refuse de démarrer" in output, output
        for name in KEYS:
            assert f"{name} manque" in output
    # Nothing was generated next to the database.
    assert not (tmp_path / "keys").exists()
    assert not {"secret_key", "encryption.keys", "blind_index.key", "audit.key"} & {
        p.name for p in tmp_path.rglob("*")
    }


@INDEPENDENT
@pytest.mark.parametrize("missing", KEYS)
def test_each_key_alone_is_required(tmp_path, missing):
    result = run(WSGI_IMPORT, without(production_env(tmp_path), missing))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"{missing} manque" in output
    assert [name for name in KEYS if f"{name} manque" in output] == [missing]


@INDEPENDENT
def test_production_refuses_the_bench_floor(tmp_path):
    result = run(WSGI_IMPORT, production_env(tmp_path, PARCOURS_BENCH_FLOOR="1"))
    assert result.returncode != 0 and "PARCOURS_BENCH_FLOOR=1" in result.stderr, result.stderr


@INDEPENDENT
def test_production_with_debug_or_sqlite_refuses_to_start(tmp_path):
    result = run(WSGI_IMPORT, production_env(tmp_path, DEBUG="1"))
    assert result.returncode != 0 and "DEBUG=1" in result.stderr, result.stderr
    result = run(WSGI_IMPORT, without(production_env(tmp_path), "DATABASE_URL"))
    assert result.returncode != 0 and "SQLite" in result.stderr, result.stderr
    result = run(WSGI_IMPORT, production_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    assert result.returncode != 0 and "SQLite" in result.stderr, result.stderr


@INDEPENDENT
def test_production_without_https_refuses_to_start(tmp_path):
    """Review of issue 7 (m5): production settings started without HTTPS=1, so cookies were not Secure and
    no HSTS header was sent; `check --deploy` was clean only with it."""
    result = run(WSGI_IMPORT, without(production_env(tmp_path), "HTTPS"))
    assert result.returncode != 0 and "HTTPS manque" in result.stderr, result.stderr
    result = run(WSGI_IMPORT, production_env(tmp_path, HTTPS="0"))
    assert result.returncode != 0 and "HTTPS manque" in result.stderr, result.stderr


@INDEPENDENT
def test_production_with_every_key_starts_and_the_demo_app_is_absent(tmp_path):
    code = (
        "import django; django.setup(); from django.apps import apps; from django.conf import settings; "
        "print('demo installée' if apps.is_installed('parcours.demo') else 'demo absente', "
        "settings.PARCOURS_DEMO)"
    )
    result = run(["-c", code], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["demo", "absente", "False"]
    result = run(WSGI_IMPORT, production_env(tmp_path))
    assert result.returncode == 0 and "WSGI prête" in result.stdout, result.stderr
    # The destructive demo command does not exist in production.
    result = run(["manage.py", "demo", "--reset", "--wet-run", "--no-server"], production_env(tmp_path))
    assert result.returncode != 0 and "Unknown command: 'demo'" in result.stderr, result.stderr
    assert not (tmp_path / "keys").exists()


@INDEPENDENT
def test_production_without_a_checkpoint_destination_refuses_to_start(tmp_path):
    """Review of issue 7, B1: outside demo mode the journal's checkpoints went nowhere by default (no file,
    an INFO line under a root logger at WARNING), and the process started. Now a missing destination is a
    configuration problem; the operator may choose the logger only, explicitly."""
    result = run(WSGI_IMPORT, without(production_env(tmp_path), "PARCOURS_AUDIT_CHECKPOINT_FILE"))
    assert result.returncode != 0 and "PARCOURS_AUDIT_CHECKPOINT_FILE manque" in result.stderr, result.stderr
    result = run(WSGI_IMPORT, production_env(tmp_path, PARCOURS_AUDIT_CHECKPOINT_FILE="log"))
    assert result.returncode == 0 and "WSGI prête" in result.stdout, result.stderr


@INDEPENDENT
def test_the_legacy_proxy_variable_is_refused_at_start(tmp_path):
    """Review of issue 7, m4: PARCOURS_TRUSTED_PROXY (the journal's former list) was silently ignored once
    PARCOURS_TRUSTED_PROXIES became the one setting: an operator who kept it believed it applied."""
    result = run(WSGI_IMPORT, production_env(tmp_path, PARCOURS_TRUSTED_PROXY="10.0.0.0/8"))
    assert result.returncode != 0 and "PARCOURS_TRUSTED_PROXY n'existe plus" in result.stderr, result.stderr
    assert "PARCOURS_TRUSTED_PROXIES" in result.stderr
    with pytest.raises(ImproperlyConfigured, match="PARCOURS_TRUSTED_PROXY n'existe plus"):
        env.refuse_legacy(environ={"PARCOURS_TRUSTED_PROXY": "127.0.0.1"})
    env.refuse_legacy(environ={"PARCOURS_TRUSTED_PROXIES": "127.0.0.1"})


@INDEPENDENT
def test_check_deploy_without_a_key_fails(tmp_path):
    env = without(production_env(tmp_path, HTTPS="1"), "PARCOURS_AUDIT_KEY")
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "PARCOURS_AUDIT_KEY manque" in result.stderr


@INDEPENDENT
def test_in_process_a_missing_key_is_never_generated_outside_demo_mode(settings, tmp_path):
    settings.PARCOURS_DEMO = False
    settings.DATA_DIR = tmp_path
    settings.PARCOURS_ENCRYPTION_KEYS = None
    settings.PARCOURS_BLIND_INDEX_KEY = None
    crypto.load_keys.cache_clear()
    crypto.blind_index_key.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="PARCOURS_ENCRYPTION_KEYS"):
            crypto.load_keys()
        with pytest.raises(ImproperlyConfigured, match="PARCOURS_BLIND_INDEX_KEY"):
            crypto.blind_index_key()
        with pytest.raises(ImproperlyConfigured, match="PARCOURS_DEMO"):
            crypto.ensure_local_keys()
        assert files_under(tmp_path) == set()
    finally:
        crypto.load_keys.cache_clear()
        crypto.blind_index_key.cache_clear()


# --- Demo mode: keys generated into a private folder ---------------------------------------------------
DEMO_SCRIPT = """
import django; django.setup()
from django.db import connection
from parcours.core import crypto
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE canari (x text)")
    cursor.execute("INSERT INTO canari VALUES ('x')")
crypto.ensure_local_keys()
crypto.encrypt("x", "c")
crypto.blind_index("x")
import json, os, pathlib, stat
data = pathlib.Path(os.environ["PARCOURS_DATA_DIR"])
(data / "documents-canari").write_text("x")
# While the connection is open, the WAL files exist.
print(json.dumps({str(p.relative_to(data)): stat.S_IMODE(p.stat().st_mode) for p in data.rglob("*")}))
"""


@INDEPENDENT
def test_demo_mode_generates_keys_into_a_private_data_folder(tmp_path):
    data = tmp_path / "var"
    env = without(production_env(data, PARCOURS_DEMO="1"), *KEYS, "DATABASE_URL")
    result = run(["-c", DEMO_SCRIPT], env)
    assert result.returncode == 0, result.stderr
    modes = json.loads(result.stdout.splitlines()[-1])
    files = set(modes)
    assert {
        "keys/secret_key",
        "keys/encryption.keys",
        "keys/blind_index.key",
        "keys/audit.key",
        "parcours.sqlite3",
        "documents-canari",
    } <= files
    assert "parcours.sqlite3-wal" in files  # WAL mode: its files too must be private
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "keys").stat().st_mode) == 0o700
    assert "parcours.sqlite3-shm" in files
    for name, mode in modes.items():
        assert mode & 0o077 == 0, f"{name} is {oct(mode)}"


@INDEPENDENT
def test_demo_mode_installs_the_demo_app():
    assert django_settings.PARCOURS_DEMO is True
    assert apps.is_installed("parcours.demo")


# --- One typed reader ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reader", "value", "message"),
    [
        (lambda e: env.flag("HTTPS", environ=e), "peut-être", "HTTPS = 'peut-être'"),
        (
            lambda e: env.integer("PARCOURS_SESSION_MAX_HOURS", 8, low=1, high=24, environ=e),
            "huit",
            "entre 1",
        ),
        (lambda e: env.integer("PARCOURS_SESSION_MAX_HOURS", 8, low=1, high=24, environ=e), "48", "entre 1"),
        # The former count of proxies is refused with a clear message, not read as an address.
        (lambda e: env.networks("PARCOURS_TRUSTED_PROXIES", environ=e), "1", "pas un nombre"),
        (lambda e: env.networks("PARCOURS_TRUSTED_PROXIES", environ=e), "proxy.example", "adresses"),
    ],
)
@INDEPENDENT
def test_a_malformed_value_stops_with_its_name(reader, value, message):
    name = "HTTPS" if "HTTPS" in message else None
    environ = {
        "HTTPS": value,
        "PARCOURS_SESSION_MAX_HOURS": value,
        "PARCOURS_TRUSTED_PROXIES": value,
    }
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)) as error:
        reader(environ)
    assert name is None or name in str(error.value)


@INDEPENDENT
def test_typed_values():
    environ = {
        "A": " oui ",
        "B": "0",
        "N": "30",
        "L": "a, b,,c",
        "P": "10.0.0.0/8, ::1,127.0.0.1",
        "S": " clé ",
        "E": "  ",
    }
    assert env.flag("A", environ=environ) is True and env.flag("B", True, environ=environ) is False
    assert env.flag("E", True, environ=environ) is True  # empty = unset
    assert env.integer("N", 5, low=1, environ=environ) == 30
    assert env.strings("L", environ=environ) == ("a", "b", "c")
    assert env.networks("P", environ=environ) == ("10.0.0.0/8", "::1/128", "127.0.0.1/32")
    assert env.secret("S", environ=environ) == "clé" and env.secret("E", environ=environ) is None


@INDEPENDENT
def test_a_malformed_setting_stops_the_process(tmp_path):
    result = run(WSGI_IMPORT, production_env(tmp_path, PARCOURS_LOGIN_FAILURE_LIMIT="cinq"))
    assert result.returncode != 0 and "PARCOURS_LOGIN_FAILURE_LIMIT = 'cinq'" in result.stderr


def _environment_reads(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"environ", "getenv"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            lines.append(node.lineno)
    return lines


@INDEPENDENT
def test_the_environment_is_read_by_the_settings_reader_only():
    """Only env.py reads variables; wsgi.py names the settings module and `demo` passes the environment to
    its child processes (it reads nothing in it). Before: audit/conf.py, privacy/conf.py, core/crypto.py and
    settings.py each read os.environ their own way."""
    allowed = {"env.py", "wsgi.py", "demo/management/commands/demo.py"}
    readers = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and _environment_reads(ast.parse(path.read_text()))
    }
    assert readers <= allowed, readers - allowed


@INDEPENDENT
def test_every_variable_read_by_the_settings_is_documented_in_its_docstring():
    source = (SRC / "settings.py").read_text()
    tree = ast.parse(source)
    doc = ast.get_docstring(tree)
    names = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "env"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert {"PARCOURS_DEMO", "PARCOURS_TRUSTED_PROXIES", "PARCOURS_AUDIT_KEY", "SECRET_KEY"} <= names
    assert [name for name in sorted(names) if name not in doc] == []
    assert "PARCOURS_TRUSTED_PROXY " not in source and "PARCOURS_TRUSTED_PROXY\n" not in source


# --- Refusals: one line, no traceback -----------------------------------------------------------------
@pytest.fixture
def console():
    """The stream of the console handler configured by settings.LOGGING for Django's loggers."""
    handler = next(h for h in logging.getLogger("django").handlers if isinstance(h, logging.StreamHandler))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_refused_page_is_logged_in_one_line_without_traceback(client, personas, console):
    other = personas.person()
    client.force_login(personas.outsider.user)  # another association: the person's page answers 404
    response = client.get(reverse("people:person", args=[other.pk]))
    assert response.status_code == 404
    client.force_login(personas.volunteer.user)
    forbidden = client.get(reverse("people:person_create"))
    assert forbidden.status_code in (403, 404)
    lines = console.getvalue().splitlines()
    assert lines, "the refusals are logged"
    assert len(lines) == 2, lines
    assert all(line.startswith(("Not Found:", "Forbidden")) for line in lines), lines
    assert "Traceback" not in console.getvalue()


@INDEPENDENT
def test_an_error_keeps_its_traceback(console):
    logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("panne canari")
    except RuntimeError as exc:
        logger.error("Internal Server Error: /x", exc_info=exc, extra={"status_code": 500})
    assert "Traceback" in console.getvalue() and "panne canari" in console.getvalue()
