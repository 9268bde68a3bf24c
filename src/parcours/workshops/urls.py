from django.urls import path

from . import views

app_name = "workshops"
# The staff's pages name who takes part: the journal records every read and refusal under them
# (parcours.audit.scope); no URL carries a person (withdrawal and attendance are posted fields).
ABOUT_PEOPLE = True
urlpatterns = [
    path("", views.series_list, name="list"),
    path("nouvelle/", views.series_create, name="series_create"),
    path("<int:pk>/", views.series, name="series"),
    path("<int:pk>/seances/nouvelle/", views.session_add, name="session_add"),
    path("<int:pk>/participantes/", views.participants, name="participants"),
    path("seances/<int:pk>/presences/", views.attendance, name="attendance"),
    path("seances/<int:pk>/annuler/", views.session_cancel, name="session_cancel"),
]
