"""The demo offers letters of every kind, printed with the letterheads it configures (demo/papers.py)."""

import pytest

from parcours.accounts.models import Letterhead
from parcours.core import clock
from parcours.core.pdf import render_pdf
from parcours.demo.generator import generate
from parcours.papers import letters, pathway_document, request_file
from parcours.pathway.models import Decision, Exit, PathwayRequest

from ..tools import pdf_text

# The demo data set, rendered to PDF: nothing here depends on the database engine (decision 0058).
pytestmark = pytest.mark.engine_independent


def text_of(built) -> str:
    template, context = built
    return " ".join(pdf_text(render_pdf(template, context)).split())


@pytest.mark.django_db
def test_every_kind_of_paper_renders_from_the_demo_data():
    result = generate()
    assert result["anomalies"] == []
    counts = result["counts"]
    assert counts["letterheads"] == 4
    for kind in ("authorisation", "renewal", "refusal", "early_end"):
        assert counts[f"letters_{kind}"] > 0, kind
    gard = Decision.objects.filter(request__pathway__departement_id="30")
    texts = [
        text_of(letters.decision_letter(gard.filter(kind="authorised", request__kind="entry").first())),
        text_of(letters.decision_letter(gard.filter(kind="authorised", request__kind="renewal").first())),
        text_of(letters.decision_letter(gard.filter(kind="refused").first())),
    ]
    assert "Objet : autorisation d'engagement" in texts[0]
    assert "Objet : renouvellement" in texts[1]
    assert "Recours contentieux devant le tribunal administratif" in texts[2]
    for text in texts:
        assert "Nîmes, le" in text and "Pour le préfet et par délégation" in text
    ended = Exit.objects.filter(reason="ended_early").select_related("pathway").first()
    assert "mettre fin de manière anticipée" in text_of(letters.early_end_letter(ended.pathway))
    authorised = gard.filter(kind="authorised").first()
    assert "AFIS" in text_of(letters.afis_certificate(authorised, clock.today()))
    foreign = next(d for d in gard.filter(kind="authorised") if letters.needs_aps(d.request.pathway.person))
    assert "L425-4" in text_of(letters.aps_certificate(foreign, clock.today()))
    req = PathwayRequest.objects.filter(pathway__departement_id="30").exclude(status="draft").first()
    assert "Version complète" in text_of(request_file.full_file(req, clock.today()))
    pseudonymised = text_of(request_file.pseudonymised_file(req, clock.today()))
    assert req.pathway.person.last_name.upper() not in pseudonymised.upper()
    assert "annexe" in text_of(pathway_document.pathway_document(req, clock.today()))
    assert Letterhead.objects.filter(organisation__name="Association Horizon Fictif").exists()
