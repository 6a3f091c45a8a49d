"""The management API: authentication, every route, JSON and form bodies,
every failure status, the last-administrator rule, token revocation."""
import json
import time
import urllib.parse

from harness import Server

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def adm(s):
    return ("admin", s.admin_password)


def form(s, method, path, fields, auth=None, ctype=FORM):
    return s.request(method, path, urllib.parse.urlencode(fields),
                     headers=ctype, auth=auth or adm(s))


def records(s):
    return json.loads(s.ctl("dump").stdout)["records"]


def load(s, recs):
    """Replace the whole database with these records (plus what is kept)."""
    doc = {"format": "dindex-dump", "version": 1, "records": recs}
    s.ctl("load", "--force", input=json.dumps(doc))


def add_records(s, extra):
    recs = records(s)
    recs.update(extra)
    load(s, recs)


def token(user, repo, expires=None):
    return {"user": user, "repo": repo, "access": "read",
            "expires": expires or int(time.time()) + 600}


def repo(state="complete"):
    img = "a" * 64
    return {"images": [{"id": img}], "tags": {"latest": img},
            "state": state, "created": 1, "updated": 2, "pusher": "admin"}


def no_hash(r):
    assert b"hash" not in r.body and b"$s1$" not in r.body, r


def test_ping_open():
    with Server() as s:
        for path in ("/_ping", "/_ping/"):
            r = s.request("GET", path)
            assert r.status == 200 and r.json() is True
            assert r.header("X-Docker-Index-Version")


def test_auth_statuses():
    with Server() as s:
        s.add_user("plain")
        s.add_user("boss2", admin=True)
        s.add_user("boss3", admin=True)
        s.ctl("user", "disable", "boss3")
        cases = [(None, 401), (("admin", "wrong-pw"), 401),
                 (("nobody", "secret1"), 401), ("Bearer abc", 401),
                 ("Basic !!!", 401), (("plain", "secret1"), 403),
                 (("boss3", "secret1"), 403), (("boss2", "secret1"), 200),
                 (adm(s), 200)]
        for auth, status in cases:
            for path in ("/users", "/users/plain", "/images",
                         "/users/plain/permissions"):
                r = s.request("GET", path, auth=auth)
                # grants: any user, who sees those in their namespaces
                # (issue 18; plain's own namespace: none of these)
                if status == 403 and auth[0] == "plain" and \
                        path.endswith("permissions"):
                    assert r.status == 200 and r.json() == {}, r
                    continue
                assert r.status == status, (auth, path, r)
                if status == 401:
                    assert r.header("WWW-Authenticate").startswith("Basic")
                if status >= 400:
                    assert "error" in r.json()
        # writes are gated the same way, before anything is looked at
        r = form(s, "PUT", "/users/plain/admin", {}, auth=("plain", "secret1"))
        assert r.status == 403
        r = s.request("DELETE", "/users/admin", auth=("admin", "nope"))
        assert r.status == 401
        assert s.ctl("user", "show", "plain", "--json").returncode == 0


def test_webhook_routes_challenge_every_401():
    with Server() as s:
        s.add_user("alice")
        for auth in (None, ("alice", "wrong-pw"), ("nobody", "secret1"),
                     "Bearer " + "a" * 64, "Basic !!!"):
            for method, path in (("GET", "/webhooks/alice/app"),
                                 ("DELETE", "/webhooks/alice/app"),
                                 ("POST", "/webhooks/alice/app/%s/ping"
                                  % ("0" * 16))):
                r = s.request(method, path, auth=auth)
                assert r.status == 401, (auth, path, r)
                assert r.header("WWW-Authenticate").startswith("Basic"), r


def test_admin_api_off():
    with Server(admin_api="no") as s:
        for method, path in (("GET", "/_ping"), ("GET", "/users"),
                             ("POST", "/users"), ("GET", "/images"),
                             ("DELETE", "/users/admin")):
            assert s.request(method, path, auth=adm(s)).status == 404


def test_create_json_and_form():
    with Server() as s:
        r = s.request("POST", "/users", {"username": "alice",
                      "password": "secret1", "email": "a@example.com"},
                      auth=adm(s))
        assert r.status == 201, r
        no_hash(r)
        u = r.json()
        assert u["name"] == "alice" and u["enabled"] is True
        assert u["admin"] is False and u["email"] == "a@example.com"
        r = form(s, "POST", "/users/", {"username": "bert",
                 "password": "p@ss w&rd=", "email": "b@example.com",
                 "admin": "true"})
        assert r.status == 201 and r.json()["admin"] is True, r
        # the form-decoded password works, and so does the admin flag
        assert s.request("GET", "/users", auth=("bert", "p@ss w&rd=")).status \
            == 200
        # no Content-Type: JSON is tried, then a form
        r = s.request("POST", "/users", json.dumps({"username": "carol",
                      "password": "secret1"}), auth=adm(s))
        assert r.status == 201, r
        r = s.request("POST", "/users", "username=dave&password=secret1",
                      auth=adm(s))
        assert r.status == 201, r
        r = s.request("GET", "/users", auth=adm(s))
        assert r.json() == ["admin", "alice", "bert", "carol", "dave"]
        no_hash(r)


def test_create_failures():
    with Server() as s:
        s.add_user("taken")
        ok = {"username": "newbie", "password": "secret1"}
        cases = [
            (dict(ok, username="taken"), 409),
            (dict(ok, username="Bad Name"), 400),
            (dict(ok, username="ab"), 400),
            (dict(ok, username="*"), 400),
            ({"password": "secret1"}, 400),
            (dict(ok, password="1234"), 400),
            (dict(ok, password="x" * 257), 400),
            ({"username": "newbie"}, 400),
            (dict(ok, email="not-an-email"), 400),
            (dict(ok, email=5), 400),
            (dict(ok, username=["x"]), 400),
            (dict(ok, admin="maybe"), 400),
        ]
        for body, status in cases:
            r = s.request("POST", "/users", body, auth=adm(s))
            assert r.status == status, (body, r)
            assert "error" in r.json()
        for body, ctype, status in [
                ("{bad json", "application/json", 400),
                ("[1, 2]", "application/json", 400),
                ('{"username": "a", "username": "b"}', "application/json",
                 400),
                ("[" * 40 + "]" * 40, "application/json", 400),
                ('{"a":' * 40 + "1" + "}" * 40, "application/json", 400),
                ("username=%zz&password=secret1", FORM["Content-Type"], 400),
                ("username=ab%00cd&password=secret1", FORM["Content-Type"],
                 400),
                ("username=%ff%fe&password=secret1", FORM["Content-Type"],
                 400),
                ("=x&password=secret1", FORM["Content-Type"], 400),
                ("username=newbie", "text/plain", 415),
                ("username=newbie", "multipart/form-data", 415)]:
            r = s.request("POST", "/users", body, auth=adm(s),
                          headers={"Content-Type": ctype})
            assert r.status == status, (body, r)
            assert r.json()["error"] == ("malformed body" if status == 400
                                         else "body must be JSON or a form")
        # nothing was created by any of them
        assert s.request("GET", "/users", auth=adm(s)).json() == \
            ["admin", "taken"]
        # a charset parameter and an upper-case type are fine
        r = s.request("POST", "/users", json.dumps(ok), auth=adm(s),
                      headers={"Content-Type":
                               "Application/JSON; charset=utf-8"})
        assert r.status == 201, r


def test_get_and_delete_user():
    with Server() as s:
        s.add_user("alice", email="a@example.com")
        s.add_user("bert")
        r = s.request("GET", "/users/alice", auth=adm(s))
        assert r.status == 200 and r.json()["email"] == "a@example.com"
        no_hash(r)
        assert s.request("GET", "/users/alice/", auth=adm(s)).status == 200
        assert s.request("GET", "/users/nobody", auth=adm(s)).status == 404
        assert s.request("GET", "/users/BAD", auth=adm(s)).status == 400
        assert s.request("GET", "/users/*", auth=adm(s)).status == 400
        assert s.request("PUT", "/users/alice", auth=adm(s)).status == 405
        add_records(s, {"token:" + "1" * 64: token("alice", "alice/app"),
                        "token:" + "2" * 64: token("bert", "alice/app"),
                        "refresh:" + "3" * 64: {"user": "alice",
                                                "service": "r",
                                                "created": 1},
                        "repo:alice/app": repo(), "repo:bert/app": repo()})
        # a namespace that holds repositories keeps its owner: a new
        # account of that name would own them
        r = s.request("DELETE", "/users/alice", auth=adm(s))
        assert r.status == 409 and "repositories" in r.json()["error"], r
        s.ctl("repo", "rm", "alice/app")
        add_records(s, {"token:" + "1" * 64: token("alice", "bert/app"),
                        "token:" + "2" * 64: token("bert", "bert/app")})
        r = s.request("DELETE", "/users/alice", auth=adm(s))
        assert r.status == 200 and r.json() == {"deleted": "alice"}, r
        recs = records(s)
        assert "user:alice" not in recs
        assert "token:" + "1" * 64 not in recs
        assert "refresh:" + "3" * 64 not in recs
        assert "token:" + "2" * 64 in recs      # bert's stays
        assert s.request("GET", "/users/alice", auth=adm(s)).status == 404
        assert s.request("DELETE", "/users/alice", auth=adm(s)).status == 404
        assert s.request("GET", "/users", auth=adm(s)).json() == \
            ["admin", "bert"]
        assert s.request("GET", "/users", auth=("alice", "secret1")).status \
            == 401


def test_last_admin():
    with Server() as s:
        for method, path in (("DELETE", "/users/admin"),
                             ("DELETE", "/users/admin/admin"),
                             ("PUT", "/users/admin/disable")):
            r = s.request(method, path, auth=adm(s))
            assert r.status == 409, (path, r)
            assert "administrator" in r.json()["error"]
        # a disabled administrator does not count
        s.add_user("boss", admin=True)
        s.ctl("user", "disable", "boss")
        assert s.request("DELETE", "/users/admin/admin",
                         auth=adm(s)).status == 409
        assert s.request("PUT", "/users/boss/enable",
                         auth=adm(s)).status == 200
        r = s.request("DELETE", "/users/admin/admin", auth=adm(s))
        assert r.status == 200 and r.json()["admin"] is False
        assert s.request("GET", "/users", auth=adm(s)).status == 403
        boss = ("boss", "secret1")
        assert s.request("DELETE", "/users/boss", auth=boss).status == 409
        assert s.request("DELETE", "/users/admin", auth=boss).status == 200
        assert s.request("PUT", "/users/boss/disable", auth=boss).status \
            == 409


def test_enable_disable():
    with Server() as s:
        s.add_user("bert")
        add_records(s, {"token:" + "4" * 64: token("bert", "bert/x"),
                        "repo:bert/x": repo()})
        r = s.request("PUT", "/users/bert/disable", auth=adm(s))
        assert r.status == 200 and r.json()["enabled"] is False, r
        no_hash(r)
        assert "token:" + "4" * 64 not in records(s)
        r = s.request("PUT", "/users/bert/disable/", auth=adm(s))
        assert r.status == 200
        r = s.request("PUT", "/users/bert/enable", auth=adm(s))
        assert r.status == 200 and r.json()["enabled"] is True
        for path in ("/users/nobody/enable", "/users/nobody/disable",
                     "/users/nobody/admin"):
            assert s.request("PUT", path, auth=adm(s)).status == 404
        assert s.request("PUT", "/users/B-A-D/enable", auth=adm(s)).status \
            == 400
        assert s.request("PUT", "/users/*/enable", auth=adm(s)).status == 400
        r = s.request("GET", "/users/bert/enable", auth=adm(s))
        assert r.status == 405 and "PUT" in r.header("Allow")


def test_admin_flag():
    with Server() as s:
        s.add_user("bert")
        bert = ("bert", "secret1")
        assert s.request("GET", "/users", auth=bert).status == 403
        r = s.request("PUT", "/users/bert/admin", auth=adm(s))
        assert r.status == 200 and r.json()["admin"] is True
        assert s.request("GET", "/users", auth=bert).status == 200
        r = s.request("DELETE", "/users/bert/admin/", auth=adm(s))
        assert r.status == 200 and r.json()["admin"] is False
        assert s.request("GET", "/users", auth=bert).status == 403
        assert s.request("DELETE", "/users/nobody/admin",
                         auth=adm(s)).status == 404
        assert s.request("POST", "/users/bert/admin",
                         auth=adm(s)).status == 405


def test_permissions():
    with Server() as s:
        s.add_user("bert")
        base = "/users/bert/permissions"
        r = s.request("GET", base, auth=adm(s))
        assert r.status == 200 and r.json() == {}
        r = s.request("PUT", base, {"repo": "bert", "access": "read"},
                      auth=adm(s))
        assert r.status == 200 and r.json() == {"bert": "read"}, r
        r = form(s, "PUT", base + "/", {"repo": "team/app",
                                        "access": "write"})
        assert r.json() == {"bert": "read", "team/app": "write"}, r
        r = form(s, "PUT", base, {"repo": "bert", "access": "admin"})
        assert r.json()["bert"] == "admin"
        for body, status in [({"repo": "bert", "access": "delete"}, 400),
                             ({"repo": "bert", "access": ""}, 400),
                             ({"repo": "bert"}, 400),
                             ({"repo": "Team", "access": "read"}, 400),
                             ({"repo": "a/b/c", "access": "read"}, 400),
                             ({"repo": "", "access": "read"}, 400),
                             ({"repo": "*", "access": "read"}, 400),
                             ({"repo": 3, "access": "read"}, 400)]:
            r = s.request("PUT", base, body, auth=adm(s))
            assert r.status == status, (body, r)
        r = s.request("PUT", "/users/nobody/permissions",
                      {"repo": "x1", "access": "read"}, auth=adm(s))
        assert r.status == 404
        assert s.request("GET", "/users/nobody/permissions",
                         auth=adm(s)).status == 404
        assert s.request("GET", "/users/BAD/permissions",
                         auth=adm(s)).status == 400
        r = s.request("DELETE", base + "/team/app", auth=adm(s))
        assert r.status == 200 and r.json() == {"bert": "admin"}, r
        r = s.request("DELETE", base + "/bert/", auth=adm(s))
        assert r.status == 200 and r.json() == {}
        assert s.request("DELETE", base + "/bert", auth=adm(s)).status == 404
        assert s.request("DELETE", "/users/nobody/permissions/x1",
                         auth=adm(s)).status == 404
        assert records(s)["user:bert"]["perms"] == {}


def test_public_pseudo_user():
    with Server() as s:
        r = s.request("GET", "/users/*/permissions", auth=adm(s))
        assert r.status == 200 and r.json() == {}
        assert "user:*" not in records(s)
        assert s.request("DELETE", "/users/*/permissions/library",
                         auth=adm(s)).status == 404
        r = s.request("PUT", "/users/%2A/permissions",
                      {"repo": "library/ubuntu", "access": "read"},
                      auth=adm(s))
        assert r.status == 200 and r.json() == {"library/ubuntu": "read"}
        assert records(s)["user:*"] == {"name": "*",
                                        "perms": {"library/ubuntu": "read"}}
        # "*" is no user: absent from the list, no other route takes it
        assert s.request("GET", "/users", auth=adm(s)).json() == ["admin"]
        assert s.request("DELETE", "/users/*", auth=adm(s)).status == 400
        assert s.request("PUT", "/users/*/admin", auth=adm(s)).status == 400
        r = s.request("DELETE", "/users/*/permissions/library/ubuntu",
                      auth=adm(s))
        assert r.status == 200 and r.json() == {}


def test_images():
    with Server() as s:
        assert s.request("GET", "/images", auth=adm(s)).json() == []
        add_records(s, {"repo:zeta/app": repo(),
                        "repo:alpha/app": repo(),
                        "repo:library/ubuntu": repo(),
                        "repo:half/done": repo("pushing"),
                        "repo:gone/old": repo("deleted")})
        r = s.request("GET", "/images/", auth=adm(s))
        assert r.status == 200
        assert r.json() == ["alpha/app", "library/ubuntu", "zeta/app"]
        assert s.request("POST", "/images", auth=adm(s)).status == 405


def test_never_a_hash():
    with Server() as s:
        s.add_user("bert")
        for method, path, body in [
                ("GET", "/users", None), ("GET", "/users/bert", None),
                ("GET", "/users/admin", None),
                ("PUT", "/users/bert/enable", None),
                ("PUT", "/users/bert/admin", None),
                ("DELETE", "/users/bert/admin", None),
                ("PUT", "/users/bert/permissions",
                 {"repo": "bert", "access": "read"}),
                ("POST", "/users", {"username": "carol",
                                    "password": "secret1"})]:
            r = s.request(method, path, body, auth=adm(s))
            assert r.status < 300, (path, r)
            no_hash(r)
