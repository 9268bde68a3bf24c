from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("preferences/", views.preferences, name="preferences"),
    path("agenda/", views.calendar_page, name="calendar"),
    path("agenda/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
