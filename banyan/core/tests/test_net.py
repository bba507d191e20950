"""The client address behind reverse proxies: X-Forwarded-For as far as PROXY_COUNT trusts it."""

import pytest
from django.test import RequestFactory

from banyan.core.net import client_address

PROXY = "10.0.0.1"


def request(forwarded_for=None, remote=PROXY):
    meta = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **meta)


def test_without_proxies_the_header_is_ignored(settings):
    settings.PROXY_COUNT = 0
    assert client_address(request("203.0.113.7", remote="198.51.100.4")) == "198.51.100.4"


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        ("203.0.113.7", "203.0.113.7"),
        # entries a client writes itself, to the left of what the proxy appended, are ignored
        ("1.1.1.1, 203.0.113.7", "203.0.113.7"),
        ("1.1.1.1,203.0.113.7", "203.0.113.7"),
        ("2001:DB8::1", "2001:db8::1"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("203.0.113.7:51234", "203.0.113.7"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        # missing, empty or malformed: the proxy's address, never a made-up one
        (None, PROXY),
        ("", PROXY),
        ("unknown", PROXY),
        ("203.0.113.7, not-an-address", PROXY),
    ],
)
def test_one_proxy_the_client_is_the_last_entry(settings, forwarded_for, client):
    settings.PROXY_COUNT = 1
    assert client_address(request(forwarded_for)) == client


def test_two_proxies_the_client_is_what_the_outer_one_saw(settings):
    settings.PROXY_COUNT = 2
    # the CDN appends the client, the inner proxy appends the CDN
    assert client_address(request("6.6.6.6, 203.0.113.7, 192.0.2.50")) == "203.0.113.7"
    # too short a header: it did not pass both proxies
    assert client_address(request("203.0.113.7")) == PROXY


def test_no_address_at_all(settings):
    settings.PROXY_COUNT = 0
    assert client_address(request(remote="")) is None
