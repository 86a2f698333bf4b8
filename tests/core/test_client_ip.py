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
