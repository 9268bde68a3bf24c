"""docs/deploy/ and deploy/ stay true to the code: every variable the settings read is in a table of
docs/deploy/, the shipped environment file names documented variables only, and the shipped configuration
agrees with the settings (upload cap, worker queues, gunicorn address, static folder).

scripts/deploy_check.py (tests/ops/test_deploy.py, PostgreSQL pass) runs these files for real."""

import ast
import re
import shlex
from pathlib import Path

from django.conf import settings

from parcours import env
from parcours.records import files

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "deploy"
DEPLOY = ROOT / "deploy"
# Written by the other parts of issue 9 (ProConnect, object storage and several app servers).
SIBLING_DOCS = {"proconnect.md", "scaling.md"}


def variables_read_by_the_settings() -> set[str]:
    tree = ast.parse((ROOT / "src" / "parcours" / "settings.py").read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "env"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def documented_variables() -> set[str]:
    """Names in the first column of a table row of any file of docs/deploy/: | `NAME` | … |"""
    names = set()
    for doc in DOCS.glob("*.md"):
        for line in doc.read_text().splitlines():
            if match := re.match(r"^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|", line):
                names.add(match.group(1))
    return names


def test_every_variable_read_by_the_settings_is_in_a_table_of_docs_deploy():
    read = variables_read_by_the_settings() | set(env.LEGACY) | {"DJANGO_SETTINGS_MODULE"}
    assert {"SECRET_KEY", "PARCOURS_TRUSTED_PROXIES", "PARCOURS_HEALTH_TOKEN"} <= read
    assert sorted(read - documented_variables()) == []


def test_the_environment_table_says_default_secret_and_meaning():
    rows = [
        line.split("|")[1:-1]
        for line in (DOCS / "environment.md").read_text().splitlines()
        if re.match(r"^\|\s*`[A-Z]", line)
    ]
    assert rows
    for variable, default, secret, meaning in rows:
        assert default.strip() and meaning.strip(), variable
        assert secret.strip().split()[0] in {"oui", "non"}, variable
    secrets = {v.strip(" `") for v, _, s, _ in rows if s.strip().startswith("oui")}
    assert {
        "SECRET_KEY",
        "PARCOURS_ENCRYPTION_KEYS",
        "PARCOURS_BLIND_INDEX_KEY",
        "PARCOURS_AUDIT_KEY",
    } <= secrets
    assert {"PARCOURS_HEALTH_TOKEN", "PARCOURS_SENTRY_DSN"} <= secrets


def test_the_shipped_environment_file_names_documented_variables_only():
    names = {
        line.split("=", 1)[0].strip()
        for line in (DEPLOY / "parcours.env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {"SECRET_KEY", "DATABASE_URL", "HTTPS", "PARCOURS_TRUSTED_PROXIES"} <= names
    assert sorted(names - documented_variables()) == []
    # The keys are left empty in the example: they come from `python -m parcours.env`.
    assert set(env.generate_production_keys()) <= names
    assert not re.search(
        r"^(SECRET_KEY|PARCOURS_\w+_KEYS?)=\S", (DEPLOY / "parcours.env.example").read_text(), re.M
    )


def nginx() -> str:
    return (DEPLOY / "nginx" / "parcours.conf").read_text()


def test_the_proxy_upload_cap_matches_the_largest_document():
    cap = re.search(r"client_max_body_size (\d+)m;", nginx())
    assert cap, "client_max_body_size missing"
    cap_bytes = int(cap.group(1)) * 1024 * 1024
    largest = files.DEFAULT_MAX_BYTES
    # Room for the form around the largest document, not much more.
    assert largest + 512 * 1024 <= cap_bytes <= largest + 4 * 1024 * 1024


def test_the_proxy_sends_what_the_settings_trust():
    conf = nginx()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf  # replaced, never appended
    assert "$proxy_add_x_forwarded_for" not in conf
    # Django reads the scheme from the header SECURE_PROXY_SSL_HEADER names (HTTPS=1).
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "Strict-Transport-Security" in conf and "max-age=31536000" in conf
    example = (DEPLOY / "parcours.env.example").read_text()
    assert re.search(r"^PARCOURS_TRUSTED_PROXIES=127\.0\.0\.1", example, re.M)
    # The access log names no query string.
    log_format = re.search(r"log_format parcours (.*?);", conf, re.S).group(1)
    assert "$request " not in log_format and "$args" not in log_format and "$request_uri" not in log_format


def unit(name: str) -> str:
    return (DEPLOY / "systemd" / name).read_text()


def exec_start(name: str) -> list[list[str]]:
    return [
        shlex.split(line.removeprefix("ExecStart="))
        for line in unit(name).splitlines()
        if line.startswith("ExecStart=")
    ]


def test_gunicorn_listens_where_nginx_sends():
    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text()
    bind = re.search(r'^bind = "([^"]+)"', gunicorn, re.M).group(1)
    assert f"server {bind};" in nginx()
    (command,) = exec_start("parcours.service")
    assert command[-2:] == ["--config", "/opt/parcours/deploy/gunicorn.conf.py"]
    assert "%(U)s" in gunicorn and "%(r)s" not in gunicorn and "%(q)s" not in gunicorn


def test_the_worker_runs_every_queue_and_the_timer_the_daily_pass():
    (command,) = exec_start("parcours-worker.service")
    queues = command[command.index("--queue-name") + 1]
    assert queues == "*" or set(queues.split(",")) >= set(settings.TASKS["default"]["QUEUES"])
    assert exec_start("parcours-daily.service") == [
        ["/opt/parcours/.venv/bin/python", "manage.py", "enqueue_daily_tasks"]
    ]
    assert "Persistent=true" in (DEPLOY / "systemd" / "parcours-daily.timer").read_text()
    assert [c[2] for c in exec_start("parcours-migrate.service")] == ["migrate", "collectstatic"]
    assert "EnvironmentFile=/etc/parcours/migrate.env" in unit("parcours-migrate.service")


def test_the_static_folder_of_nginx_is_the_one_collectstatic_fills():
    example = (DEPLOY / "parcours.env.example").read_text()
    data_dir = re.search(r"^PARCOURS_DATA_DIR=(.+)$", example, re.M).group(1)
    assert f"alias {data_dir}/static/;" in nginx()
    assert Path(settings.STATIC_ROOT).name == "static"


def test_links_between_the_deploy_documents_resolve():
    broken = []
    for doc in DOCS.glob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", doc.read_text()):
            if not (doc.parent / target).exists() and Path(target).name not in SIBLING_DOCS:
                broken.append(f"{doc.name} → {target}")
    assert broken == []
