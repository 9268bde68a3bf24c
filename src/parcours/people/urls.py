from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("nouvelle/", views.person_create, name="person_create"),
    path("<int:pk>/", views.person_detail, name="person"),
]
