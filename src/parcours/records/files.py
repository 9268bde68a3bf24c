"""Uploaded files: checked on their content (never on their name), kept outside the web root under a random
name and encrypted, read back only by the download view after its permission check.

They are kept by the storage settings.STORAGES["documents"] (core/storage.py): the folder
PARCOURS_DOCUMENTS_DIR, or an S3-compatible object store shared by every app server. This module reaches it
through Django's storage API only (save, open, replace, delete, listdir), never through a path, and seals each
file before it leaves the application: the store only ever holds the envelope below.

Accepted: PDF, JPEG and PNG, up to settings.PARCOURS_DOCUMENT_MAX_BYTES (10 Mo by default). A PDF must start
with its signature and end with its end-of-file marker; an image must really decode with Pillow.

A stored file is sealed with core/crypto.py's one envelope, b"v1:<kid>:" + nonce + AES-256-GCM(content), with
the keys of core/crypto.py (outside the database, apart from SECRET_KEY) and "records.document.file:" + the
file's storage name as associated data: a stolen disk, bucket or backup of the documents shows nothing, and a
file renamed to another document's name does not decrypt. Files written before the envelope was shared
("PRC1:<kid>:" + nonce + AES-256-GCM, the storage name alone as associated data) are still read, and
`manage.py rotate_encryption_keys --wet-run` rewrites them in the envelope (`rewrap`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
import warnings
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from parcours.core import crypto
from parcours.core.errors import DomainError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; decoding bigger images could exhaust the server's memory

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg"), PNG: (".png",)}
KNOWN_EXTENSIONS = frozenset(ext for exts in EXTENSIONS.values() for ext in exts)
PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG"}
STORAGE_NAME = re.compile(r"^[0-9a-f]{32}$")
MAX_NAME_LENGTH = 120


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return getattr(settings, "PARCOURS_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def storage():
    """The storage of the documents (core/storage.py: a folder or an object store)."""
    return storages["documents"]


def where() -> str:
    """Where the documents are kept, for an operator's message (a folder, or s3://bucket/prefix)."""
    return storage().describe()


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return _("%(n)s Mo") % {"n": f"{size / (1024 * 1024):.1f}".replace(".", ",").replace(",0", "")}
    return _("%(n)s ko") % {"n": max(1, round(size / 1024))}


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _refuse_type() -> DomainError:
    return DomainError(
        _("Ce fichier n'est pas un PDF, une image JPEG ou une image PNG valide : il n'a pas été enregistré.")
    )


def check_upload(upload) -> CheckedFile:
    """Read the whole upload: size, SHA-256, and what its content really is. Raises DomainError."""
    limit = max_bytes()
    if upload is None:
        raise DomainError(_("Choisissez un fichier à déposer."))
    if upload.size is not None and upload.size > limit:
        raise DomainError(
            _("Le fichier dépasse la taille maximale de %(max)s : il n'a pas été enregistré.")
            % {"max": human_size(limit)}
        )
    digest = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        tail = (tail + chunk)[-2048:]
        size += len(chunk)
        if size > limit:
            raise DomainError(
                _("Le fichier dépasse la taille maximale de %(max)s : il n'a pas été enregistré.")
                % {"max": human_size(limit)}
            )
        digest.update(chunk)
    if size == 0:
        raise DomainError(_("Le fichier est vide : il n'a pas été enregistré."))
    content_type = _sniff(head)
    if content_type is None:
        raise _refuse_type()
    if content_type == PDF:
        if b"%%EOF" not in tail:
            raise _refuse_type()
    else:
        _check_image(upload, content_type)
    upload.seek(0)
    return CheckedFile(content_type=content_type, size=size, sha256=digest.hexdigest())


def _check_image(upload, content_type: str) -> None:
    """The image must be what its signature says and decode entirely (a truncated file does not)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as image:
                if image.format != PIL_FORMATS[content_type]:
                    raise _refuse_type()
                image.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise DomainError(
                        _("L'image est trop grande (plus de 50 millions de pixels) : réduisez-la avant de la "
                          "déposer.")
                    )  # fmt: skip
                if content_type == JPEG:
                    # Decode at 1/8 scale: the whole stream is still read and checked, with less memory.
                    image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
                image.load()
    except DomainError:
        raise
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:  # fmt: skip
        raise _refuse_type() from exc


def clean_filename(name: str | None, content_type: str) -> str:
    """A harmless display name: no folder, no control or direction characters, a sensible length, and the
    extension of what the file really is."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(
        " " if unicodedata.category(ch)[0] == "Z" else ch for ch in name if unicodedata.category(ch)[0] != "C"
    )
    name = re.sub(r'[<>:"|?*;]', "_", name)
    name = re.sub(r"\s+", " ", name).strip()
    stem, dot, ext = name.rpartition(".")
    if dot and f".{ext.lower()}" in KNOWN_EXTENSIONS:
        ext = f".{ext.lower()}"
    else:
        stem, ext = name, ""
    stem = stem.strip(" .")[:MAX_NAME_LENGTH].strip(" .") or _("document")
    if ext not in EXTENSIONS[content_type]:
        ext = EXTENSIONS[content_type][0]
    return f"{stem}{ext}"


def new_storage_name() -> str:
    return uuid.uuid4().hex


def stored_name(storage_name: str) -> str:
    """The name of a document in its storage, "ab/ab…": the storage name is ours (a UUID), checked again so
    that no stored value can lead out of the documents' folder or prefix."""
    if not STORAGE_NAME.match(storage_name):
        raise ValueError("invalid storage name")
    return f"{storage_name[:2]}/{storage_name}"


LEGACY_PREFIX = b"PRC1:"  # the format of files written before the one envelope; read, never written
NONCE_BYTES = 12


def context_of(storage_name: str) -> str:
    return f"records.document.file:{storage_name}"


def seal(content: bytes, storage_name: str) -> bytes:
    return crypto.encrypt_bytes(content, context_of(storage_name))


def unseal(blob: bytes, storage_name: str) -> bytes:
    if blob.startswith(LEGACY_PREFIX):
        return _unseal_legacy(blob, storage_name)
    try:
        return crypto.decrypt_bytes(blob, context_of(storage_name))
    except crypto.DecryptionError as exc:
        raise crypto.DecryptionError("Cannot decrypt a stored document") from exc


def _unseal_legacy(blob: bytes, storage_name: str) -> bytes:
    try:
        _prefix, kid, sealed = blob.split(b":", 2)
        key = crypto.load_keys()[1][kid.decode()]
        return key.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], storage_name.encode())
    except (ValueError, KeyError, UnicodeDecodeError, InvalidTag) as exc:
        raise crypto.DecryptionError("Cannot decrypt a stored document") from exc


def _read_sealed(storage_name: str) -> bytes:
    """The stored envelope. FileNotFoundError when missing, OSError when the store fails (core/storage.py)."""
    with storage().open(stored_name(storage_name), "rb") as handle:
        return handle.read()


def rewrap(wet_run: bool = False) -> int:
    """Documents not sealed in the envelope under the current key (older key or older format): how many,
    and with wet_run, re-encrypt each one in place (atomically: the storage's `replace`). Resumable: a
    rewritten file is skipped next time."""
    from parcours.records.models import Document

    kid = crypto.current_kid()
    stale = 0
    for name in Document.objects.order_by("pk").values_list("storage_name", flat=True).iterator():
        try:
            blob = _read_sealed(name)
        except FileNotFoundError:
            continue  # reported by the documents' own checks; nothing to re-encrypt
        if crypto.key_id_of_bytes(blob) == kid:
            continue
        stale += 1
        if wet_run:
            storage().replace(stored_name(name), seal(unseal(blob, name), name))
    return stale


def write(upload, storage_name: str) -> str:
    """Seal the upload and store it under `storage_name` (never over an existing file); returns its name in
    the storage."""
    name = stored_name(storage_name)
    upload.seek(0)
    sealed = seal(b"".join(upload.chunks()), storage_name)
    saved = storage().save(name, ContentFile(sealed))
    if saved != name:  # the storage found a file of that name and chose another: a UUID collision
        storage().delete(saved)
        raise FileExistsError("a stored document already has this name")
    return saved


def read(storage_name: str) -> bytes:
    """The decrypted content. Raises OSError when the file is missing or the store fails, DecryptionError when
    it was altered."""
    return unseal(_read_sealed(storage_name), storage_name)


def remove(storage_name: str) -> None:
    storage().delete(stored_name(storage_name))


def remove_all() -> int:
    """Delete every file of the documents' storage (the demo's --reset, after the flush of the rows that
    named them); returns how many."""
    store = storage()
    removed = 0
    folders = [""]
    while folders:
        folder = folders.pop()
        try:
            subfolders, names = store.listdir(folder)
        except FileNotFoundError:  # a folder never created: nothing stored yet
            continue
        folders += [f"{folder}{sub}/" for sub in subfolders]
        for file_name in names:
            store.delete(f"{folder}{file_name}")
            removed += 1
    return removed
