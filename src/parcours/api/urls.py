"""/api/v1/: the operations of api.py (namespace "api"). ABOUT_PEOPLE: every call under this prefix is
journaled — reads by the operations themselves (endpoints.journal_read), refusals (401, 403, 404, 422,
429) and server errors by the audit middleware, changes by the services."""

from django.urls import path

from .api import api

ABOUT_PEOPLE = True

urlpatterns = [path("", api.urls)]
