"""The Gard commission as a body in the demo (docs/decisions/0039): its composition by college (obviously
fictional names, each with a substitute), a past session with its convocation, attendance (a substitute and
a mandate), quorum, a recusal and an avis with its vote (its minutes print from the session page), and the
coming session's convocation sent.

The composition is appointed the day after the last session the stories played (those sessions keep the
former rule: avis without a composition kept in Parcours). Everything goes through pathway/commission.py
and pathway/transitions.py, travelling in time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from parcours.core import clock
from parcours.pathway import commission as body
from parcours.pathway import transitions as t
from parcours.pathway.models import CommissionSession
from parcours.people.models import Person

from .common import D

if TYPE_CHECKING:
    from .generator import Generator

# (college, holder, function, substitute, association key or None, account username or None)
COMPOSITION = (
    ("state", "Aubrelin Démo-Préfet", "Sous-préfet fictif, représentant du préfet, président",
     "Célestor Démo-Adjoint", None, None),
    ("state", "Fénoria Démo-DDETS", "Directrice départementale fictive (emploi, travail, solidarités)",
     "Gaspalin Démo-DDETS", None, None),
    ("state", "Hélizon Démo-Police", "Commissaire fictif, direction départementale de la police",
     "", None, None),
    ("local", "Isméria Démo-Département", "Vice-présidente fictive du conseil départemental",
     "Jorvain Démo-Département", None, None),
    ("justice", "Kalvéa Démo-Parquet", "Substitute fictive du procureur de la République",
     "Lunelor Démo-Parquet", None, None),
    ("health", "Morvane Démo-ARS", "Déléguée départementale fictive de l'agence régionale de santé",
     "", None, None),
    ("associations", "Kerbelle Démo-Membre", "Représentante fictive de l'Association Horizon Fictif",
     "Nérinel Démo-Horizon", "horizon", "membre"),
    ("associations", "Opaline Démo-Passerelle", "Représentante fictive du Réseau Passerelle Démo",
     "", "passerelle", None),
    ("qualified", "Pérégrin Démo-Qualifié", "Personnalité qualifiée fictive (médecin)",
     "", None, None),
)  # fmt: skip


def _email(name: str) -> str:
    return name.split()[-1].lower().replace("é", "e").replace("è", "e") + "@example.org"


def _appoint(g: Generator, day) -> list:
    secretariat = g.secretariat("30")
    seats = []
    with clock.travel_to(day):
        for college, name, function, substitute, association, username in COMPOSITION:
            user = g.members[username].user_id if username else None
            seats.append(
                body.appoint_member(
                    secretariat,
                    body.MemberData(
                        college=college,
                        name=name,
                        function=function,
                        appointed_on=day,
                        email=_email(name),
                        association=g.orgs[association] if association else None,
                        user_id=user,
                        substitute_name=substitute,
                        substitute_function="Suppléant" if substitute else "",
                        substitute_email=_email(substitute) if substitute else "",
                    ),
                )
            )
    return seats


def _request_for_horizon(g: Generator, day):
    """A file of the Association Horizon Fictif in the Gard with no pathway: its entry request goes to the
    past session (Horizon's member is recused on it)."""
    person = (
        Person.objects.filter(association=g.orgs["horizon"], departement_id="30", archived_on__isnull=True)
        .filter(pathways__isnull=True)
        .order_by("pk")
        .first()
    )
    if person is None:
        return None
    with clock.travel_to(day):
        req = t.open_request(person, "entry", g.members["travailleuse"], g.content(person, "entry", day))
        t.validate_request(req, g.members["cheffe"])
        t.submit_request(req, g.members["travailleuse"])
    return req


def build(g: Generator) -> None:
    base_url = settings.PARCOURS_PUBLIC_URL or "http://127.0.0.1:8000"
    secretariat = g.secretariat("30")
    commission = g.orgs["commission30"]
    last_held = max(g.past_sessions("30"))
    appointed = last_held + D(days=1)
    held_on = max(g.today - D(days=9), appointed + D(days=1))
    seats = _appoint(g, appointed)
    req = _request_for_horizon(g, appointed)
    if req is not None and held_on - D(days=12) >= appointed:
        with clock.travel_to(appointed):
            session = t.create_session(secretariat, held_on, "Nîmes, préfecture du Gard — salle fictive")
            t.schedule_request(req, session, secretariat)
        with clock.travel_to(held_on - D(days=12)):
            body.send_convocation(session, secretariat, base_url)
        # Nine members: seven present or represented (one by the substitute, one by a mandate), two absent.
        presences = {s.pk: ("present", None) for s in seats}
        presences[seats[0].pk] = ("substitute", None)
        presences[seats[2].pk] = ("mandate", seats[5].pk)
        presences[seats[3].pk] = ("absent", None)
        presences[seats[8].pk] = ("absent", None)
        with clock.travel_to(held_on):
            body.record_attendance(session, secretariat, presences)
            # Seven votes possible, less Horizon's member (recused): 5 for, 0 against, 1 abstention.
            t.record_avis(req, session, "favourable", secretariat, reason="", votes=(5, 0, 1))
    coming = (
        CommissionSession.objects.filter(
            commission=commission, status="planned", date__gte=g.today + D(days=6)
        )
        .order_by("date")
        .first()
    )
    if coming is not None and coming.agenda.exists():
        with clock.travel_to(g.today - D(days=1)):
            body.send_convocation(coming, secretariat, base_url)


def summary() -> dict:
    from parcours.pathway.models import CommissionMember, Convocation, Recusal

    return {
        "commission_members": CommissionMember.objects.count(),
        "convocations": Convocation.objects.count(),
        "recusals": Recusal.objects.count(),
    }
