"""Encryption at rest of sensitive fields, and the blind index for exact look-ups.

AES-256-GCM from `cryptography`, with keys that live outside the database and apart from SECRET_KEY:

- PARCOURS_ENCRYPTION_KEYS: "kid:base64key,kid:base64key" (32-byte keys), the first one encrypts, all
  decrypt; or, in demo mode only (PARCOURS_DEMO=1) when unset, the file <data dir>/keys/encryption.keys
  (one "kid:base64key" a line, generated). Rotation: put a new key first, run
  `manage.py rotate_encryption_keys`, then remove the old.
- PARCOURS_BLIND_INDEX_KEY: base64 32 bytes, or in demo mode <data dir>/keys/blind_index.key.
- PARCOURS_AUDIT_KEY (the journal's chain): base64 32 bytes, or in demo mode <data dir>/keys/audit.key.

The values come from django.conf.settings (settings.py reads the environment). Outside demo mode a missing
key stops the start-up (settings.py) and is never generated.

A stored value reads "v1:<kid>:<base64(nonce || ciphertext)>". The column's name is bound to the
ciphertext (associated data), so a value copied into another column does not decrypt. Files use the same
envelope unencoded (encrypt_bytes / decrypt_bytes): b"v1:<kid>:" + nonce + ciphertext, see
docs/security/encryption.md; tests/core/test_crypto.py pins both forms with known answers.
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
from django.dispatch import Signal

PREFIX = "v1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    pass


def _keys_dir() -> Path:
    return Path(settings.DATA_DIR) / "keys"


def generate_key_line(kid: str | None = None) -> str:
    kid = kid or secrets.token_hex(4)
    return f"{kid}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    path.chmod(0o600)


def ensure_local_keys() -> None:
    """Create the key files of the demo or the test suite (PARCOURS_DEMO=1) into <data dir>/keys, 0600 in a
    0700 folder; keys given by the environment are not written. Outside demo mode: refused."""
    if not settings.PARCOURS_DEMO:
        raise ImproperlyConfigured(
            "Hors démonstration (PARCOURS_DEMO), les clés viennent de l'environnement et ne sont jamais "
            "générées dans le dossier de données."
        )
    folder = _keys_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    enc = folder / "encryption.keys"
    if not enc.exists() and not settings.PARCOURS_ENCRYPTION_KEYS:
        _write_private(enc, generate_key_line() + "\n")
    for name, setting in (
        ("blind_index.key", "PARCOURS_BLIND_INDEX_KEY"),
        ("audit.key", "PARCOURS_AUDIT_KEY"),
    ):
        path = folder / name
        if not path.exists() and not getattr(settings, setting, None):
            _write_private(path, base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    load_keys.cache_clear()
    blind_index_key.cache_clear()
    audit_key.cache_clear()


def _key_text(setting: str, file_name: str) -> str:
    """The key of `setting`, or in demo mode the file <data dir>/keys/<file_name> (generated if missing)."""
    if raw := getattr(settings, setting, None):
        return raw
    if not settings.PARCOURS_DEMO:
        raise ImproperlyConfigured(f"{setting} manque (hors démonstration, aucune clé n'est générée).")
    path = _keys_dir() / file_name
    if not path.exists():
        ensure_local_keys()
    return path.read_text()


@functools.cache
def load_keys() -> tuple[str, dict[str, AESGCM]]:
    raw = _key_text("PARCOURS_ENCRYPTION_KEYS", "encryption.keys")
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


def new_nonce() -> bytes:
    """A fresh random 96-bit nonce for every encryption (tests pin it to check the format, never code)."""
    return secrets.token_bytes(NONCE_BYTES)


# --- The one envelope --------------------------------------------------------------------------------
# A field and a file are sealed the same way: AES-256-GCM under the current key <kid>, a fresh nonce, the
# context as associated data; stored as "v1:<kid>:" followed by nonce || ciphertext-and-tag, in base64 for
# a text column (encrypt/decrypt) and raw for a file (encrypt_bytes/decrypt_bytes).
def _seal(plaintext: bytes, context: str) -> tuple[str, bytes]:
    kid, keys = load_keys()
    nonce = new_nonce()
    if len(nonce) != NONCE_BYTES:
        raise ValueError("nonce must be 12 bytes")
    return kid, nonce + keys[kid].encrypt(nonce, plaintext, context.encode())


def _open(kid: str, blob: bytes, context: str) -> bytes:
    key = load_keys()[1][kid]  # KeyError: a key that is no longer (or not yet) configured
    return key.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode())


def encrypt(plaintext: str, context: str) -> str:
    kid, blob = _seal(plaintext.encode(), context)
    return f"{PREFIX}:{kid}:{base64.b64encode(blob).decode()}"


def decrypt(stored: str, context: str) -> str:
    try:
        prefix, kid, b64 = stored.split(":", 2)
        if prefix != PREFIX:
            raise ValueError
        return _open(kid, base64.b64decode(b64), context).decode()
    except (ValueError, KeyError, InvalidTag) as exc:
        # Never include the stored value: it would end up in logs and error reports.
        raise DecryptionError(f"Cannot decrypt a value of {context}") from exc


def encrypt_bytes(plaintext: bytes, context: str) -> bytes:
    """The envelope of `encrypt`, unencoded: b"v1:<kid>:" + nonce + ciphertext (files, exports)."""
    kid, blob = _seal(plaintext, context)
    return f"{PREFIX}:{kid}:".encode() + blob


def decrypt_bytes(stored: bytes, context: str) -> bytes:
    try:
        prefix, kid, blob = stored.split(b":", 2)
        if prefix.decode() != PREFIX:
            raise ValueError
        return _open(kid.decode(), blob, context)
    except (ValueError, KeyError, UnicodeDecodeError, InvalidTag) as exc:
        raise DecryptionError(f"Cannot decrypt a value of {context}") from exc


def key_id_of_bytes(stored: bytes) -> str | None:
    """The key id of a bytes envelope, None when `stored` is not one (an older format, or clear)."""
    parts = stored[:64].split(b":", 2)
    if len(parts) == 3 and parts[0] == PREFIX.encode():
        try:
            return parts[1].decode()
        except UnicodeDecodeError:
            return None
    return None


# Stores outside the database sealed with the envelope (the uploaded documents): each app registers a
# function `rewrap(wet_run: bool) -> int` (how many items are not under the current key, re-encrypted when
# wet_run) that `manage.py rotate_encryption_keys` calls; core never imports the apps above it.
REWRAPPERS: dict[str, object] = {}


def register_rewrapper(label: str, rewrap) -> None:
    REWRAPPERS[label] = rewrap


# Sent by `rotate_encryption_keys --wet-run` inside a transaction, before it rewrites anything, with the
# current key id (`kid`): the journal (audit/signals.py) writes one system row per run.
keys_rotated = Signal()


def key_id_of(stored: str) -> str | None:
    parts = stored.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None


@functools.cache
def blind_index_key() -> bytes:
    raw = _key_text("PARCOURS_BLIND_INDEX_KEY", "blind_index.key")
    key = base64.b64decode(raw.strip())
    if len(key) < 32:
        raise ImproperlyConfigured("PARCOURS_BLIND_INDEX_KEY must be at least 32 bytes (base64)")
    return key


@functools.cache
def audit_key() -> bytes:
    """The key that seals the access journal (HMAC-SHA256 of each row, of the chain head and of the
    checkpoints): PARCOURS_AUDIT_KEY (base64 of 32 bytes); in demo mode only, <data dir>/keys/audit.key,
    generated at first use like blind_index.key. Outside demo mode a missing key is ImproperlyConfigured."""
    raw = _key_text("PARCOURS_AUDIT_KEY", "audit.key")
    try:
        key = base64.b64decode(str(raw).strip(), validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("PARCOURS_AUDIT_KEY must be base64 (32 bytes)") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("PARCOURS_AUDIT_KEY must be base64 of exactly 32 bytes")
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
    _rewrite_rows(apps, schema_editor, model_label, field_names, encrypted=False, transform=encrypt)


def decrypt_existing_rows(apps, schema_editor, model_label: str, field_names: list[str]) -> None:
    """Migration helper, the reverse of `encrypt_existing_rows`: put the values back in clear."""
    _rewrite_rows(apps, schema_editor, model_label, field_names, encrypted=True, transform=decrypt)


def _rewrite_rows(apps, schema_editor, model_label, field_names, *, encrypted: bool, transform) -> None:
    """Rewrite, in raw SQL, every non-empty value of the columns that is (`encrypted`) or is not yet a
    ciphertext, through `transform(value, context)` with the column's own context."""
    model = apps.get_model(model_label)
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    for name in field_names:
        column = qn(model._meta.get_field(name).column)
        context = f"{model._meta.app_label}.{model._meta.model_name}.{name}"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, {column} FROM {table}")  # noqa: S608 (names from the model)
            rows = [
                (k, v) for k, v in cursor.fetchall() if v and (key_id_of(str(v)) is not None) is encrypted
            ]
            for key, value in rows:
                cursor.execute(
                    f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                    [transform(str(value), context), key],
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
