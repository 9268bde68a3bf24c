"""The official papers (docs/decisions/0040-official-papers.md). Each PDF carries the person's data (or her
pseudonymised file): the journal watches every page under /documents-officiels/. The person's own summary
(papers/summary.py) adds its URL here."""

from django.urls import include, path

from . import letterhead_views, summary_urls, views

app_name = "papers"
# Pages about people: the journal records every read and refusal under them (parcours.audit.scope). The views
# name the person (request.audit_person_id): their argument is a decision, a request or a pathway.
ABOUT_PEOPLE = True
PERSON_ARGUMENT: dict[str, str] = {}
urlpatterns = [
    path("decisions/<int:pk>/lettre/", views.decision_letter, name="decision_letter"),
    path("decisions/<int:pk>/attestation-msa/", views.afis_certificate, name="afis_certificate"),
    path("decisions/<int:pk>/attestation-aps/", views.aps_certificate, name="aps_certificate"),
    path("parcours/<int:pk>/fin-anticipee/", views.early_end_letter, name="early_end_letter"),
    path("demandes/<int:pk>/dossier/", views.request_file_full, name="request_file"),
    path("demandes/<int:pk>/dossier-pseudonymise/", views.request_file_members, name="request_file_members"),
    path("demandes/<int:pk>/document-de-parcours/", views.pathway_document_pdf, name="pathway_document"),
    path("en-tete/", letterhead_views.letterhead, name="letterhead"),
    path("personnes/", include(summary_urls)),  # the person's own summary (docs/decisions/0041)
]
