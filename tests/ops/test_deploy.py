"""docs/deploy/ followed on loopback (scripts/deploy_check.py): PostgreSQL with an owner role and an
application role, the shipped environment file, systemd units' commands, gunicorn configuration and nginx
site, over HTTPS with a self-signed certificate. Runs in the PostgreSQL pass of .ci/run (nginx and openssl
installed there); skipped on SQLite, failed in CI when nginx or openssl is missing."""

import shutil
from pathlib import Path

import deploy_check

from ..tools import skip_or_fail


def test_the_production_configuration_serves_the_login_page_and_the_health_endpoint_over_nginx(pg_server):
    if not Path(deploy_check.NGINX).exists() or not shutil.which("openssl"):
        skip_or_fail("nginx ou openssl absent (apt-get install nginx openssl) : déploiement non vérifié")
    from scratchdb import url_for

    result = deploy_check.run(url_for(pg_server, pg_server.get("dbname", "postgres")), say=lambda _: None)
    report = "\n".join(f"{'OK' if ok else 'KO'} {name} {detail}" for name, ok, detail in result.checks)
    assert result.ok, report
    names = [name for name, _, _ in result.checks]
    for expected in (
        "check --deploy propre",
        "page de connexion en HTTPS",
        "santé : tout OK (base, stockage, worker, passe quotidienne)",
        "le rôle de l'application ne peut pas vider le journal",
        "aucun journal ne contient la chaîne de requête",
    ):
        assert expected in names, report
