"""The client's address, as far as it can be trusted.

Behind a reverse proxy every request comes from the proxy's address, so sign-in limits
and throttles keyed by REMOTE_ADDR would put every client in one bucket. The proxy
says who the client was in X-Forwarded-For, but anybody can send that header: it is
read only when the request comes from an address in TRUSTED_PROXIES (addresses or
networks, e.g. `10.0.0.5,10.1.0.0/16`), and then walked from the right (the entry the
nearest proxy appended) past every trusted proxy to the first address that is not one.
Without TRUSTED_PROXIES the header is ignored: REMOTE_ADDR is the client.

One function serves django-axes (AXES_CLIENT_IP_CALLABLE), the API's throttles and
the sign-in throttle, so that they all count the same client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def trusted_proxies() -> tuple[Network, ...]:
    """settings.TRUSTED_PROXIES parsed (ValueError on an entry that is not an address)."""
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    # "[2001:db8::1]:443" and "203.0.113.7:5123": some proxies append the port.
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_trusted(address, networks: Iterable[Network]) -> bool:
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent `request` (see the module's docstring)."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = trusted_proxies()
    peer = _address(remote)
    if peer is None or not networks or not _is_trusted(peer, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Garbage in the chain: what lies left of it cannot be trusted either.
            return str(peer)
        if not _is_trusted(address, networks):
            return str(address)
    # Only proxies in the chain (a health check from the proxy itself): the last one.
    return str(_address(hops[0])) if hops and _address(hops[0]) else str(peer)
