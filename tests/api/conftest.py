import datetime as dt

import pytest

from parcours.api import tokens
from parcours.core import clock


def token_for(membership, read=None, write=(), days=30, name="Outil fictif"):
    """A token created through the service, as the account page does; returns the secret."""
    read = tokens.resources_for(membership) if read is None else read
    _token, secret = tokens.create_token(
        membership,
        name=name,
        read=list(read),
        write=list(write),
        expires_on=clock.today() + dt.timedelta(days=days),
    )
    return secret


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def api_get(client):
    def get(secret, path, **params):
        return client.get(f"/api/v1{path}", params, **bearer(secret))

    return get
