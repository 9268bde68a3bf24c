"""Makes the request being served known to audit.log.record_event(), so that a service's journal row carries
the address and page without every service taking the request as an argument."""

from .log import current_request


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
