"""The layout's fixed fragments, rendered once per process and language (decision 0064).

django-dsfr's `{% dsfr_css %}`, `{% dsfr_favicon %}`, `{% dsfr_theme_modale %}` and `{% dsfr_js %}` render
the same HTML on every page: static addresses (fixed once the process has read the static manifest),
integrity checksums, and translated labels. Rendering them cost about 2,000 Python calls a page, a fifth of
what the layout costs. `{% layout_fragment "css" %}` renders django-dsfr's own tag once for the active
language and returns that HTML afterwards; the footer likewise (it reads two settings).
The scripts carry the request's CSP nonce: they are rendered once with a placeholder, which each page
replaces with its own nonce."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import engines
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

NONCE = "parcours-layout-nonce"  # replaced by each request's nonce; never reaches a page
FRAGMENTS = {
    "css": "{% dsfr_css %}",
    "favicon": "{% dsfr_favicon %}",
    "theme_modale": "{% dsfr_theme_modale %}",
    "js": "{% dsfr_js nonce=nonce %}",
    "js_without_nonce": "{% dsfr_js %}",
    "footer": '{% include "parcours/footer.html" %}',  # ours: the site's title and branding (settings)
}


@lru_cache(maxsize=64)
def rendered(name: str, language: str | None) -> str:
    """The fragment `name`, rendered under `language` (the active one when called from a page). The settings
    it reads (the footer's title and branding, django-dsfr's integrity flag, the static address) do not
    change while a process runs; when a test changes one, `_forget` drops every fragment."""
    source = "{% load dsfr_tags %}" + FRAGMENTS[name]
    context = {"nonce": NONCE, "STATE_BRANDING": settings.PARCOURS_STATE_BRANDING,
               "SITE_TITLE": settings.PARCOURS_SITE_TITLE}  # fmt: skip
    return engines["django"].from_string(source).render(context)


def _fragment(name: str) -> str:
    return rendered(name, get_language())


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    rendered.cache_clear()


@register.simple_tag(takes_context=True)
def layout_fragment(context, name: str) -> str:
    """No request data enters a fragment: the scripts' nonce is put in after (escaped)."""
    if name == "js":
        nonce = context.get("csp_nonce")
        if not nonce:
            return mark_safe(_fragment("js_without_nonce"))  # noqa: S308 (django-dsfr's own HTML)
        return mark_safe(_fragment("js").replace(NONCE, conditional_escape(nonce)))  # noqa: S308
    return mark_safe(_fragment(name))  # noqa: S308 (rendered by the template engine, no request data)
