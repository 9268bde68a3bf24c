"""A dump of the database shows none of the names, phone numbers, notes or life-story sentences of the people
in it, while the pages still show them to those allowed. (security.md: "Data at rest")"""

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from parcours.core import clock
from parcours.followup import services as followup
from parcours.people.models import OtherName
from parcours.records import services as records

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


def dump() -> str:
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))
    binary = shutil.which("pg_dump") or (str(installed[-1]) if installed else None)
    if binary is None:
        pytest.skip("pg_dump absent")
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    args = [binary, "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432),
            "-U", db.get("USER") or "postgres", db["NAME"]]  # fmt: skip
    return subprocess.run(args, check=True, capture_output=True, text=True, env=env).stdout  # noqa: S603


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dump_contains_no_identity_note_or_life_story_in_clear(client, personas):
    person = personas.person(birth_date=dt.date(1993, 7, 14), referent=personas.worker.user, **CANARIES)
    OtherName.objects.create(person=person, name=OTHER_NAME)
    with clock.travel_to(dt.date(2026, 3, 2)):
        followup.add_note(person, personas.worker, domain="health", held_on=dt.date(2026, 3, 2), text=NOTE,
                          sensitive=True)  # fmt: skip
        records.save_life_story(person, personas.worker, STORY, based_on=0)

    text = dump()
    assert "CREATE TABLE" in text
    for marker in [*CANARIES.values(), OTHER_NAME, NOTE, STORY, "canarisecret", "canarirecit", "1993-07-14"]:
        assert marker not in text, marker

    # Those allowed still read everything.
    client.force_login(personas.worker.user)
    page = client.get(reverse("people:situation", args=[person.pk])).content.decode()
    assert CANARIES["first_name"] in page and CANARIES["safe_phone"] in page
    notes = client.get(reverse("followup:notes", args=[person.pk])).content.decode()
    assert "canarisecret" in notes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dump_of_the_demo_database_shows_no_demo_name_phone_or_life_story(settings, tmp_path):
    from parcours.demo.generator import generate
    from parcours.people.models import Person
    from parcours.records.models import LifeStoryVersion

    settings.PARCOURS_DOCUMENTS_DIR = tmp_path
    with clock.travel_to(dt.date(2026, 11, 23)):
        generate(seed=2026)
    people = list(Person.objects.all())
    secrets_ = {p.last_name for p in people} | {p.first_name for p in people if len(p.first_name) > 3}
    secrets_ |= {p.phone for p in people if p.phone} | {p.safe_phone for p in people if p.safe_phone}
    secrets_ |= {v.text.split(".")[0] for v in LifeStoryVersion.objects.all()}
    # Ciphertext is base64: a short name made only of base64 letters could appear in it by chance. Names
    # with an accent, a hyphen or a space (all demo surnames), phones and sentences cannot.
    base64_letters = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
    secrets_ = {s for s in secrets_ if len(s) >= 12 or not set(s) <= base64_letters}
    assert len(secrets_) > 200
    text = dump()
    leaked = sorted(s for s in secrets_ if s in text)
    assert leaked == []
