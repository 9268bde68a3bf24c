"""Documents are written to a temporary folder; sample files are made in memory, each obviously fictional."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcours.records import samples

from ..factories import MembershipFactory


@pytest.fixture(autouse=True)
def documents_dir(settings, tmp_path):
    folder = tmp_path / "data" / "documents"
    settings.PARCOURS_DOCUMENTS_DIR = folder
    return folder


def pdf_bytes(text: str = "Attestation fictive") -> bytes:
    return samples.pdf(text)


def image_bytes(fmt: str, size=(40, 30)) -> bytes:
    return samples.image(fmt, size)


def upload(content: bytes, name: str = "piece.pdf", content_type: str = "application/pdf"):
    """`content_type` is what the browser claims; Parcours never trusts it."""
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def colleague(personas):
    """A social worker of the same association who is not the person's referent."""
    return MembershipFactory(
        organisation=personas.association, role="social_worker", user__username="collegue"
    )


@pytest.fixture
def followed(personas):
    """A person whose referent is `personas.worker`."""
    return personas.person(first_name="Amarachi", last_name="Fictive", referent=personas.worker.user)
