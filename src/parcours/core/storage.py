"""Where the uploaded documents are kept: a folder of this machine (the default) or an S3-compatible object
store shared by every app server (docs/deploy/scaling.md, docs/decisions/0037-object-storage-and-stateless-
servers.md). settings.STORAGES["documents"] names one of the two backends below; records/files.py reaches it
through Django's storage API only (`storages["documents"]`) and never builds a path.

Both keep the same contract, which records/files.py relies on:
- `save(name, content)` writes a new file; names are random (UUID), so the name given comes back unchanged;
- `open(name)` raises FileNotFoundError when the file is missing and OSError for any other failure of the
  store (unreachable, refused), so that the download view shows its French message rather than an error page;
- `replace(name, content)` overwrites atomically: a reader sees the old content or the new one, whole (key
  rotation rewrites each file in place);
- `delete(name)` ignores a missing file; `url()` is refused: a document is only ever served by the download
  view, after its permission check, never by a link to the store.

What they are given is already sealed by core/crypto.py (records/files.py encrypts before `save`): neither
the disk nor the object store, its operator or its backups, ever see a document in clear.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage


class DocumentFileStorage(FileSystemStorage):
    """settings.PARCOURS_DOCUMENTS_DIR, read at each use (tests point it at a temporary folder); files 0600 in
    0700 folders, readable by the application's user only."""

    file_permissions_mode = 0o600
    directory_permissions_mode = 0o700

    @property
    def base_location(self):
        return str(settings.PARCOURS_DOCUMENTS_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise NotImplementedError("Documents are served by the download view only.")

    def replace(self, name: str, content: bytes) -> None:
        """Write `content` in place of `name` atomically: a crash leaves the old file or the new one."""
        path = Path(self.path(name))
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def describe(self) -> str:
        return str(self.location)


@contextmanager
def _as_os_errors(what: str):
    """The object store's failures as the OSError a folder would raise (FileNotFoundError for a 404)."""
    try:
        yield
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 404:
            raise FileNotFoundError(f"Object store: no object to {what}") from exc
        raise OSError(f"Object store refused to {what} (HTTP {status})") from exc
    except BotoCoreError as exc:
        raise OSError(f"Object store unreachable to {what} ({type(exc).__name__})") from exc


class DocumentS3Storage(S3Storage):
    """An S3-compatible bucket (Amazon S3, Scaleway, OVHcloud, Garage, MinIO…). Options come from
    env.object_storage() only: the AWS_* variables and files boto3 would otherwise read are ignored for
    the keys (session_profile and security_token forced to None)."""

    def __init__(self, **options):
        options.setdefault("session_profile", None)
        options.setdefault("security_token", None)
        options.setdefault("querystring_auth", True)
        options.setdefault("file_overwrite", True)  # UUID names: no HEAD before each upload
        options.setdefault("default_acl", None)  # the bucket's own policy: private
        options.setdefault("signature_version", "s3v4")
        super().__init__(**options)

    def _open(self, name, mode="rb"):
        with _as_os_errors(f"read {name}"):
            handle = super()._open(name, mode)
            if "r" not in mode:
                return handle
            # Read now: a failure of the store surfaces here, as an OSError, not later in .read().
            try:
                return ContentFile(handle.read(), name=name)
            finally:
                handle.close()

    def _save(self, name, content):
        with _as_os_errors(f"write {name}"):
            return super()._save(name, content)

    def delete(self, name):
        with _as_os_errors(f"delete {name}"):
            super().delete(name)

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise NotImplementedError("Documents are served by the download view only.")

    def replace(self, name: str, content: bytes) -> None:
        """One PUT: an object store replaces an object whole, a reader never sees half of it."""
        self._save(name, ContentFile(content))

    def describe(self) -> str:
        where = f"s3://{self.bucket_name}/{self.location}".rstrip("/")
        return f"{where} ({self.endpoint_url})" if self.endpoint_url else where
