def csp_nonce(request):
    """The request's CSP nonce, as `csp_nonce` in every template.

    django-csp creates the nonce lazily and its lazy object is false until read, so django-dsfr's
    `{% if self.nonce %}` alone would never read it and the DSFR script tags would go out without it: this
    reads it once, which also puts it in the Content-Security-Policy header."""
    nonce = getattr(request, "csp_nonce", None)
    return {"csp_nonce": str(nonce) if nonce is not None else ""}
