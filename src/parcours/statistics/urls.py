from django.urls import path

from . import views

app_name = "statistics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rapport-activite/", views.association_report, name="association_report"),
]
