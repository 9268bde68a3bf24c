"""The address of the client, the same for the access journal (audit/log.py) and the login throttling
(accounts/throttling.py, django-axes), from the one setting PARCOURS_TRUSTED_PROXIES.

REMOTE_ADDR; when that direct peer is one of the reverse proxies listed in PARCOURS_TRUSTED_PROXIES,
X-Forwarded-For is read from the right and the nearest address that is not a proxy counts (the left part is
the client's own say, which anyone can forge). Without the setting the header is ignored.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.lru_cache(maxsize=8)
def _parse(items: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"PARCOURS_TRUSTED_PROXIES = {','.join(items)!r} : indiquez les adresses ou réseaux des "
            "mandataires inverses séparés par des virgules, par exemple « 127.0.0.1 » ou « 10.0.0.0/8 »."
        ) from exc


def trusted_proxies() -> tuple[Network, ...]:
    value = settings.PARCOURS_TRUSTED_PROXIES or ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple | set | frozenset):  # e.g. the former count of proxies
        value = (str(value),)
    return _parse(tuple(str(item) for item in value))


def _ip(value) -> Address | None:
    try:
        ip = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def client_ip(request) -> str | None:
    peer = _ip(request.META.get("REMOTE_ADDR", ""))
    proxies = trusted_proxies()
    if proxies and peer is not None and any(peer in net for net in proxies):
        hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        for hop in reversed(hops):
            ip = _ip(hop)
            if ip is None:
                break
            peer = ip
            if not any(ip in net for net in proxies):
                break
    return str(peer) if peer is not None else None
