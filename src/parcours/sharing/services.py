"""What a partner's counsellor sees: the people who consented to share with her organisation, and of each
only the scopes consented (people.models.SharingScope).

The people come from `Person.objects.visible_to` (its partner branch: a sharing consent with her
organisation in force today); the scopes are the union of the scopes of those consents. Nothing here
writes: the consents are recorded and withdrawn by the association (people.services).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from parcours.accounts import policy
from parcours.accounts.models import Membership
from parcours.core import clock
from parcours.employment.sharing import SharedEmployment, shared_employment
from parcours.followup.models import ActionItem, Appointment, AppointmentStatus, Domain
from parcours.people.models import Consent, Person, SharingScope
from parcours.people.search import sort_key
from parcours.people.visibility import active_sharing_consents

S = SharingScope


@dataclass
class SharedPerson:
    """One person as her consents let the partner see her."""

    person: Person
    consents: list[Consent]
    scopes: list[str] = field(default_factory=list)  # SharingScope values, in the order of the list

    def shares(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def shares_identity(self) -> bool:
        return S.IDENTITY_CONTACT in self.scopes

    @property
    def shares_administrative(self) -> bool:
        return S.ADMINISTRATIVE in self.scopes

    @property
    def shares_employment(self) -> bool:
        return S.EMPLOYMENT in self.scopes

    @property
    def shares_appointments(self) -> bool:
        return S.APPOINTMENTS in self.scopes

    @property
    def scope_labels(self) -> list[str]:
        return [S(s).label for s in self.scopes]

    @property
    def label(self) -> str:
        """How the partner names her: her name if she shared her identity, her case number otherwise."""
        return self.person.full_name if self.shares_identity else self.person.reference

    @property
    def until(self) -> dt.date | None:
        """The last day the sharing is in force, if every consent has an end."""
        ends = [c.expires_on for c in self.consents]
        return None if not ends or None in ends else max(ends)


def _is_partner(membership: Membership | None) -> bool:
    return policy.can(membership, "shared_people")


def _shared(membership: Membership, people) -> list[SharedPerson]:
    today = clock.today()
    consents: dict[int, list[Consent]] = {}
    for consent in active_sharing_consents(membership.organisation_id, today).filter(person__in=people):
        consents.setdefault(consent.person_id, []).append(consent)
    rows = []
    for person in people:
        given = consents.get(person.pk, [])
        scopes = {s for c in given for s in (c.scopes or []) if s in S.values}
        rows.append(SharedPerson(person, given, [s for s in S.values if s in scopes]))
    return rows


def shared_people(membership: Membership | None) -> list[SharedPerson]:
    """The people shared with the organisation of `membership` today: first those whose identity is shared,
    by name, then the others by case number."""
    if not _is_partner(membership):
        return []
    people = list(Person.objects.visible_to(membership).select_related("association"))
    rows = _shared(membership, people)
    rows.sort(key=lambda r: (0, *sort_key(r.person)) if r.shares_identity else (1, r.person.reference, ""))
    return rows


@dataclass
class SharedFile:
    shared: SharedPerson
    actions: list[ActionItem]
    appointments: list[Appointment]
    employment: SharedEmployment | None = None  # programmes, project, agreements (parcours.employment)


def shared_file(membership: Membership | None, pk: int) -> SharedFile | None:
    """The part of the file of person `pk` that the organisation of `membership` may see today; None when
    nothing is shared with it (the page then answers 404, as for a person who does not exist)."""
    if not _is_partner(membership):
        return None
    person = (
        Person.objects.visible_to(membership)
        .select_related("association", "departement")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        return None
    shared = _shared(membership, [person])[0]
    actions = []
    if shared.shares_employment:
        actions = list(
            ActionItem.objects.filter(person=person, domain=Domain.EMPLOYMENT).order_by("due_date", "pk")
        )
    appointments = []
    if shared.shares_appointments:
        # Coming appointments only, so that the partner avoids a clash; their object is shown only when it
        # is employment (a health or justice appointment would say too much).
        coming = Appointment.objects.filter(person=person, status=AppointmentStatus.PLANNED)
        appointments = list(coming.filter(ends_at__gte=clock.now()).order_by("starts_at", "pk"))
    employment = shared_employment(membership, person) if shared.shares_employment else None
    return SharedFile(shared, actions, appointments, employment)
