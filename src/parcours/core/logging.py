"""Logging helpers configured by settings.LOGGING."""

import logging


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
