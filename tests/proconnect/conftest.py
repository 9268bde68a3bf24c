"""A real OpenID Connect provider for the ProConnect tests: panva's oidc-provider (Node, pinned by
tests/oidc/package-lock.json, installed by `npm ci --prefix tests/oidc`), started on 127.0.0.1 at a free port,
with one client whose redirect URIs are the live server's. Without node or the package the tests skip on a
developer's machine and fail in CI (tests/tools.py)."""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from ..tools import skip_or_fail

OIDC_DIR = Path(__file__).resolve().parent.parent / "oidc"
CLIENT_ID = "parcours-test"
CLIENT_SECRET = "secret-de-test-du-client-parcours"


def free_port() -> int:
    """A free port below the ephemeral range (stack notes)."""
    for _ in range(50):
        port = random.randint(20000, 32000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


@dataclass
class Provider:
    issuer: str
    accounts: dict

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


def start_provider(live_server_url: str, accounts: dict):
    node = shutil.which("node")
    if node is None:
        skip_or_fail("node absent (apt-get install nodejs npm) : connexion ProConnect non vérifiée")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        skip_or_fail("oidc-provider absent : npm ci --prefix tests/oidc")
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "NODE_ENV": "test",
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": f"{live_server_url}/compte/proconnect/retour/",
        "OIDC_POST_LOGOUT_URI": f"{live_server_url}/compte/connexion/",
        "OIDC_ACCOUNTS": json.dumps(accounts),
    }
    process = subprocess.Popen(  # noqa: S603
        [node, str(OIDC_DIR / "provider.mjs")],
        cwd=OIDC_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oidc-provider stopped: {process.stdout.read()}")
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return process, Provider(issuer=issuer, accounts=accounts)
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("oidc-provider did not start")


# The accounts of the provider: ProConnect's claims; `amr` says whether the agent used a second factor.
SIRET_GARD = "13000000000013"
SIRET_HERAULT = "13000000000034"
SIRET_ELSEWHERE = "99999999999999"
ACCOUNTS = {
    "agent-mfa": {
        "email": "Camille.Demo-Agent@Exemple.gouv.fr",
        "given_name": "Camille",
        "usual_name": "Démo-Agent",
        "siret": SIRET_HERAULT,
        "uid": "1",
        "idp_id": "fi-test",
        "amr": ["pwd", "mfa"],
        "acr": "eidas1",
    },
    "agent-pwd": {
        "email": "camille.demo-agent@exemple.gouv.fr",
        "given_name": "Camille",
        "usual_name": "Démo-Agent",
        "siret": SIRET_GARD,
        "uid": "2",
        "idp_id": "fi-test",
        "amr": ["pwd"],
        "acr": "eidas1",
    },
    "agent-acr": {
        "email": "camille.demo-agent@exemple.gouv.fr",
        "given_name": "Camille",
        "usual_name": "Démo-Agent",
        "siret": SIRET_GARD,
        "uid": "5",
        "idp_id": "fi-test",
        "amr": ["pwd"],
        "acr": "eidas2",
    },
    "inconnue": {
        "email": "personne.inconnue@exemple.gouv.fr",
        "given_name": "Dominique",
        "usual_name": "Démo-Inconnue",
        "siret": SIRET_GARD,
        "uid": "3",
        "idp_id": "fi-test",
        "amr": ["pwd", "mfa"],
    },
    "autre-siret": {
        "email": "camille.demo-agent@exemple.gouv.fr",
        "given_name": "Camille",
        "usual_name": "Démo-Agent",
        "siret": SIRET_ELSEWHERE,
        "uid": "4",
        "idp_id": "fi-test",
        "amr": ["pwd", "mfa"],
    },
}


@pytest.fixture
def provider(live_server, settings):
    process, provider = start_provider(live_server.url, ACCOUNTS)
    settings.PARCOURS_PROCONNECT_ENABLED = True
    settings.PARCOURS_PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PARCOURS_PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    settings.PARCOURS_PROCONNECT_DISCOVERY_URL = provider.discovery_url
    try:
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
