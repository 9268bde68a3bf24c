"""Which URLs the journal watches, read from the URL configuration itself rather than from a hand-kept list.

A URL module whose pages are about people says so:

    ABOUT_PEOPLE = True                          # every page of this module is journaled (reads, refusals)
    PERSON_ARGUMENT = {"person": "pk"}           # URL name -> the argument that is the person's primary key

Everything under the place where such a module is included (e.g. /personnes/) is audited, including a path
that matches no page (a refusal there is journaled too). The URL names of PERSON_ARGUMENT are those whose
argument is the person; the views of the others (a note, a request, a document) set
`request.audit_person_id` themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, get_urlconf


@dataclass(frozen=True)
class Scope:
    prefixes: tuple[str, ...]  # "/personnes/", ...: the mount points of the modules about people
    person_argument: dict[str, str]  # "people:person" -> "pk"
    audited_names: frozenset[str]  # every URL name under those mount points


def _module(resolver: URLResolver):
    """The URL module of an include; for `include((patterns, app_name))`, the app's own urls.py (an app's
    URLs mounted together with pages of another app in its namespace, see parcours/urls.py)."""
    module = resolver.urlconf_module
    if isinstance(module, (list, tuple)) and resolver.app_name:
        try:
            return import_module(f"parcours.{resolver.app_name}.urls")
        except ModuleNotFoundError:
            return None
    return module


def _walk(resolver, prefix: str, namespace: str, inherited: bool, out: dict) -> None:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            module = _module(p)
            about = inherited or bool(getattr(module, "ABOUT_PEOPLE", False))
            route = prefix + str(p.pattern)
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            if about and not inherited:
                out["prefixes"].append("/" + route.lstrip("^"))
            for name, argument in getattr(module, "PERSON_ARGUMENT", {}).items():
                out["person"][f"{ns}{name}"] = argument
            _walk(p, route, ns, about, out)
        elif isinstance(p, URLPattern) and inherited and p.name:
            out["names"].add(f"{namespace}{p.name}")


@lru_cache(maxsize=8)
def _scope(urlconf: str) -> Scope:
    out = {"prefixes": [], "person": {}, "names": set()}
    _walk(get_resolver(urlconf), "", "", False, out)
    return Scope(tuple(out["prefixes"]), out["person"], frozenset(out["names"]))


def scope() -> Scope:
    return _scope(get_urlconf() or settings.ROOT_URLCONF)


def is_audited(path_info: str) -> bool:
    return path_info.startswith(scope().prefixes)
