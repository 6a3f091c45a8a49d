"""Every v1 refusal: permission levels against each route, tokens used
where they do not belong, disabled users, malformed Authorization and
bodies, bad names. Each is a 4xx and the server keeps serving."""
import json
import time

from harness import Server
from v1util import DOCKER_JSON, IDS, push, push_body, push_start

A = ("alice", "secret1")


def grant(s, user, scope, access):
    s.ctl("perm", "set", user, scope, access)


def pull(s, name, auth):
    return s.request("GET", "/v1/repositories/%s/images" % name, auth=auth,
                     headers={"X-Docker-Token": "true"})


def test_permission_levels():
    with Server() as s:
        s.add_user("owner")
        for u in ("alice", "reader", "writer", "nsadmin", "nobody"):
            s.add_user(u)
        push(s, "owner/app", ("owner", "secret1"))
        grant(s, "reader", "owner/app", "read")
        grant(s, "writer", "owner/app", "write")
        grant(s, "nsadmin", "owner", "admin")
        expect = {  # user: (pull, push start, delete)
            "reader": (200, 403, 403), "writer": (403, 200, 403),
            "nsadmin": (200, 200, 202), "nobody": (403, 403, 403)}
        for u, (p, w, d) in expect.items():
            auth = (u, "secret1")
            assert pull(s, "owner/app", auth).status == p, u
            assert push_start(s, "owner/app", auth).status == w, u
            assert s.request("PUT", "/v1/repositories/owner/app/images",
                             body="[]", auth=auth).status == \
                (204 if w == 200 else 403), u
            r = s.request("DELETE", "/v1/repositories/owner/app/",
                          auth=auth, headers={"X-Docker-Token": "true"})
            assert r.status == d, u
        # anonymous on a private repository
        assert pull(s, "owner/app", None).status == 401
        assert push_start(s, "owner/app", None).status == 401


def test_most_specific_grant_wins():
    with Server() as s:
        s.add_user("owner")
        s.add_user("alice")
        push(s, "owner/app", ("owner", "secret1"))
        push(s, "owner/other", ("owner", "secret1"))
        grant(s, "alice", "owner", "read")
        grant(s, "alice", "owner/app", "write")
        assert pull(s, "owner/app", A).status == 403
        assert pull(s, "owner/other", A).status == 200
        assert push_start(s, "owner/app", A).status == 200


def test_public_repository():
    with Server() as s:
        s.add_user("owner")
        push(s, "owner/pub", ("owner", "secret1"))
        push(s, "owner/priv", ("owner", "secret1"))
        grant(s, "*", "owner/pub", "read")
        assert pull(s, "owner/pub", None).status == 200
        assert pull(s, "owner/priv", None).status == 401
        assert push_start(s, "owner/pub", None).status == 401
        r = s.request("GET", "/v1/search?q=owner")
        assert [x["name"] for x in r.json()["results"]] == ["owner/pub"]


def test_tokens_stay_in_their_lane():
    with Server() as s:
        s.add_user("alice")
        wtok = "Token " + push(s, "alice/a", A)
        push(s, "alice/b", A)
        # a token of repository A on repository B
        assert s.request("GET", "/v1/repositories/alice/b/images",
                         auth=wtok).status == 401
        assert s.request("GET", "/v1/repositories/alice/b/layer/%s/access"
                         % IDS[0], auth=wtok).status == 401
        # a read token never writes
        rtok = "Token " + pull(s, "alice/a", A).header("X-Docker-Token")
        assert s.request("PUT", "/v1/repositories/alice/a/images",
                         body="[]", auth=rtok).status == 403
        assert s.request("PUT", "/v1/repositories/alice/a/images",
                         body="[]", auth=wtok).status == 204
        # header fields must match the stored ones
        forged = wtok.replace("access=write", "access=read")
        assert s.request("GET", "/v1/repositories/alice/a/images",
                         auth=forged).status == 401
        forged = wtok.replace("alice/a", "alice/b")
        assert s.request("GET", "/v1/repositories/alice/b/images",
                         auth=forged).status == 401
        unknown = "Token signature=%s,repository=\"alice/a\",access=write" \
            % ("0" * 64)
        assert s.request("GET", "/v1/repositories/alice/a/images",
                         auth=unknown).status == 401
        assert s.request("PUT", "/v1/repositories/alice/a/auth",
                         auth=unknown).status == 401


def test_token_expires():
    with Server(token_ttl=2) as s:
        s.add_user("alice")
        tok = "Token " + push(s, "alice/a", A)
        time.sleep(3)
        assert s.request("GET", "/v1/repositories/alice/a/images",
                         auth=tok).status == 401
        # the expired token was purged when met
        assert not [k for k in json.loads(s.ctl("dump").stdout)["records"]
                    if k.startswith("token:")]


def test_disabled_user_and_revocation():
    with Server() as s:
        s.add_user("alice")
        tok = "Token " + push(s, "alice/a", A)
        s.ctl("user", "disable", "alice")
        assert s.request("GET", "/v1/users/", auth=A).status == 403
        assert pull(s, "alice/a", A).status == 403
        assert push_start(s, "alice/a", A).status == 403
        assert s.request("GET", "/v1/repositories/alice/a/images",
                         auth=tok).status == 401


def test_malformed_authorization():
    with Server() as s:
        s.add_user("alice")
        push(s, "alice/a", A)
        for value in ("alice:secret1", "Basic", "Basic !!!!", "Basic YWxpY2U=",
                      "Basic OnNlY3JldDE=", "Bearer x", "Digest a=b",
                      "Token", "Token garbage", 'Token signature="x',
                      "Token repository=\"alice/a\"", "Basic " + "A" * 3000,
                      "Token signature=" + "a" * 3000):
            r = pull(s, "alice/a", value)
            assert r.status == 401, (value, r)
            assert "error" in r.json()
        assert pull(s, "alice/a", A).status == 200


def test_bad_bodies_and_names():
    with Server() as s:
        s.add_user("alice")
        url = "/v1/repositories/alice/a/"
        for body in ("", "{", "{}", '"x"', "[1]", '[{"id": 5}]',
                     '[{"id": "abc"}]', '[{"id": "%s"}]' % ("A" * 64),
                     '[{"id": "%s", "Tag": "a/b"}]' % IDS[0],
                     '[{"id": "%s", "checksum": 5}]' % IDS[0],
                     '[{"id": "%s", "id": "%s"}]' % (IDS[0], IDS[1])):
            r = s.request("PUT", url, body=body, auth=A, headers=DOCKER_JSON)
            assert r.status == 400, (body, r)
        big = json.dumps([{"id": IDS[0]}] * 100001)
        r = s.request("PUT", url, body=big, auth=A, headers=DOCKER_JSON)
        assert r.status in (400, 413), r
        for name in ("alice/A", "alice/..", "a/b/c/d", "-x/y", "alice/a%2Fb",
                     "x" * 256 + "/y"):
            r = s.request("PUT", "/v1/repositories/%s/" % name,
                          body=push_body(), auth=A, headers=DOCKER_JSON)
            assert 400 <= r.status < 500, (name, r)
        for q in ("n=0", "n=101", "n=x", "page=0", "page=-1", "q=%zz"):
            assert s.request("GET", "/v1/search?" + q).status == 400, q
        assert s.request("GET", "/v1/_ping").status == 200


def test_token_check_store_failure_is_503():
    """A record the token check cannot read is the store's failure (503,
    the registry retries), not a bad token (401), as for Basic."""
    with Server() as s:
        s.clean_at_close = False    # it leaves damage on purpose
        s.add_user("alice")
        push(s, "alice/app", A)
        s.ctl("perm", "set", "*", "alice/app", "read")
        tok = pull(s, "alice/app", A).header("X-Docker-Token")
        anon = pull(s, "alice/app", None).header("X-Docker-Token")
        s.raw_put("user:alice", b"{not json")
        r = s.request("GET", "/v1/repositories/alice/app/images",
                      auth="Token " + tok)
        assert r.status == 503, r
        assert pull(s, "alice/app", A).status == 503
        s.raw_put("user:*", b"{not json")
        r = s.request("GET", "/v1/repositories/alice/app/images",
                      auth="Token " + anon)
        assert r.status == 503, r


def test_images_per_repository_bounded_across_pushes():
    """100 000 images per repository (README, Limits): each push within
    the limit once let the record grow past it without end."""
    with Server(max_body=8 << 20) as s:
        s.add_user("alice")
        url = "/v1/repositories/alice/big/"

        def ids(start, n):
            return json.dumps([{"id": "%064x" % i}
                               for i in range(start, start + n)])
        r = s.request("PUT", url, body=ids(0, 60000), auth=A,
                      headers=DOCKER_JSON, timeout=60)
        assert r.status == 200, r
        r = s.request("PUT", url, body=ids(60000, 60000), auth=A,
                      headers=DOCKER_JSON, timeout=60)
        assert r.status == 400 and "too many images" in r.body.decode(), r
        r = s.request("PUT", url + "images", body=ids(120000, 50000),
                      auth=A, headers=DOCKER_JSON, timeout=60)
        assert r.status == 400, r
        rec = json.loads(s.ctl("repo", "show", "alice/big",
                               "--json").stdout)
        assert len(rec["images"]) == 60000
