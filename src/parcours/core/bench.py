"""The floor of the load benchmark (bench/run.py, docs/performance.md): the cheapest page Parcours can serve,
through the same server, middleware (session, authentication, journal) and database as the real pages, so
their results read as ratios to it. Mounted at /banc/plancher/ only when PARCOURS_BENCH_FLOOR=1 in demo
mode (settings refuse the flag in production); it answers the logged-in user only and shows no person data.
"""

from django.http import HttpResponse, HttpResponseForbidden

from parcours.core.models import Departement


def floor(request):
    if not request.user.is_authenticated:
        return HttpResponseForbidden("connexion requise")
    row = Departement.objects.only("code").order_by("code").first()  # one row read
    return HttpResponse(f"plancher {row.code if row else '-'}\n", content_type="text/plain; charset=utf-8")
