from django.urls import path

from . import meeting_views, views

app_name = "followup"
# Pages about people: the journal records every read and refusal under them (parcours.audit.scope).
ABOUT_PEOPLE = True
# URL name -> the argument that is the person (the other views set request.audit_person_id).
PERSON_ARGUMENT = {"notes": "pk", "actions": "pk", "appointments": "pk", "referrals": "pk"}
urlpatterns = [
    path("personnes/<int:pk>/entretiens/", views.notes, name="notes"),
    path("entretiens/<int:pk>/", views.note, name="note"),
    path("personnes/<int:pk>/actions/", views.actions, name="actions"),
    path("actions/<int:pk>/", views.action, name="action"),
    path("personnes/<int:pk>/rendez-vous/", views.appointments, name="appointments"),
    path("rendez-vous/<int:pk>/issue/", views.appointment_outcome, name="appointment_outcome"),
    path("personnes/<int:pk>/orientations/", views.referrals, name="referrals"),
    path("orientations/<int:pk>/", views.referral, name="referral"),
    path("agenda/", views.agenda, name="agenda"),
    path("agenda.ics", views.agenda_ics, name="agenda_ics"),
    # Team meetings (staff only): the agenda of people reviewed, a decision as a note in each file.
    path("reunions/", meeting_views.meetings_page, name="meetings"),
    path("reunions/<int:pk>/", meeting_views.meeting, name="meeting"),
    path("reunions/points/<int:pk>/", meeting_views.meeting_decision, name="meeting_decision"),
]
