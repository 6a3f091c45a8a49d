"""Access tokens (issue 17): dxt_<id>_<secret> wherever a password goes,
narrowed to the token's scopes and the owner's rights at the time of use,
revoked with the owner's credentials, never shown again after creation."""
import json
import re
import time

from harness import Server
from test_v2_token import SERVICE, V2Server, access
from v1util import push, push_finish, push_start

PW = "secret1"
TOKEN_RE = re.compile(r"^dxt_[0-9a-f]{16}_[0-9a-f]{64}$")


def make(s, user, scopes, name="ci", auth=None, **extra):
    body = dict({"name": name, "scopes": scopes}, **extra)
    return s.request("POST", "/users/%s/tokens" % user, body=body,
                     auth=auth or (user, PW))


def token(s, user, scopes, name="ci", **extra):
    r = make(s, user, scopes, name, **extra)
    assert r.status == 201, r
    assert TOKEN_RE.match(r.json()["token"]), r
    return r.json()["token"]


def records(s, prefix="atok:"):
    recs = json.loads(s.ctl("dump").stdout)["records"]
    return {k: v for k, v in recs.items() if k.startswith(prefix)}


def v1(s, auth):
    """(pull, push) statuses of auth on team/app over v1; a push that
    starts is finished."""
    pull = s.request("GET", "/v1/repositories/team/app/images", auth=auth,
                     headers={"X-Docker-Token": "true"}).status
    r = push_start(s, "team/app", auth)
    if r.status == 200:
        assert push_finish(s, "team/app", auth).status == 204
    return pull, r.status


def v1_delete(s, auth):
    return s.request("DELETE", "/v1/repositories/team/app/", auth=auth,
                     headers={"X-Docker-Token": "true"}).status


def test_create_list_delete():
    with Server() as s:
        s.add_user("alice")
        s.add_user("bobby")
        before = int(time.time())
        r = make(s, "alice", ["team:read", "team/tools/app:write", "*:read"])
        after = int(time.time()) + 1
        assert r.status == 201, r
        body = r.json()
        assert set(body) == {"name", "token", "expires"}
        assert body["name"] == "ci" and TOKEN_RE.match(body["token"])
        assert before <= body["expires"] - 365 * 86400 <= after
        secret = body["token"]
        lst = s.request("GET", "/users/alice/tokens", auth=("alice", PW))
        assert lst.status == 200
        t, = lst.json()
        assert secret.split("_")[1] == t["id"] and t["name"] == "ci"
        assert set(t) == {"id", "user", "name", "scopes", "created",
                          "expires"}
        assert t["scopes"] == {"team": "read", "team/tools/app": "write",
                               "*": "read"}
        assert "hash" not in t and secret.split("_")[2] not in lst.body.decode()
        # the record holds the SHA-256 of the secret, not the secret
        rec, = records(s).values()
        assert len(rec["hash"]) == 64 and rec["hash"] not in secret
        assert make(s, "alice", ["team:read"]).status == 409     # same name
        before = int(time.time())
        r = make(s, "alice", ["team:read"], "cd", expires_days=30)
        after = int(time.time()) + 1
        assert r.status == 201
        assert before <= r.json()["expires"] - 30 * 86400 <= after
        # an administrator may make and see them; another user may not
        adm = ("admin", s.admin_password)
        assert make(s, "alice", ["team:read"], "ops", auth=adm).status == 201
        assert make(s, "alice", ["team:read"], "x", auth=("bobby", PW)) \
            .status == 403
        assert s.request("GET", "/users/alice/tokens",
                         auth=("bobby", PW)).status == 403
        assert s.request("GET", "/users/alice/tokens").status == 401
        assert make(s, "nosuch", ["team:read"], auth=adm).status == 404
        assert len(s.request("GET", "/users/alice/tokens",
                             auth=adm).json()) == 3
        r = s.request("DELETE", "/users/alice/tokens/cd", auth=("alice", PW))
        assert r.status == 200 and r.json() == {"deleted": "cd"}
        assert s.request("DELETE", "/users/alice/tokens/cd",
                         auth=("alice", PW)).status == 404
        assert len(records(s)) == 2


def test_bad_requests():
    with Server() as s:
        s.add_user("alice")
        for scopes in ([], "team:read", ["team"], ["team:frob"],
                       ["Team:read"], ["team/:read"], [1], ["a:read"],
                       ["team:read", "team:write"],
                       ["ns%d:read" % i for i in range(17)]):
            r = make(s, "alice", scopes)
            assert r.status == 400 and "scopes" in r.json()["error"], \
                (scopes, r)
        for name in ("", "a b", "x" * 65, 5, None):
            assert make(s, "alice", ["team:read"], name).status == 400
        for days in (0, -1, 366, "x", "", "-5", 1.5, True):
            r = make(s, "alice", ["team:read"], expires_days=days)
            assert r.status == 400, (days, r)
        assert make(s, "alice", ["ns%d:read" % i for i in range(16)],
                    "x" * 64, expires_days=365).status == 201
        assert make(s, "alice", ["team:read"], "str",
                    expires_days="30").status == 201    # as a form sends
        for i in range(30):
            assert make(s, "alice", ["team:read"], "t%d" % i).status == 201
        r = make(s, "alice", ["team:read"], "one-too-many")
        assert r.status == 409 and "too many" in r.json()["error"]
        assert s.request("POST", "/users/alice/tokens", body="{",
                         auth=("alice", PW)).status == 400
        adm = ("admin", s.admin_password)
        for method in ("GET", "POST"):
            r = s.request(method, "/users/nobody/tokens", auth=adm,
                          body={"name": "t", "scopes": ["team:read"]}
                          if method == "POST" else None)
            assert r.status == 404, (method, r)


def test_v1_scopes_and_rights():
    with Server() as s:
        s.add_user("alice")
        s.ctl("perm", "set", "alice", "team", "admin")
        push(s, "team/app", ("alice", PW))
        want = {"team:read": (200, 403), "team:write": (403, 200),
                "team:admin": (200, 200), "team/app:read": (200, 403),
                "team/app:admin": (200, 200), "*:read": (200, 403),
                "*:write": (403, 200), "*:admin": (200, 200),
                "other:admin": (403, 403), "team/other:admin": (403, 403)}
        toks = {sc: token(s, "alice", [sc], "t%d" % i)
                for i, sc in enumerate(want)}
        for sc, statuses in want.items():
            assert v1(s, ("alice", toks[sc])) == statuses, sc
        # the most specific scope wins
        t = token(s, "alice", ["team:admin", "team/app:read"], "mixed")
        assert v1(s, ("alice", t)) == (200, 403)
        # a token is its owner's only: another name with it is refused
        s.add_user("bobby")
        assert v1(s, ("bobby", toks["*:admin"])) == (401, 401)
        bad = toks["*:admin"][:-1] + ("0" if toks["*:admin"][-1] != "0"
                                      else "1")
        assert v1(s, ("alice", bad)) == (401, 401)
        for sc in ("team:read", "team:write", "*:write", "team/app:read"):
            assert v1_delete(s, ("alice", toks[sc])) == 403, sc
        assert v1_delete(s, ("alice", toks["team/app:admin"])) == 202


def test_intersection_with_the_owner():
    with Server() as s:
        s.add_user("alice")
        s.ctl("perm", "set", "alice", "team", "write")
        s.ctl("perm", "set", "*", "pub", "read")
        t = token(s, "alice", ["*:admin"])
        assert push_start(s, "team/app", ("alice", t)).status == 200
        assert push_finish(s, "team/app", ("alice", t)).status == 204
        assert v1_delete(s, ("alice", t)) == 403  # ... but not delete
        # own namespace: admin for the owner, narrowed to the scope
        r2 = token(s, "alice", ["alice:read"], "own")
        assert push_start(s, "alice/x", ("alice", r2)).status == 403
        # the public grants stay what they are for anyone
        push(s, "pub/x", ("admin", s.admin_password))
        assert s.request("GET", "/v1/repositories/pub/x/images",
                         auth=("alice", r2)).status == 200
        # the owner loses the grant: the token loses it at once
        s.ctl("perm", "rm", "alice", "team")
        assert push_start(s, "team/app", ("alice", t)).status == 403


def test_v2_token_scopes():
    with V2Server() as s:
        s.add_user("alice", PW)
        s.add_user("boss", PW, admin=True)
        s.ctl("perm", "set", "alice", "team", "admin")
        want = "repository:team/app:pull,push,delete"
        for sc, actions in (("team:read", ["pull"]),
                            ("team:write", ["pull", "push"]),
                            ("team/app:admin", ["pull", "push", "delete"]),
                            ("other:admin", [])):
            t = token(s, "alice", [sc], sc.replace(":", "-").replace("/", "_"))
            a = access(s.token(want, auth=("alice", t)))
            assert a == {("repository", "team/app"): actions}, (sc, a)
            r = s.form({"grant_type": "password", "username": "alice",
                        "password": t, "service": SERVICE, "scope": want,
                        "access_type": "offline"})
            assert access(r) == {("repository", "team/app"): actions}
            # no refresh token for a token: it would outlive its scopes
            assert "refresh_token" not in r.json()
            r = s.token(want, auth=("alice", t),
                        extra=[("offline_token", "true")])
            assert "refresh_token" not in r.json()
        # a writer's read token: v2 write is pull and push, so it pulls
        s.add_user("writer", PW)
        s.ctl("perm", "set", "writer", "team", "write")
        t = token(s, "writer", ["team:read"])
        assert access(s.token(want, auth=("writer", t))) == {
            ("repository", "team/app"): ["pull"]}
        # a password login still gets one
        r = s.form({"grant_type": "password", "username": "alice",
                    "password": PW, "service": SERVICE,
                    "access_type": "offline"})
        assert "refresh_token" in r.json()
        # an administrator's token is administrator only with *:admin
        cat = "registry:catalog:*"
        t = token(s, "boss", ["team:read"])
        assert access(s.token(cat, want, auth=("boss", t))) == {
            ("registry", "catalog"): [], ("repository", "team/app"): ["pull"]}
        t = token(s, "boss", ["*:admin"], "all")
        assert access(s.token(cat, auth=("boss", t))) == {
            ("registry", "catalog"): ["*"]}
        assert s.token(want, auth=("boss", t + "0")).status == 401


def test_management_api():
    with Server() as s:
        s.add_user("boss", admin=True)
        s.add_user("alice")
        s.ctl("perm", "set", "alice", "team", "admin")
        full = token(s, "boss", ["*:admin"])
        part = token(s, "boss", ["*:write"], "part")
        mine = token(s, "alice", ["*:admin"])
        assert s.request("GET", "/users", auth=("boss", full)).status == 200
        assert s.request("GET", "/users", auth=("boss", part)).status == 403
        assert s.request("GET", "/users", auth=("alice", mine)).status == 403
        assert s.request("PUT", "/users/alice/disable",
                         auth=("boss", part)).status == 403
        # tokens: never made, listed or deleted by a token, unless *:admin
        # of an administrator
        for auth in (("alice", mine), ("boss", part)):
            user = auth[0]
            assert make(s, user, ["team:read"], "new", auth=auth).status \
                == 403
            assert s.request("GET", "/users/%s/tokens" % user,
                             auth=auth).status == 403
            assert s.request("DELETE", "/users/%s/tokens/ci" % user,
                             auth=auth).status == 403
        assert make(s, "alice", ["team:read"], "new",
                    auth=("boss", full)).status == 201
        # webhooks: the repository's admin right, narrowed by the token
        read = token(s, "alice", ["team:read"], "read")
        assert s.request("GET", "/webhooks/team/app",
                         auth=("alice", mine)).status == 200
        assert s.request("GET", "/webhooks/team/app",
                         auth=("alice", read)).status == 403


def test_refused_where_a_password_is_required():
    with Server() as s:
        s.add_user("alice")
        s.add_user("boss", admin=True)
        t = token(s, "alice", ["*:admin"])
        b = token(s, "boss", ["*:write"])
        for auth in (("alice", t), ("boss", b)):
            r = s.request("PUT", "/v1/users/alice/",
                          body={"password": "newpass1"}, auth=auth)
            assert r.status == 403, r
        assert s.request("GET", "/v1/users/", auth=("alice", PW)).status \
            == 200
        # and no password may look like a token
        r = s.request("PUT", "/v1/users/alice/", body={"password": t},
                      auth=("alice", PW))
        assert r.status == 400 and "dxt_" in r.json()["error"]
        assert s.request("POST", "/users", body={
            "username": "carol", "password": "dxt_x" * 3},
            auth=("boss", PW)).status == 400
        assert s.request("GET", "/v1/users/", auth=("alice", t)).status == 200


def test_expiry_and_last_used():
    with Server() as s:
        s.add_user("alice")
        t = token(s, "alice", ["alice:read"])
        key, rec = next(iter(records(s).items()))
        assert "used" not in rec
        assert s.request("GET", "/v1/users/", auth=("alice", t)).status == 200
        used = records(s)[key]["used"]
        assert abs(used - time.time()) < 5
        # a second use within the hour writes nothing
        s.raw_put(key, dict(records(s)[key], used=used - 600))
        assert s.request("GET", "/v1/users/", auth=("alice", t)).status == 200
        assert records(s)[key]["used"] == used - 600
        s.raw_put(key, dict(records(s)[key], used=used - 4000))
        assert s.request("GET", "/v1/users/", auth=("alice", t)).status == 200
        assert records(s)[key]["used"] >= used
        # expired: refused, and token gc removes it
        s.raw_put(key, dict(records(s)[key], expires=int(time.time()) - 1))
        assert s.request("GET", "/v1/users/", auth=("alice", t)).status == 401
        s.ctl("token", "gc")
        assert records(s) == {}


def test_max_days_config():
    with Server(access_token_max_days=0) as s:
        s.add_user("alice")
        r = make(s, "alice", ["alice:read"])
        assert r.status == 201 and r.json()["expires"] is None
        assert next(iter(records(s).values()))["expires"] == 0
        assert make(s, "alice", ["alice:read"], "long",
                    expires_days=36500).status == 201
    with Server(access_token_max_days=7) as s:
        s.add_user("alice")
        assert make(s, "alice", ["alice:read"], expires_days=8).status == 400
        r = make(s, "alice", ["alice:read"])
        assert abs(r.json()["expires"] - time.time() - 7 * 86400) < 5


def test_revocation_three_ways():
    with Server() as s:
        adm = ("admin", s.admin_password)
        for u in ("alice", "bobby", "carol"):
            s.add_user(u)
        ta = token(s, "alice", ["*:read"])
        tb = token(s, "bobby", ["*:read"])
        tc = token(s, "carol", ["*:read"])
        assert len(records(s)) == 3
        # a new password (v1, by the user)
        assert s.request("PUT", "/v1/users/alice/",
                         body={"password": "newpass1"},
                         auth=("alice", PW)).status == 204
        # disabling
        assert s.request("PUT", "/users/bobby/disable", auth=adm).status == 200
        # deleting
        assert s.request("DELETE", "/users/carol", auth=adm).status == 200
        for u, t in (("alice", ta), ("bobby", tb), ("carol", tc)):
            assert s.request("GET", "/v1/users/", auth=(u, t)).status == 401
        assert records(s) == {}
        # the same for the management API's and dindexctl's password change
        r = make(s, "alice", ["*:read"], auth=("alice", "newpass1"))
        t = r.json()["token"]
        s.ctl("user", "passwd", "alice", "--password-stdin",
              input="another1\n")
        assert s.request("GET", "/v1/users/", auth=("alice", t)).status == 401
        assert records(s) == {}


def test_v1_token_dies_with_its_access_token():
    """A v1 token a login by access token got is that token's: narrowed
    to its scopes while it lives, refused once it is revoked."""
    with Server() as s:
        s.add_user("alice")
        s.ctl("perm", "set", "alice", "team", "admin")
        push(s, "team/app", ("alice", PW))
        images = "/v1/repositories/team/app/images"
        t = token(s, "alice", ["team/app:read"], "reader")
        r = s.request("GET", images, auth=("alice", t),
                      headers={"X-Docker-Token": "true"})
        assert r.status == 200, r
        v1tok = "Token " + r.header("X-Docker-Token")
        assert s.request("GET", images, auth=v1tok).status == 200
        # the owner's own rights are untouched; the token's end
        s.ctl("token", "rm", "alice", "reader")
        assert s.request("GET", images, auth=v1tok).status == 401
        assert s.request("GET", images, auth=("alice", PW)).status == 200
        # a token issued to a password login does not depend on any
        r = s.request("GET", images, auth=("alice", PW),
                      headers={"X-Docker-Token": "true"})
        tok = "Token " + r.header("X-Docker-Token")
        assert s.request("GET", images, auth=tok).status == 200
        kept = records(s, "token:").values()
        assert ["atok" in v for v in kept].count(True) == 1, kept


def test_secret_in_no_log_line_and_no_later_response():
    with Server() as s:
        s.add_user("alice")
        s.ctl("perm", "set", "alice", "team", "write")
        r = make(s, "alice", ["team:write"])
        t = r.json()["token"]
        secret = t.split("_")[2]
        answers = [s.request("GET", "/users/alice/tokens",
                             auth=("alice", PW)),
                   s.request("GET", "/users/alice/tokens",
                             auth=("admin", s.admin_password)),
                   s.request("GET", "/v1/users/", auth=("alice", t)),
                   push_start(s, "team/app", ("alice", t)),
                   s.request("GET", "/v1/users/", auth=("alice", t[:-1]))]
        for a in answers:
            assert secret not in a.body.decode()
            assert not any(secret in v for _, v in a.headers)
        assert secret not in s.ctl("dump").stdout
        assert secret not in s.ctl("token", "list", "alice").stdout
        log = s.logtext()
        assert secret not in log and "dxt_" not in log
        assert re.search(r'"GET /v1/users/" 200 user=alice ', log), log


def test_check_dump_load():
    with Server() as s:
        s.add_user("alice")
        token(s, "alice", ["team:read"])
        dump = s.ctl("dump").stdout
        assert '"atok:' in dump
        s.ctl("check")
        key = next(iter(records(s)))
        for bad in ({"user": "alice"},
                    dict(records(s)[key], scopes={"Bad": "read"}),
                    dict(records(s)[key], scopes={}),
                    dict(records(s)[key], hash="x"),
                    dict(records(s)[key], user="nobody")):
            s.raw_put(key, bad)
            p = s.ctl("check", check=False)
            assert p.returncode == 1 and key in p.stdout, (bad, p.stdout)
        s.raw_put(key, json.loads(dump)["records"][key])
        s.ctl("check")
    with Server(init=False) as s2:
        s2.ctl("load", input=dump)
        assert s2.ctl("dump").stdout == dump
        s2.ctl("check")


def test_dindexctl_token_add_list_rm_gc():
    with V2Server() as s:
        s.add_user("alice", PW)
        p = s.ctl("token", "add", "alice", "ci", "--scope", "team:write",
                  "--scope", "*:read", "--expires", "10")
        secret = p.stdout.strip()
        assert TOKEN_RE.match(secret), p.stdout
        assert s.request("GET", "/v1/users/",
                         auth=("alice", secret)).status == 200
        out = json.loads(s.ctl("token", "add", "alice", "cd", "--scope",
                               "team:read", "--json").stdout)
        assert set(out) == {"name", "token", "expires"}
        assert out["name"] == "cd" and TOKEN_RE.match(out["token"])
        assert abs(out["expires"] - time.time() - 365 * 86400) < 5
        # refused: as the API refuses, with its words
        for args, words in ((["ci", "--scope", "team:read"], "name"),
                            (["x"], "scopes"),
                            (["x", "--scope", "team:frob"], "scopes"),
                            (["x", "--scope", "a:read", "--expires", "0"],
                             "expires_days"),
                            (["x", "--scope", "team:read", "--expires",
                              "400"], "expires_days"),
                            # bytes that are not UTF-8 (b"\xff") are
                            # refused, not dropped
                            (["x", "--scope", "\udcff:read"], "UTF-8"),
                            (["\udcff", "--scope", "team:read"], "UTF-8")):
            p = s.ctl("token", "add", "alice", *args, check=False)
            assert p.returncode == 1 and words in p.stderr, (args, p.stderr)
        assert s.ctl("token", "add", "nosuch", "x", "--scope", "team:read",
                     check=False).returncode == 1
        assert s.ctl("token", "add", "alice", "x", "--scope",
                     check=False).returncode == 2
        # list: the refresh tokens as before, then the access tokens
        s.form({"grant_type": "password", "username": "alice",
                "password": PW, "service": SERVICE,
                "access_type": "offline"})
        lst = json.loads(s.ctl("token", "list", "alice", "--json").stdout)
        assert len(lst) == 3
        assert set(lst[0]) == {"id", "service", "created", "used"}
        names = {t["name"]: t for t in lst[1:]}
        assert set(names) == {"ci", "cd"}
        assert names["ci"]["scopes"] == {"team": "write", "*": "read"}
        assert "hash" not in names["ci"]
        text = s.ctl("token", "list", "alice").stdout
        assert text.split("\n")[0].split() == [
            "ID", "SERVICE", "NAME", "CREATED", "LAST", "USED", "EXPIRES"]
        assert secret.split("_")[2] not in text
        assert re.search(r"^%s +- +ci +" % names["ci"]["id"], text, re.M)
        # rm by name; a refresh token still by id
        s.ctl("token", "rm", "alice", "cd")
        assert s.ctl("token", "rm", "alice", "cd", check=False) \
            .returncode == 1
        s.ctl("token", "rm", "alice", lst[0]["id"])
        lst = json.loads(s.ctl("token", "list", "alice", "--json").stdout)
        assert [t["name"] for t in lst] == ["ci"]
        # gc: the expired go, counted with the others
        key = "atok:" + lst[0]["id"]
        s.raw_put(key, dict(records(s)[key], expires=int(time.time()) - 5))
        assert s.ctl("token", "gc").stdout.strip() == \
            "1 expired tokens removed"
        assert records(s) == {}
