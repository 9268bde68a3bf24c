from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from parcours.accounts.models import User
from parcours.accounts.permissions import requires

from . import log
from .forms import JournalFilterForm
from .models import AccessLog, Action

PER_PAGE = 50


@requires("audit_journal")
def journal(request):
    """The head of service searches her association's journal rows; persons appear by reference only."""
    org = request.membership.organisation
    members = (
        User.objects.filter(memberships__organisation=org).distinct().order_by("last_name", "first_name")
    )
    filters = {k: v for k, v in request.GET.items() if k != "page"}
    form = JournalFilterForm(filters or None, users=members)
    rows = AccessLog.objects.filter(organisation=org).select_related("user").order_by("-seq")
    person = None
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            person = data["person"]
            if data["user"] is not None:
                rows = rows.filter(user_id=data["user"])
            if person is not None:
                rows = rows.filter(person_id=person)
            if data["action"]:
                rows = rows.filter(action=data["action"])
            if data["start"]:
                rows = rows.filter(at__date__gte=data["start"])
            if data["end"]:
                rows = rows.filter(at__date__lte=data["end"])
        else:
            rows = rows.none()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    names = {u.pk: u.get_full_name() or u.username for u in members}
    for row in page:
        row.object_label = _object_label(row, names)
    # Reading the journal is itself an access (to the person, when the search names one); the row is
    # written once the page's rows are read, so it shows from the next search on.
    log.record(request, Action.READ, "journal", "", person_id=person)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/journal.html", {
        "title": _("Journal des accès"), "form": form, "page": page, "query": query.urlencode(),
    })  # fmt: skip


def _object_label(row: AccessLog, names: dict) -> str:
    if row.object_type in {"user", "account"}:
        if row.object_id.isdigit() and int(row.object_id) in names:
            return _("compte de %(name)s") % {"name": names[int(row.object_id)]}
        return _("compte %(id)s") % {"id": row.object_id} if row.object_id else _("compte")
    if row.object_type == "person":
        return row.person_reference or row.object_type
    return f"{row.object_type} {row.object_id}".strip()
