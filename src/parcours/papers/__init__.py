"""Official papers as PDF (issue 10): the préfet's decision letters, the certificates for the MSA and the
foreigners' service, the request file for the commission, the document that formalises the pathway (annexes 6
and 7 of the circular of 31 January 2017), the person's own summary in her language. Each paper is one
template extending core/pdf_letter.html, rendered by core/pdf.render_pdf."""
