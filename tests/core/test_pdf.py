"""The one PDF helper (parcours/core/pdf.py): nothing is fetched while rendering, whatever the template says.

The oracle is independent of WeasyPrint: a local HTTP server that counts the requests it receives, and
poppler's pdftotext for what the page shows. Each check is first made against WeasyPrint's default fetcher,
which does fetch, so the test would fail if the guard were removed. In CI a missing pdftotext fails the test
(tests/tools.py): the network guard is never left unchecked.
"""

import http.server
import threading

import pytest

from parcours.core.pdf import render_pdf

from ..tools import pdf_text, required, skip_or_fail


@pytest.fixture
def listener():
    """A local HTTP server on a free port; `hits` lists the paths it was asked for."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b'p::after { content: " RESEAU-FICTIF"; }'
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def leaky_template(tmp_path, settings, listener):
    """A template that points at a local style sheet and at the listener (style sheet and image)."""
    base, hits = listener
    sheet = tmp_path / "fuite.css"
    sheet.write_text('p::before { content: "FUITE-FICTIVE "; }')
    html = (
        f'<html><head><link rel="stylesheet" href="file://{sheet}">'
        f'<link rel="stylesheet" href="{base}/style.css"></head>'
        f'<body><p>Début</p><img src="{base}/x.png"></body></html>'
    )
    (tmp_path / "t.html").write_text(html)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    return html, hits


def test_the_control_default_weasyprint_does_fetch(leaky_template):
    """Without the guard, the same HTML calls the network and reads the local file: the oracle works."""
    from weasyprint import HTML

    html, hits = leaky_template
    pdf = HTML(string=html).write_pdf()
    assert hits, "le serveur local aurait dû être appelé sans garde"
    text = pdf_text(pdf)
    assert "FUITE-FICTIVE" in text and "RESEAU-FICTIF" in text


def test_rendering_calls_no_url_and_reads_no_local_file(leaky_template):
    _, hits = leaky_template
    pdf = render_pdf("t.html", {})
    assert pdf.startswith(b"%PDF")
    assert hits == []  # no request reached the server: checked without pdftotext
    text = pdf_text(pdf)
    assert "Début" in text
    assert "FUITE-FICTIVE" not in text and "RESEAU-FICTIF" not in text


def test_a_missing_program_fails_in_ci_and_skips_elsewhere(monkeypatch):
    """tests/tools.py: the switch .ci/run sets (PARCOURS_REQUIRE_BROWSER=1) and CI=true turn a skip into a
    failure."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("PARCOURS_REQUIRE_BROWSER", raising=False)
    assert not required()
    with pytest.raises(pytest.skip.Exception):
        skip_or_fail("absent")
    for name, value in (("CI", "true"), ("PARCOURS_REQUIRE_BROWSER", "1")):
        monkeypatch.setenv(name, value)
        assert required()
        with pytest.raises(pytest.fail.Exception):
            skip_or_fail("absent")
        monkeypatch.delenv(name)
