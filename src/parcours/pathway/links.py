"""Links from the pathway's pages to pages of the apps above it (the official papers of parcours.papers),
registered by those apps from their AppConfig.ready(): a lower app does not import an upper one
(docs/decisions/0027-layered-apps.md). Each provider returns [{"label", "url"}] for what the reader may
open."""

from __future__ import annotations

from collections.abc import Callable

_REQUEST: list[Callable] = []


def register_request_links(provider: Callable) -> None:
    """`provider(membership, request) -> [{"label": ..., "url": ...}]`."""
    if provider not in _REQUEST:
        _REQUEST.append(provider)


def request_links(membership, req) -> list[dict]:
    return [link for provider in _REQUEST for link in provider(membership, req)]


_AGENDA: list[Callable] = []


def register_agenda_links(provider: Callable) -> None:
    """`provider(membership, request) -> [{"label", "url"}]` for a request on a session's agenda."""
    if provider not in _AGENDA:
        _AGENDA.append(provider)


def agenda_links(membership, req) -> list[dict]:
    return [link for provider in _AGENDA for link in provider(membership, req)]
