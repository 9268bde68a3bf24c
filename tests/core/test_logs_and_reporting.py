"""Structured logs and error reporting never carry an identity (core/logging.py, core/reporting.py,
docs/deploy/monitoring.md): canaries put where a name or an address would travel (query string, form body,
cookie, header, e-mail, user name, local variable, PostgreSQL DETAIL line) appear in no log line and in no
event sent to the error-reporting service (captured by a transport of the test: no network)."""

import io
import json
import logging

import pytest
import sentry_sdk
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from sentry_sdk.transport import Transport

from parcours.core import reporting
from parcours.core.logging import JsonLines, NoIdentity, OneLineRefusals

from ..factories import UserFactory

QUERY = "Canariquery"
BODY = "Canaribody"
COOKIE = "Canaricookie"
HEADER = "Canariheader"
EMAIL = "canari.courriel@exemple.fr"
USERNAME = "canari-identifiant"
LOCAL = "Canarilocal"
DETAIL = "Canaridetail"
CANARIES = (QUERY, BODY, COOKIE, HEADER, EMAIL, USERNAME, LOCAL, DETAIL)


def leaked(text: str) -> list[str]:
    return [c for c in CANARIES if c.lower() in text.lower()]


@csrf_exempt  # the error test calls Django's WSGI handler directly, without the test client's CSRF pass
def boom(request):
    secret_local = LOCAL  # noqa: F841 (a local variable a reporter could send)
    logging.getLogger("parcours.test").info("recherche de %s par %s", request.GET.get("q"), EMAIL)
    raise ValueError(f"échec pour {EMAIL}\nDETAIL:  Key (nom)=({DETAIL}) already exists.")


def absent(request):
    return HttpResponse("absente", status=404)


urlpatterns = [path("boom/", boom), path("absente/", absent)]


@pytest.fixture(params=["json", "text"])
def console(request):
    """The console handler of settings.LOGGING, writing to a buffer, in each of the two formats."""
    handler = next(h for h in logging.getLogger("django").handlers if isinstance(h, logging.StreamHandler))
    assert any(isinstance(f, NoIdentity) for f in handler.filters)
    stream = io.StringIO()
    previous_stream = handler.setStream(stream)
    previous_formatter = handler.formatter
    if request.param == "json":
        handler.setFormatter(JsonLines())
    yield request.param, stream
    handler.setStream(previous_stream)
    handler.setFormatter(previous_formatter)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_log_lines_carry_no_identity(client, console):
    kind, stream = console
    user = UserFactory(username=USERNAME, email=EMAIL)
    client.force_login(user)
    client.raise_request_exception = False
    client.cookies[COOKIE] = COOKIE
    response = client.post(f"/boom/?q={QUERY}", {"nom": BODY}, HTTP_X_CANARI=HEADER)
    assert response.status_code == 500
    client.get(f"/absente/?q={QUERY}&email={EMAIL}")  # a 404, logged in one line
    # A library attaching the request and a user to its line.
    request = RequestFactory().get(f"/personnes/?q={QUERY}")
    logging.getLogger("parcours.security").warning(
        "Connexion refusée pour %s", EMAIL, extra={"request": request, "user": user, "email": EMAIL}
    )
    output = stream.getvalue()
    assert "Internal Server Error: /boom/" in output and "Not Found: /absente/" in output
    assert "Traceback" in output and "ValueError" in output  # the error keeps its traceback
    assert leaked(output) == [], output
    if kind == "json":
        records = [json.loads(line) for line in output.splitlines()]
        assert all({"time", "level", "logger", "message"} <= set(r) for r in records), records
        error = next(r for r in records if r["message"] == "Internal Server Error: /boom/")
        assert error["level"] == "ERROR" and error["status_code"] == 500 and "exc_info" in error
        refused = next(r for r in records if r["logger"] == "parcours.security")
        assert refused["path"] == "/personnes/" and refused["http_method"] == "GET"
        assert not {"request", "user", "email"} & set(refused)


def test_the_filter_masks_what_it_must_and_keeps_the_rest():
    record = logging.LogRecord("x", logging.WARNING, "", 0, "Vu %s sur %s", (EMAIL, f"/a/?q={QUERY}"), None)
    OneLineRefusals().filter(record)
    NoIdentity().filter(record)
    assert record.getMessage() == "Vu [masqué] sur /a/?[masqué]"
    kept = logging.LogRecord("x", logging.INFO, "", 0, "Session expirée : utilisateur %s.", (42,), None)
    NoIdentity().filter(kept)
    assert kept.getMessage() == "Session expirée : utilisateur 42."


class Captured(Transport):
    envelopes: list = []

    def capture_envelope(self, envelope):
        Captured.envelopes.append(envelope)


@pytest.fixture
def reporter():
    Captured.envelopes = []
    reporting.start("https://cle-publique@erreurs.exemple.invalid/1", environment="test", transport=Captured)
    yield Captured.envelopes
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: nothing is sent by the next tests


def through_wsgi(request_environ: dict) -> int:
    """A request through Django's WSGI handler, as gunicorn calls it (the error-reporting SDK hooks there);
    the test's database connection is kept open, as the test client does."""
    statuses = []
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(request_environ, lambda status, headers, *_: statuses.append(status))
        b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(statuses[0].split()[0])


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_error_reports_carry_no_identity(client, settings, reporter):
    user = UserFactory(username=USERNAME, email=EMAIL, first_name=USERNAME)
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    environ = RequestFactory().post(f"/boom/?q={QUERY}", {"nom": BODY}, HTTP_X_CANARI=HEADER).environ
    environ["HTTP_COOKIE"] = f"{settings.SESSION_COOKIE_NAME}={session}; canari={COOKIE}"
    assert through_wsgi(environ) == 500
    sentry_sdk.flush()
    events = [item.payload.json for env in reporter for item in env.items if item.type == "event"]
    errors = [e for e in events if e.get("exception")]
    assert errors, f"no error event captured: {events}"
    event = errors[0]
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["request"] == {"method": "POST", "url": "http://testserver/boom/"}
    assert event.get("user", {}) in ({}, {"id": str(user.pk)}, {"id": user.pk})
    dump = json.dumps(events, ensure_ascii=False)
    assert leaked(dump) == [], dump[:3000]
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert frames and all("vars" not in f for f in frames)
    assert not sentry_sdk.get_client().options.get("send_default_pii")


def test_the_scrubber_on_a_hand_made_event():
    """An event as a permissive SDK configuration would build it (send_default_pii on, local variables)."""
    event = {
        "request": {
            "method": "GET",
            "url": f"https://parcours.example.org/personnes/?q={QUERY}",
            "query_string": f"q={QUERY}",
            "data": {"nom": BODY},
            "cookies": {"sessionid": COOKIE},
            "headers": {"X-Canari": HEADER},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "user": {"id": "7", "email": EMAIL, "username": USERNAME, "ip_address": "203.0.113.9"},
        "extra": {"nom": BODY},
        "logentry": {"message": "vu %s", "params": [EMAIL], "formatted": f"vu {EMAIL}"},
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": f"duplicate key\nDETAIL:  Key (nom)=({DETAIL}) already exists.",
                    "stacktrace": {"frames": [{"function": "f", "vars": {"nom": LOCAL}}]},
                }
            ]
        },
        "breadcrumbs": {"values": [{"message": f"GET /personnes/?q={QUERY}", "data": {"email": EMAIL}}]},
    }
    scrubbed = reporting.scrub_event(event, {})
    assert leaked(json.dumps(scrubbed, ensure_ascii=False)) == []
    assert scrubbed["request"] == {"method": "GET", "url": "https://parcours.example.org/personnes/"}
    assert scrubbed["user"] == {"id": "7"}
    assert "203.0.113.9" not in json.dumps(scrubbed)
    assert scrubbed["exception"]["values"][0]["value"].startswith("duplicate key")


def test_reporting_options_send_no_personal_data():
    options = reporting.options("https://k@erreurs.exemple.invalid/1", "production")
    assert "send_default_pii" not in options  # deprecated by data_collection: off by default
    collection = options["data_collection"]
    assert collection["user_info"] is False and collection["http_bodies"] == []
    assert collection["stack_frame_variables"] is False and collection["database_query_data"] is False
    assert {collection["cookies"]["mode"], collection["url_query_params"]["mode"]} == {"off"}
    assert collection["http_headers"]["request"]["mode"] == "off"
    assert options["include_local_variables"] is False
    assert options["max_request_body_size"] == "never"
    assert options["traces_sample_rate"] == 0.0
    assert options["before_send"] is reporting.scrub_event


PRODUCTION_SCRIPT = """
import django, logging, sys
django.setup()
import sentry_sdk
from django.conf import settings
logging.getLogger("parcours.security").warning("Connexion de %s : /personnes/?q=Canariquery", sys.argv[1])
client = sentry_sdk.get_client()
scrubber = getattr(client.options["before_send"], "__name__", None)
print(settings.PARCOURS_LOG_FORMAT, client.is_active(), scrubber)
"""


@pytest.mark.engine_independent  # processes of their own, without a database (decision 0065)
def test_production_settings_write_json_lines_and_start_the_scrubbed_reporter(tmp_path):
    """In a production process (settings read from the environment): JSON lines by default, the reporter
    started only with a DSN and with the scrubber; a malformed format stops the start with its name."""
    from .test_settings import WSGI_IMPORT, production_env, run

    dsn = "https://cle-publique@erreurs.exemple.invalid/1"
    result = run(["-c", PRODUCTION_SCRIPT, EMAIL], production_env(tmp_path, PARCOURS_SENTRY_DSN=dsn))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["json", "True", "scrub_event"]
    (line,) = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert line["logger"] == "parcours.security" and line["level"] == "WARNING"
    assert leaked(result.stderr) == [], result.stderr
    without_dsn = run(["-c", PRODUCTION_SCRIPT, EMAIL], production_env(tmp_path))
    assert without_dsn.stdout.split()[:2] == ["json", "False"], without_dsn.stderr
    text = run(["-c", PRODUCTION_SCRIPT, EMAIL], production_env(tmp_path, PARCOURS_LOG_FORMAT="text"))
    assert text.stdout.split()[0] == "text" and not text.stderr.lstrip().startswith("{"), text.stderr
    bad = run(WSGI_IMPORT, production_env(tmp_path, PARCOURS_LOG_FORMAT="xml"))
    assert bad.returncode != 0 and "PARCOURS_LOG_FORMAT = 'xml'" in bad.stderr, bad.stderr
