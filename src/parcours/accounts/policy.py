"""Who may: the one answer for services, views and templates.

    from parcours.accounts import policy

    policy.can(membership, "person_file")                # may her role open the association's files?
    policy.can(membership, "person_file", person)        # ... and this person's file?
    policy.can(membership, "read_note", note)            # ... and the text of this note?

    {% load policy %}{% can "read_sensitive" person as allowed %}

- `RULES` is the one table of which roles may do what (a page rule of a view, or an action of a service).
- `OBJECT_RULES` adds, for some actions, the check on one object (her association, her referent, a note's
  sensitivity). An object outside it is refused; views answer it with a 404 (never a 403 that would confirm
  it exists) through the visibility querysets (`Model.objects.visible_to(membership)`), which read their role
  sets from `RULES` too (`roles(action)`) and start with the same `is_active` check.
- A membership that is missing or not active is refused everything, here and in every visible_to: that is
  checked once, in `active()`.

State transitions of a request or a pathway carry their own roles in pathway/rules.py (the legal basis of
each); `pathway.transitions` checks `active()` before them.
"""

from __future__ import annotations

from collections.abc import Callable

from parcours.core import clock

from .roles import ASSOCIATION_ROLES, ASSOCIATION_STAFF, Role

# --- The table ---------------------------------------------------------------------------------------------
RULES: dict[str, frozenset[str]] = {
    # Pages (accounts.permissions.requires).
    "todo": ASSOCIATION_STAFF | {Role.SECRETARIAT, Role.PREFECTURE_AGENT},
    "caseload": ASSOCIATION_STAFF,
    "person_create": ASSOCIATION_STAFF,
    "person_view": ASSOCIATION_STAFF | {Role.SECRETARIAT, Role.PREFECTURE_AGENT},
    # The association's own file on the person (situation, follow-up, documents, life story, rights).
    "person_file": ASSOCIATION_STAFF,
    "agenda": ASSOCIATION_STAFF,
    "request_edit": ASSOCIATION_STAFF,
    "request_view": ASSOCIATION_STAFF | {Role.SECRETARIAT, Role.PREFECTURE_AGENT},
    "exit_record": ASSOCIATION_STAFF,
    "inbox": frozenset({Role.SECRETARIAT}),
    "session_list": frozenset({Role.SECRETARIAT, Role.COMMISSION_MEMBER, Role.PREFECTURE_AGENT}),
    "session_manage": frozenset({Role.SECRETARIAT}),
    # The session's papers in PDF (agenda, convocation, minutes; pseudonymised): the commission only.
    "session_papers": frozenset({Role.SECRETARIAT, Role.COMMISSION_MEMBER}),
    "decision": frozenset({Role.PREFECTURE_AGENT}),
    "end_early": frozenset({Role.PREFECTURE_AGENT}),
    "statistics": frozenset(
        {Role.NATIONAL_ADMIN, Role.HEAD_OF_SERVICE, Role.SECRETARIAT, Role.PREFECTURE_AGENT}
    ),
    # The association's annual activity report (PDF, parcours.statistics.reports): its head of service.
    "statistics_report": frozenset({Role.HEAD_OF_SERVICE}),
    # The commission's annual review for the préfet (PDF): the roles that read the département's dashboard.
    "statistics_commission_review": frozenset({Role.SECRETARIAT, Role.PREFECTURE_AGENT}),
    # The national review (PDF), in the shape of the official figures: the national administration.
    "statistics_national_review": frozenset({Role.NATIONAL_ADMIN}),
    "volunteer_home": frozenset({Role.VOLUNTEER, Role.INTERN}),
    # A partner's pages (parcours.sharing): the people who consented to share with her organisation, and of
    # each only the consented scopes (the visibility rule and sharing/services.py do the rest).
    "shared_people": frozenset({Role.PARTNER_COUNSELLOR}),
    "audit_journal": frozenset({Role.HEAD_OF_SERVICE}),
    # Import of the association's caseload from a spreadsheet, and the full export of what it holds
    # (parcours.portability, docs/decisions/0051 and 0052): the head of service only, who answers for the
    # files created at once and for a file holding every person's data.
    "portability": frozenset({Role.HEAD_OF_SERVICE}),
    "portability_export": frozenset({Role.HEAD_OF_SERVICE}),
    # The national administration reviews the reads and refusals of commission and préfecture users
    # (audit/views.py review): nobody else sees them, and they see no other journal.
    "audit_review": frozenset({Role.NATIONAL_ADMIN}),
    # The person's rights (parcours.privacy): her retention status and the export of her data (her referent
    # and the head of service), erasure and reactivation (head of service, checked by the services).
    "privacy": ASSOCIATION_STAFF,
    "privacy_archives": frozenset({Role.HEAD_OF_SERVICE}),
    "organisation": frozenset(Role.values),
    # Onboarding and administration (parcours.onboarding): the national administration manages every
    # organisation and its accounts; a head of service manages those of her association, the commission's
    # secretariat those of its commission (OBJECT_RULES: her own organisation).
    "administration": frozenset({Role.NATIONAL_ADMIN, Role.HEAD_OF_SERVICE, Role.SECRETARIAT}),
    "manage_organisations": frozenset({Role.NATIONAL_ADMIN}),
    "organisation_edit": frozenset({Role.NATIONAL_ADMIN, Role.HEAD_OF_SERVICE, Role.SECRETARIAT}),
    "manage_members": frozenset({Role.NATIONAL_ADMIN, Role.HEAD_OF_SERVICE, Role.SECRETARIAT}),
    # A whole account (every membership): the national administration only.
    "manage_users": frozenset({Role.NATIONAL_ADMIN}),
    # The user's own second factors and password (accounts/views.py).
    "account_security": frozenset(Role.values),
    # Actions on one object (checked with OBJECT_RULES when given the object).
    # What is marked sensitive in the follow-up, and the life story: her referent and the head of service.
    "read_sensitive": ASSOCIATION_STAFF,
    "read_note": ASSOCIATION_STAFF,
    "correct_note": ASSOCIATION_STAFF,
    # Handing the file to another referent: the head of service or the current referent.
    "change_referent": ASSOCIATION_STAFF,
    # The export of the person's data (RGPD art. 15/20): her referent and the head of service.
    "export_person": ASSOCIATION_STAFF,
    "erase_person": frozenset({Role.HEAD_OF_SERVICE}),
    "reactivate_person": frozenset({Role.HEAD_OF_SERVICE}),
    # Moving a person's file to another association (parcours.transfers, docs/decisions/0034): the pages of
    # the transfers of her association (sent or received); asking for one (her referent or the head of
    # service); answering one (the head of service of the receiving association); cancelling one still
    # pending (the head of service of the sending association, her referent or whoever asked).
    "transfers": ASSOCIATION_STAFF,
    "transfer_request": ASSOCIATION_STAFF,
    "transfer_decide": frozenset({Role.HEAD_OF_SERVICE}),
    "transfer_cancel": ASSOCIATION_STAFF,
    # Official papers (parcours.papers, docs/decisions/0040): the préfet's letters and the certificates for
    # the MSA and the foreigners' service are printed by the préfecture and by the association that notifies
    # the person; the request file with her identity and the document that formalises the pathway, by those
    # who see her identity (association, secretariat, préfecture: visibility rule of the request); the
    # pseudonymised request file by commission members too (requests on an agenda of their commission).
    "official_letters": ASSOCIATION_STAFF | {Role.PREFECTURE_AGENT},
    "request_file": ASSOCIATION_STAFF | {Role.SECRETARIAT, Role.PREFECTURE_AGENT},
    "request_file_pseudonymised": ASSOCIATION_STAFF
    | {Role.SECRETARIAT, Role.COMMISSION_MEMBER, Role.PREFECTURE_AGENT},
    # The letterhead and signatory of her own organisation's papers: the head of service for her association,
    # the préfecture's agents for their préfecture.
    "letterhead_edit": frozenset({Role.HEAD_OF_SERVICE, Role.PREFECTURE_AGENT}),
    # The person's own summary in her language (parcours.papers.summary, docs/decisions/0041): the staff of
    # her association, who already read everything it prints.
    "person_summary": ASSOCIATION_STAFF,
    # Her own notifications, her e-mail preference and her calendar's secret address (parcours.notifications):
    # every user, about her own only (the inbox filters on the user and her current organisation).
    "notifications": frozenset(Role.values),
    # Workshops of the association (parcours.workshops, docs/decisions/0043): its volunteers and interns see
    # the series and sessions (topic, dates, facilitator, counts); its staff manage them and alone see who
    # takes part (the people of the association they may see).
    "workshops": ASSOCIATION_ROLES,
    "workshop_manage": ASSOCIATION_STAFF,
    "workshop_participants": ASSOCIATION_STAFF,
    # The team meetings where the follow-up of people is reviewed (parcours.followup.meetings): staff only.
    "team_meetings": ASSOCIATION_STAFF,
    # An intern's school, tutor and dates (accounts.InternProfile): the head of service of her association.
    "intern_profile_edit": frozenset({Role.HEAD_OF_SERVICE}),
    # Drop-in sessions and outreach rounds of her association (parcours.outreach, docs/decisions/0042): every
    # member counts visits and records her own hours; the staff manage the schedules, the rounds and the
    # hours of others; only the staff, who see the files, link a visit to a known person (OBJECT_RULES: a
    # person of her association) and read the anonymous callbacks asked for on a round.
    "outreach": ASSOCIATION_ROLES,
    "outreach_manage": ASSOCIATION_STAFF,
    "visit_link": ASSOCIATION_STAFF,
    "callbacks": ASSOCIATION_STAFF,
    # Employment and training (parcours.employment, docs/decisions/0045): programmes, cohorts, agreements, and
    # each person's professional project and supports; the staff of the association, on the people they see.
    # A partner's counsellor sees the employment part of a person on her shared page only (shared_people),
    # when the person's consent includes it.
    "employment": ASSOCIATION_STAFF,
    # The directory of the département (parcours.directory, docs/decisions/0046): every member of an
    # association reads it; its staff add and correct entries.
    "directory": ASSOCIATION_ROLES,
    "directory_edit": ASSOCIATION_STAFF,
    # Funders, grants, posts funded, charges and the grant reports of her association (parcours.funding,
    # docs/decisions/0047): the head of service only, who answers to the funders; social workers, volunteers
    # and interns have no use for the association's accounts.
    "funding": frozenset({Role.HEAD_OF_SERVICE}),
    # The JSON API (parcours.api, docs/decisions/0050-json-api.md). Personal tokens: the roles whose work
    # another tool may need, never volunteers, interns (no file) nor partners (consent-scoped pages only).
    # Each resource has the roles of the pages that show the same data; the visibility querysets do the rest.
    "api_tokens": ASSOCIATION_STAFF
    | {Role.SECRETARIAT, Role.COMMISSION_MEMBER, Role.PREFECTURE_AGENT, Role.NATIONAL_ADMIN},
    "api_people": ASSOCIATION_STAFF | {Role.SECRETARIAT, Role.PREFECTURE_AGENT},
    "api_pathways": ASSOCIATION_STAFF | {Role.SECRETARIAT, Role.PREFECTURE_AGENT},
    # Commission members read the requests on their commission's agendas, pseudonymised (decision 0025).
    "api_requests": ASSOCIATION_STAFF | {Role.SECRETARIAT, Role.COMMISSION_MEMBER, Role.PREFECTURE_AGENT},
    "api_sessions": frozenset({Role.SECRETARIAT, Role.COMMISSION_MEMBER, Role.PREFECTURE_AGENT}),
    "api_avis": ASSOCIATION_STAFF | {Role.SECRETARIAT, Role.COMMISSION_MEMBER, Role.PREFECTURE_AGENT},
    "api_decisions": ASSOCIATION_STAFF | {Role.SECRETARIAT, Role.PREFECTURE_AGENT},
    "api_appointments": ASSOCIATION_STAFF,
    "api_statistics": frozenset(
        {Role.NATIONAL_ADMIN, Role.HEAD_OF_SERVICE, Role.SECRETARIAT, Role.PREFECTURE_AGENT}
    ),
}


def active(membership) -> bool:
    """The one place that checks that a membership exists and is active."""
    return membership is not None and bool(getattr(membership, "is_active", False))


def scope_key(membership) -> tuple:
    """Everything the visibility querysets (`visible_to`) read of a membership to build their SQL: the
    membership's own fields, its organisation's département (a préfecture's scope) and the day (a partner's
    consents in force). Two memberships with the same key get the same SQL: the key of the statements
    compiled once (core/compiled.py)."""
    if membership is None:
        return (None, clock.today())
    return (
        membership.pk, membership.user_id, membership.organisation_id, membership.role,
        bool(getattr(membership, "is_active", False)), membership.organisation.departement_id, clock.today(),
    )  # fmt: skip


# The roles that never open a person's file (issue 11): a refused URL naming an object answers them 404.
NO_FILE_ROLES = frozenset({Role.VOLUNTEER, Role.INTERN})


def sees_no_object_it_is_refused(membership) -> bool:
    return active(membership) and membership.role in NO_FILE_ROLES


def roles(action: str) -> frozenset[str]:
    """The roles of `action` in the table (for the visibility querysets, which filter in SQL)."""
    return RULES[action]


# --- Object rules: (active membership whose role the table allows, object) -> bool -----------------------
def _own_association(m, person) -> bool:
    return person.association_id == m.organisation_id


def _referent_or_head(m, person) -> bool:
    return _own_association(m, person) and (
        m.role == Role.HEAD_OF_SERVICE or (person.referent_id is not None and person.referent_id == m.user_id)
    )


def _read_note(m, note) -> bool:
    return _own_association(m, note.person) and (not note.sensitive or _referent_or_head(m, note.person))


def _correct_note(m, note) -> bool:
    return _read_note(m, note) and (note.author_id == m.user_id or m.role == Role.HEAD_OF_SERVICE)


def _manages(m, obj) -> bool:
    """The national administration manages every organisation; the others their own only. `obj` is an
    organisation, or an object of one (a membership, an invitation)."""
    if m.role == Role.NATIONAL_ADMIN:
        return True
    organisation_id = getattr(obj, "organisation_id", None)
    if (
        organisation_id is None
        and getattr(getattr(obj, "_meta", None), "label", "") == "accounts.Organisation"
    ):
        organisation_id = obj.pk
    return organisation_id is not None and organisation_id == m.organisation_id


def _visible(m, obj) -> bool:
    """The object is within the visibility rule of its model (`visible_to`, in SQL)."""
    return type(obj)._default_manager.visible_to(m).filter(pk=obj.pk).exists()


def _receiving_association(m, transfer) -> bool:
    return transfer.to_association_id == m.organisation_id


def _sending_association(m, transfer) -> bool:
    return transfer.from_association_id == m.organisation_id and (
        m.role == Role.HEAD_OF_SERVICE
        or transfer.requested_by_id == m.user_id
        or (transfer.person.referent_id is not None and transfer.person.referent_id == m.user_id)
    )


OBJECT_RULES: dict[str, Callable[[object, object], bool]] = {
    "person_view": _visible,
    "request_view": _visible,
    "person_file": _own_association,
    "privacy": _own_association,
    "read_sensitive": _referent_or_head,
    "read_note": _read_note,
    "correct_note": _correct_note,
    "change_referent": _referent_or_head,
    "export_person": _referent_or_head,
    "erase_person": _own_association,
    "reactivate_person": _own_association,
    "organisation_edit": _manages,
    "manage_members": _manages,
    "transfer_request": _referent_or_head,
    "transfer_decide": _receiving_association,
    "transfer_cancel": _sending_association,
    "person_summary": _own_association,
    "intern_profile_edit": _manages,
    "workshop_manage": _own_association,  # a series of her association
    "visit_link": _own_association,
}


def can(membership, action: str, obj=None) -> bool:
    """May `membership` do `action` (on `obj`, when given)? Unknown actions raise KeyError."""
    allowed = RULES[action]
    if not active(membership) or membership.role not in allowed:
        return False
    if obj is None:
        return True
    check = OBJECT_RULES.get(action)
    return True if check is None else check(membership, obj)
