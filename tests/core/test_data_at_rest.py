"""A dump of the database shows none of the names, phone numbers, notes, life-story sentences or other free
text of the people in it, while the pages still show them to those allowed. (security.md: "Data at rest";
the columns and what may stay in clear: core/classification.py, docs/security/encryption.md)

Issue 7, finding 2: run against the models before the free-text columns were encrypted,
test_a_canary_typed_into_any_text_column… found its canary in the SQLite file for 20 columns: the request's
situation, motivation and evaluation, plan actions, commitments, avis reasons, the préfet's motivation, exit
and event comments, session place and attendance, action items and their history, referral reason and
partner, consent partner and scope, AFIS and APS comments, languages. The older test only looked at names,
phones, a note and a life story, and skipped letters-only names shorter than 12 characters.
"""

import datetime as dt
import string
import uuid
from decimal import Decimal

import pytest
from django.db import models
from django.urls import reverse

from parcours.core import clock
from parcours.followup import services as followup
from parcours.people.models import OtherName
from parcours.records import services as records

from .at_rest import Ciphertexts, database_bytes, is_text_column, linked_models, logical_dump, text_columns

CANARIES = {
    "first_name": "Canaripremier",
    "last_name": "Canarifamille",
    "alias": "Canarialias",
    "usage_name": "Canariusage",
    "phone": "06 00 00 47 11",
    "safe_phone": "06 00 00 47 12",
    "address": "12 rue Canariadresse",
    "shelter_name": "Foyer Canarifoyer",
}
OTHER_NAME = "Canarigraphie"
NOTE = "Elle raconte le canarisecret de la note."
STORY = "Mon récit canarirecit commence au village."


# Keyed hashes that Person.save() recomputes from the identity: the canary typed into them does not stay.
RECOMPUTED_ON_SAVE = {("people.person", "identity_index"), ("people.person", "birth_index")}


def dump(tmp_path) -> str:
    return database_bytes(tmp_path)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dump_contains_no_identity_note_or_life_story_in_clear(client, personas, tmp_path):
    person = personas.person(birth_date=dt.date(1993, 7, 14), referent=personas.worker.user, **CANARIES)
    OtherName.objects.create(person=person, name=OTHER_NAME)
    with clock.travel_to(dt.date(2026, 3, 2)):
        followup.add_note(person, personas.worker, domain="health", held_on=dt.date(2026, 3, 2), text=NOTE,
                          sensitive=True)  # fmt: skip
        records.save_life_story(person, personas.worker, STORY, based_on=0)

    # The search of the caseload carries a name in its query string: it must not reach the journal.
    client.force_login(personas.worker.user)
    client.get(reverse("people:caseload"), {"q": "Canarirecherche"})

    text = dump(tmp_path)
    assert "CREATE TABLE" in text
    found = Ciphertexts(text)
    markers = [*CANARIES.values(), OTHER_NAME, NOTE, STORY, "canarisecret", "canarirecit", "1993-07-14"]
    assert [m for m in [*markers, "Canarirecherche"] if found.found_in_clear(m)] == []

    # Those allowed still read everything.
    client.force_login(personas.worker.user)
    page = client.get(reverse("people:situation", args=[person.pk])).content.decode()
    assert CANARIES["first_name"] in page and CANARIES["safe_phone"] in page
    notes = client.get(reverse("followup:notes", args=[person.pk])).content.decode()
    assert "canarisecret" in notes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dump_of_the_demo_database_shows_no_demo_name_phone_or_life_story(settings, tmp_path):
    """Every name whatever its length (Ada, Eva, Lin…): an occurrence inside the base64 of a ciphertext is
    chance and is not counted (Ciphertexts), any other is a leak."""
    from parcours.demo.generator import generate
    from parcours.people.models import Person
    from parcours.records.models import LifeStoryVersion

    settings.PARCOURS_DOCUMENTS_DIR = tmp_path
    with clock.travel_to(dt.date(2026, 11, 23)):
        generate(seed=2026)
    from parcours.accounts.models import Organisation, User

    people = list(Person.objects.all())
    secrets_ = {p.last_name for p in people} | {p.first_name for p in people}
    secrets_ |= {p.phone for p in people if p.phone} | {p.safe_phone for p in people if p.safe_phone}
    secrets_ |= {v.text.split(".")[0] for v in LifeStoryVersion.objects.all()}
    # A person's first name may be the first name of a staff account or a word of an organisation's name,
    # which are stored in clear: those few are left out (they say nothing about the person).
    staff = {n for u in User.objects.all() for n in (u.first_name, u.last_name)}
    staff |= {w for o in Organisation.objects.all() for w in o.name.split()}
    secrets_ -= staff
    short = {s for s in secrets_ if len(s) < 12 and set(s) <= set(string.ascii_letters)}
    assert len(secrets_) > 200 and len(short) > 50
    # Whole values, every name: the logical dump (SQLite's iterdump, pg_dump).
    found = Ciphertexts(logical_dump(tmp_path))
    assert sorted(s for s in secrets_ if found.found_in_clear(s)) == []
    # The raw bytes of the file too, for what chance cannot spell: a long ciphertext continues on overflow
    # pages without its "v1:kid:" prefix, where three base64 letters occur by chance.
    raw = Ciphertexts(dump(tmp_path))
    assert sorted(s for s in secrets_ - short if len(s) >= 6 and raw.found_in_clear(s)) == []


# --- Every text column of every model linked to a person ----------------------------------------------------
def canary(n: int) -> str:
    """Five letters, all of them base64 letters: short names must be found too (base64-aware search)."""
    return "Qz" + string.ascii_lowercase[n // 26 % 26] + string.ascii_lowercase[n % 26] + "k"


def dropin_session(association):
    from parcours.outreach.models import DropInSession

    return DropInSession.objects.create(organisation=association, day=dt.date(2026, 1, 6),
                                        starts_at=dt.time(13, 30), ends_at=dt.time(18, 30),
                                        place="Local fictif")  # fmt: skip


class CanaryWriter:
    """Creates one row of each model, through the model (its save()), with a canary in each free-text
    column; choice columns get a valid code. Foreign keys point at the rows already written."""

    def __init__(self, personas):
        from parcours.accounts.models import Membership, Organisation, User
        from parcours.core.models import Departement

        self.rows: dict[type[models.Model], models.Model] = {
            Organisation: personas.association,
            Departement: personas.association.departement,
            User: personas.worker.user,
            Membership: personas.worker,
        }
        self.linked = linked_models()
        self.written: dict[tuple[str, str], str] = {}  # (model label, column) -> canary
        self.day = dt.date(2026, 1, 5)
        # Rows whose constraints need two different organisations (a transfer goes to another association).
        self.overrides = {
            "transfers.transfer": {"to_association": personas.other_association},
            # A visit belongs to a drop-in session or a round (a check constraint): a session here.
            "outreach.visit": {"session": dropin_session(personas.association)},
            # An employment outcome names its contract and hours (a check constraint): an outcome without one.
            "employment.outcome": {"kind": "in_training"},
        }

    def about_people(self, model) -> bool:
        from parcours.core.classification import CLASSIFICATION

        return model in self.linked or model._meta.label_lower in CLASSIFICATION

    def _next_day(self) -> dt.date:
        self.day += dt.timedelta(days=1)
        return self.day

    def _value(self, model, field):
        label = model._meta.label_lower
        if isinstance(field, models.DateField) and is_text_column(field):  # encrypted date
            value = dt.date(1961, 1, 1) + dt.timedelta(days=len(self.written) * 37)
            self.written[(label, field.name)] = value.isoformat()
            return value
        if is_text_column(field) and not field.choices and not self.about_people(model):
            # A row needed only as a foreign key target, in a model neither linked to a person nor classified
            # (a commission member: professional data, decision 0039): a plain value, not a canary.
            return [] if isinstance(field, models.JSONField) else "valeur-sans-objet"
        if is_text_column(field) and not field.choices:
            value = canary(len(self.written))
            self.written[(label, field.name)] = value
            return [value] if isinstance(field, models.JSONField) else value
        if field.has_default():
            return field.get_default()
        if field.choices:
            return field.choices[0][0] if not field.blank else ""
        if field.null:
            return None
        if isinstance(field, models.DateTimeField):
            return dt.datetime.combine(self._next_day(), dt.time(9), tzinfo=dt.UTC)
        if isinstance(field, models.DateField):
            return self._next_day()
        if isinstance(field, models.TimeField):  # increasing: a start comes before its end
            self.hour = getattr(self, "hour", 8) + 1
            return dt.time(self.hour)
        if isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
            return Decimal(1) if isinstance(field, models.DecimalField) else 1
        if isinstance(field, models.BooleanField):
            return False
        if isinstance(field, models.UUIDField):  # a visit's idempotency key (parcours.outreach)
            return uuid.uuid4()
        raise AssertionError(f"no value for {label}.{field.name}")

    def row(self, model) -> models.Model:
        if model in self.rows:
            return self.rows[model]
        values = {}
        for field in model._meta.concrete_fields:
            if field.primary_key:
                continue
            if field.is_relation:
                target = field.related_model
                if not field.null or target in self.linked or target in self.rows:
                    values[field.name] = self.row(target)
                continue
            values[field.attname] = self._value(model, field)
        values.update(self.overrides.get(model._meta.label_lower, {}))
        instance = model(**values)
        instance.save()
        self.rows[model] = instance
        return instance


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_canary_typed_into_any_text_column_is_found_in_the_database_only_where_the_table_allows(
    personas, tmp_path
):
    """Walks the models linked to a person found from Django's registry (not from the table) and the
    models of the classification table, writes a canary into every free-text column, then looks for each
    canary in the raw database (SQLite file bytes, pg_dump). A canary may appear only in a column the
    classification table leaves in clear; there it must appear (the search itself works)."""
    from django.apps import apps

    from parcours.core.classification import CLASSIFICATION, clear_columns

    writer = CanaryWriter(personas)
    models_ = writer.linked | {apps.get_model(label) for label in CLASSIFICATION}
    models_ -= {apps.get_model("audit.accesslog")}  # written by the journal only (rows are chained)
    for model in sorted(models_, key=lambda m: m._meta.label_lower):
        writer.row(model)
    assert len(writer.written) > 40

    # Those allowed still read every value back.
    for model in models_:
        stored = model.objects.get(pk=writer.rows[model].pk)
        for field in text_columns(model):
            key = (model._meta.label_lower, field.name)
            if key in writer.written and key not in RECOMPUTED_ON_SAVE:
                value = field.value_from_object(stored)
                value = value.isoformat() if isinstance(value, dt.date) else value
                assert writer.written[key] in (value if isinstance(value, list) else [value]), key

    found = Ciphertexts(database_bytes(tmp_path))
    allowed_in_clear = clear_columns()
    in_clear = {key for key, marker in writer.written.items() if found.found_in_clear(marker)}
    assert sorted(in_clear - allowed_in_clear) == []
    # Positive control: what the table leaves in clear is found (the blind indexes are recomputed on save).
    expected = {k for k in writer.written if k in allowed_in_clear} - RECOMPUTED_ON_SAVE
    assert expected and sorted(expected - in_clear) == []
