"""The address of the client behind a request, the one place that decides it.

Behind reverse proxies `REMOTE_ADDR` is the nearest proxy's address, the same for everyone.
Each trusted proxy appends the address it received the request from to `X-Forwarded-For`,
so with `PROXY_COUNT` proxies in front the client is the entry `PROXY_COUNT` places from the
right end: the address the outermost trusted proxy saw. Entries further left were written by
the client itself and are never believed. With `PROXY_COUNT = 0` (the default) the header is
ignored. A header that is missing, too short or not an address falls back to `REMOTE_ADDR`.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """The client's IP address in canonical form, or None when the request carries none."""
    remote = _address(request.META.get("REMOTE_ADDR"))
    hops = getattr(settings, "PROXY_COUNT", 0) or 0
    if hops <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < hops:
        return remote
    return _address(forwarded[-hops]) or remote


def _address(value) -> str | None:
    """`value` as a canonical IP address ("::ffff:1.2.3.4" → "1.2.3.4"; a port, as some
    proxies add, is dropped), or None when it is not one."""
    value = (value or "").strip()
    if not value:
        return None
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)
