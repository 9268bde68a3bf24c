"""An obviously fictional, deterministic data set for the demonstration.

`generate(seed)` builds organisations for the Gard (30) and the Bouches-du-Rhône (13) (and a small one in
Mayotte), one account per role, about 150 invented people and about 50 exit pathways spread over every state.
Pathways are built only through the services of `parcours.pathway.transitions`, travelling in time with
`clock.travel_to`, so every pathway obeys the rules and carries a real event timeline. All dates are relative
to `clock.today()`: the demo always looks current.

This module holds the pathway part and runs the whole; the person's file (identity, contact rules, consents)
is in `demo/people.py`, the follow-up in `demo/followup.py`, documents and life stories in `demo/records.py`,
AFIS and APS in `demo/rights.py`. Each of them also goes through the services only, in time order.

How it works: the commission calendars are laid out first (a session about every two months over the past
two and a half years, plus coming ones). Each pathway is then written as a *story*: a list of dated steps
(open, validate, submit, schedule, avis, decision, exit…) chosen so that on `today` it sits in the wanted
state. All the steps of all the stories, the creation of sessions and the nightly deadline pass are finally
played in date order, because a session is shared by several pathways and is "held" once its first avis is
recorded. Nothing here uses the global `random`: one `random.Random(seed)` drives every choice.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from parcours.accounts.models import Membership, Organisation, User
from parcours.accounts.roles import OrganisationKind, Role
from parcours.core import clock
from parcours.core.departements import DEPARTEMENTS
from parcours.core.models import Departement
from parcours.pathway import rules
from parcours.pathway import transitions as t
from parcours.pathway.models import (
    CommissionSession,
    Event,
    OutcomeActivity,
    OutcomeHousing,
    Pathway,
    PathwayRequest,
    PlanDomain,
)
from parcours.people.models import Gender, Person

from . import (
    commission,
    employment,
    followup,
    funding,
    notifications,
    outreach,
    papers,
    people,
    records,
    rights,
    transfers,
    workshops,
)
from .common import EU_OTHER, NON_EU, fold

__all__ = ["EU_OTHER", "NON_EU", "DemoDataExists", "demo_accounts", "fold", "generate", "summary"]

DEMO_PASSWORD = "demo-parcours-2026"  # noqa: S105 (shared on purpose: printed by `manage.py demo`)
DEFAULT_SEED = 2026
PEOPLE = 150

RS = rules.RequestStatus
PS = rules.PathwayStatus
AK = rules.AvisKind
D = dt.timedelta


class DemoDataExists(Exception):
    """The database already holds organisations or people: the demo data is generated on an empty base."""


# --- Organisations and accounts ----------------------------------------------------------------------
@dataclass(frozen=True)
class OrgSpec:
    key: str
    kind: str
    name: str
    departement: str | None
    served: tuple[str, ...] = ()
    approval_number: str = ""
    approval_days_ago: int = 0


ORGANISATIONS = (
    OrgSpec("horizon", OrganisationKind.ASSOCIATION, "Association Horizon Fictif", "30", ("30",),
            "AGR-30-FICTIF-0117", 420),
    OrgSpec("boussole", OrganisationKind.ASSOCIATION, "Collectif Boussole Imaginaire", "13", ("13",),
            "AGR-13-FICTIF-0042", 960),
    OrgSpec("passerelle", OrganisationKind.ASSOCIATION, "Réseau Passerelle Démo", "13", ("13", "30"),
            "AGR-13-FICTIF-0105", 210),
    OrgSpec("commission30", OrganisationKind.COMMISSION,
            "Commission départementale du Gard (démonstration)", "30"),
    OrgSpec("commission13", OrganisationKind.COMMISSION,
            "Commission départementale des Bouches-du-Rhône (démonstration)", "13"),
    OrgSpec("prefecture30", OrganisationKind.PREFECTURE, "Préfecture du Gard (démonstration)", "30"),
    OrgSpec("prefecture13", OrganisationKind.PREFECTURE,
            "Préfecture des Bouches-du-Rhône (démonstration)", "13"),
    OrgSpec("national", OrganisationKind.NATIONAL, "Administration nationale (démonstration)", None),
    # Mayotte (976), where the AFIS has its own scale: one small association, its commission and préfecture.
    OrgSpec("ocean", OrganisationKind.ASSOCIATION, "Association Océan Fictif", "976", ("976",),
            "AGR-976-FICTIF-0007", 300),
    OrgSpec("commission976", OrganisationKind.COMMISSION,
            "Commission départementale de Mayotte (démonstration)", "976"),
    OrgSpec("prefecture976", OrganisationKind.PREFECTURE, "Préfecture de Mayotte (démonstration)", "976"),
    # Partners people may consent to share with, and be referred to.
    OrgSpec("france_travail", OrganisationKind.PARTNER, "France Travail (fictif)", None),
    OrgSpec("cidff", OrganisationKind.PARTNER, "CIDFF (fictif)", None),
    OrgSpec("siao", OrganisationKind.PARTNER, "SIAO (fictif)", None),
)  # fmt: skip

SESSION_PLACES = {
    "30": "Nîmes, préfecture du Gard — salle fictive des commissions",
    "13": "Marseille, préfecture des Bouches-du-Rhône — salle fictive Calanques",
}


@dataclass(frozen=True)
class AccountSpec:
    username: str
    first_name: str
    last_name: str
    org: str
    role: str


ACCOUNTS = (
    # One account per role, all in the Gard (and the national administration).
    AccountSpec("travailleuse", "Iréla", "Démo-Travailleuse", "horizon", Role.SOCIAL_WORKER),
    AccountSpec("cheffe", "Morwéna", "Démo-Cheffe", "horizon", Role.HEAD_OF_SERVICE),
    AccountSpec("benevole", "Tiloé", "Démo-Bénévole", "horizon", Role.VOLUNTEER),
    AccountSpec("stagiaire", "Zaliki", "Démo-Stagiaire", "horizon", Role.INTERN),
    AccountSpec("secretariat", "Orlyssa", "Démo-Secrétariat", "commission30", Role.SECRETARIAT),
    AccountSpec("membre", "Kerbelle", "Démo-Membre", "commission30", Role.COMMISSION_MEMBER),
    AccountSpec("prefecture", "Valdrine", "Démo-Préfecture", "prefecture30", Role.PREFECTURE_AGENT),
    AccountSpec("national", "Astérine", "Démo-National", "national", Role.NATIONAL_ADMIN),
    # A colleague of `travailleuse`, referent of other people: her confidential notes and life stories are
    # closed to `travailleuse`.
    AccountSpec("travailleuse2", "Ambrelle", "Démo-Collègue", "horizon", Role.SOCIAL_WORKER),
    # The other associations, commission and préfecture.
    AccountSpec("travailleuse13", "Sélodie", "Démo-Boussole", "boussole", Role.SOCIAL_WORKER),
    AccountSpec("cheffe13", "Brunaïs", "Démo-Boussole", "boussole", Role.HEAD_OF_SERVICE),
    AccountSpec("travailleuse-passerelle", "Quenelia", "Démo-Passerelle", "passerelle", Role.SOCIAL_WORKER),
    AccountSpec("cheffe-passerelle", "Ondraïe", "Démo-Passerelle", "passerelle", Role.HEAD_OF_SERVICE),
    AccountSpec("secretariat13", "Pavéline", "Démo-Secrétariat", "commission13", Role.SECRETARIAT),
    AccountSpec("membre13", "Rustaline", "Démo-Membre", "commission13", Role.COMMISSION_MEMBER),
    AccountSpec("prefecture13", "Galmira", "Démo-Préfecture", "prefecture13", Role.PREFECTURE_AGENT),
    AccountSpec("travailleuse976", "Lagonelle", "Démo-Océan", "ocean", Role.SOCIAL_WORKER),
    # A counsellor of a partner: sees the people who consented to share with France Travail (fictif).
    AccountSpec("partenaire", "Sorbane", "Démo-Partenaire", "france_travail", Role.PARTNER_COUNSELLOR),
)
# Who is the referent of the people of each association (username, weight).
REFERENTS = {
    "horizon": (("travailleuse", 62), ("travailleuse2", 30), ("cheffe", 8)),
    "boussole": (("travailleuse13", 80), ("cheffe13", 20)),
    "passerelle": (("travailleuse-passerelle", 85), ("cheffe-passerelle", 15)),
    "ocean": (("travailleuse976", 100),),
}


def demo_accounts() -> list[dict]:
    """The demo accounts present in the database, in the order above, for printing."""
    found = {
        m.user.username: m
        for m in Membership.objects.select_related("user", "organisation").filter(
            user__username__in=[a.username for a in ACCOUNTS]
        )
    }
    return [
        {
            "username": a.username,
            "name": found[a.username].user.get_full_name(),
            "role": a.role,
            "role_label": str(Role(a.role).label),
            "organisation": found[a.username].organisation.name,
        }
        for a in ACCOUNTS
        if a.username in found
    ]


# --- Invented names ----------------------------------------------------------------------------------
# Syllables put together at random, then checked against common real first names: "Ablessa", "Junimé",
# "Okaro"… Surnames all carry "Démo-" so that nobody can mistake them for a real person.
FIRST_START = ("A", "Ble", "Ju", "O", "Ka", "Zé", "I", "Na", "Ro", "Su", "Té", "Vi", "Lu", "Mi", "E",
               "Da", "Fo", "Yé", "Ko", "Ri", "Sa", "Wa", "Ni", "Hé", "Ta", "Bé", "Mo", "Ché", "Ulo",
               "Ga")  # fmt: skip
FIRST_MIDDLE = ("bles", "ni", "ka", "ré", "lo", "mi", "ta", "zo", "fé", "ru", "yé", "la", "ko", "di", "vé",
                "nu", "sé", "bo", "wé", "ki", "mè", "go")  # fmt: skip
FIRST_END = ("sa", "mé", "ro", "na", "ya", "lie", "ko", "ta", "ïa", "ne", "di", "lo", "va", "ssa", "rine",
             "zé", "mi", "ba", "lée", "nou")  # fmt: skip
LAST_SYLLABLES = ("i", "fe", "yo", "ba", "ku", "lé", "ta", "ro", "zan", "mo", "chi", "we", "dé", "na", "lu",
                  "ga", "so", "vi", "ké", "po", "ri", "dou", "mè", "zi")  # fmt: skip

# Common real first names (French, Nigerian, Chinese, Romanian, Bulgarian, Brazilian, Colombian): an
# invented name that happens to match one is drawn again.
_REAL_FIRST_NAMES = """
    marie nathalie isabelle sylvie catherine sophie julie camille lea manon emma chloe ines sarah laura
    jean pierre michel philippe alain nicolas thomas lucas hugo louis lina lena nina mina nora sara ana anna
    amina fatima aisha blessing joy favour precious peace gift esther mercy grace chioma ngozi adaeze amaka
    funmilayo folake bisi kemi yemi tolu tobi ada ife ola bola chinedu emeka tunde mei lin li na ying xiu
    fang hua jing lan yan maria elena ioana andreea mihaela gabriela daniela alina irina ivana elena petya
    desislava yana lara vitoria camila valentina isabela juliana luana sofia carolina paula natalia luisa
    ivan rosa lucia julia alice olivia diana tina rita lisa kara mira saba dina rana zara tara nadia lola
    lilou lou zoe eva ema ana ella ela aya maya naya kenza yasmine salma nour malika karima samira leila
    kala sami mila vita nana koko lulu kiki zaza mimi riri"""
REAL_FIRST_NAMES = frozenset(_REAL_FIRST_NAMES.split())


# --- Nationalities, genders, languages ---------------------------------------------------------------
NATIONALITIES = (("NG", 45), ("CN", 9), ("RO", 9), ("BG", 6), ("BR", 9), ("CO", 7), ("FR", 15))
GENDERS = {
    "NG": ((Gender.WOMAN, 94), (Gender.TRANS_WOMAN, 4), (Gender.MAN, 2)),
    "CN": ((Gender.WOMAN, 100),),
    "RO": ((Gender.WOMAN, 80), (Gender.MAN, 20)),
    "BG": ((Gender.WOMAN, 85), (Gender.MAN, 15)),
    "BR": ((Gender.TRANS_WOMAN, 70), (Gender.WOMAN, 20), (Gender.MAN, 10)),
    "CO": ((Gender.WOMAN, 60), (Gender.TRANS_WOMAN, 40)),
    "FR": ((Gender.WOMAN, 70), (Gender.MAN, 10), (Gender.TRANS_WOMAN, 10), (Gender.NON_BINARY, 5),
           (Gender.UNDISCLOSED, 5)),
}  # fmt: skip
LANGUAGES = {
    "NG": ("anglais, pidgin", "anglais, pidgin, edo", "anglais, yoruba", "anglais, igbo", "pidgin, edo"),
    "CN": ("mandarin", "mandarin, cantonais", "mandarin, wu"),
    "RO": ("roumain", "roumain, romani"),
    "BG": ("bulgare", "bulgare, turc"),
    "BR": ("portugais", "portugais, espagnol"),
    "CO": ("espagnol",),
    "FR": ("français",),
}

# --- Texts of requests, avis and decisions -----------------------------------------------------------
ACTIONS = {
    PlanDomain.HOUSING: (
        "Demande d'hébergement stable auprès du SIAO",
        "Entrée en résidence sociale (dossier déposé)",
        "Dépôt d'une demande de logement social",
        "Maintien en CHRS et recherche d'un logement autonome",
    ),
    PlanDomain.HEALTH: (
        "Ouverture des droits à la complémentaire santé solidaire (C2S)",
        "Bilan de santé et suivi au CeGIDD",
        "Rendez-vous réguliers avec la psychologue de l'association",
        "Choix d'un médecin traitant",
    ),
    PlanDomain.RIGHTS: (
        "Demande d'AFIS auprès de la MSA dès l'autorisation du parcours",
        "Ouverture d'un compte bancaire",
        "Domiciliation administrative auprès du CCAS",
    ),
    PlanDomain.RESIDENCE: (
        "Demande d'autorisation provisoire de séjour (APS) auprès de la préfecture",
        "Rédaction du récit de vie pour la demande d'asile (OFPRA)",
    ),
    PlanDomain.FRENCH: (
        "Cours de français langue étrangère (FLE), 6 heures par semaine, objectif A1",
        "Atelier de conversation hebdomadaire avec une bénévole",
        "Préparation du DELF A2",
    ),
    PlanDomain.EMPLOYMENT: (
        "Formation d'agente de propreté et d'hygiène (titre professionnel)",
        "Formation d'hôtesse de caisse avec le fonds de formation de l'intérim",
        "Ateliers de la conseillère en insertion : estime de soi, mobilité, connaissance des métiers",
        "Formation d'aide à domicile",
        "Inscription à France Travail et accompagnement global de 12 mois",
        "Participation au job-dating avec les agences d'intérim partenaires",
        "Recherche d'un emploi en restauration collective",
        "Stage d'immersion en entreprise (PMSMP)",
    ),
    PlanDomain.JUSTICE: (
        "Information sur les droits des victimes avec une avocate, si la personne le souhaite",
    ),
    PlanDomain.SOCIAL: (
        "Atelier budget et démarches en ligne",
        "Participation aux activités collectives de l'association",
    ),
}
RENEWAL_ACTIONS = {
    PlanDomain.RESIDENCE: ("Renouvellement de l'APS pour la durée du parcours",),
    PlanDomain.HOUSING: ("Recherche d'un logement autonome avec l'appui du bailleur social partenaire",),
    PlanDomain.FRENCH: ("Poursuite des cours de FLE, objectif A2",),
    PlanDomain.EMPLOYMENT: (
        "Poursuite de la formation qualifiante engagée",
        "Missions d'intérim à l'issue de la formation",
        "Recherche d'un emploi durable avec la conseillère France Travail",
    ),
}
COMMITMENT_FIRST = "Cesser toute activité prostitutionnelle"
COMMITMENTS = (
    "Se rendre aux rendez-vous fixés avec la référente de l'association",
    "Informer l'association de tout changement de situation",
    "Effectuer les démarches de santé prévues",
    "Participer aux actions de formation et de recherche d'emploi prévues",
)
COMMITMENT_FLE = "Suivre les cours de français avec assiduité"
PROJECTS = (
    "se former au métier d'agente de propreté et d'hygiène",
    "devenir aide à domicile",
    "travailler en restauration collective",
    "se former comme hôtesse de caisse",
    "passer le permis B pour travailler dans la logistique",
    "travailler dans la coiffure",
    "reprendre une formation d'aide-soignante",
)
HOUSING_SITUATIONS = (
    "Hébergée chez une compatriote, sans stabilité",
    "Hébergée par le 115 de manière intermittente",
    "Hébergée en hôtel social",
    "Sans domicile stable",
    "Hébergée en CHRS depuis quelques semaines",
)
MET_AT = ("rencontrée lors d'une permanence du mardi", "rencontrée lors d'une maraude",
          "rencontrée lors d'une maraude numérique", "orientée par un centre de santé",
          "orientée par le 115")  # fmt: skip
HOUSING_LATER = (
    "Hébergée en résidence sociale",
    "Hébergée en CHRS, dans l'attente d'un logement social",
    "Locataire d'un logement social depuis peu",
    "Hébergée en logement accompagné (intermédiation locative)",
)
DONE = (
    "cours de FLE suivis avec assiduité (niveau A1 validé)",
    "APS obtenue",
    "entrée en résidence sociale",
    "AFIS versée par la MSA",
    "formation d'agente de propreté commencée",
    "stage d'immersion réalisé en restauration collective",
    "suivi médical mis en place",
    "compte bancaire ouvert",
)
ADJOURN_REASONS = (
    "Complément demandé : préciser le projet professionnel et le calendrier des actions.",
    "Complément demandé : joindre l'attestation d'hébergement et le point sur le suivi de santé.",
    "Dossier à compléter : la copie transmise du document formalisant le parcours n'est pas signée.",
)
UNFAVOURABLE_REASONS = (
    "Projet d'insertion encore insuffisamment construit ; la commission propose un nouvel examen après "
    "quelques mois d'accompagnement.",
    "La commission estime que les conditions d'accès au parcours ne sont pas réunies à ce stade.",
)
REFUSAL_MOTIVATIONS = {
    rules.RefusalReason.PROJECT: (
        "Au vu de l'avis de la commission, le projet d'insertion ne permet pas encore d'engager le parcours. "
        "Une nouvelle demande pourra être présentée."
    ),
    rules.RefusalReason.CONDITIONS: (
        "Les conditions d'accès au parcours ne sont pas réunies à la date de la décision. Recours gracieux "
        "ou contentieux possibles dans un délai de deux mois."
    ),
    rules.RefusalReason.COMMITMENTS: (
        "Engagements non tenus sur la période : absences répétées aux rendez-vous et aux cours de français "
        "malgré les relances."
    ),
}
END_EARLY_MOTIVATION = (
    "Engagements du parcours non respectés : aucune des actions prévues n'est suivie depuis trois mois, "
    "malgré les relances de l'association."
)
# Who sits (R121-12-7): functions only, never names. The chair and the secretariat are always there.
ATTENDANCE_ALWAYS = (
    "Présidence : représentante du préfet",
    "Secrétariat : déléguée départementale aux droits des femmes",
)
ATTENDANCE_OTHERS = (
    "parquet",
    "DDETS (cohésion sociale)",
    "police nationale",
    "gendarmerie",
    "service des étrangers de la préfecture",
    "France Travail",
    "ARS",
    "conseil départemental",
    "associations agréées (hors dossiers qu'elles présentent)",
)
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")  # fmt: skip


# --- Stories: the dated steps of one pathway ---------------------------------------------------------
@dataclass
class Actors:
    worker: Membership
    head: Membership
    secretariat: Membership
    agent: Membership


@dataclass
class Step:
    day: dt.date
    hour: int
    story: int
    seq: int
    run: Callable[[], object]


@dataclass
class Chain:
    """The authorised periods of a pathway: for each, the session, the decision day and the dates."""

    sessions: list[dt.date]
    decisions: list[dt.date]
    starts: list[dt.date]
    ends: list[dt.date]

    @property
    def n(self) -> int:
        return len(self.ends)


@dataclass(frozen=True)
class Profile:
    first_contact: dt.date
    origin: str
    since: str
    met: str
    housing: str
    project: str


@dataclass
class Story:
    index: int
    scenario: str
    person: Person
    dept: str
    actors: Actors
    expect: tuple[str, str]  # pathway status, status of the last request
    steps: list[Step] = field(default_factory=list)
    request: PathwayRequest | None = None
    chain: Chain | None = None  # the authorised periods, when the story has some

    @property
    def authorised(self) -> bool:
        """Whether the préfet authorised a period at some point of the story."""
        return self.expect[0] in (PS.ACTIVE, PS.LAPSED) or (
            self.expect[0] == PS.EXITED and self.expect[1] == RS.AUTHORISED
        )

    def add(self, day: dt.date, run: Callable[[], object], hour: int = 9) -> None:
        self.steps.append(Step(day, hour, self.index, len(self.steps), run))


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.outreach_seed = f"outreach-{seed}"  # demo/outreach.py draws from its own generator
        self.now = clock.now()
        self.today = clock.today()
        self.password_hash = make_password(DEMO_PASSWORD)
        self.orgs: dict[str, Organisation] = {}
        self.members: dict[str, Membership] = {}
        self.stories: list[Story] = []
        self.sessions: dict[tuple[str, dt.date], CommissionSession] = {}
        self.session_first_use: dict[tuple[str, dt.date], dt.date] = {}
        self.expiry_days: set[dt.date] = set()
        self.used_names: set[str] = set()
        self.profiles: dict[int, Profile] = {}  # by id() of the (not yet saved) person
        self.session_use: Counter = Counter()

    # --- helpers ---
    def between(self, low: dt.date, high: dt.date) -> dt.date:
        return low + D(days=self.rng.randint(0, max((high - low).days, 0)))

    def weighted(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    # --- calendar ---
    def build_calendar(self) -> None:
        """A session about every two months over two and a half years, and two coming ones, per commission."""
        self.calendar: dict[str, list[dt.date]] = {}
        for dept, offset, weekday in (
            ("30", 30, 3),
            ("13", 12, 1),
        ):  # Thursdays in Nîmes, Tuesdays in Marseille
            anchor = self.today + D(days=offset)
            days = []
            for k in range(-15, 2):
                day = anchor + D(days=61 * k)
                days.append(day - D(days=(day.weekday() - weekday) % 7))
            self.calendar[dept] = sorted(days)

    def past_sessions(self, dept: str) -> list[dt.date]:
        return [d for d in self.calendar[dept] if d <= self.today]

    def coming_sessions(self, dept: str) -> list[dt.date]:
        return [d for d in self.calendar[dept] if d > self.today]

    def least_used(self, dept: str, low: dt.date, high: dt.date) -> dt.date:
        options = [d for d in self.past_sessions(dept) if low <= d <= high]
        fewest = min(self.session_use[(dept, d)] for d in options)
        return self.rng.choice([d for d in options if self.session_use[(dept, d)] == fewest])

    def renewal_session(self, dept: str, start: dt.date, end: dt.date) -> dt.date | None:
        """The last session that leaves time to decide before the period ends."""
        fitting = [d for d in self.calendar[dept] if start + D(days=60) <= d <= end - D(days=15)]
        return fitting[-1] if fitting else None

    # --- organisations, accounts, people ---
    def build_organisations(self) -> None:
        Departement.objects.bulk_create(
            [Departement(code=code, name=name) for code, name in DEPARTEMENTS], ignore_conflicts=True
        )
        for spec in ORGANISATIONS:
            org = Organisation.objects.create(
                kind=spec.kind,
                name=spec.name,
                departement_id=spec.departement,
                approval_number=spec.approval_number,
                approval_start=self.today - D(days=spec.approval_days_ago) if spec.approval_number else None,
            )
            if spec.served:
                org.departements_served.set(spec.served)
            self.orgs[spec.key] = org
        for spec in ACCOUNTS:
            user = User.objects.create(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                password=self.password_hash,
            )
            self.members[spec.username] = Membership.objects.create(
                user=user, organisation=self.orgs[spec.org], role=spec.role
            )

    def actors(self, association: str, dept: str) -> Actors:
        suffix = {"horizon": "", "boussole": "13", "passerelle": "-passerelle"}[association]
        d = "" if dept == "30" else "13"
        return Actors(
            worker=self.members[f"travailleuse{suffix}"],
            head=self.members[f"cheffe{suffix}"],
            secretariat=self.members[f"secretariat{d}"],
            agent=self.members[f"prefecture{d}"],
        )

    def invented_first_name(self) -> str:
        while True:
            parts = [self.rng.choice(FIRST_START)]
            if self.rng.random() < 0.8:
                parts.append(self.rng.choice(FIRST_MIDDLE))
            parts.append(self.rng.choice(FIRST_END))
            name = "".join(parts)
            if len(name) >= 4 and fold(name) not in REAL_FIRST_NAMES:
                return name

    def invented_last_name(self) -> str:
        core = "".join(self.rng.choice(LAST_SYLLABLES) for _ in range(self.rng.choice((2, 3, 3))))
        return f"Démo-{core.capitalize()}"

    def member(self, user_id: int) -> Membership:
        """The staff membership of a user (each demo account has one)."""
        return self.by_user[user_id]

    def build_people(self) -> None:
        """Draw the identity of every person. Nobody is saved yet: `people.create_people` opens each file
        through the service on the day of her first contact, once the stories have set that day."""
        self.by_user = {m.user_id: m for m in self.members.values()}
        plan = [("horizon", "30")] * 55 + [("boussole", "13")] * 50 + [("ocean", "976")]
        plan += [("passerelle", "13" if i % 5 < 3 else "30") for i in range(PEOPLE - len(plan))]
        self.used_names.update(people.reserved_names())
        persons = []
        for association, dept in plan:
            nationality = self.weighted(NATIONALITIES)
            gender = self.weighted(GENDERS[nationality])
            while True:
                first, last = self.invented_first_name(), self.invented_last_name()
                if fold(f"{first} {last}") not in self.used_names:
                    self.used_names.add(fold(f"{first} {last}"))
                    break
            young = nationality in {"NG", "CN"}
            born = self.between(dt.date(1986 if young else 1975, 1, 1), dt.date(2004, 12, 31))
            languages = self.rng.choice(LANGUAGES[nationality])
            if nationality != "FR" and self.rng.random() < 0.3:
                languages += ", français"
            alias = self.invented_first_name() if self.rng.random() < 0.1 else ""  # a usage name
            referent = self.members[self.weighted(REFERENTS[association])].user
            persons.append(
                Person(
                    association=self.orgs[association],
                    referent=referent,
                    first_name=first,
                    last_name=last,
                    alias=alias,
                    birth_date=born,
                    nationality=nationality,
                    gender=gender,
                    languages=languages,
                    departement_id=dept,
                )
            )
        self.people = persons
        self.association_of = {id(p): a for p, (a, _d) in zip(persons, plan, strict=True)}
        self.pool: dict[tuple[str, str], list[Person]] = {}
        for person, (association, dept) in zip(self.people, plan, strict=True):
            self.pool.setdefault((association, dept), []).append(person)
        for pool in self.pool.values():
            self.rng.shuffle(pool)

    def take_person(
        self, dept: str, association: str | None = None, foreign: bool = False
    ) -> tuple[Person, str]:
        """Someone of the département (of `association` if given; from outside the EU if `foreign`)."""
        if association is None:
            associations = ["horizon", "passerelle"] if dept == "30" else ["boussole", "passerelle"]
            association = self.rng.choice([a for a in associations if self.pool[(a, dept)]])
        pool = self.pool[(association, dept)]
        index = next((i for i in range(len(pool) - 1, -1, -1) if pool[i].nationality.code in NON_EU), -1)
        return pool.pop(index if foreign else -1), association

    # --- content of requests ---
    def profile(self, person: Person, first_day: dt.date) -> Profile:
        """What stays true of a person from one request to the next, drawn at her first request."""
        if id(person) not in self.profiles:
            rng = self.rng
            first_contact = first_day - D(days=rng.randint(30, 400))
            arrival = first_contact.year - rng.randint(0, 4)
            self.profiles[id(person)] = Profile(
                first_contact=first_contact,
                origin=f"La personne est arrivée en France en {arrival}"
                if person.nationality.code != "FR"
                else "La personne vit dans le département depuis plusieurs années",
                since=f"{MONTHS[first_contact.month - 1]} {first_contact.year}",
                met=rng.choice(MET_AT),
                housing=rng.choice(HOUSING_SITUATIONS),
                project=rng.choice(PROJECTS),
            )
        return self.profiles[id(person)]

    def content(self, person: Person, kind: str, day: dt.date, period: int = 0, complete: bool = True,
                kept: bool = True) -> t.RequestContent:  # fmt: skip
        rng = self.rng
        foreign = person.nationality.code in NON_EU
        speaks_french = "français" in person.languages
        if kind == rules.RequestKind.ENTRY:
            domains = [PlanDomain.HOUSING, PlanDomain.HEALTH, PlanDomain.RIGHTS]
            if foreign:
                domains.append(PlanDomain.RESIDENCE)
            if not speaks_french:
                domains.append(PlanDomain.FRENCH)
            domains += rng.sample([PlanDomain.EMPLOYMENT, PlanDomain.SOCIAL, PlanDomain.JUSTICE], 2)
            actions = [
                t.PlanLine(d, rng.choice(ACTIONS[d]), day + D(days=rng.randint(30, 180))) for d in domains
            ]
        else:
            domains = [d for d in RENEWAL_ACTIONS if d != PlanDomain.RESIDENCE or foreign]
            domains = rng.sample(domains, min(len(domains), rng.randint(3, 4)))
            actions = [
                t.PlanLine(d, rng.choice(RENEWAL_ACTIONS[d]), day + D(days=rng.randint(45, 170)))
                for d in domains
            ]
        commitments = [COMMITMENT_FIRST, *rng.sample(COMMITMENTS, rng.randint(1, 3))]
        if not speaks_french:
            commitments.insert(1, COMMITMENT_FLE)
        profile = self.profile(person, day)
        situation = (
            f"{profile.origin}. Elle est suivie par l'association depuis {profile.since}, {profile.met}."
        )
        if kind == rules.RequestKind.ENTRY:
            situation += f" {profile.housing}."
            if foreign:
                situation += " Sans titre de séjour à ce jour."
        else:
            situation += f" Dans le parcours depuis {period * 6} mois. {rng.choice(HOUSING_LATER)}."
            if foreign:
                situation += " Titulaire d'une autorisation provisoire de séjour."
        motivation = (
            f"La personne souhaite {profile.project}. Elle a cessé l'activité prostitutionnelle et "
            "s'engage dans le parcours pour accéder à un logement stable et à un emploi."
        )
        evaluation = ""
        if kind == rules.RequestKind.RENEWAL:
            done = ", ".join(rng.sample(DONE, 3))
            commitments_kept = (
                "Engagements respectés."
                if kept
                else "Engagements partiellement tenus : plusieurs rendez-vous manqués, cours de français "
                "interrompus depuis deux mois."
            )
            evaluation = (
                f"Bilan de la période {period} : {done}. {commitments_kept} "
                f"Prochaines étapes : {actions[0].description[0].lower()}{actions[0].description[1:]}."
            )
        if not complete:
            return t.RequestContent(
                situation=situation,
                motivation=motivation if rng.random() < 0.5 else "",
                actions=actions[:2],
                commitments=[COMMITMENT_FIRST],
            )
        # One entry request in seven goes to the commission before the sworn statement is signed: shown to
        # the commission as information, never a bar (pathway.rules.SWORN_STATEMENT). No draw: same dataset.
        if kind == rules.RequestKind.ENTRY:
            self.entries_written = getattr(self, "entries_written", 0) + 1
        signed = kind != rules.RequestKind.ENTRY or self.entries_written % 7 != 3
        return t.RequestContent(
            situation=situation,
            motivation=motivation,
            evaluation=evaluation,
            sworn_statement=signed,
            sworn_statement_on=day if signed else None,
            signed_on=day,
            actions=actions,
            commitments=commitments,
        )

    # --- steps (each calls one service) ---
    def open(self, s: Story, day: dt.date, kind: str, period: int = 0, complete: bool = True,
             kept: bool = True) -> None:  # fmt: skip
        content = self.content(s.person, kind, day, period, complete, kept)

        def run():
            s.request = t.open_request(s.person, kind, s.actors.worker, content)

        s.add(day, run)

    def validate(self, s: Story, day: dt.date) -> None:
        s.add(day, lambda: t.validate_request(s.request, s.actors.head))

    def submit(self, s: Story, day: dt.date) -> None:
        s.add(day, lambda: t.submit_request(s.request, s.actors.worker))

    def schedule(self, s: Story, day: dt.date, session_day: dt.date) -> None:
        key = (s.dept, session_day)
        self.session_first_use[key] = min(self.session_first_use.get(key, day), day)
        self.session_use[key] += 1
        s.add(day, lambda: t.schedule_request(s.request, self.sessions[key], s.actors.secretariat))

    def avis(self, s: Story, session_day: dt.date, kind: str, reason: str = "") -> None:
        if not reason and kind != AK.FAVOURABLE:
            reason = self.rng.choice(ADJOURN_REASONS if kind == AK.ADJOURNED else UNFAVOURABLE_REASONS)

        def run():
            t.record_avis(
                s.request, self.sessions[(s.dept, session_day)], kind, s.actors.secretariat, reason=reason
            )

        s.add(session_day, run, hour=14)

    def complete_adjourned(self, s: Story, day: dt.date, kind: str, period: int = 0) -> None:
        content = self.content(s.person, kind, day, period)
        content.signed_on = None  # keep the signature date of the first version

        def run():
            content.signed_on = s.request.signed_on
            t.update_request(s.request, s.actors.worker, content)

        s.add(day, run)

    def resubmit(self, s: Story, day: dt.date) -> None:
        s.add(day, lambda: t.resubmit_request(s.request, s.actors.worker))

    def authorise(self, s: Story, day: dt.date, start: dt.date | None = None) -> None:
        s.add(day, lambda: t.authorise(s.request, s.actors.agent, day, start=start))

    def refuse(self, s: Story, day: dt.date, reason: str) -> None:
        s.add(day, lambda: t.refuse(s.request, s.actors.agent, day, [reason], REFUSAL_MOTIVATIONS[reason]))

    def withdraw(self, s: Story, day: dt.date, comment: str) -> None:
        s.add(day, lambda: t.withdraw_request(s.request, s.actors.worker, comment))

    def record_exit(
        self, s: Story, day: dt.date, reason: str, exit_date: dt.date, housing="", activity="", comment=""
    ) -> None:
        s.add(
            day,
            lambda: t.record_exit(
                s.request.pathway, s.actors.worker, exit_date, reason, housing, activity, comment
            ),
        )

    def end_early(self, s: Story, day: dt.date) -> None:
        s.add(day, lambda: t.end_early(s.request.pathway, s.actors.agent, day, END_EARLY_MOTIVATION))

    # --- a request's way to a session ---
    def prepare(self, s: Story, kind: str, session_day: dt.date, period: int = 0, *, not_before=None,
                kept: bool = True) -> dt.date:  # fmt: skip
        """Open, validate, submit and schedule a request for `session_day` (past or coming)."""
        rng = self.rng
        if session_day <= self.today:
            opened = session_day - D(days=rng.randint(28, 50))
            if not_before:
                opened = max(opened, not_before)
            validated = opened + D(days=rng.randint(1, 6))
            submitted = validated + D(days=rng.randint(0, 4))
            scheduled = submitted + D(days=rng.randint(1, 7))
            assert scheduled < session_day, (s.scenario, scheduled, session_day)
        else:
            opened = self.today - D(days=rng.randint(14, 40))
            if not_before:
                opened = max(opened, not_before)
            validated = min(opened + D(days=rng.randint(1, 5)), self.today)
            submitted = min(validated + D(days=rng.randint(0, 3)), self.today)
            scheduled = min(submitted + D(days=rng.randint(1, 5)), self.today)
        self.open(s, opened, kind, period, kept=kept)
        self.validate(s, validated)
        self.submit(s, submitted)
        self.schedule(s, scheduled, session_day)
        return scheduled

    def decision_delay(self, entry: bool = True) -> D:
        """Days from the session to the préfet's decision: up to six weeks (entry), less (renewal)."""
        return D(days=self.rng.randint(7, 45) if entry else self.rng.randint(5, 25))

    # --- chains of authorised periods ---
    def chain(self, dept: str, entry: dt.date, n: int, delays: list[D], first_of_month: bool) -> Chain | None:
        decided = entry + delays[0]
        start = decided
        if first_of_month:
            start = rules.add_months(decided.replace(day=1), 1)
        c = Chain([entry], [decided], [start], [rules.period_end(start, 6)])
        for i in range(1, n):
            session = self.renewal_session(dept, c.starts[-1], c.ends[-1])
            if session is None:
                return None
            c.sessions.append(session)
            c.decisions.append(session + delays[i])
            c.starts.append(c.ends[-1] + D(days=1))
            c.ends.append(rules.period_end(c.starts[-1], 6))
        return c

    def pick_chain(self, s: Story, n: int | tuple[int, ...], ok: Callable[[Chain], bool]) -> Chain:
        """A chain of `n` periods (or one of the numbers in `n`) that suits the story: try entry sessions,
        decision delays and start days until `ok` accepts one (deterministic: the same draws every time)."""
        counts = (n,) if isinstance(n, int) else n
        for _attempt in range(40):
            k = self.rng.choice(counts)
            delays = [self.decision_delay(entry=i == 0) for i in range(k)]
            first_of_month = self.rng.random() < 0.25
            candidates = []
            for entry in self.past_sessions(s.dept)[:-1]:
                c = self.chain(s.dept, entry, k, delays, first_of_month)
                if c and c.decisions[-1] < self.today and c.starts[-1] <= self.today and ok(c):
                    candidates.append(c)
            if candidates:
                # Prefer the least used entry sessions, so that every session of the calendar has cases.
                fewest = min(self.session_use[(s.dept, c.sessions[0])] for c in candidates)
                return self.rng.choice(
                    [c for c in candidates if self.session_use[(s.dept, c.sessions[0])] == fewest]
                )
        raise RuntimeError(f"Démo : aucun calendrier ne convient au scénario « {s.scenario} ».")

    @staticmethod
    def after_decision(c: Chain, days: int) -> dt.date:
        """A day well into the last period, after its decision (a late renewal is decided after its start)."""
        return max(c.starts[-1] + D(days=days), c.decisions[-1] + D(days=3))

    def play_chain(self, s: Story, c: Chain, *, adjourned_first: bool = False) -> None:
        """Entry then renewals, each authorised, as laid out in the chain."""
        s.chain = c
        if adjourned_first:
            earlier = [d for d in self.calendar[s.dept] if d < c.sessions[0] - D(days=30)][-1]
            self.prepare(s, rules.RequestKind.ENTRY, earlier)
            self.avis(s, earlier, AK.ADJOURNED)
            completed = earlier + D(days=self.rng.randint(5, 12))
            self.complete_adjourned(s, completed, rules.RequestKind.ENTRY)
            resubmitted = completed + D(days=self.rng.randint(2, 6))
            self.resubmit(s, resubmitted)
            self.schedule(s, resubmitted + D(days=self.rng.randint(1, 5)), c.sessions[0])
        else:
            self.prepare(s, rules.RequestKind.ENTRY, c.sessions[0])
        self.avis(s, c.sessions[0], AK.FAVOURABLE)
        self.authorise(s, c.decisions[0], start=c.starts[0] if c.starts[0] != c.decisions[0] else None)
        for i in range(1, c.n):
            self.prepare(
                s, rules.RequestKind.RENEWAL, c.sessions[i], period=i, not_before=c.starts[i - 1] + D(10)
            )
            self.avis(s, c.sessions[i], AK.FAVOURABLE)
            self.authorise(s, c.decisions[i])
        for end in c.ends:
            if end < self.today:
                self.expiry_days.add(end + D(days=1))

    # --- scenarios ---
    def story(self, scenario: str, dept: str, expect: tuple[str, str], **who) -> Story:
        person, association = self.take_person(dept, **who)
        s = Story(len(self.stories), scenario, person, dept, self.actors(association, dept), expect)
        self.stories.append(s)
        return s

    def build_stories(self) -> None:
        T, rng = self.today, self.rng
        ENTRY, RENEWAL = rules.RequestKind.ENTRY, rules.RequestKind.RENEWAL
        depts = ("30", "13")

        def last(dept, back=0):
            return self.past_sessions(dept)[-1 - back]

        def coming(dept):
            return self.coming_sessions(dept)[0]

        def either():
            """The commission that has examined fewer requests so far, so that both calendars fill up."""
            use = {d: sum(n for (dept, _), n in self.session_use.items() if dept == d) for d in depts}
            return rng.choice([d for d in depts if use[d] == min(use.values())])

        # Requests being prepared: drafts, validated, submitted.
        s = self.story("brouillon incomplet", "30", (PS.PREPARING, RS.DRAFT))
        self.open(s, T - D(days=rng.randint(1, 12)), ENTRY, complete=False)
        s = self.story("soumise à la validation", "13", (PS.PREPARING, RS.READY))
        opened = T - D(days=rng.randint(3, 15))
        self.open(s, opened, ENTRY)
        s.add(opened + D(days=1), lambda s=s: t.submit_for_validation(s.request, s.actors.worker))
        s = self.story("validée", "30", (PS.PREPARING, RS.VALIDATED))
        opened = T - D(days=rng.randint(8, 20))
        self.open(s, opened, ENTRY)
        self.validate(s, opened + D(days=rng.randint(1, 6)))
        for dept in depts:
            s = self.story("transmise", dept, (PS.PREPARING, RS.SUBMITTED))
            opened = T - D(days=rng.randint(15, 30))
            self.open(s, opened, ENTRY)
            self.validate(s, opened + D(days=rng.randint(1, 5)))
            self.submit(s, T - D(days=rng.randint(0, 6)))
        # On the agenda of the coming session.
        for dept in ("30", "13", either()):
            s = self.story("inscrite à la prochaine séance", dept, (PS.PREPARING, RS.SCHEDULED))
            self.prepare(s, ENTRY, coming(dept))
        # Adjourned: one still to complete, one completed since; one resubmitted and scheduled again.
        for dept, complete in (("30", False), ("13", True)):
            s = self.story("ajournée", dept, (PS.PREPARING, RS.ADJOURNED))
            self.prepare(s, ENTRY, last(dept))
            self.avis(s, last(dept), AK.ADJOURNED)
            if complete:
                self.complete_adjourned(s, last(dept) + D(days=rng.randint(4, 10)), ENTRY)
        dept = either()
        s = self.story("ajournée puis réinscrite", dept, (PS.PREPARING, RS.SCHEDULED))
        self.prepare(s, ENTRY, last(dept))
        self.avis(s, last(dept), AK.ADJOURNED)
        completed = last(dept) + D(days=rng.randint(3, 8))
        self.complete_adjourned(s, completed, ENTRY)
        self.resubmit(s, completed + D(days=rng.randint(1, 4)))
        self.schedule(s, min(completed + D(days=rng.randint(5, 9)), T), coming(dept))
        # Avis given, waiting for the préfet.
        for dept, kind in (
            ("30", AK.FAVOURABLE),
            ("13", AK.FAVOURABLE),
            (either(), AK.UNFAVOURABLE),
        ):
            s = self.story("avis rendu, décision attendue", dept, (PS.PREPARING, RS.AVIS_GIVEN))
            self.prepare(s, ENTRY, last(dept))
            self.avis(s, last(dept), kind)
        # Entry refused, and a refusal followed by a new request months later.
        for dept in depts:
            s = self.story("entrée refusée", dept, (PS.REFUSED, RS.REFUSED))
            session = self.least_used(dept, T - D(days=600), T - D(days=60))
            adjourned = rng.random() < 0.5
            if adjourned:
                earlier = [d for d in self.calendar[dept] if d < session - D(days=30)][-1]
                self.prepare(s, ENTRY, earlier)
                self.avis(s, earlier, AK.ADJOURNED)
                self.complete_adjourned(s, earlier + D(days=6), ENTRY)
                self.resubmit(s, earlier + D(days=9))
                self.schedule(s, earlier + D(days=12), session)
            else:
                self.prepare(s, ENTRY, session)
            self.avis(s, session, AK.UNFAVOURABLE)
            self.refuse(s, session + self.decision_delay(), rng.choice(["project", "conditions"]))
        dept = either()
        s = self.story("refus puis nouvelle demande", dept, (PS.PREPARING, RS.DRAFT))
        session = self.least_used(dept, T - D(days=420), T - D(days=120))
        self.prepare(s, ENTRY, session)
        self.avis(s, session, AK.UNFAVOURABLE)
        self.refuse(s, session + self.decision_delay(), "project")
        self.open(s, T - D(days=rng.randint(2, 20)), ENTRY)
        # Entry request withdrawn after an adjournment: the pathway closes without a period.
        dept = either()
        s = self.story("demande retirée", dept, (PS.EXITED, RS.WITHDRAWN))
        session = self.least_used(dept, T - D(days=360), T - D(days=90))
        self.prepare(s, ENTRY, session)
        self.avis(s, session, AK.ADJOURNED)
        self.withdraw(
            s,
            session + D(days=rng.randint(15, 45)),
            "La personne a quitté la région avant le nouvel examen de sa demande.",
        )

        # Authorised pathways in progress, in periods 1 to 4, renewal not due yet.
        for k, count in ((1, 2), (2, 3), (3, 2), (4, 2)):
            for _ in range(count):
                s = self.story(f"en cours, période {k}", either(), (PS.ACTIVE, RS.AUTHORISED))
                c = self.pick_chain(s, k, lambda c: c.ends[-1] >= T + D(days=75))
                self.play_chain(s, c)
        # More of them at the Gard association: `travailleuse` sees there every AFIS and APS case (rights.py).
        for k, foreign in ((1, True), (1, False), (2, True), (2, True), (3, True)):
            s = self.story(f"en cours, période {k}", "30", (PS.ACTIVE, RS.AUTHORISED), association="horizon",
                           foreign=foreign)  # fmt: skip
            c = self.pick_chain(s, k, lambda c: c.ends[-1] >= T + D(days=75))
            self.play_chain(s, c)
        s = self.story("en cours après ajournement", either(), (PS.ACTIVE, RS.AUTHORISED))
        c = self.pick_chain(
            s, 1, lambda c: c.ends[-1] >= T + D(days=75) and c.sessions[0] > self.calendar[s.dept][1]
        )
        self.play_chain(s, c, adjourned_first=True)
        # Renewal due soon (no request yet).
        for dept in depts:
            s = self.story("renouvellement à préparer", dept, (PS.ACTIVE, RS.AUTHORISED))
            c = self.pick_chain(s, (1, 2, 3), lambda c: T + D(days=45) <= c.ends[-1] <= T + D(days=72))
            self.play_chain(s, c)
        # Renewals in progress.
        s = self.story("renouvellement en brouillon", either(), (PS.ACTIVE, RS.DRAFT))
        c = self.pick_chain(
            s, (1, 2, 3), lambda c: T + D(55) <= c.ends[-1] <= T + D(120) and c.starts[-1] <= T - D(30)
        )
        self.play_chain(s, c)
        self.open(s, T - D(days=rng.randint(0, 10)), RENEWAL, period=c.n, complete=False)
        s = self.story("renouvellement transmis", either(), (PS.ACTIVE, RS.SUBMITTED))
        c = self.pick_chain(
            s, (1, 2, 3), lambda c: T + D(40) <= c.ends[-1] <= T + D(110) and c.starts[-1] <= T - D(40)
        )
        self.play_chain(s, c)
        opened = T - D(days=rng.randint(15, 25))
        self.open(s, opened, RENEWAL, period=c.n)
        self.validate(s, opened + D(days=rng.randint(1, 5)))
        self.submit(s, T - D(days=rng.randint(0, 6)))
        for dept in depts:
            s = self.story("renouvellement inscrit à la prochaine séance", dept, (PS.ACTIVE, RS.SCHEDULED))
            f = coming(dept)
            c = self.pick_chain(
                s,
                (1, 2, 3),
                lambda c, f=f: f + D(10) <= c.ends[-1] <= f + D(110) and c.starts[-1] <= T - D(45),
            )
            self.play_chain(s, c)
            self.prepare(s, RENEWAL, f, period=c.n, not_before=c.starts[-1] + D(10))
        dept = either()
        s = self.story("renouvellement : avis rendu", dept, (PS.ACTIVE, RS.AVIS_GIVEN))
        p = last(dept)
        c = self.pick_chain(
            s, (1, 2), lambda c, p=p: T + D(10) <= c.ends[-1] <= p + D(150) and c.starts[-1] <= p - D(45)
        )
        self.play_chain(s, c)
        self.prepare(s, RENEWAL, p, period=c.n, not_before=c.starts[-1] + D(10))
        self.avis(s, p, AK.FAVOURABLE)

        # Lapsed: period ended without renewal; renewal refused; renewal asked too late.
        for dept in depts:
            s = self.story("période échue", dept, (PS.LAPSED, RS.AUTHORISED))
            c = self.pick_chain(s, (1, 2), lambda c: T - D(80) <= c.ends[-1] <= T - D(10))
            self.play_chain(s, c)
        s = self.story("renouvellement refusé", either(), (PS.LAPSED, RS.REFUSED))
        delay = self.decision_delay(entry=False)

        def renewal_refused_ok(c, s=s, delay=delay):
            r = self.renewal_session(s.dept, c.starts[-1], c.ends[-1])
            return T - D(70) <= c.ends[-1] <= T - D(5) and r is not None and r + delay < T

        c = self.pick_chain(s, (1, 2), renewal_refused_ok)
        self.play_chain(s, c)
        r = self.renewal_session(s.dept, c.starts[-1], c.ends[-1])
        self.prepare(s, RENEWAL, r, period=c.n, not_before=c.starts[-1] + D(10), kept=False)
        self.avis(s, r, AK.UNFAVOURABLE, "Engagements non tenus sur la période écoulée : la commission ne "
                  "recommande pas le renouvellement.")  # fmt: skip
        self.refuse(s, r + delay, "commitments")
        s = self.story("période échue, renouvellement tardif", either(), (PS.LAPSED, RS.SUBMITTED))
        c = self.pick_chain(s, 1, lambda c: T - D(80) <= c.ends[-1] <= T - D(40))
        self.play_chain(s, c)
        opened = c.ends[-1] + D(days=rng.randint(10, 20))
        self.open(s, opened, RENEWAL, period=1)
        self.validate(s, opened + D(days=rng.randint(1, 4)))
        self.submit(s, min(opened + D(days=rng.randint(5, 9)), T))

        # Exits.
        for dept in depts:
            s = self.story("parcours achevé (24 mois)", dept, (PS.EXITED, RS.AUTHORISED))
            c = self.pick_chain(s, 4, lambda c: c.ends[-1] <= T - D(5))
            self.play_chain(s, c)
            end = c.ends[-1]
            self.record_exit(
                s,
                self.between(end, min(end + D(20), T)),
                rules.ExitReason.COMPLETED,
                end,
                rng.choice([OutcomeHousing.SOCIAL, OutcomeHousing.OWN]),
                rng.choice([OutcomeActivity.EMPLOYED, OutcomeActivity.TRAINING]),
                "Parcours achevé après 24 mois : emploi à temps partiel et logement obtenus.",
            )
        for scenario, reason, n, comment in (
            (
                "sortie : retrait de la personne",
                rules.ExitReason.WITHDRAWN,
                (1, 2),
                "La personne a souhaité mettre fin à l'accompagnement.",
            ),
            (
                "sortie : départ du département",
                rules.ExitReason.MOVED,
                2,
                "Départ vers un autre département pour rejoindre sa famille ; relais pris par une "
                "association agréée sur place.",
            ),
        ):
            s = self.story(scenario, either(), (PS.EXITED, RS.AUTHORISED))
            c = self.pick_chain(
                s, n, lambda c: self.after_decision(c, 20) <= min(c.ends[-1] - D(10), T - D(3))
            )
            self.play_chain(s, c)
            day = self.between(self.after_decision(c, 20), min(c.ends[-1] - D(10), T - D(3)))
            self.record_exit(
                s,
                day,
                reason,
                day,
                rng.choice(OutcomeHousing.values[1:]),
                rng.choice(OutcomeActivity.values[1:]),
                comment,
            )
        s = self.story("sortie : perte de contact", either(), (PS.EXITED, RS.AUTHORISED))
        c = self.pick_chain(s, (1, 2), lambda c: c.ends[-1] <= T - D(40))
        self.play_chain(s, c)
        day = self.between(c.ends[-1] + D(20), min(c.ends[-1] + D(60), T))
        self.record_exit(
            s,
            day,
            rules.ExitReason.LOST_CONTACT,
            day,
            comment="Plus de nouvelles depuis la fin de la période malgré les relances.",
        )
        s = self.story("fin anticipée par le préfet", either(), (PS.EXITED, RS.AUTHORISED))
        c = self.pick_chain(
            s, (2, 3), lambda c: self.after_decision(c, 40) <= min(c.ends[-1] - D(20), T - D(3))
        )
        self.play_chain(s, c)
        self.end_early(s, self.between(self.after_decision(c, 40), min(c.ends[-1] - D(20), T - D(3))))

        # Every past session of the calendar examined at least one request: short stories fill the gaps.
        for dept in depts:
            for session in self.past_sessions(dept):
                if not self.session_use[(dept, session)]:
                    self.filler(dept, session)

    def filler(self, dept: str, session: dt.date) -> None:
        T, rng = self.today, self.rng
        decided = session + self.decision_delay()
        low, high = decided + D(days=20), min(rules.period_end(decided, 6) - D(days=10), T - D(days=3))
        if low <= high:
            reason = rng.choice(
                [rules.ExitReason.WITHDRAWN, rules.ExitReason.LOST_CONTACT, rules.ExitReason.MOVED]
            )
            s = self.story(f"sortie en première période ({reason})", dept, (PS.EXITED, RS.AUTHORISED))
            self.prepare(s, rules.RequestKind.ENTRY, session)
            self.avis(s, session, AK.FAVOURABLE)
            self.authorise(s, decided)
            day = self.between(low, high)
            self.record_exit(s, day, reason, day, rng.choice(OutcomeHousing.values[1:]),
                             rng.choice(OutcomeActivity.values[1:]))  # fmt: skip
        else:
            s = self.story("avis rendu, décision attendue", dept, (PS.PREPARING, RS.AVIS_GIVEN))
            self.prepare(s, rules.RequestKind.ENTRY, session)
            self.avis(s, session, AK.FAVOURABLE)

    # --- playing every step in date order ---
    def play(self) -> None:
        steps: list[Step] = [step for s in self.stories for step in s.steps]
        for key, first_use in self.session_first_use.items():
            steps.append(Step(min(first_use, key[1] - D(days=56)), 8, -1, 0, self._session_creator(key)))
        for dept in ("30", "13"):
            for day in self.coming_sessions(dept):
                key = (dept, day)
                if key not in self.session_first_use:
                    steps.append(
                        Step(
                            self.today - D(days=self.rng.randint(1, 10)), 8, -1, 0, self._session_creator(key)
                        )
                    )
        for key in self.session_first_use:
            if key[1] <= self.today:
                steps.append(Step(key[1], 17, -1, 0, self._minutes_writer(key)))
        for day in sorted(self.expiry_days | {self.today}):
            steps.append(Step(day, 2, -1, 0, t.expire_periods))
        late = [st for st in steps if st.day > self.today]
        assert not late, f"Démo : étapes dans le futur {[(st.story, st.day) for st in late]}"
        steps.sort(key=lambda st: (st.day, st.hour, st.story, st.seq))
        minute: Counter = Counter()
        for step in steps:
            slot = (step.day, step.hour)
            when = dt.datetime.combine(step.day, dt.time(step.hour), tzinfo=clock.PARIS) + D(
                minutes=3 * minute[slot]
            )
            minute[slot] += 1
            with clock.travel_to(when):
                step.run()

    def _session_creator(self, key):
        dept, day = key

        def run():
            self.sessions[key] = t.create_session(self.secretariat(dept), day, SESSION_PLACES[dept])

        return run

    def _minutes_writer(self, key):
        """After the session, the secretariat records who attended."""
        dept, _day = key
        present = sorted(self.rng.sample(ATTENDANCE_OTHERS, self.rng.randint(5, len(ATTENDANCE_OTHERS))))
        attendance = "\n".join([*ATTENDANCE_ALWAYS, *present])

        def run():
            t.update_session(self.sessions[key], self.secretariat(dept), SESSION_PLACES[dept], attendance)

        return run

    def secretariat(self, dept: str) -> Membership:
        return self.members["secretariat" if dept == "30" else "secretariat13"]

    def opening_days(self) -> None:
        """The day each file is opened: the first contact (as told in the requests), or any day of the last
        three years for people without a pathway."""
        self.opened_on: dict[int, dt.date] = {}
        for person in self.people:
            if id(person) in self.profiles:
                day = self.profiles[id(person)].first_contact
            else:
                day = self.between(self.today - D(days=1000), self.today - D(days=2))
            self.opened_on[id(person)] = day
        self.story_of = {id(s.person): s for s in self.stories}

    def check(self) -> list[str]:
        anomalies = []
        for s in self.stories:
            pathway = Pathway.objects.filter(person=s.person).order_by("-pk").first()
            request = pathway.requests.order_by("-pk").first() if pathway else None
            got = (pathway.status if pathway else None, request.status if request else None)
            if got != s.expect:
                anomalies.append(f"{s.scenario} ({s.dept}) : attendu {s.expect}, obtenu {got}")
        return anomalies


def summary(today: dt.date | None = None) -> dict:
    """Counts of what the demo database holds."""
    today = today or clock.today()
    return {
        "organisations": Organisation.objects.count(),
        "accounts": User.objects.count(),
        "people": Person.objects.count(),
        "people_without_pathway": Person.objects.filter(pathways__isnull=True).count(),
        "pathways": Pathway.objects.count(),
        "pathways_by_status": dict(Counter(Pathway.objects.values_list("status", flat=True))),
        "requests": PathwayRequest.objects.count(),
        "requests_by_status": dict(Counter(PathwayRequest.objects.values_list("status", flat=True))),
        "sessions_past": CommissionSession.objects.filter(date__lte=today).count(),
        "sessions_coming": CommissionSession.objects.filter(date__gt=today).count(),
        "events": Event.objects.count(),
        **people.summary(today),
        **followup.summary(today),
        **records.summary(today),
        **rights.summary(today),
        **transfers.summary(today),
        **papers.summary(today),
        **commission.summary(),
        **workshops.summary(today),
        **funding.summary(today),
    }


def invite_pending(g: Generator) -> None:
    """One invitation waiting for its answer, sent by the head of service of the Gard (its e-mail goes to the
    demo's mail folder, <data folder>/mails, where its link can be opened), at the real "now": the journal's
    row comes after every row of the stories."""
    from django.conf import settings

    from parcours.onboarding import services as onboarding

    head = g.members["cheffe"]
    onboarding.invite(
        head, head.organisation, email="demo-nouvelle.benevole@example.org", role=Role.VOLUNTEER,
        base_url=settings.PARCOURS_PUBLIC_URL or "http://127.0.0.1:8000",
    )  # fmt: skip


def generate(seed: int = DEFAULT_SEED) -> dict:
    """Create the demo data set in an empty database. Same seed and same day, same data."""
    if Organisation.objects.exists() or Person.objects.exists():
        raise DemoDataExists("La base contient déjà des organisations ou des personnes.")
    g = Generator(seed)
    try:
        with transaction.atomic():
            g.build_calendar()
            g.build_organisations()
            g.build_people()
            g.build_stories()
            g.opening_days()
            people.prepare(g)  # the situation of each file, the spelling variants, the twins
            rights.choose(g)  # who shows which AFIS and APS case: adjusts her situation before creation
            people.create_people(g)
            g.play()
            people.add_sharing_consents(g)
            followup.build(g)
            rights.build(g)
            records.build(g)  # the papers of the rights cases
            invite_pending(g)
            transfers.build(g)  # a file waiting for `cheffe`, and one accepted elsewhere
            papers.build(g)  # letterheads of the Gard and Bouches-du-Rhône préfectures and associations
            # The Gard commission's composition, a session with its minutes, a convocation.
            commission.build(g)
            notifications.build(g)  # the inboxes: the daily pass a week ago and today
            # A year of drop-in sessions and outreach rounds of Horizon Fictif (issue 11).
            outreach_totals = outreach.build(g)
            # Workshops, team meetings with their decisions, the intern's internship (issue 11); last, so
            # that its draws change nothing before it.
            workshops.build(g)
            # Employment programmes, the France Travail agreement and the directories (issue 12).
            employment.build(g)
            funding.build(g)  # funders, grants, a funded post and charges (issue 12); no draw
            anomalies = g.check() + rights.check(g)
    except BaseException:
        records.remove_files(g)  # the rows are rolled back: the files written meanwhile go too
        raise
    return {
        "seed": seed,
        "today": g.today.isoformat(),
        "counts": summary(g.today),
        "accounts": demo_accounts(),
        "password": DEMO_PASSWORD,
        "anomalies": anomalies,
        "outreach": outreach_totals,
    }
