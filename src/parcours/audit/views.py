from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import requires
from parcours.accounts.roles import OrganisationKind, Role

from . import log
from .events import describe_access, page_label
from .forms import JournalFilterForm
from .models import AccessLog, Action, Outcome

PER_PAGE = 50
# The roles whose reads the national administration reviews: they see people of associations that are not
# theirs, so the head of service of those associations cannot review them in her own journal.
REVIEWED_ROLES = (Role.SECRETARIAT, Role.COMMISSION_MEMBER, Role.PREFECTURE_AGENT)
REVIEWED_KINDS = (OrganisationKind.COMMISSION, OrganisationKind.PREFECTURE)
# How a journal row names its object (semantic events name their object by the event's first part).
OBJECT_LABELS = {
    "note": gettext_lazy("note"),
    "action": gettext_lazy("action"),
    "appointment": gettext_lazy("rendez-vous"),
    "referral": gettext_lazy("orientation"),
    "document": gettext_lazy("pièce"),
    "life_story": gettext_lazy("récit de vie"),
    "consent": gettext_lazy("consentement"),
    "other_name": gettext_lazy("autre nom"),
    "afis": gettext_lazy("AFIS"),
    "aps": gettext_lazy("APS"),
    "request": gettext_lazy("demande"),
    "session": gettext_lazy("séance"),
    "member": gettext_lazy("membre de la commission"),
    "avis": gettext_lazy("avis"),
    "decision": gettext_lazy("décision"),
    "pathway": gettext_lazy("parcours"),
    "erasure": gettext_lazy("effacement"),
}


@requires("audit_journal")
def journal(request):
    """The head of service searches her association's journal rows; persons appear by reference only. When
    she searches a person of her association, the refusals about that person (by anyone) show too."""
    org = request.membership.organisation
    members = (
        User.objects.filter(memberships__organisation=org).distinct().order_by("last_name", "first_name")
    )
    own = Q(organisation=org)

    def scope(person):
        Person = apps.get_model("people", "Person")
        if person is not None and Person.objects.filter(pk=person, association=org).exists():
            return own | Q(person_id=person, outcome=Outcome.DENIED)
        return own

    return _journal_page(request, members, scope, title=_("Journal des accès"), template="audit/journal.html")


@requires("audit_review")
def review(request):
    """The national administration reviews the reads, changes and refusals of commission and préfecture
    users (secretariats, members, agents), across départements; persons appear by reference only."""
    reviewed = Organisation.objects.filter(kind__in=REVIEWED_KINDS)
    users = (
        User.objects.filter(memberships__organisation__in=reviewed)
        .distinct()
        .order_by("last_name", "first_name")
    )

    def scope(person):
        return Q(role__in=REVIEWED_ROLES)

    return _journal_page(
        request, users, scope, title=_("Revue des accès des commissions et préfectures"),
        template="audit/review.html", show_organisation=True,
    )  # fmt: skip


def _journal_page(request, users, scope, *, title, template, show_organisation=False):
    filters = {k: v for k, v in request.GET.items() if k != "page"}
    form = JournalFilterForm(filters or None, users=users)
    person = None
    rows = AccessLog.objects.none()
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        person = data.get("person")
        rows = AccessLog.objects.filter(scope(person)).select_related("user", "organisation").order_by("-seq")
        if data.get("user") is not None:
            rows = rows.filter(user_id=data["user"])
        if person is not None:
            rows = rows.filter(person_id=person)
        if data.get("action"):
            rows = rows.filter(action=data["action"])
        if data.get("start"):
            rows = rows.filter(at__date__gte=data["start"])
        if data.get("end"):
            rows = rows.filter(at__date__lte=data["end"])
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    names = {u.pk: u.get_full_name() or u.username for u in users}
    for row in page:
        row.object_label = _object_label(row, names)
        row.description = (
            "" if row.event else describe_access(row.action, row.object_type, row.person_reference, row.path)
        )
    # Reading the journal is itself an access (to the person, when the search names one); the row is
    # written once the page's rows are read, so it shows from the next search on.
    log.record(request, Action.READ, "journal", "", person_id=person)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {
        "title": title, "form": form, "page": page, "query": query.urlencode(),
        "show_organisation": show_organisation,
    })  # fmt: skip


def _object_label(row: AccessLog, names: dict) -> str:
    if row.object_type in {"user", "account"}:
        if row.object_id.isdigit() and int(row.object_id) in names:
            return _("compte de %(name)s") % {"name": names[int(row.object_id)]}
        return _("compte %(id)s") % {"id": row.object_id} if row.object_id else _("compte")
    if row.object_type == "person":
        return row.person_reference or row.object_type
    if row.object_type in OBJECT_LABELS:
        return f"{OBJECT_LABELS[row.object_type]} n° {row.object_id}".strip()
    page = page_label(row.object_type)
    if page is not None:  # a page read: its name, and the number of the object it shows
        same_person = row.person_id is not None and str(row.object_id) == str(row.person_id)
        return f"{page} n° {row.object_id}" if row.object_id and not same_person else page
    if row.object_type == "page":
        return ""  # a refusal: the sentence names the page
    return f"{row.object_type} {row.object_id}".strip()
