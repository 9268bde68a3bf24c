"""Pages of the drop-in sessions and rounds: lists, a session's or round's page (presence and hours, counts),
the counter screen (a phone at the desk or in the street: static/outreach/counter.js queues the taps offline)
and its JSON endpoint, the schedules (staff), linking a visit to a known person (staff) and the callbacks.
Nothing here shows a person: counts, the members of the association, and a file's reference at most."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership
from parcours.accounts.permissions import ACTION, FORM, READ, requires
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.pathway.models import Domain

from . import figures, services
from .models import Callback, DropInSession, Presence, Round, Schedule, Visit
from .rules import AgeBand, CallbackStatus, Language, RoundKind, Service, VisitorGender, Weekday


# --- Helpers -----------------------------------------------------------------------------------------------
def _time(value: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _instant(value: str) -> dt.datetime | None:
    try:
        naive = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return naive.replace(tzinfo=clock.PARIS) if naive.tzinfo is None else naive


def _members(m: Membership):
    return (
        Membership.objects.filter(organisation_id=m.organisation_id, is_active=True,
                                  role__in=sorted(policy.roles("outreach")))
        .select_related("user").order_by("user__last_name", "user__first_name", "pk")
    )  # fmt: skip


def _tallies(visits) -> list[tuple[str, list[tuple[str, int]]]]:
    """Counts per answer of each tally, in the order of the lists (« non précisé » last)."""
    visits = list(visits)
    out = []
    for title, field, choices in (
        (_("Genre"), "gender", VisitorGender), (_("Âge"), "age_band", AgeBand),
        (_("Langue"), "language", Language),
    ):  # fmt: skip
        counts = Counter(getattr(v, field) for v in visits)
        rows = [(label, counts[code]) for code, label in choices.choices if counts[code]]
        if counts[""]:
            rows.append((_("Non précisé"), counts[""]))
        out.append((title, rows))
    first = Counter(v.first_visit for v in visits)
    out.append((_("Première venue"), [(label, first[k]) for k, label in
                ((True, _("Oui")), (False, _("Non")), (None, _("Non précisé"))) if first[k]]))  # fmt: skip
    services_ = Counter(s for v in visits for s in v.services)
    out.append(
        (_("Services"), [(label, services_[code]) for code, label in Service.choices if services_[code]])
    )
    return out


def _presence_context(m: Membership, target) -> dict:
    presences = list(target.presences.select_related("membership__user").order_by("pk"))
    mine = next((p for p in presences if p.membership_id == m.pk), None)
    return {
        "presences": [(p, services.format_minutes(p.minutes)) for p in presences],
        "total_hours": services.format_minutes(sum(p.minutes for p in presences)),
        "mine": mine,
        "members": _members(m) if policy.can(m, "outreach_manage") else [],
        "length": services.format_minutes(target.length_minutes),
        "default_hours": services.format_minutes(target.length_minutes).replace(" ", ""),
    }


def _record_presence(request, target) -> None:
    m = request.membership
    member = m
    if request.POST.get("member"):
        member = Membership.objects.filter(
            pk=request.POST.get("member"), organisation_id=m.organisation_id
        ).first()
        if member is None:
            raise DomainError(_("Choisissez un membre de l'association."))
    services.record_presence(m, target, member, services.parse_hours(request.POST.get("hours", "")))


def _remove_presence(request, target) -> None:
    presence = Presence.objects.filter(pk=request.POST.get("presence") or 0).first()
    if (
        presence is None
        or (presence.session_id or presence.round_id) != target.pk
        or (presence.session if isinstance(target, DropInSession) else presence.round) is None
    ):
        raise DomainError(_("Cette présence n'existe plus."))
    services.remove_presence(request.membership, presence)


# --- Drop-in sessions --------------------------------------------------------------------------------------
@requires("outreach", methods=READ)
def sessions(request):
    m = request.membership
    today = clock.today()
    asked = request.GET.get("annee") or ""
    year = int(asked) if asked.isdigit() and 2000 <= int(asked) <= 2100 else today.year
    mine = DropInSession.objects.visible_to(m)
    of_year = list(mine.filter(day__year=year).order_by("-day", "-starts_at"))
    counts = dict(
        Visit.objects.filter(session__in=[s.pk for s in of_year]).values("session").annotate(n=Count("pk"))
        .values_list("session", "n")
    )  # fmt: skip
    return render(request, "outreach/sessions.html", {
        "title": _("Permanences"), "year": year, "years": [year - 1, year, year + 1],
        "coming": list(
            mine.filter(day__gte=today).exclude(status="cancelled").order_by("day", "starts_at")[:3]
        ),
        "rows": [(s, counts.get(s.pk, 0)) for s in of_year], "today": today,
        "manage": policy.can(m, "outreach_manage"),
        "figures": _figures(m, year) if policy.can(m, "outreach_manage") else None,
    })  # fmt: skip


def _figures(m: Membership, year: int) -> list[tuple[str, object]]:
    """The year's activity as the statistics report it (outreach/figures.py), for the staff."""
    f = figures.year_figures(m.organisation, year)
    hours = services.format_minutes
    return [
        (_("Permanences tenues"), f["sessions_held"]), (_("Permanences annulées"), f["sessions_cancelled"]),
        (_("Passages"), f["visits"]), (_("dont premières venues"), f["first_visits"]),
        (_("Heures des bénévoles"), hours(f["minutes_volunteer"])),
        (_("Heures des stagiaires"), hours(f["minutes_intern"])),
        (_("Heures de l'équipe salariée"), hours(f["minutes_staff"])),
        (_("Maraudes"), f["rounds"]), (_("Contacts en maraude"), f["contacts"]),
        (_("Demandes de rappel"), f["callbacks"]),
    ]  # fmt: skip


@requires("outreach_manage", methods=FORM)
def schedules(request):
    m = request.membership
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "create":
                services.create_schedule(
                    m, weekday=int(request.POST.get("weekday") or -1),
                    starts_at=_time(request.POST.get("starts_at")),
                    ends_at=_time(request.POST.get("ends_at")), place=request.POST.get("place", ""),
                )  # fmt: skip
                messages.success(
                    request, _("Planning créé. Générez maintenant les permanences d'une période.")
                )
            elif action == "generate":
                schedule = get_object_or_404(
                    Schedule.objects.visible_to(m), pk=request.POST.get("schedule") or 0
                )
                created, skipped = services.generate_sessions(
                    m, schedule, _date(request.POST.get("start")), _date(request.POST.get("end"))
                )
                text = _("%(n)d permanence(s) créée(s).") % {"n": len(created)}
                if skipped:
                    text += " " + _("Jours fériés sautés : %(days)s.") % {
                        "days": ", ".join(f"{day:%d/%m/%Y} ({name})" for day, name in skipped.items())
                    }
                messages.success(request, text)
            elif action == "extra":
                session = services.add_extra_session(
                    m, day=_date(request.POST.get("day")), starts_at=_time(request.POST.get("starts_at")),
                    ends_at=_time(request.POST.get("ends_at")), place=request.POST.get("place", ""),
                )  # fmt: skip
                messages.success(request, _("Permanence supplémentaire ajoutée."))
                return redirect("outreach:session", pk=session.pk)
            elif action == "end":
                schedule = get_object_or_404(
                    Schedule.objects.visible_to(m), pk=request.POST.get("schedule") or 0
                )
                services.end_schedule(m, schedule)
                messages.success(request, _("Planning arrêté : les permanences déjà créées restent."))
            else:
                raise DomainError(_("Action inconnue."))
        except (DomainError, ValueError) as exc:
            error = getattr(exc, "message", _("Vérifiez les valeurs saisies."))
        else:
            return redirect("outreach:schedules")
    today = clock.today()
    return render(request, "outreach/schedules.html", {
        "title": _("Plannings des permanences"), "schedules": Schedule.objects.visible_to(m),
        "weekdays": Weekday.choices, "error": error, "post": request.POST if error else {},
        "year_start": dt.date(today.year, 1, 1), "year_end": dt.date(today.year, 12, 31),
    }, status=400 if error else 200)  # fmt: skip


@requires("outreach", methods=FORM)
def session(request, pk):
    m = request.membership
    target = get_object_or_404(DropInSession.objects.visible_to(m), pk=pk)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "presence":
                _record_presence(request, target)
                messages.success(request, _("Heures enregistrées."))
            elif action == "remove_presence":
                _remove_presence(request, target)
                messages.success(request, _("Heures retirées."))
            elif action == "cancel":
                services.cancel_session(m, target, request.POST.get("reason", ""))
                messages.success(request, _("Permanence annulée."))
            elif action == "move":
                services.move_session(m, target, day=_date(request.POST.get("day")),
                                      starts_at=_time(request.POST.get("starts_at")),
                                      ends_at=_time(request.POST.get("ends_at")))  # fmt: skip
                messages.success(request, _("Permanence déplacée."))
            else:
                raise DomainError(_("Action inconnue."))
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("outreach:session", pk=target.pk)
        target.refresh_from_db()
    visits = list(target.visits.order_by("-recorded_at", "-pk"))
    return render(request, "outreach/session.html", {
        "title": _("Permanence du %(day)s") % {"day": target.day.strftime("%d/%m/%Y")}, "target": target,
        "count": len(visits), "tallies": _tallies(visits), "error": error,
        "manage": policy.can(m, "outreach_manage"), "link": policy.can(m, "visit_link"),
        "visits": visits[:50] if policy.can(m, "visit_link") else [],
        "today": clock.today(), **_presence_context(m, target),
    }, status=400 if error else 200)  # fmt: skip


def _counter(request, target, kind: str):
    storage = f"parcours-comptoir:{kind}:{target.pk}"
    if kind == "session":
        what = _("Permanence du %(day)s, %(start)s–%(end)s") % {
            "day": target.day.strftime("%d/%m/%Y"),
            "start": target.starts_at.strftime("%H:%M"),
            "end": target.ends_at.strftime("%H:%M"),
        }
        post_url, back = "outreach:session_visit", "outreach:session"
    else:
        what = str(target)
        post_url, back = "outreach:round_contact", "outreach:round"
    return render(request, "outreach/counter.html", {
        "title": _("Comptoir"), "target": target, "kind": kind, "what": what,
        "count": services.count_of(target),
        "storage": storage, "post_url": post_url, "back": back, "new_key": services.uuid.uuid4(),
        "genders": VisitorGender.choices, "ages": AgeBand.choices, "languages": Language.choices,
        "services_list": Service.choices, "noun": _("passages") if kind == "session" else _("contacts"),
    })  # fmt: skip


def _visit(request, target):
    """One tap: JSON for the counter's script ({count} or {error}), a redirect for a form without script."""
    m = request.membership
    wants_json = "application/json" in request.headers.get("Accept", "")
    first = {"oui": True, "non": False}.get(request.POST.get("first_visit", ""))
    try:
        _, created = services.record_visit(
            m, target, request.POST.get("key"), gender=request.POST.get("gender", ""),
            age_band=request.POST.get("age_band", ""), language=request.POST.get("language", ""),
            first_visit=first, services=request.POST.getlist("services"),
        )  # fmt: skip
    except DomainError as exc:
        if wants_json:
            return JsonResponse({"error": exc.message}, status=400)
        messages.error(request, exc.message)
    else:
        if wants_json:
            return JsonResponse({"count": services.count_of(target), "created": created})
        messages.success(request, _("Passage compté.") if created else _("Ce passage était déjà compté."))
    kind = "session_counter" if isinstance(target, DropInSession) else "round_counter"
    return redirect(f"outreach:{kind}", pk=target.pk)


@requires("outreach", methods=READ)
def session_counter(request, pk):
    return _counter(request, get_object_or_404(DropInSession.objects.visible_to(request.membership), pk=pk),
                    "session")  # fmt: skip


@requires("outreach", methods=ACTION)
def session_visit(request, pk):
    return _visit(request, get_object_or_404(DropInSession.objects.visible_to(request.membership), pk=pk))


# --- Rounds ------------------------------------------------------------------------------------------------
@requires("outreach", methods=FORM)
def rounds(request):
    m = request.membership
    error = None
    if request.method == "POST":
        try:
            created = services.create_round(
                m, kind=request.POST.get("kind", ""), places=request.POST.get("places", ""),
                starts_at=_instant(request.POST.get("starts_at")),
                ends_at=_instant(request.POST.get("ends_at")),
            )  # fmt: skip
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Maraude créée."))
            return redirect("outreach:round", pk=created.pk)
    mine = Round.objects.visible_to(m)
    rows = mine.annotate(n=Count("contacts")).order_by("-starts_at")[:100]
    return render(request, "outreach/rounds.html", {
        "title": _("Maraudes"), "rows": rows, "kinds": RoundKind.choices, "error": error,
        "post": request.POST if error else {}, "manage": policy.can(m, "outreach_manage"),
        "callbacks": Callback.objects.visible_to(m).filter(status=CallbackStatus.WAITING).count()
        if policy.can(m, "callbacks") else None,
    }, status=400 if error else 200)  # fmt: skip


@requires("outreach", methods=FORM)
def round_page(request, pk):
    m = request.membership
    target = get_object_or_404(Round.objects.visible_to(m), pk=pk)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "presence":
                _record_presence(request, target)
                messages.success(request, _("Heures enregistrées."))
            elif action == "remove_presence":
                _remove_presence(request, target)
                messages.success(request, _("Heures retirées."))
            elif action == "material":
                counts = {}
                for name in services.MATERIAL_FIELDS:
                    raw = (request.POST.get(name) or "0").strip()
                    if not raw.isdigit():
                        raise DomainError(_("Les quantités sont des nombres entiers positifs."))
                    counts[name] = int(raw)
                services.record_material(m, target, counts)
                messages.success(request, _("Matériel distribué enregistré."))
            elif action == "followup":
                result = services.ask_followup(m, target, reference=request.POST.get("reference", ""),
                                               domain=request.POST.get("domain") or Domain.OTHER)  # fmt: skip
                messages.success(request, _("Demande de rappel anonyme enregistrée pour l'équipe.")
                                 if isinstance(result, Callback)
                                 else _("Action ajoutée au suivi de la personne."))  # fmt: skip
            else:
                raise DomainError(_("Action inconnue."))
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("outreach:round", pk=target.pk)
        target.refresh_from_db()
    contacts = list(target.contacts.order_by("-recorded_at", "-pk"))
    return render(request, "outreach/round.html", {
        "title": str(target), "target": target, "count": len(contacts), "tallies": _tallies(contacts),
        "error": error, "manage": policy.can(m, "outreach_manage"), "link": policy.can(m, "visit_link"),
        "visits": contacts[:50] if policy.can(m, "visit_link") else [],
        "domains": Domain.choices, "today": clock.today(),
        "material": [(name, target._meta.get_field(name).verbose_name, getattr(target, name))
                     for name in services.MATERIAL_FIELDS],
        "local_start": timezone.localtime(target.starts_at, clock.PARIS),
        "local_end": timezone.localtime(target.ends_at, clock.PARIS),
        "callbacks": target.callbacks.count(), **_presence_context(m, target),
    }, status=400 if error else 200)  # fmt: skip


@requires("outreach", methods=READ)
def round_counter(request, pk):
    return _counter(request, get_object_or_404(Round.objects.visible_to(request.membership), pk=pk), "round")


@requires("outreach", methods=ACTION)
def round_contact(request, pk):
    return _visit(request, get_object_or_404(Round.objects.visible_to(request.membership), pk=pk))


# --- Staff only: a visit linked to a file, the callbacks ---------------------------------------------------
@requires("visit_link", methods=FORM)
def visit_link(request, pk):
    m = request.membership
    visit = get_object_or_404(Visit.objects.visible_to(m).select_related("session", "round"), pk=pk)
    request.audit_person_id = visit.person_id  # journaled (visit_urls.py): the person it is linked to, if any
    error = None
    if request.method == "POST":
        try:
            services.link_visit(m, visit, request.POST.get("reference", ""))
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Passage relié au dossier."))
            if visit.session_id:
                return redirect("outreach:session", pk=visit.session_id)
            return redirect("outreach:round", pk=visit.round_id)
    return render(request, "outreach/visit_link.html", {
        "title": _("Relier un passage à un dossier"), "visit": visit, "error": error,
        "reference": visit.person.reference if visit.person_id else "",
        "local_time": timezone.localtime(visit.recorded_at, clock.PARIS),
    }, status=400 if error else 200)  # fmt: skip


@requires("callbacks", methods=FORM)
def callbacks(request):
    m = request.membership
    if request.method == "POST":
        callback = Callback.objects.visible_to(m).filter(pk=request.POST.get("callback") or 0).first()
        if callback is None:
            raise Http404
        try:
            services.close_callback(m, callback)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Demande de rappel traitée."))
        return redirect("outreach:callbacks")
    rows = Callback.objects.visible_to(m).select_related("round").order_by("status", "-asked_at")[:200]
    return render(request, "outreach/callbacks.html", {"title": _("Demandes de rappel"), "rows": rows})
