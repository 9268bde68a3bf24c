"""The indicators of the statistics module, each declared once: code, French name and definition, unit,
levels, source rows, and a function computing it by one aggregate query (ORM `values().annotate(Count)`,
the same SQL on PostgreSQL and SQLite). A count indicator returns atoms
{(département code, category, association id): count}, suppressed by secrecy.publish before anyone reads
them; a delay indicator returns the list of durations in days (never a person), summarised by median and
90th percentile in Python.

Other apps add their indicators with `register(Indicator(...))` (funding, above this layer), or by naming
a module in the setting PARCOURS_STATISTICS_MODULES whose import registers them (employment, below this
layer, which may not import this one: its module can be listed without an import edge).

Cache: results are cached (django cache) under a key holding a fingerprint of the source rows (count and
largest primary key of each source table, one cheap query each): any new or deleted row changes the key;
rows edited in place (a decision's kind corrected) are caught by the 10-minute expiry.
"""

import datetime as dt
import importlib
import statistics as pystats
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from parcours.core.periods import add_months
from parcours.pathway import rules
from parcours.pathway.models import (
    Avis,
    CommissionSession,
    Decision,
    DecisionKind,
    Exit,
    OutcomeActivity,
    OutcomeHousing,
    Pathway,
    PathwayRequest,
    Period,
)
from parcours.people.models import FrenchLevel, Gender
from parcours.rights.models import AfisFile, ApsFile

LEVELS = ("association", "departement", "national")
COUNT, DAYS = "count", "days"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    definition: str
    unit: str  # COUNT (people or files) or DAYS (a delay)
    source: str
    compute: Callable  # (start, end) -> atoms, or list of durations for DAYS
    categories: dict | None = None  # category code -> French label (None: the codes themselves)
    stock: bool = False  # counted on the period's last day rather than over the period
    levels: tuple = LEVELS
    # (periods) -> one result per period, in one query: the same results as `compute` on each period, for
    # the pages that read many periods at once (the national series, one per year since 2017).
    batch: Callable | None = None


REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    REGISTRY[indicator.code] = indicator
    return indicator


def registry() -> dict[str, Indicator]:
    for module in getattr(settings, "PARCOURS_STATISTICS_MODULES", ()):
        importlib.import_module(module)
    return REGISTRY


def _atoms(queryset, dep: str, assoc: str, category: str | None) -> dict:
    fields = [dep, assoc] + ([category] if category else [])
    out = {}
    for row in queryset.values(*fields).annotate(n=Count("pk", distinct=True)).order_by():
        key = (row[dep], row[category] if category else "total", row[assoc])
        out[key] = out.get(key, 0) + row["n"]
    return out


def _atoms_by_period(queryset, dep: str, assoc: str, category: str | None, within: list[Q], counted="pk"):
    """`_atoms` of `queryset.filter(within[i])` for each i, in one query: one filtered count per period."""
    fields = [dep, assoc] + ([category] if category else [])
    counts = {f"n{i}": Count(counted, distinct=True, filter=q) for i, q in enumerate(within)}
    out = [{} for _ in within]
    for row in queryset.values(*fields).annotate(**counts).order_by():
        key = (row[dep], row[category] if category else "total", row[assoc])
        for i, atoms in enumerate(out):
            if row[f"n{i}"]:
                atoms[key] = atoms.get(key, 0) + row[f"n{i}"]
    return out


def _running(day: dt.date) -> Q:
    return Q(periods__start__lte=day, periods__end__gte=day) & ~Q(status=rules.PathwayStatus.EXITED)


# --- Flows over a calendar year ----------------------------------------------------------------------
def requests_by_kind(start, end):
    qs = PathwayRequest.objects.filter(submitted_on__range=(start, end))
    return _atoms(qs, "pathway__departement_id", "pathway__association_id", "kind")


def avis_by_kind(start, end):
    qs = Avis.objects.filter(session__date__range=(start, end))
    return _atoms(qs, "request__pathway__departement_id", "request__pathway__association_id", "kind")


def decisions_by_kind(start, end):
    qs = Decision.objects.filter(decided_on__range=(start, end))
    return _atoms(qs, "request__pathway__departement_id", "request__pathway__association_id", "kind")


def first_request_decisions(start, end):
    return first_request_decisions_by_period([(start, end)])[0]


def entries(start, end):
    qs = Period.objects.filter(number=1, start__range=(start, end))
    return _atoms(qs, "pathway__departement_id", "pathway__association_id", None)


def renewals(start, end):
    qs = Period.objects.filter(number__gt=1, start__range=(start, end))
    return _atoms(qs, "pathway__departement_id", "pathway__association_id", None)


def exits_by_reason(start, end):
    qs = Exit.objects.filter(date__range=(start, end))
    return _atoms(qs, "pathway__departement_id", "pathway__association_id", "reason")


def exits_by_housing(start, end):
    qs = Exit.objects.filter(date__range=(start, end))
    return _atoms(qs, "pathway__departement_id", "pathway__association_id", "housing")


def exits_by_activity(start, end):
    qs = Exit.objects.filter(date__range=(start, end))
    return _atoms(qs, "pathway__departement_id", "pathway__association_id", "activity")


DURATION_BANDS = {
    "under_6": _("Moins de 6 mois"),
    "6_12": _("6 à 12 mois"),
    "12_18": _("12 à 18 mois"),
    "18_24": _("18 à 24 mois"),
    "none": _("Sans période autorisée"),
}


def duration_band(first_start: dt.date | None, exit_on: dt.date) -> str:
    """The band of whole months spent from the first authorised period's first day to the exit: the largest
    m with add_months(first_start, m) on or before the exit (core/periods.py: the same day number m months
    later, clamped to a shorter month's last day)."""
    if first_start is None:
        return "none"
    months = (exit_on.year - first_start.year) * 12 + exit_on.month - first_start.month
    while months > 0 and add_months(first_start, months) > exit_on:
        months -= 1
    return "under_6" if months < 6 else "6_12" if months < 12 else "12_18" if months < 18 else "18_24"


def exits_by_duration(start, end):
    """Exits of the period by the time spent in the pathway: one row per exit, its first period's start
    read by a subquery; only the band leaves this function."""
    first = Period.objects.filter(pathway=OuterRef("pathway_id"), number=1).values("start")[:1]
    rows = (
        Exit.objects.filter(date__range=(start, end))
        .annotate(first_start=Subquery(first))
        .values_list("pathway__departement_id", "pathway__association_id", "date", "first_start")
    )
    out: dict = {}
    for dep, assoc, exit_on, first_start in rows:
        key = (dep, duration_band(first_start, exit_on), assoc)
        out[key] = out.get(key, 0) + 1
    return out


def aps_issued(start, end):
    qs = ApsFile.objects.filter(issued_on__range=(start, end))
    return _atoms(qs, "person__departement_id", "person__association_id", None)


def afis_paid(start, end):
    """People with an AFIS paid during the period: first payment before its end, not stopped before it."""
    return afis_paid_by_period([(start, end)])[0]


def first_request_decisions_by_period(periods):
    qs = Decision.objects.filter(request__kind=rules.RequestKind.ENTRY)
    within = [Q(decided_on__range=(start, end)) for start, end in periods]
    return _atoms_by_period(
        qs, "request__pathway__departement_id", "request__pathway__association_id", "kind", within
    )


def afis_paid_by_period(periods):
    within = [
        Q(first_payment_on__lte=end) & (Q(stopped_on__isnull=True) | Q(stopped_on__gte=start))
        for start, end in periods
    ]
    return _atoms_by_period(
        AfisFile.objects.all(), "person__departement_id", "person__association_id", None, within, "person_id"
    )


# --- Stocks on the period's last day -----------------------------------------------------------------
def active_pathways(start, end):
    return active_pathways_by_period([(start, end)])[0]


def active_pathways_by_period(periods):
    qs = Pathway.objects.exclude(status=rules.PathwayStatus.EXITED)
    within = [Q(periods__start__lte=end, periods__end__gte=end) for _start, end in periods]
    return _atoms_by_period(qs, "departement_id", "association_id", None, within)


def active_by_gender(start, end):
    qs = Pathway.objects.filter(_running(end))
    return _atoms(qs, "departement_id", "association_id", "person__gender")


def active_by_french_level(start, end):
    qs = Pathway.objects.filter(_running(end))
    return _atoms(qs, "departement_id", "association_id", "person__french_level")


EU = set(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
AFRICA = set(
    [
        "DZ",
        "AO",
        "BJ",
        "BW",
        "BF",
        "BI",
        "CM",
        "CV",
        "CF",
        "TD",
        "KM",
        "CG",
        "CD",
        "CI",
        "DJ",
        "EG",
        "GQ",
        "ER",
        "ET",
        "GA",
        "GM",
        "GH",
        "GN",
        "GW",
        "KE",
        "LS",
        "LR",
        "LY",
        "MG",
        "MW",
        "ML",
        "MR",
        "MU",
        "MA",
        "MZ",
        "NA",
        "NE",
        "NG",
        "RW",
        "ST",
        "SN",
        "SC",
        "SL",
        "SO",
        "ZA",
        "SS",
        "SD",
        "SZ",
        "TZ",
        "TG",
        "TN",
        "UG",
        "ZM",
        "ZW",
    ]
)
NATIONALITY_GROUPS = {
    "france": _("France"),
    "eu": _("Union européenne (hors France)"),
    "africa": _("Afrique"),
    "other": _("Autres pays"),
    "unknown": _("Non renseignée"),
}


def _nationality_group(code: str) -> str:
    if not code:
        return "unknown"
    if code == "FR":
        return "france"
    return "eu" if code in EU else "africa" if code in AFRICA else "other"


def active_by_nationality(start, end):
    qs = Pathway.objects.filter(_running(end))
    out: dict = {}
    for (dep, code, assoc), n in _atoms(
        qs, "departement_id", "association_id", "person__nationality"
    ).items():
        key = (dep, _nationality_group(str(code)), assoc)
        out[key] = out.get(key, 0) + n
    return out


AGE_BANDS = {
    "under_18": _("Moins de 18 ans"),
    "18_24": _("18 à 24 ans"),
    "25_34": _("25 à 34 ans"),
    "35_44": _("35 à 44 ans"),
    "45_plus": _("45 ans et plus"),
    "unknown": _("Non renseigné"),
}


def age_band(born: dt.date | None, on: dt.date) -> str:
    """The band of the age reached on `on` (an anonymised file keeps the first day of its five-year band of
    birth years, privacy/anonymise.py: its band is then read from that day)."""
    if born is None:
        return "unknown"
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age < 18:
        return "under_18"
    return "18_24" if age < 25 else "25_34" if age < 35 else "35_44" if age < 45 else "45_plus"


def active_by_age(start, end):
    """People in a pathway on the last day, by age band on that day. The birth date is encrypted: the
    dates are decrypted here, in Python, one row per pathway, and only the band leaves this function."""
    out: dict = {}
    rows = (
        Pathway.objects.filter(_running(end))
        .distinct()
        .values_list("pk", "departement_id", "association_id", "person__birth_date")
    )
    seen = set()
    for pk, dep, assoc, born in rows:
        if pk in seen:
            continue
        seen.add(pk)
        key = (dep, age_band(born, end), assoc)
        out[key] = out.get(key, 0) + 1
    return out


# --- Delays (durations only) -------------------------------------------------------------------------
# A delay indicator returns {(département code, association id): sorted durations in days}: the number of
# durations of each cell is a count of requests, suppressed like any count (tables.delay_rows).
def _by_cell(rows) -> dict:
    out: dict = {}
    for key, days in rows:
        out.setdefault(key, []).append(days)
    return {key: sorted(values) for key, values in out.items()}


def delay_submission_to_session(start, end):
    rows = (
        Avis.objects.filter(session__date__range=(start, end), request__submitted_on__isnull=False)
        .values("request_id", "request__submitted_on", "request__pathway__departement_id",
                "request__pathway__association_id")
        .annotate(first=Max("session__date"))
    )  # fmt: skip
    return _by_cell(
        (
            (r["request__pathway__departement_id"], r["request__pathway__association_id"]),
            (r["first"] - r["request__submitted_on"]).days,
        )
        for r in rows
    )


def delay_avis_to_decision(start, end):
    rows = (
        Decision.objects.filter(decided_on__range=(start, end))
        .values("request_id", "decided_on", "request__pathway__departement_id",
                "request__pathway__association_id")
        .annotate(avis_on=Max("request__avis__session__date"))
    )  # fmt: skip
    return _by_cell(
        (
            (r["request__pathway__departement_id"], r["request__pathway__association_id"]),
            (r["decided_on"] - r["avis_on"]).days,
        )
        for r in rows
        if r["avis_on"]
    )


def durations(cells: dict, departement: str | None = None) -> list[int]:
    """The sorted durations of a delay indicator, for one département or the whole country."""
    return sorted(d for (dep, _a), values in cells.items() if departement in (None, dep) for d in values)


def percentile(values: list[int], p: float) -> float:
    """Nearest-rank percentile of a sorted list."""
    rank = max(1, -(-len(values) * p // 100))
    return values[int(rank) - 1]


def summarise(values: list[int], limit: int) -> dict:
    """Median and 90th percentile, published only over more than `limit` durations."""
    if len(values) <= limit:
        return {"n": None, "median": None, "p90": None}
    median = pystats.median(values)
    median = int(median) if median == int(median) else median  # 139, not 139,0; 17,5 stays
    return {"n": len(values), "median": median, "p90": percentile(values, 90)}


# --- Commissions (public bodies, not people: not suppressed) -----------------------------------------
def commissions_met(start, end):
    return commissions_met_by_period([(start, end)])[0]


def commissions_met_by_period(periods) -> list[dict]:
    """`commissions_met` of each period, in one query."""
    from parcours.accounts.models import Organisation

    held = {
        f"n{i}": Count("sessions", filter=Q(sessions__status="held", sessions__date__range=(start, end)))
        for i, (start, end) in enumerate(periods)
    }
    out = [{} for _ in periods]
    for row in Organisation.objects.filter(kind="commission").annotate(**held).values(*held):
        for i, met in enumerate(out):
            key = "met" if row[f"n{i}"] else "not_met"
            met[key] = met.get(key, 0) + 1
    return out


_S = "parcours.pathway"
for ind in [
    Indicator(
        "requests",
        _("Demandes transmises"),
        _(
            "Demandes d'engagement (annexe 6) et de renouvellement "
            "(annexe 7) transmises à la commission pendant la période."
        ),
        COUNT,
        f"{_S} PathwayRequest",
        requests_by_kind,
        dict(rules.RequestKind.choices),
    ),
    Indicator(
        "avis",
        _("Avis de la commission"),
        _("Avis rendus en séance pendant la période, par type."),
        COUNT,
        f"{_S} Avis",
        avis_by_kind,
        dict(rules.AvisKind.choices),
    ),
    Indicator(
        "decisions",
        _("Décisions du préfet"),
        _("Décisions prises pendant la période, par type."),
        COUNT,
        f"{_S} Decision",
        decisions_by_kind,
        dict(DecisionKind.choices),
    ),
    Indicator(
        "first_decisions",
        _("Décisions sur les premières demandes"),
        _(
            "Décisions prises pendant la "
            "période sur des demandes d'engagement (taux de refus des premières demandes)."
        ),
        COUNT,
        f"{_S} Decision",
        first_request_decisions,
        dict(DecisionKind.choices),
        batch=first_request_decisions_by_period,
    ),
    Indicator(
        "entries",
        _("Entrées en parcours"),
        _("Premières périodes autorisées commençant pendant la période."),
        COUNT,
        f"{_S} Period",
        entries,
        {"total": _("Entrées")},
    ),
    Indicator(
        "renewals",
        _("Renouvellements"),
        _("Périodes de renouvellement commençant pendant la période."),
        COUNT,
        f"{_S} Period",
        renewals,
        {"total": _("Renouvellements")},
    ),
    Indicator(
        "exits",
        _("Sorties du parcours"),
        _("Sorties enregistrées pendant la période, par motif."),
        COUNT,
        f"{_S} Exit",
        exits_by_reason,
        dict(rules.ExitReason.choices),
    ),
    Indicator(
        "exit_housing",
        _("Logement à la sortie"),
        _("Sorties enregistrées pendant la période, par logement de la personne à sa sortie."),
        COUNT,
        f"{_S} Exit",
        exits_by_housing,
        dict(OutcomeHousing.choices),
    ),
    Indicator(
        "exit_activity",
        _("Activité à la sortie"),
        _(
            "Sorties enregistrées pendant la période, par activité de la personne à sa sortie (emploi, "
            "formation…)."
        ),
        COUNT,
        f"{_S} Exit",
        exits_by_activity,
        dict(OutcomeActivity.choices),
    ),
    Indicator(
        "exit_duration",
        _("Durée passée dans le parcours"),
        _(
            "Sorties enregistrées pendant la période, par mois entiers écoulés entre le premier jour de la "
            "première période autorisée et la sortie."
        ),
        COUNT,
        f"{_S} Exit, Period",
        exits_by_duration,
        DURATION_BANDS,
    ),
    Indicator(
        "active",
        _("Personnes en parcours"),
        _(
            "Parcours dont une période autorisée court le dernier "
            "jour de la période (31 décembre pour une année écoulée)."
        ),
        COUNT,
        f"{_S} Pathway, Period",
        active_pathways,
        {"total": _("En parcours")},
        stock=True,
        batch=active_pathways_by_period,
    ),
    Indicator(
        "gender",
        _("Personnes en parcours par genre"),
        _(
            "Personnes en parcours le dernier jour de la "
            "période, par genre déclaré (femmes et hommes trans compris)."
        ),
        COUNT,
        "parcours.people Person",
        active_by_gender,
        dict(Gender.choices),
        stock=True,
    ),
    Indicator(
        "french_level",
        _("Personnes en parcours par niveau de français"),
        _(
            "Personnes en parcours le dernier jour de la période, par niveau de français noté dans leur "
            "dossier (cadre européen de référence pour les langues)."
        ),
        COUNT,
        "parcours.people Person",
        active_by_french_level,
        dict(FrenchLevel.choices),
        stock=True,
    ),
    Indicator(
        "nationality",
        _("Personnes en parcours par nationalité"),
        _("Personnes en parcours le dernier jour de la période, par groupe de nationalités."),
        COUNT,
        "parcours.people Person",
        active_by_nationality,
        NATIONALITY_GROUPS,
        stock=True,
    ),
    Indicator(
        "age",
        _("Personnes en parcours par tranche d'âge"),
        _(
            "Personnes en parcours le dernier jour de la période, par âge atteint ce jour-là "
            "(calculé depuis la date de naissance)."
        ),
        COUNT,
        "parcours.people Person",
        active_by_age,
        AGE_BANDS,
        stock=True,
    ),
    Indicator(
        "afis",
        _("Bénéficiaires de l'AFIS"),
        _("Personnes ayant perçu l'aide financière à l'insertion sociale pendant la période."),
        COUNT,
        "parcours.rights AfisFile",
        afis_paid,
        {"total": _("Bénéficiaires")},
        batch=afis_paid_by_period,
    ),
    Indicator(
        "aps",
        _("APS délivrées"),
        _("Autorisations provisoires de séjour délivrées pendant la période."),
        COUNT,
        "parcours.rights ApsFile",
        aps_issued,
        {"total": _("APS délivrées")},
    ),
    Indicator(
        "delay_session",
        _("Délai de la transmission à la séance"),
        _(
            "Jours entre la transmission "
            "d'une demande et la séance qui l'examine (avis rendus pendant la période)."
        ),
        DAYS,
        f"{_S} PathwayRequest, Avis",
        delay_submission_to_session,
    ),
    Indicator(
        "delay_decision",
        _("Délai de l'avis à la décision"),
        _("Jours entre la séance qui rend l'avis et la décision du préfet (décisions de la période)."),
        DAYS,
        f"{_S} Avis, Decision",
        delay_avis_to_decision,
    ),
]:
    register(ind)

SOURCES = (PathwayRequest, Avis, Decision, Period, Exit, Pathway, AfisFile, ApsFile, CommissionSession)


def fingerprint() -> str:
    parts = []
    for model in SOURCES:
        agg = model.objects.aggregate(n=Count("pk"), m=Max("pk"))
        parts.append(f"{agg['n']}.{agg['m']}")
    return "-".join(parts)


# A page computes dozens of indicators (the national series: one per year since 2017): within
# `one_reading()`, the fingerprint is read once for all of them instead of once per indicator.
_reading: ContextVar[str | None] = ContextVar("statistics_reading", default=None)


@contextmanager
def one_reading():
    token = _reading.set(fingerprint())
    try:
        yield
    finally:
        _reading.reset(token)


def current_reading() -> str:
    """The fingerprint of the data being read: the one of `one_reading()`, or a fresh one."""
    return _reading.get() or fingerprint()


def _key(code: str, start: dt.date, end: dt.date, reading: str) -> str:
    return f"statistics:{code}:{start}:{end}:{reading}"


def compute_many(code: str, periods: list[tuple[dt.date, dt.date]]) -> list:
    """`compute` of each period: those not cached are computed together by the indicator's `batch` (one
    query) when it has one, then cached one by one under the same keys as `compute`."""
    reading = _reading.get() or fingerprint()
    keys = [_key(code, start, end, reading) for start, end in periods]
    found = cache.get_many(keys)
    missing = [(period, key) for period, key in zip(periods, keys, strict=True) if key not in found]
    if missing:
        indicator = registry()[code]
        todo = [period for period, _key in missing]
        values = indicator.batch(todo) if indicator.batch else [indicator.compute(*p) for p in todo]
        computed = {key: value for (_period, key), value in zip(missing, values, strict=True)}
        cache.set_many(computed, 600)
        found.update(computed)
    return [found[key] for key in keys]


def compute(code: str, start: dt.date, end: dt.date):
    """The indicator's atoms (or durations) for [start, end], cached under the data's fingerprint."""
    return compute_many(code, [(start, end)])[0]
