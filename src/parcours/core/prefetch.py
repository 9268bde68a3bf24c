"""To-many relations prefetched as plain lists (issue 15, docs/decisions/0055-prefetch-as-lists.md).

Django's `prefetch_related("periods")` leaves on each instance a queryset per relation, built through the
relation's manager and its filter: tens of microseconds per instance and relation, which on a few hundred
pathways was a third of the to-do page. `Prefetch(name, to_attr=...)` leaves a list instead. `listed()`
builds such a lookup under a fixed attribute name; `related()` reads it, and falls back to the relation's
manager (prefetched the usual way, or queried) so that a reader works on any instance.

A list is what was loaded: unlike Django's prefetch cache, `manager.create()` or `refresh_from_db()` do not
clear it. Load again after a change in the same request (the views redirect after saving).
"""

from __future__ import annotations

from django.db.models import Prefetch

SUFFIX = "_listed"


def attribute(name: str) -> str:
    return f"{name}{SUFFIX}"


def listed(lookup: str, queryset=None) -> Prefetch:
    """`Prefetch(lookup, queryset)` into a list. A nested lookup ("pathways__periods") goes through the
    lists of its parents, which must themselves be prefetched with `listed()`, before it in the same call."""
    *parents, name = lookup.split("__")
    through = "__".join([attribute(parent) for parent in parents] + [name])
    return Prefetch(through, queryset=queryset, to_attr=attribute(name))


def related(instance, name: str) -> list:
    """The objects of the to-many relation `name` of `instance`: its `listed()` list when prefetched so,
    else those of its manager (from Django's prefetch cache if there is one, else one query)."""
    found = instance.__dict__.get(attribute(name))
    if found is not None:
        return found
    return list(getattr(instance, name).all())
