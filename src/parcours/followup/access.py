"""Who may reach the follow-up of a person, and who may read a sensitive note.

The follow-up is the association's own file: only its staff (social workers and heads of service) reach it,
through `Person.objects.visible_to`. A sensitive note is further limited to the person's referent and the
head of service of her association; everyone else who reaches the file sees that the note exists (domain,
date, author) but never its text. `can_read_note` and `NoteQuerySet.readable_by` are the one rule, written
twice only because one works on a row and the other in SQL; tests hold them to the same answers.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from parcours.accounts import policy
from parcours.accounts.roles import Role


def is_follow_up_staff(membership) -> bool:
    return policy.can(membership, "person_file")


def can_follow(membership, person) -> bool:
    """May `membership` read and write the follow-up of `person`?"""
    return policy.can(membership, "person_file", person)


def can_read_sensitive(membership, person) -> bool:
    """May `membership` read what is marked sensitive in the follow-up of `person`? Her referent and the
    head of service of her association only."""
    return policy.can(membership, "read_sensitive", person)


def can_read_note(membership, note) -> bool:
    """May `membership` read the text of `note`? The only place this question is answered for one note."""
    return policy.can(membership, "read_note", note)


class PersonLinkedQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """Rows about people whose follow-up `membership` may reach; anything else is a 404."""
        from parcours.people.models import Person

        if not is_follow_up_staff(membership):
            return self.none()
        return self.filter(person__in=Person.objects.visible_to(membership))


class NoteQuerySet(PersonLinkedQuerySet):
    def readable_by(self, membership):
        """Notes whose text `membership` may read (same answers as `can_read_note`)."""
        visible = self.visible_to(membership)
        if not is_follow_up_staff(membership):
            return visible
        if membership.role == Role.HEAD_OF_SERVICE:
            return visible
        return visible.filter(Q(sensitive=False) | Q(person__referent_id=membership.user_id))


class TeamMeetingQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """The team meetings of her association, for its staff only."""
        if not policy.can(membership, "team_meetings"):
            return self.none()
        return self.filter(association_id=membership.organisation_id)


class MeetingItemQuerySet(PersonLinkedQuerySet):
    def visible_to(self, membership):
        """Points of the agenda of her association's meetings about people whose follow-up she may reach."""
        if not policy.can(membership, "team_meetings"):
            return self.none()
        return super().visible_to(membership).filter(meeting__association_id=membership.organisation_id)
