from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parcours.accounts.permissions import can, requires
from parcours.core import clock
from parcours.outreach import hours as outreach_hours
from parcours.outreach import services as outreach
from parcours.outreach.models import DropInSession, Round


@require_http_methods(["GET", "HEAD"])
@login_required
def home(request):
    """Send each role to the page where its work starts."""
    m = request.membership
    for page, target in (
        ("todo", "pathway:todo"),
        ("session_list", "pathway:sessions"),
        ("volunteer_home", "core:volunteer"),
        ("statistics", "statistics:dashboard"),
        ("shared_people", "sharing:people"),
    ):
        if can(m, page):
            return redirect(target)
    return render(request, "parcours/no_role.html", status=403)


NEXT_SHOWN = 4


@requires("volunteer_home")
def volunteer(request):
    """Her next drop-in sessions and rounds, and her hours this month and this year (parcours.outreach)."""
    m = request.membership
    today = clock.today()
    sessions = (
        DropInSession.objects.visible_to(m).filter(day__gte=today).exclude(status="cancelled")
        .order_by("day", "starts_at")[:NEXT_SHOWN]
    )  # fmt: skip
    rounds = Round.objects.visible_to(m).filter(ends_at__gte=clock.now()).order_by("starts_at")[:NEXT_SHOWN]
    minutes = outreach_hours.summary(m, today)
    return render(request, "parcours/volunteer.html", {
        "title": _("Accueil"), "sessions": sessions, "rounds": rounds, "today": today,
        "month_hours": outreach.format_minutes(minutes["month"]),
        "year_hours": outreach.format_minutes(minutes["year"]),
    })  # fmt: skip
