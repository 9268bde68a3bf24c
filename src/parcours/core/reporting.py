"""Optional error reporting to a Sentry-compatible service (Sentry, GlitchTip), started by settings.py only
when PARCOURS_SENTRY_DSN is set. Nothing that names a person leaves the server:

- the SDK is told to collect no user, cookie, header, body, query string or local variable (its option
  `data_collection`, which supersedes the deprecated `send_default_pii`, left off);
- and `scrub_event`, run on every event before it is sent, keeps of the request its method and its path only
  (no query string, body, cookies or headers), of the user her id only, drops the local variables of every
  frame and the data of every breadcrumb, and masks e-mail addresses, query strings and PostgreSQL DETAIL
  lines in messages and exception values (core/logging.scrub).

Performance tracing and profiling stay off: a trace would carry every query string.
"""

from __future__ import annotations

from typing import Any

from .logging import scrub

KEPT_REQUEST_KEYS = ("method", "url")


def _scrub_request(request: dict[str, Any]) -> dict[str, Any]:
    kept = {k: request[k] for k in KEPT_REQUEST_KEYS if k in request}
    if "url" in kept:
        kept["url"] = str(kept["url"]).split("?", 1)[0]
    return kept


def _scrub_frames(exception: dict[str, Any]) -> None:
    for value in exception.get("values") or []:
        if isinstance(value.get("value"), str):
            value["value"] = scrub(value["value"])
        for frame in (value.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event without anything that could name a person (see the module's docstring)."""
    if "request" in event:
        event["request"] = _scrub_request(event["request"] or {})
    user = event.get("user") or {}
    event["user"] = {"id": user["id"]} if "id" in user else {}
    event.pop("extra", None)
    event.pop("server_name", None)
    if "exception" in event:
        _scrub_frames(event["exception"])
    for thread in (event.get("threads") or {}).get("values") or []:
        for frame in (thread.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    entry = event.get("logentry")
    if isinstance(entry, dict):
        entry["message"] = scrub(str(entry.get("formatted") or entry.get("message") or ""))
        entry.pop("formatted", None)
        entry.pop("params", None)
    if isinstance(event.get("message"), str):
        event["message"] = scrub(event["message"])
    breadcrumbs = event.get("breadcrumbs")
    crumbs = breadcrumbs.get("values", []) if isinstance(breadcrumbs, dict) else breadcrumbs or []
    for crumb in crumbs:
        crumb.pop("data", None)
        if isinstance(crumb.get("message"), str):
            crumb["message"] = scrub(crumb["message"])
    return event


def scrub_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    crumb.pop("data", None)
    if isinstance(crumb.get("message"), str):
        crumb["message"] = scrub(crumb["message"])
    return crumb


def options(dsn: str, environment: str) -> dict[str, Any]:
    """The SDK's options (a function, so that the test starts the SDK exactly as production does)."""
    return {
        "dsn": dsn,
        "environment": environment,
        # What the SDK's integrations collect (this option supersedes send_default_pii, left unset = off):
        # no user, cookie, header, body, query string, SQL parameter or local variable.
        "data_collection": {
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "off"}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
            "gen_ai": {"inputs": False, "outputs": False},
            "graphql": {"document": False, "variables": False},
        },
        "include_local_variables": False,
        "max_request_body_size": "never",
        "traces_sample_rate": 0.0,
        "before_send": scrub_event,
        "before_breadcrumb": scrub_breadcrumb,
    }


def start(dsn: str, *, environment: str = "production", **extra: Any) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(**options(dsn, environment), integrations=[DjangoIntegration()], **extra)
