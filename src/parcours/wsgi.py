"""The WSGI application that gunicorn serves (deploy/gunicorn.conf.py, bench/run.py).

Python's cycle collector walks every tracked object at each full collection: in a worker, Django's own
objects (modules, URL patterns, compiled templates, translations: about 200,000) outnumber what a page
creates, and a page that builds a few thousand model instances triggers several collections. They are
moved out of its reach with `gc.freeze()` once loaded: at start, and again after the first requests
(templates and translations load on first use). Measured in process on the national dataset: loading the
to-do page's pathways 150-182 ms → 105-117 ms (decision 0054).
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")

WARM_AFTER = 20  # requests served by the process before the second freeze


class FreezeOnceWarm:
    """Calls `gc.freeze()` once after the process has served `WARM_AFTER` requests."""

    def __init__(self, app, after: int = WARM_AFTER):
        self.app, self.after, self.served = app, after, 0

    def __call__(self, environ, start_response):
        try:
            return self.app(environ, start_response)
        finally:
            self.served += 1
            if self.served == self.after:
                gc.freeze()


application = FreezeOnceWarm(get_wsgi_application())
gc.freeze()
