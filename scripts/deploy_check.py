"""Follow docs/deploy/ on loopback and check that the production configuration serves Parcours over HTTPS.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python scripts/deploy_check.py

What it does, with the files shipped in deploy/ (read, not copied: a change there is what runs here):
1. on the PostgreSQL server of DATABASE_URL (a role that may create roles and databases), creates a throwaway
   database owned by a throwaway owner role and a throwaway application role that is neither superuser nor
   owner, granted as docs/deploy/postgresql.md says;
2. in a temporary folder: production keys printed by `python -m parcours.env`, the environment file
   deploy/parcours.env.example with the keys, paths and database URLs of this run, a self-signed
   certificate (openssl) for parcours.example.org;
3. runs the commands of deploy/systemd/parcours-migrate.service (migrate, collectstatic) as the owner role,
   and `manage.py check --deploy --fail-level WARNING` with the production settings (no demo mode);
4. starts, as the application role, the ExecStart of parcours.service (gunicorn with deploy/gunicorn.conf.py,
   bound to a free loopback port) and of parcours-worker.service, then runs parcours-daily.service's;
5. starts Debian's nginx with deploy/nginx/parcours.conf (ports, certificate, static folder and upstream
   replaced by this run's; pid, logs and temporary files in the folder; non-root unless run as root);
6. checks over HTTPS through nginx: the login page (200, one HSTS header, __Host- cookies), the health
   endpoint (every check OK once the worker has run the daily pass), a static file served by nginx, the
   redirect from HTTP, the upload cap (413), that the application role cannot TRUNCATE the journal, and that
   a query-string canary is in no log;
7. stops everything and drops the database and the roles, whatever happened.

Exit code 0 when every check passes, 1 otherwise (the failed checks are listed), 2 when a tool is missing.
Standard library, psycopg, openssl and nginx only.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from scratchdb import admin_connect, server_params, url_for  # noqa: E402

DEPLOY = ROOT / "deploy"
HOST = "parcours.example.org"
INSTALL_DIR = "/opt/parcours"  # where docs/deploy/ installs the code; replaced by this checkout
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CANARY = "Canarideploiement"


@dataclass
class Result:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append((name, bool(ok), detail))
        return bool(ok)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(ok for _, ok, _ in self.checks)

    def failed(self) -> list[str]:
        return [f"{name}: {detail}" for name, ok, detail in self.checks if not ok]


def free_port() -> int:
    """A free loopback port below 32768 (the ephemeral range collides)."""
    for _ in range(200):
        port = secrets.randbelow(32768 - 10000) + 10000
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("aucun port libre")


def exec_starts(unit: str) -> list[list[str]]:
    """The ExecStart= commands of a shipped unit, with the install folder replaced by this checkout."""
    commands = []
    for line in (DEPLOY / "systemd" / unit).read_text().splitlines():
        if line.startswith("ExecStart="):
            command = line.removeprefix("ExecStart=").replace(INSTALL_DIR, str(ROOT))
            commands.append(shlex.split(command))
    if not commands:
        raise RuntimeError(f"{unit} : aucune ligne ExecStart")
    return commands


def unit_umask(unit: str):
    """A function setting the UMask= of a shipped unit in the child process, as systemd does."""
    found = re.search(r"^UMask=(\d+)$", (DEPLOY / "systemd" / unit).read_text(), re.M)
    mask = int(found.group(1), 8) if found else 0o022
    return lambda: os.umask(mask)


def environment_file() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "parcours.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def replace_each(text: str, replacements: dict[str, str]) -> str:
    """Every key must be found: a change of the shipped file that this run would miss fails it."""
    for old, new in replacements.items():
        if old not in text:
            raise RuntimeError(f"deploy/nginx/parcours.conf ne contient plus « {old} »")
        text = text.replace(old, new)
    return text


def base_env() -> dict[str, str]:
    """The process environment without anything of the developer's or CI's Parcours settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PARCOURS_", "DJANGO_"))
        and k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "HTTPS"}
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def wait_for(predicate, timeout: float, every: float = 0.3) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, http.client.HTTPException):
            if predicate():
                return True
        time.sleep(every)
    return False


def request(port: int, method: str, path: str, *, tls: ssl.SSLContext | None, headers=None, body=None):
    connection = (
        http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=20)
        if tls
        else http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    )
    try:
        connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def header(headers, name: str) -> list[str]:
    return [v for k, v in headers if k.lower() == name.lower()]


@contextlib.contextmanager
def throwaway_roles_and_database(params: dict[str, str]):
    """docs/deploy/postgresql.md on a shared server: an owner role (migrations), an application role (neither
    superuser nor owner), a database owned by the first; all dropped at the end."""
    tag = f"{os.getpid()}_{secrets.token_hex(3)}"
    owner, app, database = f"parcours_owner_{tag}", f"parcours_app_{tag}", f"parcours_deploy_{tag}"
    with admin_connect(params) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(owner)))
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(app)))
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), sql.Identifier(owner))
        )
    try:
        owner_url = url_for({**params, "user": owner}, database)
        with psycopg.connect(owner_url, autocommit=True) as conn:
            for statement in grants(owner, app):
                conn.execute(statement)
        yield owner_url, url_for({**params, "user": app}, database)
    finally:
        with admin_connect(params) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
            for role in (app, owner):
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def grants(owner: str, app: str) -> list[str]:
    """The statements of docs/deploy/postgresql.md (run as the owner role, before the first migration)."""
    text = (ROOT / "docs" / "deploy" / "postgresql.md").read_text()
    block = re.search(r"<!-- grants -->\s*```sql\n(.*?)```", text, re.S)
    if not block:
        raise RuntimeError("docs/deploy/postgresql.md : bloc des droits (<!-- grants -->) introuvable")
    statements = [
        s.strip() for s in block.group(1).split(";") if s.strip() and not s.strip().startswith("--")
    ]
    return [s.replace("parcours_owner", owner).replace("parcours_app", app) for s in statements]


def run(pg_url: str, say=print) -> Result:
    result = Result()
    params = server_params(pg_url)
    if params is None:
        raise RuntimeError("DATABASE_URL doit désigner un serveur PostgreSQL (postgres://…)")
    for tool in (NGINX, shutil.which("openssl")):
        if not tool or not Path(tool).exists():
            raise FileNotFoundError("nginx et openssl sont nécessaires (apt-get install nginx openssl)")
    processes: list[subprocess.Popen] = []
    as_root = os.geteuid() == 0
    with (
        tempfile.TemporaryDirectory(prefix="parcours-deploy-") as tmp_name,
        throwaway_roles_and_database(params) as (owner_url, app_url),
    ):
        tmp = Path(tmp_name)
        data = tmp / "var-lib-parcours"
        journal = tmp / "var-lib-parcours-journal"
        data.mkdir()
        data.chmod(0o711)  # whatever the caller's umask (the test suite's is 077): as in docs/deploy/
        journal.mkdir(mode=0o700)
        if as_root:  # nginx's workers (nobody) read the static files, as www-data does in production
            tmp.chmod(0o711)
        logs = tmp / "logs"
        logs.mkdir()
        try:
            env = configure(tmp, data, journal, app_url, say)
            owner_env = {**env, "DATABASE_URL": owner_url}
            say("== migrations et fichiers statiques (parcours-migrate.service), rôle propriétaire")
            for command in exec_starts("parcours-migrate.service"):
                done = subprocess.run(  # noqa: S603
                    command,
                    cwd=ROOT,
                    env=owner_env,
                    capture_output=True,
                    text=True,
                    preexec_fn=unit_umask("parcours-migrate.service"),
                )
                if not result.check(f"{' '.join(command[1:3])}", done.returncode == 0, done.stderr[-2000:]):
                    return result
            done = subprocess.run(
                [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            output = done.stdout + done.stderr
            result.check(
                "check --deploy propre",
                done.returncode == 0 and "no issues" in output and "WARNING" not in output,
                output[-2000:],
            )
            say("== gunicorn, worker (rôle de l'application)")
            app_port, https_port, http_port = free_port(), free_port(), free_port()
            gunicorn_log = (logs / "gunicorn.log").open("w")
            worker_log = (logs / "worker.log").open("w")
            (gunicorn,) = exec_starts("parcours.service")
            processes.append(
                subprocess.Popen(  # noqa: S603
                    [*gunicorn, "--bind", f"127.0.0.1:{app_port}", "--workers", "2"],
                    cwd=ROOT,
                    preexec_fn=unit_umask("parcours.service"),
                    env=env,
                    stdout=gunicorn_log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            (worker,) = exec_starts("parcours-worker.service")
            processes.append(
                subprocess.Popen(  # noqa: S603
                    [*worker, "--no-startup-delay"],
                    cwd=ROOT,
                    preexec_fn=unit_umask("parcours-worker.service"),
                    env=env,
                    stdout=worker_log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            up = wait_for(lambda: request(app_port, "GET", "/sante/", tls=None)[0] in (200, 503), 60)
            if not result.check("gunicorn répond", up, (logs / "gunicorn.log").read_text()[-2000:]):
                return result
            say("== passe quotidienne (parcours-daily.service)")
            for command in exec_starts("parcours-daily.service"):
                done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
                result.check("enqueue_daily_tasks", done.returncode == 0, done.stderr[-2000:])
            say("== nginx")
            nginx_conf = configure_nginx(tmp, data, app_port, https_port, http_port, as_root)
            test = subprocess.run(  # noqa: S603
                [NGINX, "-p", str(tmp), "-c", str(nginx_conf), "-e", str(logs / "nginx-error.log"), "-t"],
                capture_output=True,
                text=True,
            )
            if not result.check("nginx -t", test.returncode == 0, test.stderr[-2000:]):
                return result
            processes.append(
                subprocess.Popen(  # noqa: S603
                    [
                        NGINX,
                        "-p",
                        str(tmp),
                        "-c",
                        str(nginx_conf),
                        "-e",
                        str(logs / "nginx-error.log"),
                        "-g",
                        "daemon off;",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=(logs / "nginx-stderr.log").open("w"),
                    start_new_session=True,
                )
            )
            tls = ssl.create_default_context(cafile=str(tmp / "tls" / "fullchain.pem"))
            up = wait_for(lambda: request(https_port, "GET", "/sante/", tls=tls)[0] in (200, 503), 30)
            if not result.check("nginx répond en HTTPS", up, (logs / "nginx-error.log").read_text()[-2000:]):
                return result
            say("== vérifications par nginx en HTTPS")
            verify(result, https_port, http_port, tls, env, data, say)
            result.check(
                "le rôle de l'application ne peut pas vider le journal",
                truncate_refused(app_url),
                "TRUNCATE audit_accesslog accepté",
            )
            stop(processes)
            texts = {p.name: p.read_text(errors="replace") for p in logs.iterdir() if p.is_file()}
            texts["access"] = (
                (tmp / "nginx-access.log").read_text() if (tmp / "nginx-access.log").exists() else ""
            )
            leaks = [name for name, text in texts.items() if CANARY in text]
            result.check("aucun journal ne contient la chaîne de requête", leaks == [], ", ".join(leaks))
            result.check("nginx a journalisé les requêtes", "GET /compte/connexion/" in texts["access"])
            json_lines = [line for line in texts["gunicorn.log"].splitlines() if line.startswith("{")]
            result.check(
                "journal applicatif en lignes JSON",
                all(json.loads(line).get("level") for line in json_lines) and bool(json_lines),
                texts["gunicorn.log"][-1000:],
            )
        finally:
            stop(processes)
    return result


def configure(tmp: Path, data: Path, journal: Path, app_url: str, say) -> dict[str, str]:
    """The environment file of docs/deploy/, filled for this run (keys from `python -m parcours.env`)."""
    say("== clés (python -m parcours.env) et fichier d'environnement")
    printed = subprocess.run(
        [sys.executable, "-m", "parcours.env"], cwd=ROOT / "src", capture_output=True, text=True, check=True
    ).stdout
    keys = dict(line.split("=", 1) for line in printed.splitlines() if "=" in line)
    values = environment_file()
    missing = [k for k in keys if k not in values]
    if missing:
        raise RuntimeError(f"deploy/parcours.env.example ne prévoit pas {missing}")
    values.update(keys)
    values.update(
        DATABASE_URL=app_url,
        PARCOURS_DATA_DIR=str(data),
        PARCOURS_DOCUMENTS_DIR=str(data / "documents"),
        PARCOURS_AUDIT_CHECKPOINT_FILE=str(journal / "audit-checkpoints.log"),
        PARCOURS_HEALTH_TOKEN=secrets.token_urlsafe(24),
        LOG_LEVEL="INFO",
    )
    env_file = tmp / "parcours.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    env_file.chmod(0o600)
    env = base_env()
    env.update({k: v for k, v in values.items() if v})
    env["PYTHONPATH"] = str(ROOT / "src")
    return env


def configure_nginx(
    tmp: Path, data: Path, app_port: int, https_port: int, http_port: int, as_root: bool
) -> Path:
    tls = tmp / "tls"
    tls.mkdir()
    subprocess.run(  # noqa: S603
        [shutil.which("openssl") or "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={HOST}",
         "-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1",
         "-keyout", str(tls / "privkey.pem"), "-out", str(tls / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    site = replace_each(
        (DEPLOY / "nginx" / "parcours.conf").read_text(),
        {
            "listen 80;": f"listen 127.0.0.1:{http_port};",
            "listen [::]:80;\n": "",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
            "listen [::]:443 ssl http2;\n": "",
            "/etc/ssl/parcours/fullchain.pem": str(tls / "fullchain.pem"),
            "/etc/ssl/parcours/privkey.pem": str(tls / "privkey.pem"),
            "/var/lib/parcours/static/": f"{data / 'static'}/",
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
            "/var/log/nginx/parcours.access.log": str(tmp / "nginx-access.log"),
        },
    )
    (tmp / "parcours-site.conf").write_text(site)
    temp = tmp / "nginx-temp"
    temp.mkdir()
    main = f"""
{"user nobody nogroup;" if as_root else "# not root: the workers run as the current user"}
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "logs" / "nginx-error.log"} warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    include {tmp / "parcours-site.conf"};
}}
"""
    conf = tmp / "nginx.conf"
    conf.write_text(main)
    return conf


def verify(result: Result, https_port: int, http_port: int, tls, env, data: Path, say) -> None:
    status, headers, body = request(https_port, "GET", "/compte/connexion/", tls=tls)
    text = body.decode(errors="replace")
    result.check("page de connexion en HTTPS", status == 200 and 'name="password"' in text, f"{status}")
    result.check(
        "un seul en-tête HSTS",
        header(headers, "Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"],
        str(header(headers, "Strict-Transport-Security")),
    )
    cookies = " ".join(header(headers, "Set-Cookie"))
    result.check(
        "cookie __Host-csrftoken Secure", "__Host-csrftoken=" in cookies and "Secure" in cookies, cookies
    )
    result.check(
        "nginx ne dit pas sa version", header(headers, "Server") == ["nginx"], str(header(headers, "Server"))
    )
    # The worker runs the daily pass: the health endpoint turns OK.
    token = env["PARCOURS_HEALTH_TOKEN"]
    last = {}

    def healthy() -> bool:
        status, _, body = request(
            https_port, "GET", "/sante/", tls=tls, headers={"Authorization": f"Bearer {token}"}
        )
        last["answer"] = (status, body.decode(errors="replace"))
        return status == 200

    result.check(
        "santé : tout OK (base, stockage, worker, passe quotidienne)", wait_for(healthy, 90, 1), str(last)
    )
    status, _, body = request(https_port, "GET", "/sante/", tls=tls)
    result.check(
        "santé sans jeton : OK ou KO seulement", status == 200 and " : OK" in body.decode(), body.decode()
    )
    static = next((p for p in sorted((data / "static").rglob("*.css")) if p.is_file()), None)
    if result.check("fichiers statiques collectés", static is not None):
        path = "/static/" + str(static.relative_to(data / "static"))
        status, headers, body = request(https_port, "GET", path, tls=tls)
        result.check(
            "fichier statique servi par nginx",
            status == 200 and body == static.read_bytes() and header(headers, "Expires") != [],
            f"{status} {path}",
        )
    status, headers, _ = request(http_port, "GET", f"/compte/connexion/?q={CANARY}", tls=None)
    result.check(
        "HTTP redirigé vers HTTPS",
        status == 301 and header(headers, "Location")[0].startswith(f"https://{HOST}/"),
        f"{status} {header(headers, 'Location')}",
    )
    status, _, _ = request(https_port, "GET", f"/personnes/?q={CANARY}", tls=tls)
    result.check("une page protégée renvoie vers la connexion", status == 302, str(status))
    big = b"x" * (13 * 1024 * 1024)
    status, _, _ = request(
        https_port, "POST", "/compte/connexion/", tls=tls, body=big,
        headers={"Content-Type": "application/octet-stream"},
    )  # fmt: skip
    result.check("envoi au-delà du plafond refusé par nginx (413)", status == 413, str(status))


def truncate_refused(app_url: str) -> bool:
    try:
        with psycopg.connect(app_url, autocommit=True) as conn:
            conn.execute("TRUNCATE audit_accesslog")
    except psycopg.Error:
        return True
    return False


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    processes.clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.parse_args()
    try:
        result = run(os.environ.get("DATABASE_URL", ""))
    except (FileNotFoundError, RuntimeError, psycopg.Error) as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 2
    for name, ok, detail in result.checks:
        print(f"{'OK ' if ok else 'KO '} {name}" + ("" if ok else f" — {detail}"))
    print("RÉSULTAT :", "la configuration de production sert Parcours." if result.ok else "échec.")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
