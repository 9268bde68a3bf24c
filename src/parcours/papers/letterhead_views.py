"""The edit page of the letterhead and signatory of the caller's own organisation (no argument: nobody edits
another organisation's heading)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from parcours.accounts.letterhead import letterhead_for
from parcours.accounts.permissions import FORM, requires
from parcours.core import locking
from parcours.core.errors import DomainError

from . import letterheads
from .forms import LetterheadForm


@requires("letterhead_edit", methods=FORM)
def letterhead(request):
    org = request.membership.organisation
    instance = letterheads.letterhead_of(org)
    form = LetterheadForm(request.POST or None, instance=instance)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            letterheads.save_letterhead(
                request.membership, form.instance, expected_version=locking.posted_version(request)
            )
        except locking.EditConflict as exc:
            conflict = exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("L'en-tête des documents officiels est enregistré."))
            return redirect("papers:letterhead")
    saved = letterheads.letterhead_of(org)
    rows = []
    if conflict is not None:
        rows = locking.differences(form, {f: getattr(saved, f) for f in letterheads.FIELDS})
    return render(
        request,
        "papers/letterhead_form.html",
        {
            "title": _("En-tête des documents officiels"),
            "org": org,
            "form": form,
            "version": locking.shown_version(request, saved, conflict),
            "conflict": locking.conflict_context(conflict, rows),
            "preview": letterhead_for(org),
        },
        status=409 if conflict else 200,
    )
