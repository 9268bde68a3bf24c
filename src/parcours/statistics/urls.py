from django.urls import path

from . import views

app_name = "statistics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rapport-activite/", views.association_report, name="association_report"),
    path("bilan-commission/", views.commission_review, name="commission_review"),
    path("bilan-national/", views.national_review, name="national_review"),
]
