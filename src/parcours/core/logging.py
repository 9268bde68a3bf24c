"""Logging helpers configured by settings.LOGGING."""

import logging
import re

from pythonjsonlogger import json as jsonlogger


class OneLineRefusals(logging.Filter):
    """A refused request (status 4xx: Http404, PermissionDenied, SuspiciousOperation…) is logged in one line:
    Django's django.request and django.security loggers attach the exception, whose traceback says nothing
    about a refusal and filled the log (4.9 MB for one audit). Errors (5xx) keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        refused = isinstance(status, int) and 400 <= status < 500
        if refused or record.name.startswith("django.security."):
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


# --- Logs that never carry an identity (docs/deploy/monitoring.md) ------------------------------------------
# What a log line may say about a request: its method, its path (ids only: /personnes/12/) and its status.
# Never its query string (a search for a name: /personnes/?q=…), body, cookies or headers, never a name or an
# e-mail address: users are named by their id ("utilisateur 42").
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
QUERY = re.compile(r"(/[^\s?'\"<>]*)\?[^\s'\"<>]*")
# PostgreSQL repeats the values of the row in the DETAIL line of an error (a duplicate key, a constraint).
DETAIL = re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE)
MASKED = "[masqué]"
# Attributes of a record written as fields of a JSON line; the other extras a library attaches (Django's
# `request`, a `user`, an `email`…) are dropped.
KEPT_EXTRAS = ("status_code",)


def scrub(text: str) -> str:
    """The text with query strings, e-mail addresses and PostgreSQL DETAIL lines masked."""
    text = QUERY.sub(rf"\1?{MASKED}", text)
    text = EMAIL.sub(MASKED, text)
    return DETAIL.sub(rf"\1 {MASKED}", text)


class NoIdentity(logging.Filter):
    """Applied to every handler Parcours configures: the message is formatted once and masked (scrub), the
    arguments are dropped (a `request` or a user object would print its query string or name), the exception
    text is masked, and the extras a library attached are dropped, but the status code."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
            record.exc_info = None  # the text above is what handlers print
        for name in list(vars(record)):
            if name not in STANDARD_ATTRIBUTES and name not in KEPT_EXTRAS:
                delattr(record, name)
        if request is not None:  # what a line may say about the request
            record.http_method = getattr(request, "method", None)
            record.path = getattr(request, "path", None)
        return True


STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonLines(jsonlogger.JsonFormatter):
    """One JSON object per line (PARCOURS_LOG_FORMAT=json): time, level, logger, message, and the request's
    method, path and status when the line is about one; the traceback as text."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
