"""The follow-up in the demo: interview notes (some confidential, some by a colleague, one corrected), the
action plan (imported from the pathway plan, and manual actions in every state), appointments (the agenda of
`travailleuse` today, tomorrow, this week and the next; past ones honoured, missed or cancelled) and
referrals to partners with every outcome.

Everything goes through `parcours.followup.services`, travelling to the day and hour each thing happened.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

from django.utils import timezone

from parcours.accounts.models import Membership
from parcours.accounts.roles import ASSOCIATION_STAFF, Role
from parcours.core import clock
from parcours.followup import services
from parcours.followup.models import (
    ActionItem,
    ActionStatus,
    Appointment,
    AppointmentStatus,
    Domain,
    Note,
    NoteVersion,
    Referral,
    ReferralOutcome,
)
from parcours.pathway.models import Event
from parcours.people.models import Consent, Person

from .common import NEUTRAL_PLACES, D, at, between, moment
from .people import stage, weighted

if TYPE_CHECKING:
    from .generator import Generator

# --- Texts (fictional) ----------------------------------------------------------------------------------
NOTES = {
    Domain.HEALTH: (
        "Point santé : rendez-vous pris au centre de santé sexuelle pour un bilan complet.",
        "A vu le médecin de la PASS ; traitement en cours, elle se sent mieux.",
        "Démarches pour choisir un médecin traitant : liste des cabinets du quartier remise.",
    ),
    Domain.HOUSING: (
        "Point hébergement : demande SIAO actualisée, en attente d'une place en résidence sociale.",
        "Visite de la résidence sociale avec la personne ; dossier d'admission à compléter.",
        "Nuitées d'hôtel prolongées par le 115 jusqu'à la fin du mois.",
    ),
    Domain.RIGHTS: (
        "Ouverture d'un compte bancaire : rendez-vous à la banque la semaine prochaine.",
        "Dossier de domiciliation déposé au CCAS.",
        "Aide à la déclaration de ressources en ligne ; identifiants notés dans son carnet.",
    ),
    Domain.RESIDENCE: (
        "Point séjour : pièces réunies pour la demande d'APS, rendez-vous préfecture à prendre en ligne.",
        "Explication du récépissé et de sa date de fin ; prévenir un mois avant.",
        "Préparation des justificatifs pour le renouvellement du titre.",
    ),
    Domain.JUSTICE: (
        "Information sur ses droits de victime ; elle réfléchit à un rendez-vous avec l'avocate.",
        "Convocation au tribunal reçue : accompagnement prévu.",
    ),
    Domain.EMPLOYMENT: (
        "Atelier CV réalisé ; elle vise un poste d'agente de propreté.",
        "Inscription à France Travail faite ; premier entretien avec la conseillère fixé.",
        "Retour positif du stage d'immersion en restauration collective.",
    ),
    Domain.FRENCH: (
        "Cours de français suivis avec assiduité ; progrès à l'oral.",
        "Test de positionnement FLE : niveau A1, inscription au groupe du mardi.",
    ),
    Domain.SOCIAL: (
        "Participe à l'atelier cuisine collectif ; elle y a pris confiance.",
        "Atelier budget : premier budget mensuel établi avec elle.",
    ),
    Domain.OTHER: (
        "Entretien de suivi : pas de difficulté nouvelle signalée.",
        "Appel de courtoisie au numéro sûr ; elle passera à la permanence jeudi.",
    ),
}
SENSITIVE_NOTES = {
    Domain.JUSTICE: (
        "Elle rapporte des pressions de la part de l'ancien réseau ; conduite à tenir discutée, numéro "
        "d'urgence rappelé.",
        "Souhaite déposer plainte ; accompagnement au commissariat envisagé avec l'avocate.",
    ),
    Domain.HEALTH: (
        "Entretien difficile : troubles du sommeil et souvenirs envahissants ; orientation vers la "
        "psychologue.",
        "Suivi médical spécialisé en cours (confidentiel).",
    ),
    Domain.HOUSING: (
        "Mise à l'abri en urgence après des menaces ; lieu connu de la seule équipe.",
    ),
    Domain.SOCIAL: (
        "Violences conjugales évoquées pour la première fois ; plan de mise en sécurité travaillé ensemble.",
    ),
    Domain.RESIDENCE: (
        "Récit des conditions d'arrivée en France, à reprendre pour le récit de vie.",
    ),
}  # fmt: skip
CORRECTION = "\nCorrection : le rendez-vous est fixé au mardi, et non au lundi comme écrit d'abord."
MANUAL_ACTIONS = {
    Domain.HEALTH: ("Prendre rendez-vous à la PASS", "Renouveler la complémentaire santé solidaire"),
    Domain.HOUSING: ("Actualiser la demande SIAO", "Préparer le dossier de logement social"),
    Domain.RIGHTS: ("Accompagner au CCAS pour la domiciliation", "Ouvrir un compte bancaire"),
    Domain.RESIDENCE: ("Prendre rendez-vous au service des étrangers", "Réunir les pièces pour l'APS"),
    Domain.JUSTICE: ("Rendez-vous avec l'avocate partenaire",),
    Domain.EMPLOYMENT: ("Inscription à France Travail", "Préparer un CV avec la conseillère"),
    Domain.FRENCH: ("Inscrire aux cours de FLE de l'association",),
    Domain.SOCIAL: ("Atelier budget", "Participer à l'atelier collectif du jeudi"),
    Domain.OTHER: ("Faire le point sur les démarches en cours",),
}
PLACES = ("Accompagnement à la PASS (fictive)", "Accompagnement au service des étrangers de la préfecture",
          "Permanence à l'accueil de jour (fictif)")  # fmt: skip
SLOTS = ((9, 30), (11, 0), (14, 0), (15, 30), (16, 45))
PARTNER_REFERRALS = {
    "france_travail": (Domain.EMPLOYMENT, "Accompagnement global vers l'emploi"),
    "siao": (Domain.HOUSING, "Demande d'hébergement stable"),
    "cidff": (Domain.JUSTICE, "Information juridique sur ses droits de victime"),
}
TYPED_REFERRALS = {
    "PASS de l'hôpital (fictive)": (Domain.HEALTH, "Bilan de santé et ouverture des droits"),
    "Centre de santé sexuelle (fictif)": (Domain.HEALTH, "Dépistage et suivi"),
    "Accueil de jour Les Figuiers (fictif)": (Domain.HOUSING, "Accueil de jour, douche et bagagerie"),
    "Centre social — cours de FLE (fictif)": (Domain.FRENCH, "Cours de français langue étrangère"),
}
OUTCOME_COMMENTS = {
    ReferralOutcome.ACCEPTED: "Entretien d'accueil réalisé ; prise en charge acceptée.",
    ReferralOutcome.REFUSED: "Refus du partenaire : critères d'admission non remplis à ce jour.",
    ReferralOutcome.NO_FOLLOW_UP: "Sans suite : la personne ne s'est pas présentée au premier rendez-vous.",
    ReferralOutcome.PENDING: "",
}
GARD_OUTCOMES = (ReferralOutcome.ACCEPTED, ReferralOutcome.REFUSED, ReferralOutcome.NO_FOLLOW_UP,
                 ReferralOutcome.PENDING)  # fmt: skip


def build(g: Generator) -> None:
    g.staff = _staff(g)  # by association key
    notes(g)
    actions(g)
    appointments(g)
    referrals(g)


def _staff(g: Generator) -> dict[str, list[Membership]]:
    key_of = {org.pk: key for key, org in g.orgs.items()}
    staff: dict[str, list[Membership]] = {}
    for m in g.members.values():
        if m.role in ASSOCIATION_STAFF:
            staff.setdefault(key_of[m.organisation_id], []).append(m)
    return staff


def opened(g: Generator, person: Person) -> dt.date:
    return g.opened_on[id(person)]


def author(g: Generator, person: Person) -> Membership:
    """Mostly the referent; sometimes a colleague (not the referent) or the head of service."""
    staff = g.staff[g.association_of[id(person)]]
    referent = g.member(person.referent_id)
    r = g.rng.random()
    others = [m for m in staff if m.role == Role.SOCIAL_WORKER and m.user_id != person.referent_id]
    heads = [m for m in staff if m.role == Role.HEAD_OF_SERVICE and m.user_id != person.referent_id]
    if r < 0.65 or not (others or heads):
        return referent
    if r < 0.85 and others:
        return g.rng.choice(others)
    return g.rng.choice(heads or others)


# --- Notes --------------------------------------------------------------------------------------------
def notes(g: Generator) -> None:
    rng, T = g.rng, g.today
    travailleuse = g.members["travailleuse"]
    to_correct = None
    for person in g.people:
        start = max(opened(g, person), T - D(days=540))
        for day in sorted(between(rng, start, T) for _ in range(rng.randint(3, 8))):
            sensitive = rng.random() < 0.2
            texts = SENSITIVE_NOTES if sensitive else NOTES
            domain = rng.choice(list(texts))
            by = author(g, person)
            with clock.travel_to(moment(g, day, rng.randint(14, 18), rng.choice((0, 15, 30, 45)))):
                text = rng.choice(texts[domain])
                note = services.add_note(
                    person, by, domain=domain, held_on=day, text=text, sensitive=sensitive
                )
            if (to_correct is None and by == travailleuse and not sensitive and day <= T - D(days=5)
                    and person.referent_id == travailleuse.user_id):  # fmt: skip
                to_correct = note
    if to_correct is not None:  # its author corrects it the next morning; the first wording stays in history
        with clock.travel_to(moment(g, to_correct.held_on + D(days=1), 9, 20)):
            services.correct_note(
                to_correct, travailleuse, domain=to_correct.domain, held_on=to_correct.held_on,
                text=to_correct.text + CORRECTION, sensitive=False,
            )  # fmt: skip


# --- Action plan ----------------------------------------------------------------------------------------
def actions(g: Generator) -> None:
    rng = g.rng
    for person in g.people:
        by = g.member(person.referent_id)
        if id(person) in g.story_of:
            _import_plan(g, person, by)
    forced = ["overdue", "soon", "overdue", "soon"]  # for `travailleuse`'s « À faire »
    travailleuse = g.members["travailleuse"].user_id
    for person in g.people:
        where = stage(g, person)
        chance = {"active": 0.5, "preparing": 0.5, "none": 0.35, "after": 0.15}[where]
        mine = person.referent_id == travailleuse and forced
        if not mine and rng.random() > chance:
            continue
        by = g.member(person.referent_id)
        for n in range(rng.randint(1, 3)):
            _manual_action(g, person, by, forced.pop(0) if mine and n == 0 else None)


def _import_plan(g: Generator, person: Person, by: Membership) -> None:
    """Import the current pathway plan a few days after its request was last touched (not before the plan
    reached its final wording)."""
    rng, T = g.rng, g.today
    request = services.current_request(person)
    if request is None:
        return
    last = Event.objects.filter(request=request).order_by("-at").values_list("at", flat=True).first()
    day = min(timezone.localdate(last or request.created_at, clock.PARIS) + D(days=rng.randint(0, 4)), T)
    with clock.travel_to(moment(g, day, 17, 30)):
        services.copy_plan_actions(request, by)  # a validated plan was copied on validation already
    items = ActionItem.objects.filter(person=person, plan_action__request=request, status=ActionStatus.TODO)
    for item in items:
        _evolve(g, item, by, day)


def _evolve(g: Generator, item: ActionItem, by: Membership, created: dt.date) -> None:
    """What became of an imported action: past due mostly done, some abandoned, a few still open."""
    rng, T = g.rng, g.today
    due = item.due_date
    if due is not None and due < T:
        status = weighted(rng, ((ActionStatus.DONE, 62), (ActionStatus.ABANDONED, 14),
                                (ActionStatus.IN_PROGRESS, 12), (ActionStatus.TODO, 12)))  # fmt: skip
        day = between(rng, created, min(due + D(days=10), T))
    else:
        status = ActionStatus.IN_PROGRESS if rng.random() < 0.35 else ActionStatus.TODO
        day = between(rng, created, T)
    if status != item.status:
        with clock.travel_to(moment(g, day, 18)):
            services.update_action(item, by, status=status, due_date=due)


def _manual_action(g: Generator, person: Person, by: Membership, forced: str | None) -> None:
    rng, T = g.rng, g.today
    domain = rng.choice(list(MANUAL_ACTIONS))
    created = between(rng, max(opened(g, person), T - D(days=150)), T - D(days=1))
    if forced:
        status, when = ActionStatus.TODO, forced
    else:
        status = weighted(rng, ((ActionStatus.TODO, 35), (ActionStatus.IN_PROGRESS, 25),
                                (ActionStatus.DONE, 25), (ActionStatus.ABANDONED, 15)))  # fmt: skip
        when = weighted(rng, (("overdue", 25), ("soon", 30), ("later", 30), ("none", 15)))
    due = {
        "overdue": between(rng, created, T - D(days=1)),
        "soon": between(rng, T, T + D(days=14)),
        "later": between(rng, T + D(days=15), T + D(days=120)),
        "none": None,
    }[when]
    with clock.travel_to(moment(g, created, 16, 10)):
        item = services.add_action(person, by, domain=domain, description=rng.choice(MANUAL_ACTIONS[domain]),
                                   due_date=due)  # fmt: skip
    if status != ActionStatus.TODO:
        with clock.travel_to(moment(g, between(rng, created, T), 18, 20)):
            services.update_action(item, by, status=status, due_date=due)


# --- Appointments ---------------------------------------------------------------------------------------
def appointments(g: Generator) -> None:
    """Six weeks back and two weeks ahead for every worker; `travailleuse` has the fullest agenda, with
    appointments today and tomorrow whatever the day of the week."""
    T = g.today
    for association, staff in g.staff.items():
        for m in staff:
            mine = m.user.username == "travailleuse"
            for offset in range(-42 if mine else -28, 14):
                day = T + D(days=offset)
                count = _count(g, day, mine)
                for hour, minute in sorted(g.rng.sample(SLOTS, count)):
                    _appointment(g, association, m, day, hour, minute)
    _confidential_appointment(g)


def _count(g: Generator, day: dt.date, mine: bool) -> int:
    T = g.today
    if mine and day == T:
        return 3
    if mine and day == T + D(days=1):
        return 2
    if day.weekday() >= 5:
        return 0
    return g.rng.choice((0, 1, 1, 2, 2, 3) if mine else (0, 0, 1, 1, 2))


def _candidates(g: Generator, association: str, m: Membership, day: dt.date) -> list[Person]:
    """People the worker may see that day: her own first, among files opened before."""
    if not hasattr(g, "followed"):  # people still followed (not after the end of a pathway), by association
        g.followed = {}
        for p in g.people:
            if stage(g, p) != "after":
                g.followed.setdefault(g.association_of[id(p)], []).append(p)
    people = [p for p in g.followed.get(association, ()) if opened(g, p) <= day - D(days=2)]
    own = [p for p in people if p.referent_id == m.user_id]
    return own if own and g.rng.random() < 0.8 else people


def _appointment(g: Generator, association: str, m: Membership, day: dt.date, hour: int, minute: int,
                 person: Person | None = None, status: str | None = None) -> Appointment | None:  # fmt: skip
    rng, T = g.rng, g.today
    if person is None:
        candidates = _candidates(g, association, m, day)
        if not candidates:
            return None
        person = rng.choice(candidates)
    starts = at(day, hour, minute)
    ends = starts + D(minutes=rng.choice((45, 60)))
    if person.address_confidential or rng.random() < 0.6:
        place = NEUTRAL_PLACES[association]
    else:
        place = rng.choice(PLACES)
    booked_on = min(max(opened(g, person), day - D(days=rng.randint(2, 20))), T, day)
    booked = moment(g, booked_on, 8, 30) if booked_on == day else moment(g, booked_on, 12, rng.randint(0, 59))
    with clock.travel_to(booked):
        appointment = services.schedule_appointment(
            person, m, worker=m.user, starts_at=starts, ends_at=ends, purpose=rng.choice(Domain.values),
            place=place,
        )  # fmt: skip
    if status is None:
        if day < T:
            status = weighted(rng, ((AppointmentStatus.HONOURED, 75), (AppointmentStatus.MISSED, 15),
                                    (AppointmentStatus.CANCELLED, 10)))  # fmt: skip
        else:
            status = AppointmentStatus.CANCELLED if day > T + D(days=1) and rng.random() < 0.05 else None
    if status == AppointmentStatus.CANCELLED:
        when = min(booked + D(days=1), starts - D(hours=1), g.now)
        when = max(when, booked + D(seconds=1))
    elif status is not None:
        when = ends + D(minutes=20)
    if status is not None:
        with clock.travel_to(when):
            services.record_appointment_outcome(appointment, m, status)
    return appointment


def _confidential_appointment(g: Generator) -> None:
    """`travailleuse` meets someone whose shelter is confidential: at the association's premises, a neutral
    place (the service refuses a place that names the shelter)."""
    T = g.today
    m = g.members["travailleuse"]
    person = next(p for p in g.confidential if g.association_of[id(p)] == "horizon" and opened(g, p) < T)
    day = next(T + D(days=k) for k in range(2, 9) if (T + D(days=k)).weekday() < 5)
    _appointment(g, "horizon", m, day, 10, 15, person=person)


# --- Referrals ------------------------------------------------------------------------------------------
def referrals(g: Generator) -> None:
    rng, T = g.rng, g.today
    forced = list(GARD_OUTCOMES)
    for consent in g.sharing:  # backed by the person's consent to share with that partner
        if rng.random() > 0.6:
            continue
        end = min(consent.expires_on or T, T)
        if consent.withdrawn_on is not None:
            end = min(end, consent.withdrawn_on - D(days=1))
        if end < consent.given_on:
            continue
        day = between(rng, consent.given_on, end)
        _refer(g, consent.person, day, consent, forced)
    for person in rng.sample(g.people, 30):  # the person agreed orally, noted by the worker
        if stage(g, person) == "after":
            continue
        day = between(rng, max(opened(g, person), T - D(days=200)), T)
        _refer(g, person, day, None, forced)


def _refer(g: Generator, person: Person, day: dt.date, consent: Consent | None, forced: list) -> None:
    rng, T = g.rng, g.today
    by = g.member(person.referent_id)
    if consent is not None:
        target = (
            {"partner": consent.partner} if consent.partner_id else {"partner_name": consent.partner_name}
        )
    elif rng.random() < 0.5:
        target = {"partner": g.orgs[rng.choice(list(PARTNER_REFERRALS))]}
    else:
        target = {"partner_name": rng.choice(list(TYPED_REFERRALS))}
    key = next((k for k, o in g.orgs.items() if o == target.get("partner")), None)
    domain, reason = PARTNER_REFERRALS[key] if key else TYPED_REFERRALS[target["partner_name"]]
    with clock.travel_to(moment(g, day, 11, rng.randint(0, 59))):
        referral = services.refer(person, by, reason=reason, domain=domain, referred_on=day,
                                  oral_agreement=consent is None, **target)  # fmt: skip
    age = (T - day).days
    outcome = ReferralOutcome.PENDING
    if age >= 12:
        outcome = weighted(rng, ((ReferralOutcome.ACCEPTED, 45), (ReferralOutcome.REFUSED, 15),
                                 (ReferralOutcome.NO_FOLLOW_UP, 15),
                                 (ReferralOutcome.PENDING, 25)))  # fmt: skip
        if g.association_of[id(person)] == "horizon" and forced:
            outcome = forced.pop(0)
    if outcome != ReferralOutcome.PENDING:
        answered = between(rng, day + D(days=3), min(day + D(days=45), T))
        with clock.travel_to(moment(g, answered, 15)):
            services.record_referral_outcome(referral, by, outcome=outcome, outcome_on=answered,
                                             comment=OUTCOME_COMMENTS[outcome])  # fmt: skip


# --- Counts -----------------------------------------------------------------------------------------------
def summary(today: dt.date) -> dict:
    return {
        "notes": Note.objects.count(),
        "notes_sensitive": Note.objects.filter(sensitive=True).count(),
        "notes_corrected": NoteVersion.objects.values("note").distinct().count(),
        "actions_by_status": dict(Counter(ActionItem.objects.values_list("status", flat=True))),
        "actions_from_plan": ActionItem.objects.filter(plan_action__isnull=False).count(),
        "appointments_by_status": dict(Counter(Appointment.objects.values_list("status", flat=True))),
        "referrals_by_outcome": dict(Counter(Referral.objects.values_list("outcome", flat=True))),
    }
