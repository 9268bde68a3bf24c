"""Erasure on request (GDPR art. 17) "where the law allows": the head of service of the person's association
erases her file, which is the anonymisation of anonymise.py done at once, with a ground and a journal row.

Refused (docs/security/retention.md):
- while a pathway is in progress (the préfet's authorisation, the allowance and the accompaniment rest on it:
  end it first by recording the exit);
- while a préfet's decision is younger than `conf.erasure_block_years()` years: the decision and the
  allowance paid under it may still be challenged or recovered (common limitation period, code civil,
  art. 2224), so the association must be able to show what the pathway was (GDPR art. 17(3)(b) and (e));
- when the file is already anonymised.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.dates import date_format
from parcours.core.errors import DomainError
from parcours.pathway.rules import add_months
from parcours.people.models import Person

from . import conf, retention
from .anonymise import anonymise
from .guard import maintenance
from .models import Erasure, ErasureGround


def may_erase(membership, person: Person) -> bool:
    return policy.can(membership, "erase_person", person)


def erasure_obstacle(person: Person, today: dt.date | None = None) -> str | None:
    """Why the law requires keeping the file today, in French; None when it may be erased."""
    today = today or clock.today()
    if person.anonymised_on is not None:
        return _("Ce dossier est déjà anonymisé.")
    if retention.has_open_pathway(person):
        return _(
            "Un parcours de sortie est en cours : la décision du préfet, l'aide financière et "
            "l'accompagnement reposent sur ce dossier. Enregistrez d'abord la sortie du parcours."
        )
    Decision = apps.get_model("pathway.Decision")
    last = (
        Decision.objects.filter(request__pathway__person=person)
        .order_by("-decided_on")
        .values_list("decided_on", flat=True)
        .first()
    )
    if last is not None:
        until = add_months(last, 12 * conf.erasure_block_years())
        if today < until:
            return _(
                "Une décision du préfet du %(decided)s doit pouvoir être justifiée jusqu'au %(until)s "
                "(prescription de cinq ans, code civil, art. 2224) : le dossier ne peut pas être effacé "
                "avant cette date. Il sera archivé puis anonymisé selon les durées de conservation."
            ) % {"decided": date_format(last, "j F Y"), "until": date_format(until, "j F Y")}
    return None


def erase(person: Person, by, ground: str) -> Erasure:
    """Erase (anonymise at once) the file of `person` for the ground `ground` (ErasureGround)."""
    if not may_erase(by, person):
        raise DomainError(_("Seule la cheffe de service de l'association peut effacer un dossier."))
    if ground not in ErasureGround.values:
        raise DomainError(_("Indiquez le motif de l'effacement."))
    today = clock.today()
    obstacle = erasure_obstacle(person, today)
    if obstacle:
        raise DomainError(obstacle)
    with transaction.atomic(), maintenance():
        person = Person.objects.select_for_update().get(pk=person.pk)
        erasure = Erasure.objects.create(
            person=person, ground=ground, erased_on=today, erased_by=by.user, organisation=by.organisation
        )
        anonymise(person, today=today)
        audit.record_event(by, "erasure.record", erasure, person_id=person.pk)
    return erasure
