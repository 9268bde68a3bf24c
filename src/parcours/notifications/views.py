"""The inbox, the e-mail preference and the personal calendar: each user's own, nobody else's. The calendar
file itself is read by calendar apps without a session, with its secret address only."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parcours.accounts.permissions import FORM, requires
from parcours.core.errors import DomainError

from . import calendar, services
from .models import CalendarFeed, Notification
from .rules import Frequency

DONE_SHOWN = 30
UNREAD_PER_PAGE = 50  # a head of service of the national benchmark has over 200 unread after one night


@requires("notifications", methods=FORM)
def inbox(request):
    m = request.membership
    if request.method == "POST":
        try:
            services.mark_done(m, int(request.POST.get("notification", "0") or 0))
        except (DomainError, ValueError):
            raise Http404 from None
        messages.success(request, _("Notification marquée comme traitée."))
        page = request.POST.get("page", "")  # back to the page she was on
        suffix = f"?page={page}" if page.isdigit() and page != "1" else ""
        return redirect(reverse("notifications:inbox") + suffix)
    mine = Notification.objects.for_membership(m)
    pages = Paginator(mine.unread().order_by("due_on", "pk"), UNREAD_PER_PAGE)
    unread = pages.get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "title": _("Notifications"),
            "unread": unread,
            "done": list(mine.filter(done_at__isnull=False).order_by("-done_at", "-pk")[:DONE_SHOWN]),
        },
    )


@requires("notifications", methods=FORM)
def preferences(request):
    m = request.membership
    current = services.frequency_of(m.user)
    error = None
    if request.method == "POST":
        try:
            services.set_frequency(m, request.POST.get("frequency", ""))
        except DomainError as exc:
            error = exc.message if hasattr(exc, "message") else str(exc)
        else:
            messages.success(request, _("Préférence enregistrée."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"title": _("Préférences de notification"), "choices": Frequency.choices, "current": current,
         "error": error},
        status=400 if error else 200,
    )  # fmt: skip


@requires("notifications", methods=FORM)
def calendar_page(request):
    m = request.membership
    token = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "renew":
            token = services.renew_feed(m)
            messages.success(
                request,
                _("Nouvelle adresse créée : l'ancienne ne fonctionne plus. Copiez-la maintenant, elle ne "
                  "sera plus affichée."),
            )  # fmt: skip
        elif action == "revoke":
            if services.revoke_feed(m):
                messages.success(
                    request, _("Adresse révoquée : plus aucune application ne lit votre agenda.")
                )
            return redirect("notifications:calendar")
        else:
            return redirect("notifications:calendar")
    feed = CalendarFeed.objects.filter(user=m.user).first()
    url = (
        request.build_absolute_uri(f"{reverse('notifications:calendar_feed')}?jeton={token}")
        if token
        else None
    )
    response = render(
        request,
        "notifications/calendar.html",
        {"title": _("Mon agenda dans mon application de calendrier"), "feed": feed, "feed_url": url},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD"])
def calendar_feed(request):
    """The .ics file for a calendar app: no session, the secret address only; a revoked or unknown one is a
    404. Each read is journaled."""
    feed = services.feed_for_token(request.GET.get("jeton", ""))
    if feed is None:
        raise Http404
    services.record_feed_read(feed)
    response = HttpResponse(calendar.feed(feed.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="parcours.ics"'
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
