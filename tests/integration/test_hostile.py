"""Hostile input: a table of requests built to break parsers and
smuggle requests. Each gets the right 4xx (or a close where HTTP says
so), nothing is stored by it, and the server answers normally right after.
"""
import json

from harness import Server, basic, parse_response

OK_PING = b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
AUTH = basic("alice", "secret1")
ID = "a" * 64


def req(method, path, headers=(), body=b""):
    head = "%s %s HTTP/1.1\r\nHost: x\r\n" % (method, path)
    head += "".join("%s: %s\r\n" % h for h in headers)
    if body and not any(h[0].lower() in ("content-length",
                                          "transfer-encoding")
                        for h in headers):
        head += "Content-Length: %d\r\n" % len(body)
    return head.encode() + b"\r\n" + body


def put_json(body, path="/v1/repositories/alice/app/"):
    return req("PUT", path, [("Authorization", AUTH),
                             ("Content-Type", "application/json")],
               body.encode() if isinstance(body, str) else body)


CASES = [
    # framing and smuggling
    (b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
     400),
    (b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na",
     400),
    (b"POST /v1/users/ HTTP/1.1\r\nContent-Length: 5\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    (b"POST /v1/users/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
     b"Content-Length: 5\r\n\r\n0\r\n\r\n", 400),
    (b"POST /v1/users/ HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
     400),
    (b"POST /v1/users/ HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n", 400),
    (b"POST /v1/users/ HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n", 400),
    (b"POST /v1/users/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"zz\r\n", 400),
    (b"POST /v1/users/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"5\r\nabc\r\n0\r\n\r\n", 400),
    (b"POST /v1/users/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"ffffffffffffffffffff\r\n", 400),
    (b"POST /v1/users/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"-1\r\n", 400),
    (b"POST /v1/users/ HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
    (b"POST /v1/users/ HTTP/1.1\r\nContent-Length: +5\r\n\r\nabcde", 400),
    (b"POST /v1/users/ HTTP/1.1\r\nContent-Length: 0x5\r\n\r\nabcde", 400),
    (b"POST /v1/users/ HTTP/1.1\r\nContent-Length: 5 5\r\n\r\nabcde", 400),
    (b"POST /v1/users/ HTTP/1.1\r\nContent-Length: 1,1\r\n\r\na", 400),
    (b"POST /v1/users/ HTTP/1.1\r\nContent-Length: 9999999999999999999999"
     b"\r\n\r\n", 400),
    (b"POST /v1/users/ HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", 413),
    (b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\n\tfolded\r\n\r\n", 400),
    (b"GET / HTTP/1.1\nHost: x\n\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\n\r\n", 400),
    (b"GET / HTTP/1.1\rHost: x\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHo\rst: x\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400),
    (b"GET /\x00 HTTP/1.1\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: \x00\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nX\x00Y: 1\r\n\r\n", 400),
    (b"\x00\x00\x00\x00\r\n\r\n", 400),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),
    (b"GET / HTTP/1.1 extra\r\n\r\n", 400),
    (b"GET  /v1/_ping HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/_ping  HTTP/1.1\r\n\r\n", 400),
    (b" GET /v1/_ping HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/_ping HTTP/1.1 \r\n\r\n", 400),
    (b"GET /v1/_ping http/1.1\r\n\r\n", 400),
    (b"GET /v1/_ping HTTP/1\r\n\r\n", 400),
    (b"GET /v1/_ping HTTP/2\r\n\r\n", 400),
    (b"GET /v1/_ping HTTP/2.0\r\n\r\n", 505),
    (b"GET /v1/_ping HTTP/0.9\r\n\r\n", 505),
    (b"GET /v1/_ping HTTP/1.9\r\n\r\n", 505),
    (b"GET /v1/_ping\r\n\r\n", 400),
    (b"GET\r\n\r\n", 400),
    (b"\r\n\r\n", 400),
    (b"G\xc3\x89T / HTTP/1.1\r\n\r\n", 400),
    (b"GET http://evil/v1/_ping HTTP/1.1\r\n\r\n", 400),
    (b"GET //evil/v1/_ping HTTP/1.1\r\n\r\n", 400),
    (b"GET * HTTP/1.1\r\n\r\n", 400),
    (b"GET v1/_ping HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/_ping#frag HTTP/1.1\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nNo-Colon\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n: empty-name\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nBad(Name): x\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nX: \x01\r\n\r\n", 400),
    # limits
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\n" + b"".join(b"X%d: v\r\n" % i for i in range(101))
     + b"\r\n", 431),
    (b"GET / HTTP/1.1\r\nX: " + b"v" * 33000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\n" + b"X: " + b"v" * 8000 + b"\r\n" +
     b"Y: " + b"v" * 8000 + b"\r\n" + b"Z: " + b"v" * 8000 + b"\r\n" +
     b"W: " + b"v" * 9000 + b"\r\n\r\n", 431),
    (b"GET /" + b"a/" * 20 + b" HTTP/1.1\r\n\r\n", 404),
    # paths
    (b"GET /v1/../_ping HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/./_ping HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/%2e%2e/_ping HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/%2E%2E/_ping HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/repositories/a%2Fb/images HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/repositories/a%2fb/images HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/repositories/a%00/images HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/repositories/a%0a/images HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/repositories/a%/images HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/repositories/a%g0/images HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/repositories/a%5/images HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1//repositories HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/repositories/A/images HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/repositories/-a/b/images HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/repositories/a/b/c/images HTTP/1.1\r\n\r\n", 404),
    (b"GET /v1/repositories/%C3%A9/images HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/repositories/x/" + b"y" * 300 + b"/images HTTP/1.1\r\n\r\n",
     400),
    (b"GET /v1/repositories/alice/b/layer/" + b"z" * 64 + b"/access HTTP/1.1"
     b"\r\n\r\n", 401),
    (b"GET /v1/search?q=%zz HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/search?n=1000 HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/search?page=0 HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/search?n=99999999999999999999 HTTP/1.1\r\n\r\n", 400),
    (b"GET /v1/search?q=" + b"a" * 600 + b" HTTP/1.1\r\n\r\n", 400),
    # methods
    (b"PATCH /v1/users/ HTTP/1.1\r\n\r\n", 405),
    (b"TRACE / HTTP/1.1\r\n\r\n", 404),
    (b"OPTIONS /v1/_ping HTTP/1.1\r\n\r\n", 405),
    (b"CONNECT evil:443 HTTP/1.1\r\n\r\n", 400),
    # authorization
    (req("GET", "/v1/users/", [("Authorization", "Basic")]), 401),
    (req("GET", "/v1/users/", [("Authorization", "Basic !!!")]), 401),
    (req("GET", "/v1/users/", [("Authorization", "Basic YWxpY2U=")]), 401),
    (req("GET", "/v1/users/", [("Authorization", "Basic OnB3")]), 401),
    (req("GET", "/v1/users/", [("Authorization", "Basic YQBiOmM=")]), 401),
    (req("GET", "/v1/users/", [("Authorization", "Bearer abc")]), 401),
    (req("GET", "/v1/users/", [("Authorization", "Negotiate abc")]), 401),
    (req("GET", "/v1/users/", [("Authorization", "Basic " + "QUFB" * 900)]),
     401),
    (req("GET", "/v1/repositories/alice/app/images",
         [("Authorization", "Token signature=\"unterminated")]), 401),
    (req("GET", "/v1/repositories/alice/app/images",
         [("Authorization", "Token ,,,,")]), 401),
    (req("GET", "/v1/repositories/alice/app/images",
         [("Authorization", "Token signature=%s" % ("x" * 5000))]), 401),
    (req("GET", "/v1/repositories/alice/app/images",
         [("Authorization", "Token signature=../../etc")]), 401),
    (req("GET", "/users", [("Authorization", AUTH)]), 403),
    # bodies
    (put_json("[" * 100000), 400),
    (put_json("{" * 5000), 400),
    (put_json('[{"id": "\xff\xfe"}]'.encode("latin-1")), 400),
    (put_json(b'[{"id": "\xc3\x28"}]'), 400),
    (put_json('[{"id": "%s"}] trailing' % ID), 400),
    (put_json('[{"id": "%s", "Tag": "%s"}]' % (ID, "t" * 200)), 400),
    (put_json('[{"id": "%s", "Tag": ["x"]}]' % ID), 400),
    (put_json('[{"id": "%s", "checksum": {}}]' % ID), 400),
    (put_json('[{"id": "%s"}, null]' % ID), 400),
    (put_json('[{"id": null}]'), 400),
    (put_json("[" + ",".join(['"x"'] * 1000) + "]"), 400),
    (put_json(json.dumps([{"id": ID}] * 100001)), 413),
    (put_json("NaN"), 400),
    (put_json("\ufeff[]".encode()), 400),
    (req("POST", "/v1/users/", [("Content-Type", "application/json")],
         b'{"username": "a\\u0000bcd", "password": "secret1", "email": '
         b'"a@b"}'), 400),
    (req("POST", "/v1/users/", [("Content-Type", "application/json")],
         b'{"username": "abcd", "username": "efgh", "password": "secret1",'
         b' "email": "a@b"}'), 400),
    (req("POST", "/v1/users/", [("Content-Type", "application/json")],
         json.dumps({"username": "abcd", "password": "p" * 300,
                     "email": "a@b"}).encode()), 400),
    (req("POST", "/v1/users/", [("Content-Type", "application/json")],
         json.dumps({"username": "abcd", "password": "secret1",
                     "email": "a" * 300 + "@b"}).encode()), 400),
    (req("POST", "/users", [("Authorization", basic("admin", "x"))],
         b"username=%zz"), 401),
]


def check(s, data, want):
    out = s.raw(data, one=True)
    assert out, "no answer to %r" % data[:80]
    r, _ = parse_response(out)
    assert r.status == want, (data[:100], r, want)
    assert r.header("Content-Type") == "application/json"
    assert "error" in r.json(), r


def test_hostile_table():
    assert len(CASES) >= 100, len(CASES)
    with Server() as s:
        s.add_user("alice")
        before = s.ctl("dump").stdout
        for data, want in CASES:
            check(s, data, want)
            r, _ = parse_response(s.raw(OK_PING))
            assert r.status == 200
        assert s.ctl("dump").stdout == before
        assert s.ctl("check").returncode == 0


def test_pipelined_smuggling_attempt_answers_once():
    """A CL.TE-style smuggle: the second request must never be served."""
    with Server() as s:
        data = (b"POST /v1/users/ HTTP/1.1\r\nHost: x\r\nContent-Length: 44"
                b"\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\n\r\n")
        out = s.raw(data)
        assert out.count(b"HTTP/1.1 ") == 1 and out.startswith(
            b"HTTP/1.1 400")


def test_no_secret_in_logs():
    with Server() as s:
        s.add_user("alice", "pw-sentinel-1")
        r = s.request("PUT", "/v1/repositories/alice/app/", body="[]",
                      auth=("alice", "pw-sentinel-1"),
                      headers={"X-Docker-Token": "true"})
        tok = r.header("X-Docker-Token")
        sig = tok.split(",")[0].split("=")[1]
        s.request("GET", "/v1/repositories/alice/app/images",
                  auth="Token " + tok)
        s.request("GET", "/v1/search?q=secretquery")
        s.request("GET", "/v1/users/", auth=("alice", "pw-wrong-sentinel"))
        log = s.logtext()
        assert "pw-sentinel-1" not in log and "pw-wrong-sentinel" not in log
        assert sig not in log and "secretquery" not in log
        assert "/v1/repositories/alice/app/images" in log


def test_unknown_user_and_wrong_password_answer_alike():
    with Server() as s:
        s.add_user("alice")
        a = s.request("GET", "/v1/users/", auth=("alice", "wrongpw"))
        b = s.request("GET", "/v1/users/", auth=("nosuchuser", "wrongpw"))
        assert a.status == b.status == 401 and a.body == b.body
        a = s.request("GET", "/users", auth=("alice", "wrongpw"))
        b = s.request("GET", "/users", auth=("nosuchuser", "wrongpw"))
        assert a.status == b.status == 401 and a.body == b.body
