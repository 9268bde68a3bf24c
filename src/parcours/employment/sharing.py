"""What a partner's counsellor sees of a person's employment: nothing unless the person consented, in a
consent in force today with her organisation, to share SharingScope.EMPLOYMENT; then her latest professional
project, her programmes (steps and outcomes) and her supports under agreements. Her aids (housing,
childcare…) are not part of the scope « projet professionnel et actions emploi/formation »: they stay with
the association (docs/decisions/0045). parcours.sharing shows this on the partner's page of the person."""

from __future__ import annotations

from dataclasses import dataclass

from parcours.accounts import policy
from parcours.core import clock
from parcours.people.models import Person, SharingScope
from parcours.people.visibility import active_sharing_consents

from .models import Enrolment, Outcome, Participant, ProjectVersion, StepParticipation


@dataclass
class SharedEmployment:
    project: ProjectVersion | None
    participations: list[Participant]
    statuses: list[StepParticipation]
    outcomes: list[Outcome]
    enrolments: list[Enrolment]


def shares_employment(membership, person: Person) -> bool:
    if not policy.can(membership, "shared_people"):
        return False
    consents = active_sharing_consents(membership.organisation_id, clock.today()).filter(person=person)
    return any(SharingScope.EMPLOYMENT in (c.scopes or []) for c in consents) and (
        Person.objects.visible_to(membership).filter(pk=person.pk).exists()
    )


def shared_employment(membership, person: Person) -> SharedEmployment | None:
    """Her employment data as the partner may see it, or None when she did not consent to share it."""
    if not shares_employment(membership, person):
        return None
    return SharedEmployment(
        project=ProjectVersion.objects.filter(person=person).order_by("-number").first(),
        participations=list(Participant.objects.filter(person=person).select_related("cohort__programme")),
        statuses=list(StepParticipation.objects.filter(participant__person=person).select_related("step")),
        outcomes=list(Outcome.objects.filter(participant__person=person).select_related("step")),
        enrolments=list(Enrolment.objects.filter(person=person).select_related("agreement")),
    )
