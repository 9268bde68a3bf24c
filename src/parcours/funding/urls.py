from django.urls import path

from . import views

app_name = "funding"
# Funders, grants, posts (roles) and charges: nothing about a person followed, so not journaled as a read of
# people (no ABOUT_PEOPLE); every change writes its journal row in its service.
urlpatterns = [
    path("", views.home, name="home"),
    path("financeurs/nouveau/", views.funder_create, name="funder_create"),
    path("financeurs/<int:pk>/", views.funder_edit, name="funder_edit"),
    path("financeurs/<int:pk>/clore/", views.funder_close, name="funder_close"),
    path("subventions/nouvelle/", views.grant_create, name="grant_create"),
    path("subventions/<int:pk>/", views.grant, name="grant"),
    path("subventions/<int:pk>/modifier/", views.grant_edit, name="grant_edit"),
    path("subventions/<int:pk>/supprimer/", views.grant_delete, name="grant_delete"),
    path("subventions/<int:pk>/rapport.pdf", views.report_pdf, name="report_pdf"),
    path("subventions/<int:pk>/rapport.<str:fmt>", views.report_sheet, name="report_sheet"),
    path("subventions/<int:pk>/postes/nouveau/", views.post_add, name="post_add"),
    path("postes/<int:pk>/", views.post_edit, name="post_edit"),
    path("postes/<int:pk>/supprimer/", views.post_delete, name="post_delete"),
    path("subventions/<int:pk>/depenses/nouvelle/", views.charge_add, name="charge_add"),
    path("depenses/<int:pk>/", views.charge_edit, name="charge_edit"),
    path("depenses/<int:pk>/supprimer/", views.charge_delete, name="charge_delete"),
]
