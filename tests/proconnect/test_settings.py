"""ProConnect's settings fail closed: a partial configuration (or an http discovery address outside demo
mode) stops every entry point with a French message naming what is missing, never the secret; complete or
absent, the production process starts. Production processes run apart (tests/core/test_settings.py)."""

import pytest

from ..core.test_settings import WSGI_IMPORT, production_env, run

SECRET = "secret-tres-long-du-client-proconnect-0123456789"
COMPLETE = {
    "PARCOURS_PROCONNECT_CLIENT_ID": "parcours-prod",
    "PARCOURS_PROCONNECT_CLIENT_SECRET": SECRET,
    "PARCOURS_PROCONNECT_DISCOVERY_URL": "https://auth.proconnect.gouv.fr/api/v2/.well-known/openid-configuration",
}


@pytest.mark.parametrize("missing", sorted(COMPLETE))
def test_a_partial_configuration_refuses_to_start(tmp_path, missing):
    env = production_env(tmp_path, **{k: v for k, v in COMPLETE.items() if k != missing})
    result = run(WSGI_IMPORT, env)
    assert result.returncode != 0
    assert "ProConnect est configuré à moitié" in result.stderr
    assert missing in result.stderr
    assert SECRET not in result.stderr + result.stdout


def test_an_http_discovery_address_is_refused_outside_demo_mode(tmp_path):
    overrides = {**COMPLETE, "PARCOURS_PROCONNECT_DISCOVERY_URL": "http://auth.example.org/.well-known/x"}
    result = run(WSGI_IMPORT, production_env(tmp_path, **overrides))
    assert result.returncode != 0
    assert "commence par https://" in result.stderr


@pytest.mark.parametrize("configured", [True, False])
def test_complete_or_absent_the_production_process_starts(tmp_path, configured):
    env = production_env(tmp_path, **(COMPLETE if configured else {}))
    command = [
        "-c",
        "import parcours.wsgi; from django.conf import settings; print(settings.PARCOURS_PROCONNECT_ENABLED)",
    ]
    result = run(command, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(str(configured))
    assert SECRET not in result.stdout + result.stderr
