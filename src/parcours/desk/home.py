from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from parcours.accounts.permissions import can, requires


@login_required
def home(request):
    """Send each role to the page where its work starts."""
    m = request.membership
    for page, target in (
        ("todo", "pathway:todo"),
        ("session_list", "pathway:sessions"),
        ("volunteer_home", "core:volunteer"),
        ("statistics", "pathway:statistics"),
        ("shared_people", "sharing:people"),
    ):
        if can(m, page):
            return redirect(target)
    return render(request, "parcours/no_role.html", status=403)


@requires("volunteer_home")
def volunteer(request):
    return render(request, "parcours/volunteer.html", {"title": "Accueil"})
