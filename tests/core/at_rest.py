"""What the data-at-rest tests share: the models linked to a person found from Django's model registry (not
from the classification table), their text columns, the raw bytes of the database, and a search for a
marker that ignores what is inside a ciphertext token."""

from __future__ import annotations

import bisect
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models

from parcours.core.fields import EncryptedMixin

from ..tools import required

# "v1:<kid>:<base64>", as core/crypto.py writes it (kid: letters, digits, "-" or "_").
CIPHERTEXT_TOKEN = re.compile(r"v1:[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]+=*")


def person_model():
    return apps.get_model("people", "Person")


def linked_models() -> set[type[models.Model]]:
    """Every concrete model from which a chain of foreign keys (or one-to-one keys) leads to Person, and
    Person itself."""
    person = person_model()

    def reaches(model, seen: frozenset) -> bool:
        if model is person:
            return True
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target is not None and target not in seen and reaches(target, seen | {model}):
                return True
        return False

    return {m for m in apps.get_models() if m._meta.managed and not m._meta.proxy and reaches(m, frozenset())}


def is_text_column(field: models.Field) -> bool:
    return isinstance(field, (models.CharField, models.TextField, models.JSONField, EncryptedMixin))


def text_columns(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if is_text_column(f)]


def database_bytes(tmp_path: Path) -> str:
    """Everything the database holds, as an attacker holding its files or a dump would read it: on SQLite
    the bytes of the database file (the WAL checkpointed first; an in-memory test database is copied page
    by page to a file); on PostgreSQL the output of pg_dump, or COPY … TO STDOUT of every table when pg_dump
    is missing outside CI. Decoded as Latin-1 so that every byte stays one character."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        name = str(connection.settings_dict["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            target = tmp_path / "copy.sqlite3"
            copy = sqlite3.connect(target)
            raw.backup(copy)
            copy.close()
            data = target.read_bytes()
        else:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            data = Path(name).read_bytes()
            wal = Path(f"{name}-wal")
            if wal.exists():
                data += wal.read_bytes()
        return data.decode("latin-1")
    return _pg_dump() or _pg_copy_everything()


def logical_dump(tmp_path: Path) -> str:
    """Every value whole: SQLite's iterdump (SQL text), or what database_bytes gives on PostgreSQL."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    return database_bytes(tmp_path)


def _pg_dump() -> str | None:
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))
    binary = shutil.which("pg_dump") or (str(installed[-1]) if installed else None)
    in_ci = required()  # CI=true or PARCOURS_REQUIRE_BROWSER=1 (.ci/run): fail, never fall back
    if binary is None:
        if in_ci:
            pytest.fail("pg_dump is missing: CI must install postgresql-client (.ci/run)")
        return None
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    args = [binary, "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432),
            "-U", db.get("USER") or "postgres", db["NAME"]]  # fmt: skip
    done = subprocess.run(args, capture_output=True, env=env, check=False)  # noqa: S603
    if done.returncode != 0:
        if in_ci:
            pytest.fail(f"pg_dump failed: {done.stderr.decode(errors='replace')}")
        return None
    return done.stdout.decode("latin-1")


def _pg_copy_everything() -> str:
    out = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname, tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = cursor.fetchall()
        for schema, table in tables:
            name = f"{connection.ops.quote_name(schema)}.{connection.ops.quote_name(table)}"
            with cursor.cursor.copy(f"COPY {name} TO STDOUT") as copy:
                out.append(b"".join(bytes(block) for block in copy).decode("utf-8"))
    return "\n".join(out)


class Ciphertexts:
    """The ciphertext tokens ("v1:kid:base64") of a text, with their true ends. In the raw bytes of SQLite
    the value stored after a ciphertext may follow it with no separator, so base64 letters run on past the
    token: its end is found by decrypting (AES-GCM authenticates: a wrong length never decrypts), longest
    first, under each encrypted column's context."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = list(CIPHERTEXT_TOKEN.finditer(text))
        self.starts = [t.start() for t in self.tokens]
        self.contexts = [
            f.crypto_context for m in apps.get_models() for f in m._meta.concrete_fields
            if isinstance(f, EncryptedMixin)
        ]  # fmt: skip
        self._ends: dict[int, int | None] = {}

    def _b64_start(self, token: re.Match) -> int:
        return token.end() - len(token.group(0).split(":", 2)[2])

    def true_end(self, i: int) -> int | None:
        if i not in self._ends:
            from parcours.core import crypto

            token, self._ends[i] = self.tokens[i], None
            b64_start = self._b64_start(token)
            for end in range(token.end(), b64_start, -1):
                if (end - b64_start) % 4:
                    continue
                stored = self.text[token.start() : end]
                if any(self._decrypts(crypto, stored, c) for c in self.contexts):
                    self._ends[i] = end
                    break
        return self._ends[i]

    @staticmethod
    def _decrypts(crypto, stored: str, context: str) -> bool:
        try:
            crypto.decrypt(stored, context)
        except crypto.DecryptionError:
            return False
        return True

    def found_in_clear(self, marker: str) -> bool:
        """Whether `marker` occurs outside every ciphertext, whatever its length: an occurrence inside the
        base64 of a ciphertext is chance, not a leak."""
        position = self.text.find(marker)
        while position != -1:
            i = bisect.bisect_right(self.starts, position) - 1
            if i < 0 or position < self._b64_start(self.tokens[i]):
                return True
            end = self.true_end(i)
            if end is None or position + len(marker) > end:
                return True
            position = self.text.find(marker, position + 1)
        return False
