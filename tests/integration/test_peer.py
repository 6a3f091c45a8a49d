"""The client address in log lines: the socket's peer, or, only from a
peer in trusted_proxies, the last hop of its one X-Forwarded-For."""
import re

from harness import Server

XFF = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}


def logged_peers(s):
    return re.findall(r'^dindex: (\S+(?: via \S+)?) "GET /v1/_ping"',
                      s.logtext(), re.M)


def test_untrusted_peer_is_logged_as_itself():
    with Server() as s:
        assert s.request("GET", "/v1/_ping", headers=XFF).status == 200
        peers = logged_peers(s)
        assert len(peers) == 1 and peers[0].startswith("127.0.0.1:"), peers


def test_trusted_proxy_last_hop_only():
    with Server(trusted_proxies="10.0.0.0/8,127.0.0.1/32") as s:
        s.request("GET", "/v1/_ping", headers=XFF)
        s.request("GET", "/v1/_ping")
        s.request("GET", "/v1/_ping", headers={"X-Forwarded-For": "junk"})
        head = ("GET /v1/_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                "X-Forwarded-For: 198.51.100.8\r\n"
                "X-Forwarded-For: 198.51.100.9\r\n\r\n")
        s.raw(head.encode())
        peers = logged_peers(s)
        assert len(peers) == 4, peers
        assert re.fullmatch(r"198\.51\.100\.7 via 127\.0\.0\.1:\d+",
                            peers[0]), peers
        # no header, a header that is no address, two headers: the peer
        assert all(re.fullmatch(r"127\.0\.0\.1:\d+", p) for p in peers[1:]), \
            peers


def test_proxy_elsewhere_is_not_trusted():
    with Server(trusted_proxies="10.0.0.0/8,::1") as s:
        s.request("GET", "/v1/_ping", headers=XFF)
        peers = logged_peers(s)
        assert len(peers) == 1 and peers[0].startswith("127.0.0.1:"), peers
