"""Which text columns of the models linked to a person are encrypted at rest, and why the others may stay in
clear. One table, checked by tests/core/test_classification.py (a model linked to a person that gets a
text column missing here fails it) and by tests/core/test_data_at_rest.py (a canary typed into each column
is looked for in the SQLite file and in pg_dump; only the CLEAR columns may show it).

A "text column" is a CharField (choices, countries and e-mails included), a TextField, a JSONField or any
encrypted field of core/fields.py. A model is "linked to a person" when a chain of foreign keys leads from it
to people.Person (Person included); the table also lists the models that name people without such a chain
(EXTRA_MODELS). Labels are "app_label.modelname" strings, so this module imports no domain app.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clear:
    """A column that may hold its value in clear, and why nothing typed about the person can land in it."""

    reason: str


ENCRYPTED = "encrypted"

CHOICE = Clear("code from a fixed list of choices (validated by the form and the service)")
COUNTRY = Clear("ISO 3166 country code from a fixed list")
VERSION = Clear("version code of the rules or of a text, set by the code")
STATUS_CODE = Clear("status code set by the transitions, never typed")
BLIND_INDEX = Clear("truncated keyed hash (blind index), shared by many people by design")

CLASSIFICATION: dict[str, dict[str, str | Clear]] = {
    "people.person": {
        "first_name": ENCRYPTED,
        "last_name": ENCRYPTED,
        "alias": ENCRYPTED,
        "usage_name": ENCRYPTED,
        "birth_date": ENCRYPTED,
        "nationality": COUNTRY,
        "birth_country": COUNTRY,
        "other_nationalities": Clear("list of ISO 3166 country codes from a fixed list"),
        "gender": CHOICE,
        "languages": ENCRYPTED,
        "french_level": CHOICE,
        "phone": ENCRYPTED,
        "safe_phone": ENCRYPTED,
        "safe_times": ENCRYPTED,
        "contact_notes": ENCRYPTED,
        "address": ENCRYPTED,
        "shelter_name": ENCRYPTED,
        "residence_status": CHOICE,
        "health_cover": CHOICE,
        "identity_index": BLIND_INDEX,
        "birth_index": BLIND_INDEX,
    },
    "people.othername": {"name": ENCRYPTED},
    "people.consent": {
        "purpose": CHOICE,
        "partner_name": ENCRYPTED,
        "scope": ENCRYPTED,
        "scopes": Clear("list of sharing-scope codes from a fixed list"),
        "text_version": VERSION,
    },
    "pathway.pathway": {"status": CHOICE, "rule_version": VERSION},
    "pathway.pathwayrequest": {
        "kind": CHOICE,
        "status": CHOICE,
        "situation": ENCRYPTED,
        "motivation": ENCRYPTED,
        "evaluation": ENCRYPTED,
    },
    "pathway.planaction": {"domain": CHOICE, "description": ENCRYPTED},
    "pathway.commitment": {"text": ENCRYPTED},
    "pathway.agendaitem": {},
    # A recusal links a commission member to an agenda item (keys only). The members themselves
    # (pathway.commissionmember: names, functions, e-mails of officials and representatives) are
    # professional data, not data about an accompanied person, and are not linked to one (decision 0039).
    "pathway.recusal": {},
    "pathway.commissionsession": {"place": ENCRYPTED, "status": CHOICE, "attendance": ENCRYPTED},
    "pathway.avis": {"kind": CHOICE, "reason": ENCRYPTED},
    "pathway.decision": {
        "kind": CHOICE,
        "refusal_reasons": Clear("list of refusal-reason codes from a fixed list"),
        "motivation": ENCRYPTED,
    },
    "pathway.period": {},
    "pathway.exit": {"reason": CHOICE, "housing": CHOICE, "activity": CHOICE, "comment": ENCRYPTED},
    "pathway.event": {
        "action": Clear("name of the transition, set by the code, never typed"),
        "from_status": STATUS_CODE,
        "to_status": STATUS_CODE,
        "comment": ENCRYPTED,
    },
    "followup.note": {"domain": CHOICE, "text": ENCRYPTED},
    "followup.noteversion": {"domain": CHOICE, "text": ENCRYPTED},
    "followup.actionitem": {"domain": CHOICE, "description": ENCRYPTED, "status": CHOICE},
    "followup.actionitemchange": {"status": CHOICE, "description": ENCRYPTED},
    "followup.appointment": {"place": ENCRYPTED, "purpose": CHOICE, "status": CHOICE},
    "followup.referral": {
        "partner_name": ENCRYPTED,
        "reason": ENCRYPTED,
        "domain": CHOICE,
        "outcome": CHOICE,
        "comment": ENCRYPTED,
    },
    "rights.afisfile": {"stop_reason": CHOICE, "comment": ENCRYPTED},
    "rights.apsfile": {"comment": ENCRYPTED},
    "records.document": {
        "kind": CHOICE,
        "title": ENCRYPTED,
        "storage_name": Clear("random name of the encrypted file on disk, drawn by the code"),
        "original_name": ENCRYPTED,
        "content_type": Clear("MIME type sniffed from the file's first bytes, one of an allow-list"),
        "sha256": Clear("SHA-256 of the file: confirms only a file one already holds"),
    },
    "portability.importedrow": {
        "key": Clear(
            "keyed SHA-256 (HMAC) of the association and of a file number of its own: confirms only a "
            "reference one already holds, never reveals it"
        ),
    },
    "records.lifestory": {},
    "records.lifestoryversion": {"text": ENCRYPTED, "comment": ENCRYPTED},
    "privacy.erasure": {"ground": CHOICE},
    # Team meetings (followup/meetings.py): her place on an agenda; the decision is a note (encrypted).
    "followup.meetingitem": {},
    # Workshops (parcours.workshops): her enrolment in a series and her attendance, codes only; the series'
    # label and facilitator name no person followed (its model is not linked to one).
    "workshops.participant": {},
    "workshops.attendance": {"status": CHOICE},
    # Employment (parcours.employment): her professional project (each version), her place in a programme's
    # cohort and the outcome of each step, her support under a partnership agreement, the aids she asked for.
    "employment.projectversion": {
        "target_trades": ENCRYPTED,
        "french_level": CHOICE,
        "qualifications": ENCRYPTED,
        "constraints_note": ENCRYPTED,
        "readiness": CHOICE,
    },
    "employment.participant": {},
    "employment.stepparticipation": {"status": CHOICE},
    "employment.outcome": {"kind": CHOICE, "contract": CHOICE, "reason": ENCRYPTED},
    "employment.enrolment": {"outcome": CHOICE},
    "employment.support": {"kind": CHOICE, "body": ENCRYPTED, "status": CHOICE},
    # The inbox (parcours.notifications): what the daily pass wrote about her, from codes and keys only.
    "notifications.notification": {
        "kind": CHOICE,
        "object_key": Clear("kind and primary key of the object (pathway:12), set by the pass"),
        "person_reference": Clear("her case number (P-000012), derived from the primary key"),
        "url": Clear("address of the page: route names and primary keys, set by the pass"),
        "dedup_key": Clear("kind, object key and deadline date joined, set by the pass"),
    },
    "transfers.transfer": {
        "status": STATUS_CODE,
        "consent_method": CHOICE,
        "consent_text_version": VERSION,
        "message": ENCRYPTED,
        "refusal_reason": ENCRYPTED,
    },
    # A visit at a drop-in session or a contact on a round (parcours.outreach): anonymous tallies from fixed
    # lists; the link to a known person's file is a foreign key, set by her association's staff only.
    "outreach.visit": {
        "gender": CHOICE,
        "age_band": CHOICE,
        "language": CHOICE,
        "services": Clear("list of service codes from a fixed list (outreach.rules.Service)"),
    },
    # Names people without a foreign key (EXTRA_MODELS).
    "audit.accesslog": {
        "role": Clear("role code of the account, set by the code"),
        "action": CHOICE,
        "event": Clear("name of the event (e.g. referral_create), set by the service, never typed"),
        "object_type": Clear("name of a kind of object, set by the code"),
        "object_id": Clear("primary key of the object, a number"),
        "path": Clear("URL of the page: route names and primary keys, never a typed value"),
        "outcome": CHOICE,
        "previous_hash": Clear("hash of the previous row of the chain"),
        "hash": Clear("hash of the row"),
    },
}

# Models that concern people without a chain of foreign keys to Person: a commission session lists the
# requests on its agenda (reverse key); a journal row holds the person's primary key as a plain number.
EXTRA_MODELS = frozenset({"pathway.commissionsession", "audit.accesslog"})

# Free text of models linked to no person, typed by the staff about the association itself: kept in clear
# (they are printed in reports sent outside). Their forms say to name no one; tests/funding checks that each
# text column of these models is listed here and that no foreign key leads from them to a person.
ABOUT_THE_ASSOCIATION = Clear(
    "about the association and its funding, not about a person: a funder, a grant, a funded role, an expense"
)
ORGANISATION_TEXT: dict[str, dict[str, Clear]] = {
    "funding.funder": {"kind": CHOICE, "name": ABOUT_THE_ASSOCIATION},
    "funding.grant": {
        "label": ABOUT_THE_ASSOCIATION,
        "purpose": ABOUT_THE_ASSOCIATION,
        "conditions": ABOUT_THE_ASSOCIATION,
        "indicators": Clear("list of indicator codes from a fixed registry (funding.indicators)"),
    },
    "funding.fundedpost": {"role": ABOUT_THE_ASSOCIATION, "sites": ABOUT_THE_ASSOCIATION},
    "funding.charge": {"label": ABOUT_THE_ASSOCIATION},
}


def encrypted_columns() -> set[tuple[str, str]]:
    return {(m, f) for m, fields in CLASSIFICATION.items() for f, c in fields.items() if c == ENCRYPTED}


def clear_columns() -> set[tuple[str, str]]:
    return {(m, f) for m, fields in CLASSIFICATION.items() for f, c in fields.items() if isinstance(c, Clear)}
