"""Encryption at rest of sensitive fields, and the blind index for exact look-ups.

AES-256-GCM from `cryptography`, with keys that live outside the database and apart from SECRET_KEY:

- PARCOURS_ENCRYPTION_KEYS: "kid:base64key,kid:base64key" (32-byte keys), the first one encrypts, all
  decrypt; or, when unset, the file <data dir>/keys/encryption.keys (one "kid:base64key" a line, created
  by the demo). Rotation: put a new key first, run `manage.py rotate_encryption_keys`, then remove the old.
- PARCOURS_BLIND_INDEX_KEY: base64 32 bytes, or <data dir>/keys/blind_index.key.

A stored value reads "v1:<kid>:<base64(nonce || ciphertext)>". The column's name is bound to the
ciphertext (associated data), so a value copied into another column does not decrypt.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    pass


def _keys_dir() -> Path:
    return Path(settings.DATA_DIR) / "keys"


def generate_key_line(kid: str | None = None) -> str:
    kid = kid or secrets.token_hex(4)
    return f"{kid}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


def ensure_local_keys() -> None:
    """Create the key files of a demo or development instance (never used when keys come from the env)."""
    folder = _keys_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    enc = folder / "encryption.keys"
    if not enc.exists() and not os.environ.get("PARCOURS_ENCRYPTION_KEYS"):
        enc.write_text(generate_key_line() + "\n")
        enc.chmod(0o600)
    blind = folder / "blind_index.key"
    if not blind.exists() and not os.environ.get("PARCOURS_BLIND_INDEX_KEY"):
        blind.write_text(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        blind.chmod(0o600)
    load_keys.cache_clear()
    blind_index_key.cache_clear()


@functools.cache
def load_keys() -> tuple[str, dict[str, AESGCM]]:
    raw = os.environ.get("PARCOURS_ENCRYPTION_KEYS")
    if raw is None:
        path = _keys_dir() / "encryption.keys"
        if not path.exists():
            ensure_local_keys()
        raw = path.read_text()
    entries = [e.strip() for e in raw.replace("\n", ",").split(",") if e.strip()]
    if not entries:
        raise ImproperlyConfigured("PARCOURS_ENCRYPTION_KEYS is empty")
    keys = {}
    for entry in entries:
        kid, _sep, b64 = entry.partition(":")
        key = base64.b64decode(b64)
        if len(key) != 32 or not kid:
            raise ImproperlyConfigured("Each encryption key must be 'kid:base64' of 32 bytes")
        keys[kid] = AESGCM(key)
    return entries[0].partition(":")[0], keys


def current_kid() -> str:
    return load_keys()[0]


def encrypt(plaintext: str, context: str) -> str:
    kid, keys = load_keys()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = keys[kid].encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}:{kid}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(stored: str, context: str) -> str:
    try:
        prefix, kid, b64 = stored.split(":", 2)
        if prefix != PREFIX:
            raise ValueError
        blob = base64.b64decode(b64)
        key = load_keys()[1][kid]
        return key.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode()).decode()
    except (ValueError, KeyError, InvalidTag) as exc:
        # Never include the stored value: it would end up in logs and error reports.
        raise DecryptionError(f"Cannot decrypt a value of {context}") from exc


def key_id_of(stored: str) -> str | None:
    parts = stored.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None


@functools.cache
def blind_index_key() -> bytes:
    raw = os.environ.get("PARCOURS_BLIND_INDEX_KEY")
    if raw is None:
        path = _keys_dir() / "blind_index.key"
        if not path.exists():
            ensure_local_keys()
        raw = path.read_text()
    key = base64.b64decode(raw.strip())
    if len(key) < 32:
        raise ImproperlyConfigured("PARCOURS_BLIND_INDEX_KEY must be at least 32 bytes (base64)")
    return key


def blind_index(*parts: str, bits: int | None = None) -> str:
    """A keyed hash truncated to `bits` bits: equal inputs give equal indexes, but with tens of thousands
    of people each index value is shared by several of them, so the index alone confirms nobody."""
    bits = bits or getattr(settings, "PARCOURS_BLIND_INDEX_BITS", 16)
    digest = hmac.new(blind_index_key(), "\x1f".join(parts).encode(), hashlib.sha256).digest()
    value = int.from_bytes(digest, "big") >> (256 - bits)
    return f"{value:0{(bits + 3) // 4}x}"


def encrypt_existing_rows(apps, schema_editor, model_label: str, field_names: list[str]) -> None:
    """Migration helper: encrypt the values a column held in clear before it became encrypted."""
    model = apps.get_model(model_label)
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    for name in field_names:
        field = model._meta.get_field(name)
        context = f"{model._meta.app_label}.{model._meta.model_name}.{name}"
        column = qn(field.column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, {column} FROM {table}")  # noqa: S608 (names from the model)
            rows = [(k, v) for k, v in cursor.fetchall() if v not in (None, "") and key_id_of(str(v)) is None]
            for key, value in rows:
                cursor.execute(
                    f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                    [encrypt(str(value), context), key],
                )


def decrypt_existing_rows(apps, schema_editor, model_label: str, field_names: list[str]) -> None:
    """Migration helper, the reverse of `encrypt_existing_rows`: put the values back in clear."""
    model = apps.get_model(model_label)
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    for name in field_names:
        field = model._meta.get_field(name)
        context = f"{model._meta.app_label}.{model._meta.model_name}.{name}"
        column = qn(field.column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, {column} FROM {table}")  # noqa: S608 (names from the model)
            rows = [(k, v) for k, v in cursor.fetchall() if v and key_id_of(str(v)) is not None]
            for key, value in rows:
                cursor.execute(
                    f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                    [decrypt(str(value), context), key],
                )


def encrypted_columns_migration(fields: dict[str, list[str]]):
    """A reversible RunPython that encrypts (forwards) or decrypts (backwards) the existing rows of
    `fields` ({"app.Model": ["field", …]}); put it after the AlterField operations going forwards."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        for label, names in fields.items():
            encrypt_existing_rows(apps, schema_editor, label, names)

    def backwards(apps, schema_editor):
        for label, names in fields.items():
            decrypt_existing_rows(apps, schema_editor, label, names)

    return migrations.RunPython(forwards, backwards)
