from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("preferences/", views.preferences, name="preferences"),
    path("agenda/", views.calendar_page, name="calendar"),
    # The token in the query string, not the path: nginx and gunicorn log the path without the query string
    # (deploy/nginx/parcours.conf, deploy/gunicorn.conf.py), so the secret stays out of every log.
    path("agenda.ics", views.calendar_feed, name="calendar_feed"),
]
