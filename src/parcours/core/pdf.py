"""One way to render every official PDF: a Django template rendered to HTML, then to PDF by WeasyPrint.

Templates extend "core/pdf_base.html" (A4, DejaVu fonts embedded, "page X / Y" at the foot of each page).
Nothing is fetched while rendering: no network, no local file (only data: URIs), so text typed by a user
can never make the server read a file or call a URL.
"""

from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict) -> bytes:
    # Imported here: loading WeasyPrint (pango, fonts) takes a second or more, paid only by PDF requests.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template_name, context)
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
