"""The person's own summary as a PDF, in the language the social worker chose (papers/summary.py).

Reads only: the journal records the download as a read of her file (the audit middleware, the URL module
`summary_urls` being about people). A language outside the list is refused with a French message on the
person's page; nothing is saved either way.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from parcours.accounts import policy
from parcours.accounts.permissions import requires
from parcours.people.models import Person

from . import summary

LANGUAGE_PARAMETER = "langue"
# The name of each language in the (French) interface, next to its own name in the list.
FRENCH_NAMES = {
    "fr": _lazy("français"),
    "en": _lazy("anglais"),
    "es": _lazy("espagnol"),
    "pt": _lazy("portugais"),
    "ro": _lazy("roumain"),
    "bg": _lazy("bulgare"),
    "zh-hans": _lazy("chinois simplifié"),
}


def choices(person: Person) -> dict:
    """What the person's page needs to offer the summary: the languages and the one chosen by default."""
    return {
        "languages": [
            (code, name if code == summary.SOURCE_LANGUAGE else f"{name} ({FRENCH_NAMES[code]})")
            for code, name in summary.LANGUAGES.items()
        ],
        "default": summary.default_language(person),
        "parameter": LANGUAGE_PARAMETER,
    }


@requires("person_summary")
def person_summary(request, pk):
    m = request.membership
    person = get_object_or_404(Person.objects.visible_to(m).select_related("association", "referent"), pk=pk)
    if not policy.can(m, "person_summary", person):
        raise Http404
    language = request.GET.get(LANGUAGE_PARAMETER, "").strip() or summary.default_language(person)
    if language not in summary.LANGUAGES:
        messages.error(
            request,
            _("Langue du résumé inconnue : choisissez l'une des langues proposées (rien n'a été produit)."),
        )
        return redirect("people:person", pk=person.pk)
    if summary.font_available(language) is False:
        messages.error(
            request,
            _("Le serveur n'a pas de police pour écrire cette langue : le résumé ne peut pas être produit. "
              "La personne qui administre Parcours doit installer le paquet Debian fonts-wqy-microhei."),
        )  # fmt: skip
        return redirect("people:person", pk=person.pk)
    pdf = summary.render(summary.build(m, person, language))
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name names the case and the language, never the person.
    response["Content-Disposition"] = f'attachment; filename="resume-{person.reference}-{language}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
