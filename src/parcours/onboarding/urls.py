from django.urls import path

from . import views

app_name = "onboarding"
urlpatterns = [
    # Administration: organisations, who has access, invitations.
    path("administration/", views.organisations, name="organisations"),
    path("administration/organisations/nouvelle/", views.organisation_create, name="organisation_create"),
    path("administration/organisations/<int:pk>/", views.members, name="members"),
    path(
        "administration/organisations/<int:pk>/modifier/", views.organisation_edit, name="organisation_edit"
    ),
    path("administration/organisations/<int:pk>/inviter/", views.invite, name="invite"),
    path("administration/invitations/<int:pk>/revoquer/", views.invitation_revoke, name="invitation_revoke"),
    path("administration/acces/<int:pk>/", views.membership, name="membership"),
    path("administration/acces/<int:pk>/compte/", views.user_active, name="user_active"),
    # The invitee's pages, reachable logged out.
    path("invitation/", views.accept, name="accept"),
    path("invitation/<str:token>/", views.accept_link, name="accept_link"),
]
