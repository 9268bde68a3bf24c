from django.urls import include, path

urlpatterns = [
    path("", include("parcours.core.urls")),
    path("compte/", include("parcours.accounts.urls")),
    path("compte/cle/", include("parcours.accounts.webauthn")),  # security keys (namespace otp_webauthn)
    path("personnes/", include("parcours.people.urls")),
    path("parcours/", include("parcours.pathway.urls")),
    path("suivi/", include("parcours.followup.urls")),
    path("droits/", include("parcours.rights.urls")),
    path("pieces/", include("parcours.records.urls")),
    path("journal/", include("parcours.audit.urls")),
    path("vie-privee/", include("parcours.privacy.urls")),
    path("partage/", include("parcours.sharing.urls")),
]
