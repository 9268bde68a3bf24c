"""Every change of the funding: one function per action, each checking who acts and what she asks, writing in
one transaction with its journal row, and raising `DomainError` with a French message (nothing saved) when
refused. Only the head of service of the association acts here (rule `funding`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.dates import date_format
from parcours.core.errors import DomainError

from . import indicators
from .models import Charge, FundedPost, Funder, FunderKind, Grant

__all__ = ["DomainError"]

LABEL_MAX = 150
SITES_MAX = 200
TEXT_MAX = 4000
AMOUNT_MAX = Decimal("100000000")
GRANT_MAX_DAYS = 6 * 366  # a multi-year agreement runs at most six years


def _d(day: dt.date) -> str:
    return date_format(day, "j F Y")


def _require(by: Membership | None, obj_association_id: int | None = None) -> None:
    if not policy.can(by, "funding"):
        raise DomainError(_("Votre rôle ne permet pas de gérer les financements."))
    if obj_association_id is not None and obj_association_id != by.organisation_id:
        raise DomainError(_("Ce financement appartient à une autre association."))


def _line(text: str | None, what: str, *, required: bool, limit: int = LABEL_MAX) -> str:
    text = " ".join((text or "").split())
    if required and not text:
        raise DomainError(_("%(what)s est obligatoire.") % {"what": what})
    if len(text) > limit:
        raise DomainError(_("%(what)s dépasse %(n)s caractères.") % {"what": what, "n": limit})
    return text


def _text(text: str | None, what: str) -> str:
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise DomainError(_("%(what)s dépasse %(n)s caractères.") % {"what": what, "n": TEXT_MAX})
    return text


def _period(starts_on, ends_on, what: str) -> None:
    if starts_on is None or ends_on is None:
        raise DomainError(_("Les dates de début et de fin %(what)s sont obligatoires.") % {"what": what})
    if ends_on < starts_on:
        raise DomainError(
            _("La fin %(what)s (%(end)s) précède son début (%(start)s).")
            % {"what": what, "end": _d(ends_on), "start": _d(starts_on)}
        )


# --- Funders -----------------------------------------------------------------------------------------------
def _funder_fields(by, kind, name, exclude_pk=None) -> dict:
    if kind not in FunderKind.values:
        raise DomainError(_("Choisissez un type de financeur de la liste."))
    name = _line(name, _("Le nom du financeur"), required=True)
    same = Funder.objects.filter(association_id=by.organisation_id, name__iexact=name).exclude(pk=exclude_pk)
    if same.exists():
        raise DomainError(_("Un financeur porte déjà ce nom dans votre association."))
    return {"kind": kind, "name": name}


def create_funder(by: Membership, *, kind: str, name: str) -> Funder:
    _require(by)
    fields = _funder_fields(by, kind, name)
    with transaction.atomic():
        funder = Funder.objects.create(association_id=by.organisation_id, created_at=clock.now(), **fields)
        audit.record_event(by, "funder.create", funder)
    return funder


def update_funder(funder: Funder, by: Membership, *, kind: str, name: str) -> Funder:
    _require(by, funder.association_id)
    fields = _funder_fields(by, kind, name, exclude_pk=funder.pk)
    with transaction.atomic():
        Funder.objects.filter(pk=funder.pk).update(**fields)
        funder.refresh_from_db()
        audit.record_event(by, "funder.update", funder)
    return funder


def close_funder(funder: Funder, by: Membership) -> Funder | None:
    """Delete a funder without grant; close one that has grants (they and their reports stay)."""
    _require(by, funder.association_id)
    with transaction.atomic():
        funder = Funder.objects.select_for_update().get(pk=funder.pk)
        if not funder.grants.exists():
            audit.record_event(by, "funder.delete", funder)
            funder.delete()
            return None
        if funder.closed_on is not None:
            raise DomainError(_("Ce financeur est déjà clos."))
        funder.closed_on = clock.today()
        funder.save(update_fields=["closed_on"])
        audit.record_event(by, "funder.close", funder)
    return funder


# --- Grants ------------------------------------------------------------------------------------------------
def _grant_fields(by, *, funder, label, starts_on, ends_on, amount, purpose, conditions, indicators_,
                  report_due_on=None, report_sent_on=None) -> dict:  # fmt: skip
    if funder is None or funder.association_id != by.organisation_id:
        raise DomainError(_("Choisissez un financeur de votre association."))
    label = _line(label, _("L'intitulé de la subvention"), required=True)
    _period(starts_on, ends_on, _("de la subvention"))
    if (ends_on - starts_on).days > GRANT_MAX_DAYS:
        raise DomainError(_("Une subvention dure au plus six ans : découpez-la."))
    if amount is None or amount < 0:
        raise DomainError(_("Le montant accordé est obligatoire et ne peut pas être négatif."))
    if amount >= AMOUNT_MAX:
        raise DomainError(_("Le montant accordé est trop élevé : vérifiez-le."))
    codes = list(dict.fromkeys(indicators_ or []))
    unknown = [c for c in codes if c not in indicators.REGISTRY]
    if unknown:
        raise DomainError(_("Indicateur inconnu : %(codes)s.") % {"codes": ", ".join(unknown)})
    if report_due_on is not None and report_due_on < starts_on:
        raise DomainError(
            _("Le rapport ne peut pas être dû avant le début de la subvention (%(d)s).")
            % {"d": _d(starts_on)}
        )
    if report_sent_on is not None and report_sent_on > clock.today():
        raise DomainError(_("La date d'envoi du rapport ne peut pas être dans le futur."))
    if report_sent_on is not None and report_sent_on < starts_on:
        raise DomainError(
            _("Le rapport ne peut pas avoir été envoyé avant le début de la subvention (%(d)s).")
            % {"d": _d(starts_on)}
        )
    return {
        "funder": funder, "label": label, "starts_on": starts_on, "ends_on": ends_on, "amount": amount,
        "purpose": _text(purpose, _("L'objet")), "conditions": _text(conditions, _("Les conditions")),
        "indicators": codes, "report_due_on": report_due_on, "report_sent_on": report_sent_on,
    }  # fmt: skip


def create_grant(by: Membership, *, funder: Funder | None, label: str, starts_on, ends_on, amount,
                 purpose: str = "", conditions: str = "", indicators: list[str] | None = None,
                 report_due_on=None, report_sent_on=None) -> Grant:  # fmt: skip
    _require(by)
    fields = _grant_fields(by, funder=funder, label=label, starts_on=starts_on, ends_on=ends_on,
                           amount=amount, purpose=purpose, conditions=conditions, indicators_=indicators,
                           report_due_on=report_due_on, report_sent_on=report_sent_on)  # fmt: skip
    if funder.closed_on is not None:
        raise DomainError(_("Ce financeur est clos : choisissez-en un autre."))
    with transaction.atomic():
        grant = Grant.objects.create(created_by=by.user, created_at=clock.now(), **fields)
        audit.record_event(by, "grant.create", grant)
    return grant


def update_grant(grant: Grant, by: Membership, *, funder: Funder | None, label: str, starts_on, ends_on,
                 amount, purpose: str = "", conditions: str = "", indicators: list[str] | None = None,
                 report_due_on=None, report_sent_on=None) -> Grant:  # fmt: skip
    _require(by, grant.funder.association_id)
    fields = _grant_fields(by, funder=funder, label=label, starts_on=starts_on, ends_on=ends_on,
                           amount=amount, purpose=purpose, conditions=conditions, indicators_=indicators,
                           report_due_on=report_due_on, report_sent_on=report_sent_on)  # fmt: skip
    with transaction.atomic():
        outside = grant.posts.exclude(starts_on__gte=starts_on, ends_on__lte=ends_on)
        if outside.exists():
            raise DomainError(_("Un poste financé sortirait de la nouvelle période : modifiez-le d'abord."))
        if grant.charges.exclude(date__gte=starts_on, date__lte=ends_on).exists():
            raise DomainError(
                _("Une dépense imputée sortirait de la nouvelle période : modifiez-la d'abord.")
            )
        Grant.objects.filter(pk=grant.pk).update(**fields)
        grant.refresh_from_db()
        audit.record_event(by, "grant.update", grant)
    return grant


def delete_grant(grant: Grant, by: Membership) -> None:
    _require(by, grant.funder.association_id)
    with transaction.atomic():
        if grant.charges.exists() or grant.posts.exists():
            raise DomainError(
                _("Des postes ou des dépenses sont rattachés à cette subvention : supprimez-les d'abord.")
            )
        audit.record_event(by, "grant.delete", grant)
        grant.delete()


# --- Posts funded ------------------------------------------------------------------------------------------
def _post_fields(grant: Grant, *, role, sites, months, starts_on, ends_on) -> dict:
    role = _line(role, _("Le poste"), required=True)
    sites = _line(sites, _("Les sites"), required=False, limit=SITES_MAX)
    _period(starts_on, ends_on, _("du poste"))
    if not (grant.starts_on <= starts_on and ends_on <= grant.ends_on):
        raise DomainError(
            _("Le poste doit être financé pendant la subvention, du %(start)s au %(end)s.")
            % {"start": _d(grant.starts_on), "end": _d(grant.ends_on)}
        )
    if months is None or months < 1:
        raise DomainError(_("Indiquez le nombre de mois financés (au moins un)."))
    span = (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month + 1
    if months > span:
        raise DomainError(
            _("%(months)s mois financés ne tiennent pas du %(start)s au %(end)s.")
            % {"months": months, "start": _d(starts_on), "end": _d(ends_on)}
        )
    return {"role": role, "sites": sites, "months": months, "starts_on": starts_on, "ends_on": ends_on}


def add_post(grant: Grant, by: Membership, *, role: str, sites: str = "", months: int | None,
             starts_on, ends_on) -> FundedPost:  # fmt: skip
    _require(by, grant.funder.association_id)
    fields = _post_fields(grant, role=role, sites=sites, months=months, starts_on=starts_on, ends_on=ends_on)
    with transaction.atomic():
        post = FundedPost.objects.create(grant=grant, **fields)
        audit.record_event(by, "funded_post.create", post)
    return post


def update_post(post: FundedPost, by: Membership, *, role: str, sites: str = "", months: int | None,
                starts_on, ends_on) -> FundedPost:  # fmt: skip
    _require(by, post.grant.funder.association_id)
    fields = _post_fields(post.grant, role=role, sites=sites, months=months, starts_on=starts_on,
                          ends_on=ends_on)  # fmt: skip
    with transaction.atomic():
        FundedPost.objects.filter(pk=post.pk).update(**fields)
        post.refresh_from_db()
        audit.record_event(by, "funded_post.update", post)
    return post


def delete_post(post: FundedPost, by: Membership) -> None:
    _require(by, post.grant.funder.association_id)
    with transaction.atomic():
        audit.record_event(by, "funded_post.delete", post)
        post.delete()


# --- Charges -----------------------------------------------------------------------------------------------
def _charge_fields(grant: Grant, *, date, label, amount, hours) -> dict:
    if date is None:
        raise DomainError(_("La date de la dépense est obligatoire."))
    if not grant.starts_on <= date <= grant.ends_on:
        raise DomainError(
            _("La dépense doit dater de la subvention, du %(start)s au %(end)s.")
            % {"start": _d(grant.starts_on), "end": _d(grant.ends_on)}
        )
    label = _line(label, _("Le libellé"), required=True)
    if amount is None and hours is None:
        raise DomainError(_("Indiquez un montant, des heures, ou les deux."))
    if (amount is not None and amount < 0) or (hours is not None and hours < 0):
        raise DomainError(_("Un montant ou des heures ne peuvent pas être négatifs."))
    if amount is not None and amount >= AMOUNT_MAX:
        raise DomainError(_("Le montant est trop élevé : vérifiez-le."))
    return {"date": date, "label": label, "amount": amount, "hours": hours}


def add_charge(grant: Grant, by: Membership, *, date, label: str, amount=None, hours=None) -> Charge:
    _require(by, grant.funder.association_id)
    fields = _charge_fields(grant, date=date, label=label, amount=amount, hours=hours)
    with transaction.atomic():
        charge = Charge.objects.create(grant=grant, created_by=by.user, created_at=clock.now(), **fields)
        audit.record_event(by, "grant_charge.create", charge)
    return charge


def update_charge(charge: Charge, by: Membership, *, date, label: str, amount=None, hours=None) -> Charge:
    _require(by, charge.grant.funder.association_id)
    fields = _charge_fields(charge.grant, date=date, label=label, amount=amount, hours=hours)
    with transaction.atomic():
        Charge.objects.filter(pk=charge.pk).update(**fields)
        charge.refresh_from_db()
        audit.record_event(by, "grant_charge.update", charge)
    return charge


def delete_charge(charge: Charge, by: Membership) -> None:
    _require(by, charge.grant.funder.association_id)
    with transaction.atomic():
        audit.record_event(by, "grant_charge.delete", charge)
        charge.delete()
