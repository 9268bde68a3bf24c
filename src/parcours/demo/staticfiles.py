"""Collect the static files only when they changed: the demo command runs at every start, and compressing
the ~5,000 files of DSFR (whitenoise) takes about fifteen seconds each time.

A marker in STATIC_ROOT holds a hash of what the finders would collect (relative path, size, modification
time of each source file). Same hash: nothing to do. A new release, an edited stylesheet or an emptied
folder: collected again. Production runs `collectstatic` itself (deploy/systemd/parcours-migrate.service).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

MARKER = ".parcours-collected"


def sources_fingerprint() -> str:
    digest = hashlib.sha256()
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def collect_if_changed() -> bool:
    """Run collectstatic unless the marker says the sources are unchanged. Returns True when it ran."""
    marker = Path(settings.STATIC_ROOT) / MARKER
    fingerprint = sources_fingerprint()
    if marker.is_file() and marker.read_text() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    marker.write_text(fingerprint)
    return True
