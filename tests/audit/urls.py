"""The site's URLs with the person page wrapped as the lead will wrap it: `audited_read` records the read."""

from django.urls import path

from parcours.audit.log import audited_read
from parcours.desk import views as desk_views
from parcours.urls import urlpatterns as site

urlpatterns = [
    path("personnes/<int:pk>/", audited_read("person", person_kwarg="pk")(desk_views.person_detail)),
    *site,
]
