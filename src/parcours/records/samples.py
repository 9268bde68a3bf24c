"""Small, obviously fictional files for the demo generator and the tests: a one-page PDF and images that pass
the upload checks of files.py.

    from django.core.files.uploadedfile import SimpleUploadedFile
    from parcours.records import samples, services

    upload = SimpleUploadedFile("recepisse.pdf", samples.pdf("DOCUMENT FICTIF - Recepisse"))
    services.add_document(person, membership, kind="residence", upload=upload, expires_on=...)
"""

import io

from PIL import Image


def pdf(text: str = "DOCUMENT FICTIF") -> bytes:
    """A well-formed one-page A4 PDF with one line of text (ASCII: the built-in Helvetica font)."""
    safe = text.encode("ascii", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 14 Tf 72 760 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def image(fmt: str = "PNG", size: tuple[int, int] = (120, 80), colour=(200, 120, 40)) -> bytes:
    """A plain rectangle as PNG or JPEG: a stand-in for a scanned page."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


# Two versions of an obviously fictional life story for the demo: (text, comment), no real place nor name.
LIFE_STORY_VERSIONS = (
    (
        "Récit fictif écrit pour la démonstration de Parcours.\n"
        "Je suis née dans une ville fictive. À dix-neuf ans, une « amie » m'a promis un travail de coiffeuse "
        "en Europe.\n"
        "Arrivée en France, on m'a pris mon passeport et on m'a dit que je devais rembourser une dette.\n"
        "J'ai rencontré l'association lors d'une maraude, en hiver.",
        "Premier entretien",
    ),
    (
        "Récit fictif écrit pour la démonstration de Parcours.\n"
        "Je suis née dans une ville fictive. À dix-neuf ans, une « amie » m'a promis un travail de coiffeuse "
        "en Europe.\n"
        "Arrivée en France, on m'a pris mon passeport et on m'a dit que je devais rembourser une dette de "
        "trente mille euros.\n"
        "J'ai rencontré l'association lors d'une maraude, en hiver.\n"
        "Depuis, je suis hébergée dans un lieu sûr et je suis des cours de français.",
        "Précisions sur la dette et l'hébergement",
    ),
)
