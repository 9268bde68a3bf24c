from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from parcours.accounts.permissions import requires
from parcours.followup.models import Domain

from . import services


@requires("shared_people")
def shared_people(request):
    rows = services.shared_people(request.membership)
    return render(request, "sharing/people.html", {
        "title": _("Personnes partagées"), "rows": rows, "organisation": request.membership.organisation,
    })  # fmt: skip


@requires("shared_people")
def shared_person(request, pk):
    shared = services.shared_file(request.membership, pk)
    if shared is None:
        raise Http404
    # The page title reaches the browser's history: the case number, never the name.
    return render(request, "sharing/person.html", {
        "title": shared.shared.person.reference, "file": shared, "shared": shared.shared,
        "person": shared.shared.person, "employment": Domain.EMPLOYMENT,
    })  # fmt: skip
