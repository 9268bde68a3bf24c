from django.urls import path

from . import commission_views, views

app_name = "pathway"
# Pages about people: the journal records every read and refusal under them (parcours.audit.scope).
ABOUT_PEOPLE = True
# URL name -> the argument that is the person (the other views set request.audit_person_id).
PERSON_ARGUMENT = {"request_create": "person_pk"}
urlpatterns = [
    # a-faire/ (pathway:todo) is the to-do page of parcours.desk, mounted here by parcours/urls.py
    path("demandes/nouvelle/<int:person_pk>/<str:kind>/", views.request_create, name="request_create"),
    path("demandes/<int:pk>/", views.request_detail, name="request"),
    path("demandes/<int:pk>/modifier/", views.request_edit, name="request_edit"),
    path("demandes/<int:pk>/action/<str:action>/", views.request_action, name="request_action"),
    path("demandes/<int:pk>/retirer/", views.request_withdraw, name="request_withdraw"),
    path("demandes/<int:pk>/decision/", views.decide, name="decide"),
    path("commission/demandes/", views.inbox, name="inbox"),
    path("seances/", views.sessions, name="sessions"),
    path("seances/<int:pk>/", views.session_detail, name="session"),
    path("seances/<int:pk>/annuler/", views.session_cancel, name="session_cancel"),
    path("seances/<int:pk>/presences/", commission_views.attendance, name="attendance"),
    path("seances/<int:pk>/convoquer/", commission_views.convoke, name="convoke"),
    path("seances/<int:pk>/nouvelle-seance/", commission_views.reconvene, name="reconvene"),
    path("seances/<int:pk>/pdf/<str:paper>/", commission_views.session_paper, name="session_paper"),
    path("commission/membres/", commission_views.members, name="members"),
    path("commission/membres/<int:pk>/fin/", commission_views.member_end, name="member_end"),
    path("decisions/", views.decisions, name="decisions"),
    path("<int:pk>/sortie/", views.record_exit, name="exit"),
    path("<int:pk>/fin-anticipee/", views.end_early, name="end_early"),
]
