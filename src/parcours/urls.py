from django.conf import settings
from django.urls import include, path

from parcours.core import health
from parcours.desk import urls as desk
from parcours.pathway import urls as pathway
from parcours.people import urls as people


def _with_desk(app_urls, desk_patterns):
    """An app's URLs plus the desk pages that keep a URL name in its namespace (docs/decisions/0027)."""
    return include(([*desk_patterns, *app_urls.urlpatterns], app_urls.app_name))


urlpatterns = [
    path("", include((desk.core_patterns, "core"))),
    path("compte/", include("parcours.accounts.urls")),
    path("compte/cle/", include("parcours.accounts.webauthn")),  # security keys (namespace otp_webauthn)
    path("compte/proconnect/", include("parcours.proconnect.urls")),  # 404 unless ProConnect is configured
    path("personnes/", _with_desk(people, desk.people_patterns)),
    path("parcours/", _with_desk(pathway, desk.pathway_patterns)),
    path("suivi/", include("parcours.followup.urls")),
    path("droits/", include("parcours.rights.urls")),
    path("pieces/", include("parcours.records.urls")),
    path("journal/", include("parcours.audit.urls")),
    path("vie-privee/", include("parcours.privacy.urls")),
    path("partage/", include("parcours.sharing.urls")),
    # Monitoring (docs/deploy/monitoring.md): no login, nothing but each check's name and OK or KO.
    path("sante/", health.status, name="health"),
    path("", include("parcours.onboarding.urls")),  # administration/ and invitation/
    path("transferts/", include("parcours.transfers.urls")),
    path("notifications/", include("parcours.notifications.urls")),
    path("documents-officiels/", include("parcours.papers.urls")),
    path("ateliers/", include("parcours.workshops.urls")),
    path("financements/", include("parcours.funding.urls")),
    path("terrain/", include("parcours.outreach.urls")),
    path("emploi/", include("parcours.employment.urls")),
    path("annuaire/", include("parcours.directory.urls")),
    path("statistiques/", include("parcours.statistics.urls")),
    # The JSON API (docs/decisions/0050-json-api.md) and the account's page of personal tokens.
    path("api/v1/", include("parcours.api.urls")),
    path("compte/jetons-api/", include("parcours.api.token_urls")),
    path("reprise-et-export/", include("parcours.portability.urls")),
]

# A 404 under /api/ answers JSON in French like the API's own errors; elsewhere the usual page.
handler404 = "parcours.api.views.not_found"

if settings.PARCOURS_BENCH_FLOOR and settings.PARCOURS_DEMO:  # bench/run.py only (refused in production)
    from parcours.core import bench

    urlpatterns.append(path("banc/plancher/", bench.floor, name="bench_floor"))
