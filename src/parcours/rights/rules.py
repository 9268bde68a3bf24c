"""The law of the rights opened by the exit pathway (AFIS and APS), as data.

Like `pathway/rules.py`: every amount, condition and deadline lives here with the text that grounds it, and a
rule the texts leave open (or that was only read in the press) is marked `verified=False`; the pages then
show it as « à vérifier ». Amounts are dated rows: a new decree is one new row of `AFIS_SCALES` (or of
`RSA_SINGLE`), never a change of code.

This module reads nothing from the database: callers pass the person, her authorised period and her APS.

Decisions where the texts were not read or are silent (see also the report of the rights part):
- Mayotte from 1 July 2022: décret n° 2022-1340 raised the mainland amounts by 4 %; whether it raised the
  Mayotte scale (art. D541-2-1) was not found. We keep the 2017 Mayotte amounts from that date, as a row of
  its own marked `verified=False`, so the page says « montant à vérifier ».
- Mayotte from 1 December 2025: a décret published in the Journal officiel of 31 December 2025 replaced the
  Mayotte scale (279,72 €; +53,04 € for each of the first three children; +33,28 € beyond), applying to
  the allowances due from December 2025. Only a press report was read: `verified=False`.
- The RSA lump sum for one person is revalued every 1 April; a date more than a year after the last row
  known here is flagged « à vérifier » (a revaluation probably happened that is not yet a row).
- The age condition (« âgée de plus de dix-huit ans ») is met from the 18th birthday; a birthday on
  29 February falls on 28 February in common years (the project's month arithmetic, art. 641 CPC).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core.dates import date_format
from parcours.core.departements import MAYOTTE
from parcours.core.periods import period_end
from parcours.pathway.rules import Basis, add_months

# --- Legal bases --------------------------------------------------------------------------------------
AFIS_AGE = Basis("CASF art. R121-12-13-1, 1° : être âgée de plus de dix-huit ans")
AFIS_PSP = Basis(
    "CASF art. L121-9 et R121-12-13-1 : être engagée dans le parcours de sortie de la prostitution autorisé "
    "par le préfet ; l'aide suit la durée de chaque période autorisée"
)
AFIS_RESIDENCE = Basis(
    "CASF art. R121-12-13-1, 2° : être française ou ressortissante de l'UE, de l'EEE ou de la Suisse, ou "
    "détenir un titre de séjour, un récépissé de demande de renouvellement ou une autorisation provisoire de "
    "séjour autorisant à travailler (un récépissé de première demande de titre ne suffit pas)"
)
AFIS_RESOURCES = Basis(
    "CASF art. R121-12-13-1, 3° : ressources mensuelles du foyer inférieures au montant forfaitaire du RSA "
    "pour une personne seule, appréciées sur le mois précédant la demande"
)
AFIS_RESOURCES_MAYOTTE = Basis(
    "CASF art. R121-12-13-1, 3° : à Mayotte, le montant forfaitaire du RSA applicable (adapté à Mayotte) est "
    "à vérifier ; le montant national est retenu",
    verified=False,
)
AFIS_NO_RSA_ADA = Basis(
    "CASF art. R121-12-13-1, 4° : ne pas percevoir ni pouvoir prétendre au RSA (CASF L262-2) ni à "
    "l'allocation pour demandeur d'asile (CESEDA L553-1)"
)
AFIS_PAYER = Basis(
    "CASF art. D121-12-15 (décret n° 2017-542) : l'AFIS est versée par la caisse de MSA, pas par la CAF"
)
AFIS_2017 = Basis(
    "CASF art. D121-12-14 (décret n° 2017-542 du 13 avril 2017) : 330 € par mois, + 102 € par enfant"
)
AFIS_2022 = Basis("Décret n° 2022-1340 du 19 octobre 2022 : revalorisation de 4 % au 1er juillet 2022")
AFIS_MAYOTTE_2017 = Basis(
    "CASF art. D541-2-1 (décret n° 2017-542) : à Mayotte, 165 € ; + 51 € pour chacun des trois premiers "
    "enfants, + 32 € au-delà"
)
AFIS_MAYOTTE_2022 = Basis(
    "CASF art. D541-2-1 : montants de 2017 maintenus faute d'avoir trouvé si le décret n° 2022-1340 les a "
    "revalorisés — montant à vérifier",
    verified=False,
)
AFIS_MAYOTTE_2025 = Basis(
    "Décret publié au Journal officiel du 31 décembre 2025 (barème de Mayotte, allocations dues à compter de "
    "décembre 2025), lu dans la presse seulement — montant à vérifier",
    verified=False,
)
AFIS_STOP = Basis(
    "CASF D121-12-14 ss : le préfet peut mettre fin au versement à compter du mois suivant sa décision "
    "(engagements non respectés, conditions plus remplies)",
    verified=False,
)
PRACTICE_STOP_AHEAD = Basis(
    "Pratique : l'arrêt de l'AFIS peut être enregistré d'avance, daté au plus tard du mois suivant (la MSA "
    "est prévenue avant le premier jour du mois où l'aide n'est plus due)",
    verified=False,
)
PRACTICE_MSA_CHASE = Basis(
    "Pratique : relancer la MSA sans premier versement deux mois après la demande", False
)
APS = Basis(
    "CESEDA art. L425-4 : autorisation provisoire de séjour d'au moins six mois, autorisant à travailler, "
    "renouvelée pendant toute la durée du parcours"
)
PRACTICE_APS_LEAD = Basis(
    "Pratique : demander le renouvellement de l'APS deux mois avant son expiration (réglage)", verified=False
)
PRACTICE_RECEIPT_LEAD = Basis("Pratique : faire prolonger le récépissé un mois avant son expiration", False)
RSA_BASIS = Basis(
    "CASF art. L262-2 : montant forfaitaire du RSA pour une personne seule, revalorisé chaque 1er avril"
)


# --- AFIS amounts, by rule version ---------------------------------------------------------------------
class Territory(models.TextChoices):
    MAINLAND = "mainland", gettext_lazy("Métropole et outre-mer (hors Mayotte)")
    MAYOTTE = "mayotte", gettext_lazy("Mayotte")


@dataclass(frozen=True)
class ChildStep:
    """`amount` for each child up to the `up_to`-th (None: every further child)."""

    up_to: int | None
    amount: Decimal


@dataclass(frozen=True)
class AfisScale:
    code: str
    territory: str
    in_force_from: dt.date
    alone: Decimal
    per_child: tuple[ChildStep, ...]
    basis: Basis

    def amount(self, children: int) -> Decimal:
        if children < 0:
            raise ValueError("children must be >= 0")
        total, counted = self.alone, 0
        for step in self.per_child:
            limit = children if step.up_to is None else min(children, step.up_to)
            if limit > counted:
                total += step.amount * (limit - counted)
                counted = limit
        return total


def _eur(value: str) -> Decimal:
    return Decimal(value)


AFIS_SCALES: tuple[AfisScale, ...] = (
    AfisScale(
        "2017",
        Territory.MAINLAND,
        dt.date(2017, 4, 15),
        _eur("330.00"),
        (ChildStep(None, _eur("102.00")),),
        AFIS_2017,
    ),
    AfisScale(
        "2022",
        Territory.MAINLAND,
        dt.date(2022, 7, 1),
        _eur("343.20"),
        (ChildStep(None, _eur("106.08")),),
        AFIS_2022,
    ),
    AfisScale(
        "2017-976",
        Territory.MAYOTTE,
        dt.date(2017, 4, 15),
        _eur("165.00"),
        (ChildStep(3, _eur("51.00")), ChildStep(None, _eur("32.00"))),
        AFIS_MAYOTTE_2017,
    ),
    AfisScale(
        "2022-976",
        Territory.MAYOTTE,
        dt.date(2022, 7, 1),
        _eur("165.00"),
        (ChildStep(3, _eur("51.00")), ChildStep(None, _eur("32.00"))),
        AFIS_MAYOTTE_2022,
    ),
    AfisScale(
        "2025-976",
        Territory.MAYOTTE,
        dt.date(2025, 12, 1),
        _eur("279.72"),
        (ChildStep(3, _eur("53.04")), ChildStep(None, _eur("33.28"))),
        AFIS_MAYOTTE_2025,
    ),
)


def territory_of(departement_id: str | None) -> str:
    return Territory.MAYOTTE if departement_id == MAYOTTE else Territory.MAINLAND


def afis_scale_on(day: dt.date, territory: str) -> AfisScale | None:
    """The scale in force on `day` for `territory`; None before the AFIS existed."""
    rows = [s for s in AFIS_SCALES if s.territory == territory and s.in_force_from <= day]
    return max(rows, key=lambda s: s.in_force_from) if rows else None


@dataclass(frozen=True)
class AfisAmount:
    amount: Decimal
    children: int
    territory: str
    scale: AfisScale

    @property
    def verified(self) -> bool:
        return self.scale.basis.verified


def afis_amount(children: int, territory: str, day: dt.date) -> AfisAmount | None:
    scale = afis_scale_on(day, territory)
    if scale is None:
        return None
    return AfisAmount(scale.amount(children), children, territory, scale)


# --- RSA lump sum for one person (the resources ceiling of the AFIS) ----------------------------------
@dataclass(frozen=True)
class RsaAmount:
    in_force_from: dt.date
    amount: Decimal
    basis: Basis


def _rsa(day, amount, source, verified=True) -> RsaAmount:
    return RsaAmount(day, Decimal(amount), Basis(f"{RSA_BASIS.text} — {source}", verified))


RSA_SINGLE: tuple[RsaAmount, ...] = (
    _rsa(dt.date(2017, 4, 1), "536.78", "montant au 1er avril 2017 (presse)", False),
    _rsa(dt.date(2017, 9, 1), "545.48", "montant au 1er septembre 2017 (ASH n° 3037)"),
    _rsa(dt.date(2018, 4, 1), "550.93", "montant au 1er avril 2018, non relu", False),
    _rsa(dt.date(2019, 4, 1), "559.74", "montant au 1er avril 2019, non relu", False),
    _rsa(dt.date(2020, 4, 1), "564.39", "montant au 1er avril 2020, non relu", False),
    _rsa(dt.date(2021, 4, 1), "565.34", "montant au 1er avril 2021, non relu", False),
    _rsa(dt.date(2022, 4, 1), "575.52", "montant au 1er avril 2022, non relu", False),
    _rsa(
        dt.date(2022, 7, 1), "598.54", "revalorisation anticipée de 4 % au 1er juillet 2022 (presse)", False
    ),
    _rsa(dt.date(2023, 4, 1), "607.75", "décret n° 2023-340 du 4 mai 2023, au 1er avril 2023"),
    _rsa(
        dt.date(2024, 4, 1), "635.71", "revalorisation de 4,6 % au 1er avril 2024 (communiqué du ministère)"
    ),
    _rsa(dt.date(2025, 4, 1), "646.52", "revalorisation de 1,7 % au 1er avril 2025 (barème Lefebvre Dalloz)"),
)


@dataclass(frozen=True)
class RsaLookup:
    row: RsaAmount
    maybe_outdated: bool  # a yearly revaluation is probably due that is not a row yet

    @property
    def amount(self) -> Decimal:
        return self.row.amount

    @property
    def verified(self) -> bool:
        return self.row.basis.verified and not self.maybe_outdated


def rsa_single_on(day: dt.date) -> RsaLookup | None:
    rows = [r for r in RSA_SINGLE if r.in_force_from <= day]
    if not rows:
        return None
    row = max(rows, key=lambda r: r.in_force_from)
    latest = max(RSA_SINGLE, key=lambda r: r.in_force_from)
    next_revaluation = dt.date(latest.in_force_from.year + 1, 4, 1)
    return RsaLookup(row, maybe_outdated=row is latest and day >= next_revaluation)


# --- AFIS eligibility ----------------------------------------------------------------------------------
ADULT_AGE = 18
# Residence situations (people.models.ResidenceStatus) that meet condition 2° of R121-12-13-1.
# Only a receipt of a RENEWAL application counts; "receipt" is a receipt of a first application.
RESIDENCE_OK = frozenset({"french", "eu", "receipt_renewal", "aps", "permit"})
RESIDENCE_NOT_OK = frozenset({"none", "asylum_seeker", "receipt"})
# Those that are a document with an end date (Person.residence_permit_expiry).
RESIDENCE_WITH_EXPIRY = frozenset({"receipt", "receipt_renewal", "aps", "permit"})


def birthday(born: dt.date, years: int) -> dt.date:
    """The day `born` turns `years` (29 February → 28 February in common years)."""
    return add_months(born, 12 * years)


@dataclass(frozen=True)
class Condition:
    code: str
    label: str
    met: bool | None  # None: cannot conclude from the file
    reason: str
    basis: Basis

    @property
    def state(self) -> str:
        return {True: "met", False: "not_met", None: "unknown"}[self.met]


@dataclass(frozen=True)
class Eligibility:
    on: dt.date
    conditions: tuple[Condition, ...]

    @property
    def eligible(self) -> bool | None:
        """False as soon as one condition is not met; None when one cannot be concluded; else True."""
        states = [c.met for c in self.conditions]
        if False in states:
            return False
        if None in states:
            return None
        return True

    @property
    def reasons(self) -> list[str]:
        return [c.reason for c in self.conditions]


def _d(day: dt.date) -> str:
    return date_format(day, "j F Y")


# A condition's reason is written only when read (the rights page), not when only `met` is (the to-do page
# checks the eligibility of every person in a pathway: formatting dates and amounts was most of its time).
later = lazy(lambda write: write(), str)


def _eur_text(amount: Decimal) -> str:
    return f"{number_format(amount, 2)} €"


def afis_eligibility(
    person, on: dt.date, *, psp_period=None, aps_expires_on: dt.date | None = None
) -> Eligibility:
    """Each condition of R121-12-13-1 at the date `on` (the date the préfet decides, or today as a forecast).

    `person` has the Person fields (birth_date, residence_status, residence_permit_expiry, monthly_resources,
    receives_rsa, receives_ada, departement_id); `psp_period` is the authorised period covering `on` (start,
    end), or None; `aps_expires_on` is the end of an APS recorded as issued and valid on `on`, if any.
    """
    return Eligibility(
        on,
        (
            _age(person, on),
            _psp(psp_period, on),
            _residence(person, on, aps_expires_on),
            _resources(person, on),
            _no_rsa_ada(person),
        ),
    )


def _age(person, on) -> Condition:
    label = gettext_lazy("Être majeure (18 ans révolus)")
    if person.birth_date is None:
        return Condition("age", label, None, gettext_lazy("Date de naissance non renseignée."), AFIS_AGE)
    adult_on = birthday(person.birth_date, ADULT_AGE)
    if on >= adult_on:
        return Condition(
            "age", label, True, later(lambda: _("Majeure depuis le %(d)s.") % {"d": _d(adult_on)}), AFIS_AGE
        )
    return Condition(
        "age", label, False, later(lambda: _("Mineure : majeure le %(d)s.") % {"d": _d(adult_on)}), AFIS_AGE
    )


def _psp(period, on) -> Condition:
    label = gettext_lazy("Être engagée dans un parcours de sortie autorisé")
    if period is None:
        return Condition(
            "psp",
            label,
            False,
            later(lambda: _("Aucune période de parcours autorisée au %(d)s.") % {"d": _d(on)}),
            AFIS_PSP,
        )
    return Condition(
        "psp",
        label,
        True,
        later(
            lambda: _("Période autorisée du %(s)s au %(e)s.") % {"s": _d(period.start), "e": _d(period.end)}
        ),
        AFIS_PSP,
    )


def _residence(person, on, aps_expires_on) -> Condition:
    label = gettext_lazy("Nationalité ou droit au séjour")
    if aps_expires_on is not None and aps_expires_on >= on:
        return Condition(
            "residence",
            label,
            True,
            later(
                lambda: (
                    _("APS délivrée, valable jusqu'au %(d)s (autorise à travailler).")
                    % {"d": _d(aps_expires_on)}
                )
            ),
            AFIS_RESIDENCE,
        )
    status = person.residence_status
    if status in RESIDENCE_NOT_OK:
        reason = {
            "none": gettext_lazy("Sans titre de séjour : une APS (CESEDA L425-4) doit d'abord être obtenue."),
            "asylum_seeker": gettext_lazy(
                "Demandeuse d'asile : ni titre, ni récépissé de renouvellement, ni APS."
            ),
            "receipt": gettext_lazy(
                "Récépissé de première demande de titre : seul un récépissé de demande de renouvellement "
                "ouvre l'AFIS ; une APS (CESEDA L425-4) peut être demandée."
            ),
        }[status]
        return Condition("residence", label, False, reason, AFIS_RESIDENCE)
    if status in RESIDENCE_OK:
        expiry = person.residence_permit_expiry
        if status in RESIDENCE_WITH_EXPIRY and expiry is not None and expiry < on:
            return Condition(
                "residence",
                label,
                False,
                later(lambda: _("Document de séjour expiré le %(d)s.") % {"d": _d(expiry)}),
                AFIS_RESIDENCE,
            )
        return Condition(
            "residence",
            label,
            True,
            later(lambda: _("Situation : %(s)s.") % {"s": _residence_label(status)}),
            AFIS_RESIDENCE,
        )
    return Condition(
        "residence", label, None, gettext_lazy("Situation administrative non renseignée."), AFIS_RESIDENCE
    )


def _residence_label(status: str) -> str:
    from parcours.people.models import ResidenceStatus

    return str(ResidenceStatus(status).label)


def _resources(person, on) -> Condition:
    label = gettext_lazy("Ressources du foyer inférieures au RSA d'une personne seule")
    basis = (
        AFIS_RESOURCES_MAYOTTE if territory_of(person.departement_id) == Territory.MAYOTTE else AFIS_RESOURCES
    )
    rsa = rsa_single_on(on)
    if rsa is None:
        return Condition(
            "resources", label, None, gettext_lazy("Aucun montant du RSA connu à cette date."), basis
        )

    def ceiling():
        text = _eur_text(rsa.amount)
        return text if rsa.verified else text + " " + _("(montant à vérifier)")

    if person.monthly_resources is None:
        return Condition(
            "resources",
            label,
            None,
            later(lambda: _("Ressources mensuelles non renseignées (plafond : %(c)s).") % {"c": ceiling()}),
            basis,
        )

    def values():
        return {"r": _eur_text(person.monthly_resources), "c": ceiling()}

    if person.monthly_resources < rsa.amount:
        return Condition(
            "resources", label, True, later(lambda: _("%(r)s, sous le plafond de %(c)s.") % values()), basis
        )
    return Condition(
        "resources",
        label,
        False,
        later(lambda: _("%(r)s : pas en dessous du plafond de %(c)s.") % values()),
        basis,
    )


def _no_rsa_ada(person) -> Condition:
    label = gettext_lazy("Ne percevoir ni RSA ni ADA")
    if person.receives_rsa:
        return Condition(
            "rsa_ada", label, False, gettext_lazy("Perçoit le RSA ou y a droit."), AFIS_NO_RSA_ADA
        )
    if person.receives_ada:
        return Condition(
            "rsa_ada",
            label,
            False,
            gettext_lazy("Perçoit l'allocation pour demandeur d'asile (ADA)."),
            AFIS_NO_RSA_ADA,
        )
    return Condition("rsa_ada", label, True, gettext_lazy("Ni RSA ni ADA déclarés."), AFIS_NO_RSA_ADA)


# --- Payer and follow-up -------------------------------------------------------------------------------
PAYER = gettext_lazy("la caisse de MSA (mutualité sociale agricole)")  # AFIS_PAYER; never the CAF

# Months after the request to the MSA after which a missing first payment is chased.
MSA_CHASE_MONTHS = 2  # PRACTICE_MSA_CHASE


class AfisStopReason(models.TextChoices):
    PATHWAY_ENDED = "pathway_ended", gettext_lazy("Fin du parcours ou de la période autorisée")
    PREFET = "prefet", gettext_lazy("Décision du préfet (engagements, conditions)")
    RSA = "rsa", gettext_lazy("Ouverture du droit au RSA")
    RESOURCES = "resources", gettext_lazy("Ressources devenues supérieures au plafond")
    OTHER = "other", gettext_lazy("Autre motif")


# --- APS -----------------------------------------------------------------------------------------------
DEFAULT_APS_RENEWAL_LEAD_DAYS = 60  # PRACTICE_APS_LEAD
RECEIPT_LEAD_DAYS = 30  # PRACTICE_RECEIPT_LEAD
APS_MIN_MONTHS = 6  # APS: at least six months (used as a plausibility hint, not a refusal)
APS_MAX_MONTHS = 24  # plausibility: an APS follows the pathway, at most 24 months
RECEIPT_MAX_MONTHS = 12  # plausibility of a receipt's validity

# No right of the PSP can predate the law of 13 April 2016: earlier dates are typing mistakes.
EARLIEST = dt.date(2016, 4, 14)


def aps_renewal_lead_days() -> int:
    return getattr(settings, "PARCOURS_APS_RENEWAL_LEAD_DAYS", DEFAULT_APS_RENEWAL_LEAD_DAYS)


def aps_renewal_due(expires_on: dt.date) -> dt.date:
    return expires_on - dt.timedelta(days=aps_renewal_lead_days())


def receipt_renewal_due(expires_on: dt.date) -> dt.date:
    return expires_on - dt.timedelta(days=RECEIPT_LEAD_DAYS)


def afis_stop_on(ended_on: dt.date, period_ends_on: dt.date | None = None) -> dt.date:
    """First day without AFIS after an exit or an early end on `ended_on` (AFIS_STOP): the first day of the
    following month, never later than the day after the last authorised period (AFIS_PSP)."""
    stop = period_end(ended_on.replace(day=1), 1) + dt.timedelta(days=1)
    if period_ends_on is not None:
        stop = min(stop, period_ends_on + dt.timedelta(days=1))
    return stop


def afis_stop_latest(today: dt.date) -> dt.date:
    """The latest stop date that can be recorded ahead on `today`: the last day of next month
    (PRACTICE_STOP_AHEAD)."""
    return period_end(today.replace(day=1), 2)


def msa_chase_on(requested_on: dt.date) -> dt.date:
    return add_months(requested_on, MSA_CHASE_MONTHS)
