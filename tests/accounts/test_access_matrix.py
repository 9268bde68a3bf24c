"""The access matrix: every URL pattern of the URLconf × every role × an object of the user's own side or of
the other side, against a LITERAL snapshot of the expected answers written below.

The snapshot is not read from the rule table (accounts/policy.py) nor from the views: adding a role to a
rule, a page, a method, or changing which page redirects makes this file fail until the snapshot is changed
too, so that every change of who may see what is a reviewed diff of SNAPSHOT.

- A role outside a page's entry gets 403 (404 for a volunteer or an intern on a URL naming an object: issue
  11); a role inside gets 200 on an object of its own side (302 only
  where REDIRECTS says the page is meant to redirect: a redirect is not counted as access otherwise) and
  404 on an object of the other side (a 403 would confirm it exists), except where EVERYWHERE says the role
  reaches both sides (the national administration manages every organisation).
- Every view declares its methods (READ: GET/HEAD; FORM: GET/HEAD/POST; ACTION: POST): any other method
  answers 405 before the view runs. A POST by a refused role, or on an object of the other side, is
  refused and changes nothing.
- Every URL pattern must be in SNAPSHOT: a pattern without a name, or a new page, fails
  `test_every_url_pattern_is_in_the_snapshot`.
- Once with PARCOURS_MFA_REQUIRED on: the roles that see identities get no page before a second factor.
- HEAD, OPTIONS, PUT, PATCH, DELETE and TRACE on every page: 405 and no person data, or (HEAD) the page's
  status with no body and a journaled read; each attempt under a person URL leaves exactly one journal row.

The world is built once for the module, through the domain services, on two sides: side A in the Gard
(association, commission, préfecture, partner) and side B in the Bouches-du-Rhône.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.accounts.models import Invitation
from parcours.api import tokens as api_tokens
from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.directory import services as directory
from parcours.employment import services as employment
from parcours.followup import meetings
from parcours.followup import services as followup
from parcours.funding import services as funding
from parcours.outreach import services as outreach
from parcours.pathway import commission as commission_body
from parcours.pathway import transitions as t
from parcours.people import services as people
from parcours.portability import services as portability
from parcours.portability.models import ExportJob, ImportJob
from parcours.records import samples
from parcours.records import services as records
from parcours.transfers import services as transfers
from parcours.workshops import services as workshops

from ..conftest import complete_content
from ..factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    commission,
    departement,
    prefecture,
)

# The person of each side is named with this canary: no refused request may return it.
CANARY = "Matricanarde"

# --- The snapshot (literal) --------------------------------------------------------------------------------
READ = ("GET", "HEAD")
FORM = ("GET", "HEAD", "POST")
ACTION = ("POST",)
PUBLIC = "public"  # outside the rule table (login, logout, home, second step, WebAuthn JSON)
API = "api"  # an operation of the JSON API: tests/api/test_api_matrix.py
ROLE_CODES = {"social_worker": "SW", "head_of_service": "HS", "volunteer": "VO", "intern": "IN",
              "secretariat": "SE", "commission_member": "CM", "prefecture_agent": "PA",
              "national_admin": "NA", "partner_counsellor": "PC"}  # fmt: skip
ALL = "SW HS VO IN SE CM PA NA PC"

# URL name: (methods the view answers, roles allowed).
SNAPSHOT = {
    "core:home": PUBLIC,
    "health": PUBLIC,  # monitoring: each check's name and OK or KO (core/health.py)
    "core:volunteer": (READ, "VO IN"),
    "accounts:login": PUBLIC,
    "accounts:mfa_verify": PUBLIC,
    "accounts:logout": PUBLIC,
    "otp_webauthn:credential-registration-begin": PUBLIC,
    "otp_webauthn:credential-registration-complete": PUBLIC,
    "otp_webauthn:credential-authentication-begin": PUBLIC,
    "otp_webauthn:credential-authentication-complete": PUBLIC,
    "proconnect:start": PUBLIC,  # 404 unless ProConnect is configured (tests/proconnect)
    "proconnect:callback": PUBLIC,
    "accounts:organisation": (READ, ALL),
    "accounts:security": (READ, ALL),
    "accounts:totp_setup": (FORM, ALL),
    "accounts:recovery_codes": (FORM, ALL),
    "accounts:device_remove": (ACTION, ALL),
    "accounts:password_change": (FORM, ALL),
    "people:caseload": (READ, "SW HS"),
    "people:person_create": (FORM, "SW HS"),
    "people:person": (READ, "SW HS SE PA"),
    "people:situation": (READ, "SW HS"),
    "people:situation_edit": (FORM, "SW HS"),
    "people:other_name_add": (ACTION, "SW HS"),
    "people:other_name_remove": (FORM, "SW HS"),
    "people:consent_add": (FORM, "SW HS"),
    "people:consent_withdraw": (ACTION, "SW HS"),
    "pathway:todo": (READ, "SW HS SE PA"),
    "pathway:request_create": (FORM, "SW HS"),
    "pathway:request": (READ, "SW HS SE PA"),
    "pathway:request_edit": (FORM, "SW HS"),
    "pathway:request_action": (ACTION, "SW HS SE PA"),
    "pathway:request_withdraw": (READ, "SW HS"),
    "pathway:decide": (FORM, "PA"),
    "pathway:inbox": (READ, "SE"),
    "pathway:sessions": (FORM, "SE CM PA"),
    "pathway:session": (FORM, "SE CM PA"),
    "pathway:session_cancel": (READ, "SE"),
    "pathway:attendance": (FORM, "SE"),
    "pathway:convoke": (ACTION, "SE"),
    "pathway:reconvene": (FORM, "SE"),
    "pathway:session_paper": (READ, "SE CM"),
    "pathway:members": (FORM, "SE"),
    "pathway:member_end": (FORM, "SE"),
    "pathway:decisions": (READ, "PA"),
    "pathway:exit": (FORM, "SW HS"),
    "pathway:end_early": (FORM, "PA"),
    "statistics:dashboard": (READ, "HS SE PA NA"),
    "statistics:association_report": (READ, "HS"),
    "statistics:commission_review": (READ, "SE PA"),
    "statistics:national_review": (READ, "NA"),
    "followup:notes": (FORM, "SW HS"),
    "followup:note": (FORM, "SW HS"),
    "followup:actions": (FORM, "SW HS"),
    "followup:action": (FORM, "SW HS"),
    "followup:appointments": (FORM, "SW HS"),
    "followup:appointment_outcome": (ACTION, "SW HS"),
    "followup:referrals": (FORM, "SW HS"),
    "followup:referral": (FORM, "SW HS"),
    "followup:agenda": (READ, "SW HS"),
    "followup:agenda_ics": (READ, "SW HS"),
    "rights:person": (FORM, "SW HS"),
    "records:documents": (FORM, "SW HS"),
    "records:document_download": (READ, "SW HS"),
    "records:document_delete": (FORM, "SW HS"),
    "records:life_story": (FORM, "SW HS"),
    "records:life_story_diff": (READ, "SW HS"),
    "records:life_story_version": (READ, "SW HS"),
    "records:life_story_pdf": (READ, "SW HS"),
    "audit:journal": (READ, "HS"),
    "audit:review": (READ, "NA"),
    "privacy:archives": (READ, "HS"),
    "privacy:person": (READ, "SW HS"),
    "privacy:export_json": (READ, "SW HS"),
    "privacy:export_pdf": (READ, "SW HS"),
    "privacy:erase": (FORM, "SW HS"),
    "privacy:reactivate": (ACTION, "HS"),
    "sharing:people": (READ, "PC"),
    "sharing:person": (READ, "PC"),
    "onboarding:organisations": (READ, "HS SE NA"),
    "onboarding:organisation_create": (FORM, "NA"),
    "onboarding:organisation_edit": (FORM, "HS SE NA"),
    "onboarding:members": (READ, "HS SE NA"),
    "onboarding:invite": (FORM, "HS SE NA"),
    "onboarding:invitation_revoke": (ACTION, "HS SE NA"),
    "onboarding:membership": (FORM, "HS SE NA"),
    "onboarding:user_active": (ACTION, "NA"),
    "onboarding:accept": PUBLIC,
    "onboarding:accept_link": PUBLIC,
    "transfers:list": (READ, "SW HS"),
    "transfers:create": (FORM, "SW HS"),
    "transfers:detail": (READ, "SW HS"),
    "transfers:accept": (FORM, "HS"),
    "transfers:refuse": (FORM, "HS"),
    "transfers:cancel": (FORM, "SW HS"),
    # Official papers (docs/decisions/0040): PDFs of the préfet's letters and certificates, the request file
    # (full, pseudonymised for the commission's members), the document of annexes 6 and 7; the letterhead of
    # her own organisation.
    "papers:decision_letter": (READ, "SW HS PA"),
    "papers:afis_certificate": (READ, "SW HS PA"),
    "papers:aps_certificate": (READ, "SW HS PA"),
    "papers:early_end_letter": (READ, "SW HS PA"),
    "papers:request_file": (READ, "SW HS SE PA"),
    "papers:request_file_members": (READ, "SW HS SE CM PA"),
    "papers:pathway_document": (READ, "SW HS SE PA"),
    "papers:letterhead": (FORM, "HS PA"),
    "papers:person_summary": (READ, "SW HS"),  # her own summary, in her language (PDF)
    # Her own inbox, e-mail preference and calendar address (parcours.notifications): every role.
    "notifications:inbox": (FORM, ALL),
    "notifications:preferences": (FORM, ALL),
    "notifications:calendar": (FORM, ALL),
    "notifications:calendar_feed": PUBLIC,  # a calendar app, with the secret address only (404 otherwise)
    # Workshops (parcours.workshops, docs/decisions/0043): every member of the association sees the series and
    # sessions (counts only); its staff manage them and alone see who takes part.
    "workshops:list": (READ, "SW HS VO IN"),
    "workshops:series_create": (FORM, "SW HS"),
    "workshops:series": (READ, "SW HS VO IN"),
    "workshops:session_add": (FORM, "SW HS"),
    "workshops:participants": (FORM, "SW HS"),
    "workshops:attendance": (FORM, "SW HS"),
    "workshops:session_cancel": (FORM, "SW HS"),
    # Team meetings (followup/meetings.py): the agenda of people reviewed and each decision, staff only.
    "followup:meetings": (FORM, "SW HS"),
    "followup:meeting": (FORM, "SW HS"),
    "followup:meeting_decision": (FORM, "SW HS"),
    # Drop-in sessions and outreach rounds of her association (parcours.outreach, docs/decisions/0042): every
    # member counts visits and records her hours; the staff manage the schedules and rounds, link a visit to
    # a file and read the anonymous callbacks.
    "outreach:sessions": (READ, "SW HS VO IN"),
    "outreach:schedules": (FORM, "SW HS"),
    "outreach:session": (FORM, "SW HS VO IN"),
    "outreach:session_counter": (READ, "SW HS VO IN"),
    "outreach:session_visit": (ACTION, "SW HS VO IN"),
    "outreach:rounds": (FORM, "SW HS VO IN"),
    "outreach:round": (FORM, "SW HS VO IN"),
    "outreach:round_counter": (READ, "SW HS VO IN"),
    "outreach:round_contact": (ACTION, "SW HS VO IN"),
    "outreach:visit_link": (FORM, "SW HS"),
    "outreach:callbacks": (FORM, "SW HS"),
    # Employment and training (parcours.employment, docs/decisions/0045): the staff of the association; a
    # partner sees the employment part of a consenting person on sharing:person only.
    "employment:index": (READ, "SW HS"),
    "employment:programme_create": (FORM, "SW HS"),
    "employment:programme": (FORM, "SW HS"),
    "employment:programme_edit": (FORM, "SW HS"),
    "employment:programme_export": (READ, "SW HS"),
    "employment:cohort": (FORM, "SW HS"),
    "employment:step": (FORM, "SW HS"),
    "employment:person": (FORM, "SW HS"),
    "employment:agreement_create": (FORM, "SW HS"),
    "employment:agreement": (FORM, "SW HS"),
    "employment:agreement_edit": (FORM, "SW HS"),
    "employment:agreement_end": (ACTION, "SW HS"),
    # The directory of the département (parcours.directory, docs/decisions/0046): every member of an
    # association reads it, its staff edit it.
    "directory:list": (READ, "SW HS VO IN"),
    "directory:create": (FORM, "SW HS"),
    "directory:edit": (FORM, "SW HS"),
    # Funding of her association (parcours.funding, docs/decisions/0047): the head of service only.
    "funding:home": (READ, "HS"),
    "funding:funder_create": (FORM, "HS"),
    "funding:funder_edit": (FORM, "HS"),
    "funding:funder_close": (ACTION, "HS"),
    "funding:grant_create": (FORM, "HS"),
    "funding:grant": (READ, "HS"),
    "funding:grant_edit": (FORM, "HS"),
    "funding:grant_delete": (ACTION, "HS"),
    "funding:report_pdf": (READ, "HS"),
    "funding:report_sheet": (READ, "HS"),
    "funding:post_add": (FORM, "HS"),
    "funding:post_edit": (FORM, "HS"),
    "funding:post_delete": (ACTION, "HS"),
    "funding:charge_add": (FORM, "HS"),
    "funding:charge_edit": (FORM, "HS"),
    "funding:charge_delete": (ACTION, "HS"),
    # The account's personal API tokens (parcours.api): not volunteers, interns nor partners.
    "api_tokens:list": (FORM, "SW HS SE CM PA NA"),
    "api_tokens:revoke": (FORM, "SW HS SE CM PA NA"),
    # The JSON API (token, not session): its own literal matrix of role × scope × object in
    # tests/api/test_api_matrix.py, which checks that it covers every one of these.
    "api:openapi-json": PUBLIC,  # the OpenAPI schema: no data
    "api:api-root": PUBLIC,  # no documentation page (it would load Swagger from a CDN): 404
    "api:people": API,
    "api:person": API,
    "api:pathways": API,
    "api:pathway": API,
    "api:requests": API,
    "api:request": API,
    "api:sessions": API,
    "api:session": API,
    "api:avis_list": API,
    "api:avis": API,
    "api:decisions": API,
    "api:decision": API,
    "api:appointments": API,
    "api:appointments_create": API,
    "api:appointment": API,
    "api:statistics": API,
    # Import of the caseload and full export (parcours.portability): the head of service only.
    "portability:home": (FORM, "HS"),
    "portability:template": (READ, "HS"),
    "portability:import_job": (FORM, "HS"),
    "portability:export_start": (ACTION, "HS"),
    "portability:export_job": (READ, "HS"),
    "portability:export_download": (READ, "HS"),
}
# Pages whose objects of the other side these roles reach too (200, not 404): the national administration
# manages every organisation.
EVERYWHERE = {
    "onboarding:organisation_edit": "NA",
    "onboarding:members": "NA",
    "onboarding:invite": "NA",
    "onboarding:invitation_revoke": "NA",
    "onboarding:membership": "NA",
    "onboarding:user_active": "NA",
}
# Arguments of the public pages that take one.
PUBLIC_KWARGS = {"onboarding:accept_link": {"token": "jeton-fictif"}}
# Pages meant to redirect on GET for an allowed role, on an object of her own side: {URL name: roles}.
REDIRECTS = {
    "pathway:decide": "PA",  # the request of the world is already decided: back to the request
    "pathway:request_edit": "SW HS",  # a request transmitted to the commission is no longer edited
    "pathway:request_withdraw": "SW HS",  # a decided request is no longer withdrawn: back to the request
    "pathway:session_cancel": "SE",  # a session held is no longer cancelled: back to the session
    "privacy:erase": "SW",  # erasure is the head of service's: back to the privacy page with a message
    "records:life_story_diff": "SW HS",  # one version only: nothing to compare, back to the life story
    # The transfer of the world is answered by the receiving association's head of service, not by the
    # sending one's: back to the transfer with a message.
    "transfers:accept": "HS",
    "transfers:refuse": "HS",
}
# Persona exceptions on an object of her own side: the life story is read by the referent and the head only
# (records.services.require_life_story_access), not by a colleague of the same association.
# The export is the referent's and the head's, and a document is deleted by its author or the head: the
# colleague is sent back with a message.
SPECIAL = {
    ("privacy:export_json", "colleague"): 302,
    ("privacy:export_pdf", "colleague"): 302,
    ("records:document_delete", "colleague"): 302,
    ("records:life_story", "colleague"): 403,
    ("records:life_story_diff", "colleague"): 403,
    ("records:life_story_version", "colleague"): 403,
    ("records:life_story_pdf", "colleague"): 403,
    # Transferring the file, or cancelling its transfer, is the referent's and the head's.
    ("transfers:create", "colleague"): 302,
    ("transfers:cancel", "colleague"): 302,
}
# Roles that see identities: with PARCOURS_MFA_REQUIRED on they reach only these pages before enrolling a
# second factor.
IDENTITY = "SW HS SE PA PC"
OPEN_BEFORE_ENROLMENT = {"accounts:security", "accounts:totp_setup"}
# URLs taking an object that is not about a person (not journaled).
NOT_ABOUT_PEOPLE = {"accounts:device_remove", "onboarding:organisation_edit", "onboarding:members",
                    "onboarding:invite", "onboarding:invitation_revoke", "onboarding:membership",
                    "onboarding:user_active", "outreach:session", "outreach:session_counter",
                    "outreach:session_visit", "outreach:round", "outreach:round_counter",
                    "outreach:round_contact", "outreach:visit_link", "directory:edit", "funding:funder_edit",
                    "funding:funder_close", "funding:grant", "funding:grant_edit", "funding:grant_delete",
                    "funding:report_pdf", "funding:report_sheet", "funding:post_add", "funding:post_edit",
                    "funding:post_delete", "funding:charge_add", "funding:charge_edit",
                    "funding:charge_delete", "api_tokens:revoke", "portability:import_job",
                    "portability:export_job", "portability:export_download"}  # fmt: skip
# URLs taking an object that is not one person (the journal row names no person).
NOT_ONE_PERSON = {"pathway:session", "pathway:session_cancel", "pathway:attendance", "pathway:convoke",
                  "pathway:reconvene", "pathway:session_paper", "pathway:member_end", "workshops:series",
                  "workshops:session_add", "workshops:participants", "workshops:attendance",
                  "workshops:session_cancel", "followup:meeting", "employment:programme",
                  "employment:programme_edit", "employment:programme_export", "employment:cohort",
                  "employment:step", "employment:agreement", "employment:agreement_edit",
                  "employment:agreement_end"}  # fmt: skip

PERSONAS = {
    # persona: (side, role)
    "worker": ("A", "social_worker"),
    "head": ("A", "head_of_service"),
    "volunteer": ("A", "volunteer"),
    "intern": ("A", "intern"),
    "outsider": ("B", "social_worker"),  # a social worker of the other association
    "secretariat": ("A", "secretariat"),
    "member": ("A", "commission_member"),
    "agent": ("A", "prefecture_agent"),
    "national": ("A", "national_admin"),
    "partner": ("A", "partner_counsellor"),
    # Special cases: a social worker of the same association who is not the person's referent.
    "colleague": ("A", "social_worker"),
}
OTHER = {"A": "B", "B": "A"}
SENSITIVE_TEXT = "Texte confidentiel fictif de la note"
OK = frozenset({200, 302})
FORBIDDEN = frozenset({403})
NOT_FOUND = frozenset({404})


# --- The world -------------------------------------------------------------------------------------------
def build_side(code: str, name: str) -> SimpleNamespace:
    s = SimpleNamespace()
    s.association = OrganisationFactory(name=f"Association fictive {name}", departement=departement(code))
    s.commission = commission(code)
    s.prefecture = prefecture(code)
    s.partner = OrganisationFactory(kind="partner", name=f"Partenaire fictif {name}", departement=None)
    s.national = OrganisationFactory(kind="national", name=f"Administration fictive {name}", departement=None)
    org = {"social_worker": s.association, "head_of_service": s.association, "volunteer": s.association,
           "intern": s.association, "secretariat": s.commission, "commission_member": s.commission,
           "prefecture_agent": s.prefecture, "national_admin": s.national,
           "partner_counsellor": s.partner}  # fmt: skip
    s.members = {
        role: MembershipFactory(organisation=organisation, role=role, user__username=f"{role}-{name}")
        for role, organisation in org.items()
    }
    s.colleague = MembershipFactory(organisation=s.association, role="social_worker",
                                    user__username=f"collegue-{name}")  # fmt: skip
    worker, head = s.members["social_worker"], s.members["head_of_service"]
    secretariat, agent = s.members["secretariat"], s.members["prefecture_agent"]

    with clock.travel_to(dt.date(2025, 1, 6)):
        s.person = PersonFactory(association=s.association, referent=worker.user, first_name=CANARY,
                                 last_name=f"Nomcanari{name}")  # fmt: skip
        s.request = t.open_request(s.person, "entry", worker, complete_content(signed_on=dt.date(2025, 1, 6)))
        t.validate_request(s.request, head)
        t.submit_request(s.request, worker)
        s.session = t.create_session(secretariat, dt.date(2025, 2, 3))
        t.schedule_request(s.request, s.session, secretariat)
    with clock.travel_to(dt.date(2025, 2, 3)):
        t.record_avis(s.request, s.session, "favourable", secretariat)
    with clock.travel_to(dt.date(2025, 2, 10)):
        s.pathway = t.authorise(s.request, agent, dt.date(2025, 2, 10)).pathway
    s.request.refresh_from_db()
    # A second person of the side whose pathway the préfet ended early (papers:early_end_letter).
    with clock.travel_to(dt.date(2025, 1, 6)):
        s.ended_person = PersonFactory(association=s.association, referent=worker.user, first_name=CANARY,
                                       last_name=f"Nomcanarifin{name}")  # fmt: skip
        ended = t.open_request(
            s.ended_person, "entry", worker, complete_content(signed_on=dt.date(2025, 1, 6))
        )
        t.validate_request(ended, head)
        t.submit_request(ended, worker)
        ended_session = t.create_session(secretariat, dt.date(2025, 2, 4))
        t.schedule_request(ended, ended_session, secretariat)
    with clock.travel_to(dt.date(2025, 2, 4)):
        t.record_avis(ended, ended_session, "favourable", secretariat)
    with clock.travel_to(dt.date(2025, 2, 10)):
        s.ended_pathway = t.authorise(ended, agent, dt.date(2025, 2, 10)).pathway
    with clock.travel_to(dt.date(2025, 3, 3)):
        t.end_early(s.ended_pathway, agent, dt.date(2025, 3, 3), "Motif fictif de fin anticipée")

    # A seat of the commission's composition (pathway:member_end), appointed after the session of the side
    # (whose avis was recorded without a composition in Parcours: decision 0039).
    with clock.travel_to(dt.date(2025, 3, 3)):
        s.seat = commission_body.appoint_member(secretariat, commission_body.MemberData(
            college="qualified", name=f"Membre fictif {name}", function="Personnalité qualifiée fictive",
            appointed_on=dt.date(2025, 3, 1)))  # fmt: skip
    with clock.travel_to(dt.date(2025, 3, 3)):
        s.other_name = people.add_other_name(s.person, worker, f"Autregraphie {name}")
        s.consent = people.record_consent(
            s.person, worker, purpose="sharing", partner=s.partner, given_on=dt.date(2025, 3, 3),
            scopes=["identity_contact", "administrative", "employment", "appointments"],
        )  # fmt: skip
        s.note = followup.add_note(s.person, worker, domain="health", held_on=dt.date(2025, 3, 3),
                                   text=SENSITIVE_TEXT, sensitive=True)  # fmt: skip
        s.action = followup.add_action(s.person, worker, domain="employment", description="Atelier fictif")
        s.appointment = followup.schedule_appointment(
            s.person, worker, worker=worker.user, purpose="employment",
            starts_at=dt.datetime(2025, 3, 10, 14, tzinfo=clock.PARIS),
            ends_at=dt.datetime(2025, 3, 10, 15, tzinfo=clock.PARIS),
        )  # fmt: skip
        s.referral = followup.refer(s.person, worker, reason="Inscription fictive", domain="employment",
                                    referred_on=dt.date(2025, 3, 3), partner=s.partner)  # fmt: skip
        upload = SimpleUploadedFile("piece.pdf", samples.pdf("Attestation fictive"), "application/pdf")
        s.document = records.add_document(s.person, worker, kind="certificate", upload=upload)
        records.save_life_story(s.person, worker, "Recit fictif.", based_on=0)
    # A second factor of a user of the side (accounts:device_remove): a user logged in with a password only
    # removes none, hers or not (the personas have none, so that they are not asked for one).
    # Pending invitations of the side (onboarding:invitation_revoke).
    s.invitations = {
        org.kind: Invitation.objects.create(
            email=f"invitee-{org.kind}-{name}@example.org", organisation=org,
            role="volunteer" if org.kind == "association" else "commission_member",
            token_hash=hashlib.sha256(f"{org.kind}-{name}".encode()).hexdigest(),
            created_at=clock.now(), expires_at=clock.now() + dt.timedelta(days=7),
        )
        for org in (s.association, s.commission)
    }  # fmt: skip
    # A pending transfer of her file to another association of the side (answered by its head of service).
    s.receiver = OrganisationFactory(
        name=f"Association fictive d'accueil {name}", departement=departement(code)
    )
    MembershipFactory(organisation=s.receiver, role="head_of_service", user__username=f"accueil-{name}")
    with clock.travel_to(dt.date(2025, 3, 3)):
        s.transfer = transfers.request_transfer(
            s.person, worker, to_association=s.receiver, consent_given_on=dt.date(2025, 3, 3),
            consent_method="written",
        )  # fmt: skip
    # A workshop series of the association with the person enrolled and present at its first session, and a
    # team meeting with the person on its agenda (decision not yet recorded).
    with clock.travel_to(dt.date(2025, 3, 3)):
        s.series = workshops.create_series(
            worker, topic="money", label=f"Atelier fictif {name}", starts_on=dt.date(2025, 3, 1),
            ends_on=dt.date(2025, 6, 30), external_facilitator="Organisme fictif",
        )  # fmt: skip
        s.workshop_session = workshops.add_session(
            s.series, worker, date=dt.date(2025, 3, 4), starts_at=dt.time(9, 30), ends_at=dt.time(11, 30)
        )
        workshops.enrol(s.series, worker, s.person)
        s.meeting = meetings.create_meeting(worker, dt.date(2025, 3, 4))
        s.meeting_item = meetings.add_to_agenda(s.meeting, worker, s.person)
    with clock.travel_to(dt.date(2025, 3, 5)):
        workshops.record_attendance(s.workshop_session, worker, {s.person.pk: "present"})
    # A drop-in session and a round of the association, with a visit linked to the person (parcours.outreach).
    with clock.travel_to(dt.date(2025, 3, 4)):
        s.dropin = outreach.add_extra_session(
            head, day=dt.date(2025, 3, 4), starts_at=dt.time(13, 30), ends_at=dt.time(18, 30),
            place=f"Local fictif {name}",
        )  # fmt: skip
        s.round = outreach.create_round(
            head, kind="street", places=f"Quartier fictif {name}",
            starts_at=dt.datetime(2025, 3, 4, 20, tzinfo=clock.PARIS),
            ends_at=dt.datetime(2025, 3, 4, 23, tzinfo=clock.PARIS),
        )  # fmt: skip
        s.visit, _ = outreach.record_visit(worker, s.dropin, f"00000000-0000-4000-8000-0000000000{code}")
        outreach.link_visit(worker, s.visit, s.person.reference)
    # A directory entry of the side's département, a programme with a cohort, a job-dating and the person
    # enrolled, an agreement with her support under it, her professional project (parcours.employment).
    with clock.travel_to(dt.date(2025, 3, 3)):
        s.entry = directory.create_entry(worker, kind="temp_agency", name=f"Agence fictive {name}")
        s.programme = employment.create_programme(
            worker, name=f"Programme fictif {name}", partners=[s.partner]
        )
        s.cohort = employment.create_cohort(s.programme, worker, label="Promotion fictive",
                                            starts_on=dt.date(2025, 3, 3))  # fmt: skip
        s.step = employment.add_step(s.cohort, worker, kind="job_dating", starts_on=dt.date(2025, 3, 3),
                                     employers=[s.entry], interviews=3)  # fmt: skip
        employment.enrol(s.cohort, worker, s.person)
        s.agreement = employment.create_agreement(
            worker, label=f"Convention fictive {name}", starts_on=dt.date(2025, 1, 1),
            ends_on=dt.date(2025, 12, 31), support_months=12, partner=s.partner,
        )  # fmt: skip
        employment.enrol_under_agreement(s.agreement, worker, s.person, dt.date(2025, 3, 3))
        employment.save_project(s.person, worker, target_trades="Métier fictif", readiness="building")
    # The association's funding (parcours.funding): a funder, a grant with a post funded and a charge.
    with clock.travel_to(dt.date(2025, 3, 4)):
        s.funder = funding.create_funder(head, kind="agrasc", name=f"Financeur fictif {name}")
        s.grant = funding.create_grant(
            head, funder=s.funder, label=f"Subvention fictive {name}", starts_on=dt.date(2025, 1, 1),
            ends_on=dt.date(2025, 12, 31), amount=10000, indicators=["people_followed", "psp_people"],
        )  # fmt: skip
        s.funded_post = funding.add_post(
            s.grant, head, role="Conseillère en insertion professionnelle", months=6,
            starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 6, 30),
        )  # fmt: skip
        s.charge = funding.add_charge(
            s.grant, head, date=dt.date(2025, 3, 1), label="Loyer fictif", amount=500
        )
    # A personal API token for each member whose role may hold one (parcours.api).
    s.tokens = {}
    for m in [*s.members.values(), s.colleague]:
        if m.role not in ("volunteer", "intern", "partner_counsellor"):
            s.tokens[m.user_id] = api_tokens.create_token(
                m, name=f"Jeton fictif {name}", read=api_tokens.resources_for(m), write=[],
                expires_on=clock.today() + dt.timedelta(days=30),
            )[0]  # fmt: skip
    s.any_token = s.tokens[worker.user_id]
    # An import checked and waiting for confirmation, and a full export ready to download (portability).
    s.import_job = ImportJob.objects.create(
        association=s.association, membership=head, filename="file-active.csv", fmt="csv", file_hash="0" * 64,
        status="checked", rows_total=1, rows_valid=1,
    )  # fmt: skip
    s.export_job = ExportJob.objects.create(
        association=s.association, membership=head, status="ready",
        storage_name=portability.store(b"PK fictif", "export"),
        expires_at=clock.now() + dt.timedelta(days=3650),
    )  # fmt: skip
    keeper = MembershipFactory(organisation=s.association, role="social_worker", user__username=f"cle-{name}")
    s.device = TOTPDevice.objects.create(user=keeper.user, name="Application", confirmed=True)
    return s


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    documents = tmp_path_factory.mktemp("documents")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Built in one transaction rolled back at the end of the module; each test runs in a savepoint inside it.
    with (
        django_db_blocker.unblock(),
        override_settings(PARCOURS_DOCUMENTS_DIR=documents, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        sides = {"A": build_side("30", "gard"), "B": build_side("13", "bdr")}
        personas = {}
        for persona, (side, role) in PERSONAS.items():
            personas[persona] = sides[side].colleague if persona == "colleague" else sides[side].members[role]
        yield SimpleNamespace(sides=sides, personas=personas)
        transaction.set_rollback(True)


# --- The arguments of each URL -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Endpoint:
    kwargs: object = None  # (side namespace, membership) -> URL kwargs; None: no argument
    # {persona: texts that must not appear on her page}
    absent: dict = field(default_factory=dict)


def person(s, m):
    return {"pk": s.person.pk}


def own_organisation(s, m):
    """The organisation of the side of the kind of hers (her association, commission, national office)."""
    return {"pk": s.members[m.role].organisation_id}


def member_to_manage(s, m):
    """A member of the side she may manage: of her commission for the secretariat, else an association's."""
    return s.members["commission_member" if m.role == "secretariat" else "social_worker"]


def invitation_to_revoke(s, m):
    return {"pk": s.invitations["commission" if m.role == "secretariat" else "association"].pk}


ENDPOINTS: dict[str, Endpoint] = {
    "accounts:device_remove": Endpoint(kwargs=lambda s, m: {"kind": "application", "pk": s.device.pk}),
    "people:person": Endpoint(kwargs=person),
    "people:situation": Endpoint(kwargs=person),
    "people:situation_edit": Endpoint(kwargs=person),
    "people:other_name_add": Endpoint(kwargs=person),
    "people:other_name_remove": Endpoint(kwargs=lambda s, m: {"pk": s.person.pk, "name_pk": s.other_name.pk}),
    "people:consent_add": Endpoint(kwargs=person),
    "people:consent_withdraw": Endpoint(kwargs=lambda s, m: {"pk": s.person.pk, "consent_pk": s.consent.pk}),
    # The colleague reaches the sensitive note (its domain, date and author) but not its text.
    "followup:notes": Endpoint(kwargs=person, absent={"colleague": [SENSITIVE_TEXT]}),
    "followup:note": Endpoint(kwargs=lambda s, m: {"pk": s.note.pk}, absent={"colleague": [SENSITIVE_TEXT]}),
    "followup:actions": Endpoint(kwargs=person),
    "followup:action": Endpoint(kwargs=lambda s, m: {"pk": s.action.pk}),
    "followup:appointments": Endpoint(kwargs=person),
    "followup:appointment_outcome": Endpoint(kwargs=lambda s, m: {"pk": s.appointment.pk}),
    "followup:referrals": Endpoint(kwargs=person),
    "followup:referral": Endpoint(kwargs=lambda s, m: {"pk": s.referral.pk}),
    "records:documents": Endpoint(kwargs=person),
    "records:document_download": Endpoint(kwargs=lambda s, m: {"pk": s.document.pk}),
    "records:document_delete": Endpoint(kwargs=lambda s, m: {"pk": s.document.pk}),
    "records:life_story": Endpoint(kwargs=person),
    "records:life_story_diff": Endpoint(kwargs=person),
    "records:life_story_version": Endpoint(kwargs=lambda s, m: {"pk": s.person.pk, "number": 1}),
    "records:life_story_pdf": Endpoint(kwargs=lambda s, m: {"pk": s.person.pk, "number": 1}),
    "rights:person": Endpoint(kwargs=person),
    "pathway:request_create": Endpoint(kwargs=lambda s, m: {"person_pk": s.person.pk, "kind": "renewal"}),
    "pathway:request": Endpoint(kwargs=lambda s, m: {"pk": s.request.pk}),
    "pathway:request_edit": Endpoint(kwargs=lambda s, m: {"pk": s.request.pk}),
    "pathway:request_action": Endpoint(kwargs=lambda s, m: {"pk": s.request.pk, "action": "withdraw"}),
    "pathway:request_withdraw": Endpoint(kwargs=lambda s, m: {"pk": s.request.pk}),
    "pathway:decide": Endpoint(kwargs=lambda s, m: {"pk": s.request.pk}),
    "pathway:session_cancel": Endpoint(kwargs=lambda s, m: {"pk": s.session.pk}),
    "pathway:session": Endpoint(kwargs=lambda s, m: {"pk": s.session.pk}),
    "pathway:attendance": Endpoint(kwargs=lambda s, m: {"pk": s.session.pk}),
    "pathway:convoke": Endpoint(kwargs=lambda s, m: {"pk": s.session.pk}),
    "pathway:reconvene": Endpoint(kwargs=lambda s, m: {"pk": s.session.pk}),
    # The minutes name the commission's members, never the person (reference and initials only).
    "pathway:session_paper": Endpoint(kwargs=lambda s, m: {"pk": s.session.pk, "paper": "proces-verbal"}),
    "pathway:member_end": Endpoint(kwargs=lambda s, m: {"pk": s.seat.pk}),
    "pathway:exit": Endpoint(kwargs=lambda s, m: {"pk": s.pathway.pk}),
    "pathway:end_early": Endpoint(kwargs=lambda s, m: {"pk": s.pathway.pk}),
    "privacy:person": Endpoint(kwargs=person),
    "privacy:export_json": Endpoint(kwargs=person),
    "privacy:export_pdf": Endpoint(kwargs=person),
    "privacy:erase": Endpoint(kwargs=person),
    "privacy:reactivate": Endpoint(kwargs=person),
    "sharing:person": Endpoint(kwargs=person),
    "onboarding:organisation_edit": Endpoint(kwargs=own_organisation),
    "onboarding:members": Endpoint(kwargs=own_organisation),
    "onboarding:invite": Endpoint(kwargs=own_organisation),
    "onboarding:invitation_revoke": Endpoint(kwargs=invitation_to_revoke),
    "onboarding:membership": Endpoint(kwargs=lambda s, m: {"pk": member_to_manage(s, m).pk}),
    "onboarding:user_active": Endpoint(kwargs=lambda s, m: {"pk": member_to_manage(s, m).pk}),
    "transfers:create": Endpoint(kwargs=person),
    "transfers:detail": Endpoint(kwargs=lambda s, m: {"pk": s.transfer.pk}),
    "transfers:accept": Endpoint(kwargs=lambda s, m: {"pk": s.transfer.pk}),
    "transfers:refuse": Endpoint(kwargs=lambda s, m: {"pk": s.transfer.pk}),
    "transfers:cancel": Endpoint(kwargs=lambda s, m: {"pk": s.transfer.pk}),
    "papers:decision_letter": Endpoint(kwargs=lambda s, m: {"pk": s.request.decision.pk}),
    "papers:afis_certificate": Endpoint(kwargs=lambda s, m: {"pk": s.request.decision.pk}),
    "papers:aps_certificate": Endpoint(kwargs=lambda s, m: {"pk": s.request.decision.pk}),
    "papers:early_end_letter": Endpoint(kwargs=lambda s, m: {"pk": s.ended_pathway.pk}),
    "papers:request_file": Endpoint(kwargs=lambda s, m: {"pk": s.request.pk}),
    "papers:request_file_members": Endpoint(kwargs=lambda s, m: {"pk": s.request.pk}),
    "papers:pathway_document": Endpoint(kwargs=lambda s, m: {"pk": s.request.pk}),
    "papers:person_summary": Endpoint(kwargs=person),
    # Volunteers and interns see the series and its counts, never who takes part.
    "workshops:series": Endpoint(
        kwargs=lambda s, m: {"pk": s.series.pk}, absent={"volunteer": [CANARY], "intern": [CANARY]}
    ),
    "workshops:session_add": Endpoint(kwargs=lambda s, m: {"pk": s.series.pk}),
    "workshops:participants": Endpoint(kwargs=lambda s, m: {"pk": s.series.pk}),
    "workshops:attendance": Endpoint(kwargs=lambda s, m: {"pk": s.workshop_session.pk}),
    "workshops:session_cancel": Endpoint(kwargs=lambda s, m: {"pk": s.workshop_session.pk}),
    "followup:meeting": Endpoint(kwargs=lambda s, m: {"pk": s.meeting.pk}),
    "followup:meeting_decision": Endpoint(kwargs=lambda s, m: {"pk": s.meeting_item.pk}),
    "outreach:session": Endpoint(kwargs=lambda s, m: {"pk": s.dropin.pk}),
    "outreach:session_counter": Endpoint(kwargs=lambda s, m: {"pk": s.dropin.pk}),
    "outreach:session_visit": Endpoint(kwargs=lambda s, m: {"pk": s.dropin.pk}),
    "outreach:round": Endpoint(kwargs=lambda s, m: {"pk": s.round.pk}),
    "outreach:round_counter": Endpoint(kwargs=lambda s, m: {"pk": s.round.pk}),
    "outreach:round_contact": Endpoint(kwargs=lambda s, m: {"pk": s.round.pk}),
    "employment:programme": Endpoint(kwargs=lambda s, m: {"pk": s.programme.pk}),
    "employment:programme_edit": Endpoint(kwargs=lambda s, m: {"pk": s.programme.pk}),
    "employment:programme_export": Endpoint(kwargs=lambda s, m: {"pk": s.programme.pk, "fmt": "xlsx"}),
    "employment:cohort": Endpoint(kwargs=lambda s, m: {"pk": s.cohort.pk}),
    "employment:step": Endpoint(kwargs=lambda s, m: {"pk": s.step.pk}),
    "employment:person": Endpoint(kwargs=person),
    "employment:agreement": Endpoint(kwargs=lambda s, m: {"pk": s.agreement.pk}),
    "employment:agreement_edit": Endpoint(kwargs=lambda s, m: {"pk": s.agreement.pk}),
    "employment:agreement_end": Endpoint(kwargs=lambda s, m: {"pk": s.agreement.pk}),
    "directory:edit": Endpoint(kwargs=lambda s, m: {"pk": s.entry.pk}),
    # A visit linked to the side's person: the page shows her reference, never her name.
    "outreach:visit_link": Endpoint(kwargs=lambda s, m: {"pk": s.visit.pk}),
    "portability:import_job": Endpoint(kwargs=lambda s, m: {"pk": s.import_job.pk}),
    "portability:export_job": Endpoint(kwargs=lambda s, m: {"pk": s.export_job.pk}),
    "portability:export_download": Endpoint(kwargs=lambda s, m: {"pk": s.export_job.pk}),
    "funding:funder_edit": Endpoint(kwargs=lambda s, m: {"pk": s.funder.pk}),
    "funding:funder_close": Endpoint(kwargs=lambda s, m: {"pk": s.funder.pk}),
    "funding:grant": Endpoint(kwargs=lambda s, m: {"pk": s.grant.pk}),
    "funding:grant_edit": Endpoint(kwargs=lambda s, m: {"pk": s.grant.pk}),
    "funding:grant_delete": Endpoint(kwargs=lambda s, m: {"pk": s.grant.pk}),
    "funding:report_pdf": Endpoint(kwargs=lambda s, m: {"pk": s.grant.pk}),
    "funding:report_sheet": Endpoint(kwargs=lambda s, m: {"pk": s.grant.pk, "fmt": "xlsx"}),
    "funding:post_add": Endpoint(kwargs=lambda s, m: {"pk": s.grant.pk}),
    "funding:post_edit": Endpoint(kwargs=lambda s, m: {"pk": s.funded_post.pk}),
    "funding:post_delete": Endpoint(kwargs=lambda s, m: {"pk": s.funded_post.pk}),
    "funding:charge_add": Endpoint(kwargs=lambda s, m: {"pk": s.grant.pk}),
    "funding:charge_edit": Endpoint(kwargs=lambda s, m: {"pk": s.charge.pk}),
    "funding:charge_delete": Endpoint(kwargs=lambda s, m: {"pk": s.charge.pk}),
    # Her own token on her side; another user's token otherwise.
    "api_tokens:revoke": Endpoint(kwargs=lambda s, m: {"pk": s.tokens.get(m.user_id, s.any_token).pk}),
}
# URLs whose one person is not the side's first person: {URL name: attribute of the side}.
PERSON_OF = {"papers:early_end_letter": "ended_person"}


def all_patterns(resolver=None, namespace="", prefix=""):
    """Every URL pattern of the URLconf, named `namespace:name`, or `<unnamed route>` when it has no name."""
    for p in (resolver or get_resolver()).url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from all_patterns(p, f"{namespace}{p.namespace}:" if p.namespace else namespace, route)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}{p.name}" if p.name else f"<unnamed {route}>"), p


PATTERNS = dict(all_patterns())


def test_every_url_pattern_is_in_the_snapshot():
    """A new page, or a pattern without a name, must be added to SNAPSHOT (and to ENDPOINTS if it takes
    arguments) before the matrix can pass."""
    assert sorted(set(PATTERNS) - set(SNAPSHOT)) == [], "URL patterns missing from SNAPSHOT"
    assert sorted(set(SNAPSHOT) - set(PATTERNS)) == [], "SNAPSHOT names no longer in the URLconf"
    with_arguments = sorted(name for name, p in PATTERNS.items() if p.pattern.converters)
    assert sorted(n for n in with_arguments if SNAPSHOT[n] not in (PUBLIC, API)) == sorted(ENDPOINTS)


def test_each_view_declares_the_methods_and_rule_of_the_snapshot():
    """The methods are literal here too: a view that starts accepting POST (or PUT) is a reviewed diff."""
    wrong = []
    for name, entry in SNAPSHOT.items():
        callback = PATTERNS[name].callback
        if entry == API:
            continue  # token-authenticated operations: tests/api/test_api_matrix.py
        if entry == PUBLIC:
            if hasattr(callback, "page_rule"):
                wrong.append(f"{name}: ruled but listed public")
            continue
        if getattr(callback, "http_methods", None) != entry[0]:
            wrong.append(
                f"{name}: answers {getattr(callback, 'http_methods', 'any method')}, expected {entry[0]}"
            )
    assert wrong == [], "\n".join(wrong)


def test_every_url_taking_a_person_related_object_is_journaled():
    from parcours.audit.scope import is_audited

    unaudited = [name for name in ENDPOINTS if name not in NOT_ABOUT_PEOPLE and not is_audited(
        reverse(name, kwargs={k: (1 if k not in ("kind", "action") else "x") for k in
                              PATTERNS[name].pattern.converters}))]  # fmt: skip
    assert unaudited == []


# --- Expectations and the fingerprint of the data -----------------------------------------------------------
def code(persona: str) -> str:
    return ROLE_CODES[PERSONAS[persona][1]]


def allowed(name: str, persona: str) -> bool:
    return code(persona) in SNAPSHOT[name][1].split()


def everywhere(name: str, persona: str) -> bool:
    return code(persona) in EVERYWHERE.get(name, "").split()


# Volunteers and interns never open a file: refused on a URL that names an object, they get 404 (issue 11).
NO_FILE = {"VO", "IN"}


def refused(name: str, persona: str) -> int:
    return 404 if code(persona) in NO_FILE and name in ENDPOINTS else 403


def expected_get(name: str, persona: str, own: bool) -> int:
    if SNAPSHOT[name][0] == ACTION:
        return 405  # the method is checked before anything else
    if not allowed(name, persona):
        return refused(name, persona)
    if not own and not everywhere(name, persona):
        return 404
    if (name, persona) in SPECIAL:
        return SPECIAL[(name, persona)]
    return 302 if code(persona) in REDIRECTS.get(name, "").split() else 200


def expected_post(name: str, persona: str, own: bool) -> int:
    if "POST" not in SNAPSHOT[name][0]:
        return 405
    if not allowed(name, persona):
        return refused(name, persona)
    if not own and not everywhere(name, persona):
        return 404
    return SPECIAL.get((name, persona), 0)


# The journal (a refusal is written to it), sessions, login throttling and tables nobody edits.
UNWATCHED = {"audit.accesslog", "audit.chainhead", "sessions.session", "contenttypes.contenttype",
             "auth.permission", "core.departement"}  # fmt: skip
UNWATCHED_APPS = {"axes", "dsfr"}


def fingerprint() -> str:
    """A digest of every row the application could change (the journal, which a refusal writes to, aside)."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        meta = model._meta
        if meta.label_lower in UNWATCHED or meta.app_label in UNWATCHED_APPS or meta.proxy:
            continue
        # A login (force_login of the next persona) stamps last_login: not a change a POST made.
        columns = [f.attname for f in meta.concrete_fields if f.attname != "last_login"]
        rows = model._default_manager.order_by("pk").values_list(*columns)
        digest.update(f"{model._meta.label_lower}:{list(rows)!r}".encode())
    return digest.hexdigest()


def url_of(world, name: str, persona: str, own: bool) -> str:
    endpoint = ENDPOINTS.get(name)
    if endpoint is None:
        return reverse(name)
    membership = world.personas[persona]
    side = PERSONAS[persona][0]
    objects = world.sides[side if own else OTHER[side]]
    return reverse(name, kwargs=endpoint.kwargs(objects, membership))


def body(response) -> str:
    content = b"".join(response) if response.streaming else response.content
    return content.decode(errors="replace")


# What a form would send: enough for most forms of Parcours to be valid, were the POST not refused.
FORM_DATA = {"comment": "Commentaire fictif", "text": "Texte fictif", "name": "Nomfictif",
             "domain": "other", "held_on": "2025-03-03", "description": "Action fictive", "status": "done",
             "outcome": "accepted", "withdrawn_on": "2025-03-04", "purpose": "processing",
             "given_on": "2025-03-03", "confirm": "on"}  # fmt: skip


# --- The matrix --------------------------------------------------------------------------------------------
RULED = sorted(name for name, entry in SNAPSHOT.items() if entry not in (PUBLIC, API))


# Who gets which answer is decided by the policy and the views, not by the engine: CI runs the matrix in its
# SQLite pass; on PostgreSQL each page answering GET runs once, for one role, in test_other_methods_… (0058).
@pytest.mark.engine_independent
@pytest.mark.django_db
@pytest.mark.parametrize("name", RULED)
def test_each_role_gets_what_the_snapshot_says(world, client, name):
    owners = (True, False) if name in ENDPOINTS else (True,)
    wrong, posted = [], []
    before = fingerprint()
    for persona, membership in world.personas.items():
        client.force_login(membership.user)
        for own in owners:
            url = url_of(world, name, persona, own)
            where = f"{persona} on {'own' if own else 'other'} object"
            response = client.get(url)
            want = expected_get(name, persona, own)
            if response.status_code != want:
                wrong.append(f"{where}: GET {response.status_code}, expected {want}")
            elif want == 200 and ENDPOINTS.get(name, Endpoint()).absent.get(persona):
                shown = body(response)
                wrong += [
                    f"{where}: shows {text!r}" for text in ENDPOINTS[name].absent[persona] if text in shown
                ]
            if want != 200 and (name, persona) not in SPECIAL and CANARY in body(response):
                wrong.append(f"{where}: GET {response.status_code} shows the person's name")
            refused = expected_post(name, persona, own)
            if refused:
                posted.append(where)
                answer = client.post(url, FORM_DATA)
                if answer.status_code != refused:
                    wrong.append(f"{where}: POST {answer.status_code}, expected {refused}")
                elif (name, persona) not in SPECIAL and CANARY in body(answer):
                    wrong.append(f"{where}: refused POST shows the person's name")
    # Only refused POSTs were sent: together they changed nothing (one digest per page keeps the matrix fast;
    # the allowed roles send no POST here, their forms are tested by each app).
    if posted and fingerprint() != before:
        wrong.append(f"a refused POST changed the data (one of: {', '.join(posted)})")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(name for name, entry in SNAPSHOT.items() if entry == PUBLIC))
def test_the_public_endpoints_answer_every_role_without_an_error(world, client, name):
    # The health endpoint answers 503 by design while the daily pass has not run (core/health.py).
    allowed = {200, 302, 503} if name == "health" else None
    for membership in world.personas.values():
        client.force_login(membership.user)
        status = client.get(reverse(name, kwargs=PUBLIC_KWARGS.get(name))).status_code
        assert status in allowed if allowed else status < 500, status


@pytest.mark.engine_independent
@pytest.mark.django_db
def test_with_mfa_required_the_identity_roles_get_no_page_before_a_second_factor(world, client, settings):
    """PARCOURS_MFA_REQUIRED on (production): a user whose role sees identities and who has no verified second
    factor is sent to the enrolment page from every page, and gets nothing of any person; the other roles get
    what the snapshot says."""
    settings.PARCOURS_MFA_REQUIRED = True
    wrong = []
    for persona, membership in world.personas.items():
        client.force_login(membership.user)
        identity = code(persona) in IDENTITY.split()
        for name in RULED:
            if SNAPSHOT[name][0] == ACTION:
                continue
            response = client.get(url_of(world, name, persona, True))
            if identity and name not in OPEN_BEFORE_ENROLMENT:
                location = response.headers.get("Location", "")
                if response.status_code != 302 or not location.startswith(reverse("accounts:security")):
                    wrong.append(f"{persona} {name}: {response.status_code} {location}")
            elif response.status_code != expected_get(name, persona, True):
                wrong.append(f"{persona} {name}: {response.status_code}")
            if (identity and name not in OPEN_BEFORE_ENROLMENT) and CANARY in body(response):
                wrong.append(f"{persona} {name}: shows the person's name")
    assert wrong == [], "\n".join(wrong)


OTHER_METHODS = ("options", "put", "patch", "delete", "trace")
# The persona that tries the other methods on each page: the first of these the snapshot lets open it.
TRIERS = ("worker", "head", "secretariat", "agent", "partner", "volunteer", "member", "national")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n in RULED if SNAPSHOT[n][0] != ACTION))
def test_other_methods_return_no_person_data_and_leave_a_journal_row(world, client, name):
    """Finding 1 of issue 7: OPTIONS, TRACE or PUT on a person's page returned the page (200) and no journal
    row. Each method other than the view's answers 405, shows nothing, and under a person URL is journaled as
    a refusal; HEAD answers as GET without a body and is journaled as a read of the person."""
    from parcours.audit.scope import is_audited

    persona = next(p for p in TRIERS if allowed(name, p) and expected_get(name, p, True) in (200, 302))
    status = expected_get(name, persona, True)
    client.force_login(world.personas[persona].user)
    url = url_of(world, name, persona, True)
    audited = is_audited(url)
    wrong = []

    def new_rows(before):
        return list(AccessLog.objects.order_by("seq")[before:])

    before = AccessLog.objects.count()
    response = client.head(url)
    rows = new_rows(before)
    if response.status_code != status or body(response):
        wrong.append(f"HEAD: {response.status_code} with {len(body(response))} characters")
    if audited and status == 302 and rows:  # a redirect carries no content: no read
        wrong.append(f"HEAD of a redirect journaled {[(r.action, r.status_code) for r in rows]}")
    elif audited and status == 200:
        side = world.sides[PERSONAS[persona][0]]
        one_person = name in ENDPOINTS and name not in NOT_ONE_PERSON
        person_pk = getattr(side, PERSON_OF.get(name, "person")).pk
        want = [("allowed", person_pk if one_person else None)]
        got = [(r.outcome, r.person_id if one_person else None) for r in rows]
        if got != want or rows[0].action not in ("read", "download", "export"):
            wrong.append(f"HEAD journaled {[(r.action, r.outcome, r.person_id) for r in rows]}")
    for method in OTHER_METHODS:
        before = AccessLog.objects.count()
        response = getattr(client, method)(url)
        rows = new_rows(before)
        if response.status_code != 405 or CANARY in body(response):
            wrong.append(f"{method.upper()}: {response.status_code}")
        if audited and [(r.action, r.status_code) for r in rows] != [("denied", 405)]:
            wrong.append(f"{method.upper()} journaled {[(r.action, r.status_code) for r in rows]}")
    assert wrong == [], "\n".join(wrong)
