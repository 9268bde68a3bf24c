"""The person's own summary (issue 10): her plan, her commitments, the rights opened, her next appointments
and who to contact, on paper, in her language (docs/decisions/0041-person-summary-in-her-language.md).

French is the source language: every string of the paper is in the template `papers/summary_pdf.html` (and the
few below), in French, with the context `CONTEXT`; `papers/locale/<lang>/LC_MESSAGES/django.po` translates
them into the six other languages. The Parcours interface stays French: only the paper is rendered inside
`translation.override(language)`. What the association typed (plan actions, commitments) is printed as typed,
and the paper says so in its language.

The paper may be seen by someone else than her: like the calendar export (followup/ics.py), an appointment
says what it is about only when the subject is not telling (`PRINTED_SUBJECTS`: never health, justice or
residence), and its place is left out when the subject is not printed or her address is confidential.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import shutil
import subprocess
import unicodedata
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.utils import translation
from django.utils.translation import pgettext_lazy

from parcours.accounts.letterhead import LetterheadData, letterhead_for
from parcours.core import clock
from parcours.core.pdf import render_pdf
from parcours.followup import services as followup_services
from parcours.followup.models import Appointment, AppointmentStatus
from parcours.pathway import rules as pathway_rules
from parcours.pathway.deadlines import summarise
from parcours.pathway.models import Domain, Pathway
from parcours.people.models import Person
from parcours.rights import rules as rights_rules
from parcours.rights.models import AfisFile, ApsFile

# The msgctxt of every string of the paper (written literally in each call, so that xgettext reads it).
CONTEXT = "person summary"
TEMPLATE = "papers/summary_pdf.html"
SOURCE_LANGUAGE = "fr"
# The languages of the paper (Django language codes; the catalogue of zh-hans is in locale/zh_Hans), with
# their own name, as the person reads it.
LANGUAGES: dict[str, str] = {
    "fr": "Français",
    "en": "English",
    "es": "Español",
    "pt": "Português",
    "ro": "Română",
    "bg": "Български",
    "zh-hans": "中文（简体）",
}
# The person's languages are typed in French in her file (« anglais, pidgin »): the words that name one of the
# languages of the paper, accents and case aside. Chinese is written the same whatever the spoken variety.
LANGUAGE_WORDS: dict[str, str] = {
    "francais": "fr", "french": "fr",
    "anglais": "en", "english": "en",
    "espagnol": "es", "castillan": "es", "spanish": "es", "espanol": "es",
    "portugais": "pt", "bresilien": "pt", "portuguese": "pt", "portugues": "pt",
    "roumain": "ro", "moldave": "ro", "romanian": "ro", "romana": "ro",
    "bulgare": "bg", "bulgarian": "bg",
    "chinois": "zh-hans", "mandarin": "zh-hans", "cantonais": "zh-hans", "wu": "zh-hans",
    "chinese": "zh-hans", "中文": "zh-hans", "普通话": "zh-hans",
}  # fmt: skip

# An appointment's subject is printed only for these domains: « Santé », « Plainte, justice » or « Séjour,
# asile » on a paper someone else may find would say too much (the calendar export prints none).
PRINTED_SUBJECTS = {
    Domain.HOUSING: pgettext_lazy("person summary", "Logement"),
    Domain.RIGHTS: pgettext_lazy("person summary", "Accès aux droits"),
    Domain.EMPLOYMENT: pgettext_lazy("person summary", "Emploi, formation"),
    Domain.FRENCH: pgettext_lazy("person summary", "Cours de français"),
    Domain.SOCIAL: pgettext_lazy("person summary", "Vie sociale"),
}
NEXT_APPOINTMENTS = 8  # the next appointments printed, at most

RS = pathway_rules.RequestStatus
PS = pathway_rules.PathwayStatus
# An open request is "in preparation" with the association until it is transmitted (and again once
# adjourned), then "being examined" by the commission and the préfet.
PREPARING = frozenset({RS.DRAFT, RS.READY, RS.VALIDATED, RS.ADJOURNED})


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return [w.strip(" .;/()") for w in folded.replace(";", ",").replace("/", ",").split(",")]


def default_language(person: Person) -> str:
    """The first of her languages that the paper speaks; French otherwise."""
    for word in _words(person.languages or ""):
        if word in LANGUAGE_WORDS:
            return LANGUAGE_WORDS[word]
    return SOURCE_LANGUAGE


@dataclasses.dataclass(frozen=True)
class PlanLine:
    description: str
    target_date: dt.date | None


@dataclasses.dataclass(frozen=True)
class AppointmentLine:
    starts_at: dt.datetime
    ends_at: dt.datetime
    with_whom: str
    subject: object  # a lazy translation, or "" when not printed
    place: str


@dataclasses.dataclass(frozen=True)
class Summary:
    person: Person
    language: str
    issued_on: dt.date
    letterhead: LetterheadData
    contact_name: str
    # The pathway: "current", "lapsed", "exited" or "none"; the period shown; the open request's state.
    pathway_state: str
    period: object | None
    months_used: int
    max_months: int
    last_period: bool  # the period shown is the last one the 24-month cap allows
    renewal_due: dt.date | None
    exit_date: dt.date | None
    open_request_kind: str  # "entry", "renewal" or ""
    open_request_state: str  # "preparing", "examined" or ""
    # The plan of her current request (followup.services.current_request), in force once authorised.
    plan_in_force: bool
    actions: list[PlanLine]
    commitments: list[str]
    afis: AfisFile | None
    afis_amount: Decimal | None
    aps: ApsFile | None
    aps_renewal_due: dt.date | None
    appointments: list[AppointmentLine]

    @property
    def translated(self) -> bool:
        return self.language != SOURCE_LANGUAGE


def _pathway(membership, person: Person):
    pathways = list(
        Pathway.objects.visible_to(membership).filter(person=person)
        .prefetch_related("periods__request", "requests").select_related("exit")
    )  # fmt: skip
    open_ = [p for p in pathways if p.status != PS.EXITED]
    if open_:
        return open_[0]
    return max(pathways, key=lambda p: (p.created_at, p.pk)) if pathways else None


def _exit_date(pathway) -> dt.date | None:
    try:
        return pathway.exit.date
    except ObjectDoesNotExist:
        return None


def _latest(files):
    files = list(files)
    return max(files, key=lambda f: (f.requested_on, f.pk)) if files else None


def _afis(person: Person, today: dt.date) -> tuple[AfisFile | None, Decimal | None]:
    afis = _latest(AfisFile.objects.filter(person=person))
    amount = None
    if afis is not None and afis.first_payment_on is not None and afis.running:
        found = rights_rules.afis_amount(
            person.dependent_children, rights_rules.territory_of(person.departement_id), today
        )
        amount = found.amount if found else None
    return afis, amount


def _appointments(membership, person: Person, now: dt.datetime) -> list[AppointmentLine]:
    rows = (
        Appointment.objects.visible_to(membership)
        .filter(person=person, status=AppointmentStatus.PLANNED, starts_at__gte=now)
        .select_related("worker").order_by("starts_at", "pk")[:NEXT_APPOINTMENTS]
    )  # fmt: skip
    return [
        AppointmentLine(
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            with_whom=a.worker.get_full_name() or a.worker.get_username(),
            subject=PRINTED_SUBJECTS.get(a.purpose, ""),
            # The place of an appointment whose subject is not printed would say it (« Tribunal… »).
            place="" if person.address_confidential or a.purpose not in PRINTED_SUBJECTS else a.place,
        )
        for a in rows
    ]


def build(membership, person: Person, language: str) -> Summary:
    """What the paper says of `person` today, read through the visibility rules of `membership`."""
    if language not in LANGUAGES:
        raise ValueError(language)
    today = clock.today()
    pathway = _pathway(membership, person)
    state, period, used, cap, last, renewal_due, exit_date = "none", None, 0, 0, False, None, None
    open_kind = open_state = ""
    if pathway is not None:
        s = summarise(pathway, today)
        used, cap = s.months_used, s.max_months
        if s.current_period is not None:
            state, period = "current", s.current_period
        elif s.last_period is not None:
            state, period = ("exited" if pathway.status == PS.EXITED else "lapsed"), s.last_period
        if pathway.status == PS.EXITED:
            state, exit_date = "exited", _exit_date(pathway) or (period.end if period else None)
        last = period is not None and s.cap_reached
        if state == "current" and not last and s.open_request is None and pathway.status == PS.ACTIVE:
            renewal_due = s.renewal_due
        if s.open_request is not None:
            open_kind = s.open_request.kind
            open_state = "preparing" if s.open_request.status in PREPARING else "examined"
    # Her plan: the request whose plan is her current one, as the follow-up reads it (the latest request of
    # her pathway in progress, neither withdrawn nor refused); "in force" once authorised.
    request = followup_services.current_request(person)
    in_force = request is not None and request.status == RS.AUTHORISED
    afis, amount = _afis(person, today)
    aps = _latest(ApsFile.objects.filter(person=person))
    aps_due = None
    if aps is not None and aps.expires_on and aps.valid_on(today) and not aps.renewal_requested_on:
        aps_due = rights_rules.aps_renewal_due(aps.expires_on)
    referent = person.referent
    return Summary(
        person=person,
        language=language,
        issued_on=today,
        letterhead=letterhead_for(person.association),
        contact_name=(referent.get_full_name() or referent.get_username()) if referent else "",
        pathway_state=state,
        period=period,
        months_used=used,
        max_months=cap,
        last_period=last,
        renewal_due=renewal_due,
        exit_date=exit_date,
        open_request_kind=open_kind,
        open_request_state=open_state,
        plan_in_force=in_force,
        actions=[PlanLine(a.description, a.target_date) for a in request.actions.all()] if request else [],
        commitments=[c.text for c in request.commitments.all()] if request else [],
        afis=afis,
        afis_amount=amount,
        aps=aps,
        aps_renewal_due=aps_due,
        appointments=_appointments(membership, person, clock.now()),
    )


# Languages whose script DejaVu (embedded by core/templates/core/pdf_base.html) does not draw, and the
# fontconfig language that finds a font for them.
NEEDS_FONT = {"zh-hans": "zh"}


@functools.cache
def font_available(language: str) -> bool | None:
    """Whether the machine has a font for `language` (None when fontconfig's fc-list cannot say). Without
    one, WeasyPrint draws empty boxes: the view refuses the paper with the Debian package to install."""
    if language not in NEEDS_FONT:
        return True
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        found = subprocess.run(  # noqa: S603 (a fixed program, fixed arguments)
            [fc_list, f":lang={NEEDS_FONT[language]}", "family"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(found.strip())


def render(summary: Summary) -> bytes:
    """The PDF, rendered in the summary's language; the caller's language is back afterwards."""
    with translation.override(summary.language):
        return render_pdf(TEMPLATE, {"summary": summary, "today": summary.issued_on})
