"""Response headers (CSP with a nonce, Permissions-Policy, COOP…) and Django's deployment checklist under
production settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from parcours.env import generate_production_keys as production_keys

ROOT = Path(__file__).resolve().parents[2]


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.django_db
def test_the_csp_allows_only_this_origin_and_the_nonce_of_the_dsfr_scripts(client):
    response = client.get(reverse("accounts:login"))
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["style-src"] == ["'self'"]
    nonces = [s for s in csp["script-src"] if s.startswith("'nonce-")]
    assert csp["script-src"][0] == "'self'" and len(nonces) == 1
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "http" not in policy  # no third-party origin

    nonce = nonces[0][len("'nonce-") : -1]
    html = response.content.decode()
    dsfr_scripts = re.findall(r"<script[^>]*dsfr\.(?:module|nomodule)\.min\.js[^>]*>", html)
    assert len(dsfr_scripts) == 2
    assert all(f'nonce="{nonce}"' in tag for tag in dsfr_scripts)
    # Every script, style sheet and image comes from this site (self-hosted DSFR).
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http:", "https:", "//")), url
    # Each response has its own nonce.
    assert nonces != [s for s in csp_directives(client.get(reverse("accounts:login")))["script-src"][1:]]


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "publickey-credentials-get=(self)"):
        assert feature in permissions


@pytest.mark.django_db
def test_pages_of_a_logged_in_user_are_never_stored(client, personas):
    client.force_login(personas.worker.user)
    response = client.get(reverse("people:caseload"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    """Production settings: not demo mode, every key from the environment, PostgreSQL (check --deploy does
    not connect to it), HTTPS. tests/core/test_settings.py shows the same command failing without a key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCOURS_")}
    env.update(
        {
            **production_keys(),
            "PARCOURS_DEMO": "0",
            "DEBUG": "0",
            "HTTPS": "1",
            "ALLOWED_HOSTS": "parcours.example.org",
            "PARCOURS_DATA_DIR": str(tmp_path),
            "PARCOURS_AUDIT_CHECKPOINT_FILE": str(tmp_path / "audit-checkpoints.log"),
            "DATABASE_URL": "postgres://parcours@127.0.0.1:5432/parcours_check_deploy",
        }
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # for the browser tests
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output and "ERROR" not in output, output
