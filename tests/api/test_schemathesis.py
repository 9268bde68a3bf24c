"""Schemathesis against the served OpenAPI schema (issue 14, "done when"): generated calls, valid and
invalid, to every operation with a token carrying every scope of its role; no answer may be a server error,
a status or a content type the schema does not declare, or a body that breaks the schema.

Bounded for CI (.ci/run runs it with the suite): a fixed number of examples per operation and mode, with a
derandomised seed so that a run is reproducible; raise PARCOURS_SCHEMATHESIS_EXAMPLES to fuzz longer."""

import datetime as dt
import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from parcours.core import clock
from parcours.followup import services as followup

from ..conftest import authorised_pathway
from .conftest import token_for

EXAMPLES = int(os.environ.get("PARCOURS_SCHEMATHESIS_EXAMPLES", "15"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def data(personas, settings):
    settings.PARCOURS_API_CALLS_PER_MINUTE = 100_000  # the throttling has its own test
    cache.clear()
    person = personas.person(referent=personas.worker.user)
    authorised_pathway(personas, person, submitted_on=dt.date(2025, 1, 6), session_on=dt.date(2025, 2, 3),
                       decided_on=dt.date(2025, 2, 10))  # fmt: skip
    start = clock.now().replace(microsecond=0) + dt.timedelta(days=2)
    followup.schedule_appointment(person, personas.worker, worker=personas.worker.user, starts_at=start,
                                  ends_at=start + dt.timedelta(hours=1), purpose="health")  # fmt: skip
    return personas


@pytest.fixture
def connection_kept():
    """The WSGI application closes the database connection after each request (request_finished); inside
    the test's transaction that would close it under the test on PostgreSQL. Django's test client
    disconnects the same handlers; so does this fixture, for schemathesis' own WSGI calls."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["worker", "secretariat", "member", "national"])
def test_no_server_error_and_no_answer_outside_the_schema(data, persona, connection_kept):
    membership = getattr(data, persona)
    from parcours.api import tokens

    secret = token_for(membership, write=tokens.writable_for(membership))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {secret}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 16  # every operation of the schema is exercised
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
            def run(case):
                case.call_and_validate(checks=CHECKS)

            try:
                run()
            except Exception as exc:  # collect every operation's failure, then fail once with all of them
                failures.append(f"{operation.label} ({mode.value}): {exc}"[:3000])
    assert failures == [], "\n\n".join(failures)
