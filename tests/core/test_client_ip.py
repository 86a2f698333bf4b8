import ipaddress

from django.test import RequestFactory

from billing_center.core.client_ip import client_ip


def _request(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_socket_peer_is_used_when_no_proxy_is_trusted(settings):
    # given no trusted proxies
    settings.TRUSTED_PROXIES = []
    # when a client forges X-Forwarded-For
    ip = client_ip(_request("203.0.113.7", "198.51.100.1"))
    # then the forged header is ignored
    assert ip == "203.0.113.7"


def test_rightmost_untrusted_forwarded_address_behind_a_trusted_proxy(settings):
    # given the load balancer's network is trusted
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    # when the client prepends a forged hop before the real one the proxy appended
    ip = client_ip(_request("10.0.0.5", "1.2.3.4, 198.51.100.9, 10.0.0.4"))
    # then the right-most address that is not a trusted proxy is the client
    assert ip == "198.51.100.9"


def test_untrusted_peer_cannot_spoof_even_with_trusted_looking_header(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    assert client_ip(_request("198.51.100.20", "10.0.0.1")) == "198.51.100.20"


def test_garbage_in_forwarded_header_falls_back_to_peer(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    assert client_ip(_request("127.0.0.1", "not-an-ip")) == "127.0.0.1"


def test_an_ipv6_zone_id_from_a_trusted_proxy_is_refused(settings):
    # given a trusted proxy that forwards a client address with a zone id (300 characters long)
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    # when the client IP is read / then the zone-id hop is not believed: the walk ends at the proxy
    assert client_ip(_request("10.0.0.5", "2001:db8::%" + "x" * 300)) == "10.0.0.5"
    # and varying the zone does not give fresh addresses
    assert {client_ip(_request("10.0.0.5", f"2001:db8::1%{n}")) for n in range(5)} == {"10.0.0.5"}


def test_forwarded_addresses_come_out_canonical(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    assert client_ip(_request("10.0.0.5", "2001:DB8:0:0::1")) == "2001:db8::1"


def test_a_socket_peer_with_a_zone_id_loses_the_zone(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("fe80::1%eth0")) == "fe80::1"
