"""`manage.py provision FICHIER.toml [--wet-run]`: organisations and invitations from a file, for scripted
provisioning (docs/operations/provisioning.md). Dry run by default, as les-emplois does: it says what it
would do and writes nothing; `--wet-run` applies the whole file in one transaction, through the same services
as the pages (parcours.onboarding.services), each change journaled, then sends the invitation e-mails."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from parcours.accounts.models import Invitation, Membership, Organisation
from parcours.accounts.roles import OrganisationKind
from parcours.core import clock
from parcours.core.models import Departement
from parcours.onboarding import services

ORGANISATION_KEYS = {"kind", "name", "departement", "siret", "approval_number", "approval_start",
                     "departements_served"}  # fmt: skip
INVITATION_KEYS = {"organisation", "email", "role"}


@dataclass
class Plan:
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    organisations: list[tuple[Organisation, list, bool]] = field(default_factory=list)  # (org, served, new)
    invitations: list[tuple[str, str, str]] = field(default_factory=list)  # (organisation name, email, role)


class Command(BaseCommand):
    help = (
        "Crée ou met à jour des organisations et envoie des invitations décrites dans un fichier TOML. "
        "Sans --wet-run, dit seulement ce qu'elle ferait."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Fichier TOML (docs/operations/provisioning.md).")
        parser.add_argument("--wet-run", action="store_true", help="Appliquer (sinon : simulation).")
        parser.add_argument(
            "--url",
            default="",
            help="Adresse du site dans les liens d'invitation (par défaut PARCOURS_PUBLIC_URL).",
        )

    def handle(self, *args, file: Path, wet_run: bool, url: str, **options):
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"Fichier illisible « {file} » : {exc}") from exc
        base_url = (url or settings.PARCOURS_PUBLIC_URL).rstrip("/")
        plan = self.plan(data)
        if plan.invitations and not base_url:
            plan.errors.append(
                "Adresse du site inconnue pour les liens d'invitation : "
                "indiquez --url ou PARCOURS_PUBLIC_URL."
            )
        mode = "" if wet_run else "[simulation] "
        for line in plan.lines:
            self.stdout.write(mode + line)
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(f"Erreur : {error}")
            if wet_run:
                for error in plan.errors:  # the refusal is journaled, as on the pages
                    services._journal_refusal(services.Refused(error, object_type="provision"))
            raise CommandError(f"{len(plan.errors)} erreur(s) : rien n'est enregistré.")
        if not wet_run:
            self.stdout.write("Simulation : rien n'est enregistré. Relancez avec --wet-run pour appliquer.")
            return
        sent = self.apply(plan, base_url)
        self.stdout.write(
            self.style.SUCCESS(f"Appliqué : {len(plan.organisations)} organisation(s), {sent}.")
        )

    # --- Reading the file ----------------------------------------------------------------------------------
    def plan(self, data: dict) -> Plan:
        plan = Plan()
        unknown = set(data) - {"organisations", "invitations"}
        if unknown:
            plan.errors.append(f"Sections inconnues : {', '.join(sorted(unknown))}.")
        names: dict[str, Organisation] = {}
        for index, entry in enumerate(data.get("organisations", []), start=1):
            org, served, new = self._organisation(plan, index, entry)
            if org is not None:
                plan.organisations.append((org, served, new))
                names[org.name] = org
        now = clock.now()
        for index, entry in enumerate(data.get("invitations", []), start=1):
            where = f"invitation n° {index}"
            extra = set(entry) - INVITATION_KEYS
            if extra or not set(entry) >= INVITATION_KEYS:
                plan.errors.append(
                    f"{where} : clés attendues {sorted(INVITATION_KEYS)}, reçues {sorted(entry)}."
                )
                continue
            name, email, role = entry["organisation"], services.normalise_email(entry["email"]), entry["role"]
            org = names.get(name) or Organisation.objects.filter(name=name).first()
            if org is None:
                plan.errors.append(f"{where} : organisation « {name} » absente du fichier et de la base.")
                continue
            problem = services.role_problem(org, role)
            if problem:
                plan.errors.append(f"{where} ({email}) : {problem}")
                continue
            if (
                org.pk
                and Membership.objects.filter(user__email__iexact=email, organisation=org, role=role).exists()
            ):
                plan.lines.append(f"Invitation de {email} ({role}) à « {name} » : déjà membre, rien à faire.")
                continue
            if (
                org.pk
                and Invitation.objects.pending(now).filter(email__iexact=email, organisation=org).exists()
            ):
                plan.lines.append(f"Invitation de {email} à « {name} » : déjà en attente, rien à faire.")
                continue
            plan.invitations.append((name, email, role))
            plan.lines.append(f"Inviterait {email} comme « {role} » à « {name} ».")
        return plan

    def _organisation(self, plan: Plan, index: int, entry: dict):
        where = f"organisation n° {index}"
        extra = set(entry) - ORGANISATION_KEYS
        if extra or "kind" not in entry or "name" not in entry:
            plan.errors.append(f"{where} : clés inconnues {sorted(extra)} ou « kind »/« name » manquants.")
            return None, [], False
        if entry["kind"] not in OrganisationKind.values:
            plan.errors.append(
                f"{where} : type « {entry['kind']} » inconnu ({', '.join(OrganisationKind.values)})."
            )
            return None, [], False
        codes = [entry["departement"]] if entry.get("departement") else []
        codes += list(entry.get("departements_served", []))
        known = set(Departement.objects.filter(code__in=codes).values_list("code", flat=True))
        if set(codes) - known:
            plan.errors.append(f"{where} : départements inconnus {sorted(set(codes) - known)}.")
            return None, [], False
        org = Organisation.objects.filter(kind=entry["kind"], name=entry["name"]).first()
        new = org is None
        org = org or Organisation(kind=entry["kind"], name=entry["name"])
        org.departement_id = entry.get("departement") or None
        for key in ("siret", "approval_number"):
            if key in entry:
                setattr(org, key, str(entry[key]))
        if "approval_start" in entry:
            start = entry["approval_start"]
            if not isinstance(start, dt.date):
                plan.errors.append(f"{where} : approval_start s'écrit comme une date TOML (2024-01-15).")
                return None, [], False
            org.approval_start = start
        served = list(Departement.objects.filter(code__in=entry.get("departements_served", [])))
        problems = services.organisation_problems(org, served)
        if problems:
            plan.errors.append(f"{where} (« {org.name} ») : {' '.join(problems.values())}")
            return None, [], False
        verb = "Créerait" if new else "Mettrait à jour"
        plan.lines.append(f"{verb} l'organisation « {org.name} » ({org.get_kind_display()}).")
        return org, served, new

    # --- Applying ------------------------------------------------------------------------------------------
    def apply(self, plan: Plan, base_url: str) -> str:
        outbox = []
        with transaction.atomic():
            by_name = {}
            for org, served, new in plan.organisations:
                saved = (services.create_organisation if new else services.update_organisation)(
                    None, org, served
                )
                by_name[saved.name] = saved
            for name, email, role in plan.invitations:
                org = by_name.get(name) or Organisation.objects.get(name=name)
                invitation, link = services.invite(
                    None, org, email=email, role=role, base_url=base_url, deliver=False
                )
                outbox.append((invitation, link))
        failed = 0
        for invitation, link in outbox:  # after the commit: no e-mail for an invitation rolled back
            try:
                services.send_invitation(invitation, link)
            except OSError as exc:
                failed += 1
                self.stderr.write(
                    f"E-mail non envoyé à {invitation.email} : {exc}. Révoquez et invitez de nouveau."
                )
        return f"{len(outbox) - failed} invitation(s) envoyée(s)" + (f", {failed} en échec" if failed else "")
