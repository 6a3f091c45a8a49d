"""Teams and delegated administration (issue 18): team grants resolved
with the user's own in one function (v1, v2 scopes, search alike),
namespace admins managing grants and the teams they own, membership
changes taking effect for tokens issued before."""
import json

from test_v2_token import PW, V2Server, access
from v1util import DOCKER_JSON, push, push_finish, push_start

ALL = ["pull", "push", "delete"]
TEAMS = {"t-read": {"acme": "read"}, "t-admin": {"acme": "admin"},
         "t-app-read": {"acme/app": "read"},
         "t-app-write": {"acme/app": "write"},
         "t-open-write": {"open/app": "write"}}
# user: (own grants, teams, admin flag, repository,
#        v1 pull, v1 push, v2 actions, found by search)
CASES = {
    "own_read": ({"acme": "read"}, [], 0, "acme/app",
                 200, 403, ["pull"], True),
    "team_write": ({}, ["t-app-write"], 0, "acme/app",
                   403, 200, ["pull", "push"], False),
    # the most specific entry wins, whoever's it is
    "own_repo_over_team_ns": ({"acme/app": "read"}, ["t-admin"], 0,
                              "acme/app", 200, 403, ["pull"], True),
    "team_repo_over_own_ns": ({"acme": "admin"}, ["t-app-read"], 0,
                              "acme/app", 200, 403, ["pull"], True),
    "team_ns_elsewhere": ({"acme": "read"}, ["t-app-write"], 0, "acme/lib",
                          200, 403, ["pull"], True),
    # equally specific: the strongest, rights adding up
    "two_teams_ns": ({}, ["t-read", "t-admin"], 0, "acme/app",
                     200, 200, ALL, True),
    "two_teams_repo": ({}, ["t-app-read", "t-app-write"], 0, "acme/app",
                       200, 200, ["pull", "push"], True),
    "own_and_team_repo": ({"acme/app": "write"}, ["t-app-read"], 0,
                          "acme/app", 200, 200, ["pull", "push"], True),
    "admin_flag": ({}, ["t-app-read"], 1, "acme/app", 200, 200, ALL, True),
    "no_grant": ({}, ["t-open-write"], 0, "acme/app", 403, 403, [], False),
    # the public grants ("*": open read) add to the team's
    "public_and_team": ({}, ["t-open-write"], 0, "open/app",
                        200, 200, ["pull", "push"], True),
    "public_only": ({}, [], 0, "open/app", 200, 403, ["pull"], True),
}


def admin(s):
    return ("admin", s.admin_password)


def setup_table(s):
    s.add_user("boss", PW, admin=True)
    for repo in ("acme/app", "acme/lib", "open/app"):
        push(s, repo, ("boss", PW))
    s.ctl("perm", "set", "*", "open", "read")
    for team, perms in TEAMS.items():
        s.ctl("team", "add", team)
        for scope, right in perms.items():
            s.ctl("team", "perm", "set", team, scope, right)
    for user, (own, teams, flag, *_) in CASES.items():
        name = user.replace("_", "")[:30]
        s.add_user(name, PW, admin=bool(flag))
        for scope, right in own.items():
            s.ctl("perm", "set", name, scope, right)
        for team in teams:
            s.ctl("team", "member", "add", team, name)


def v1(s, repo, auth):
    pull = s.request("GET", "/v1/repositories/%s/images" % repo, auth=auth,
                     headers=DOCKER_JSON).status
    r = push_start(s, repo, auth)
    if r.status == 200:
        assert push_finish(s, repo, auth).status == 204
    return pull, r.status


def found(s, repo, auth):
    r = s.request("GET", "/v1/search?q=" + repo, auth=auth)
    assert r.status == 200, r
    return repo in [x["name"] for x in r.json()["results"]]


def test_resolution_table():
    with V2Server() as s:
        setup_table(s)
        for user, (_, _, _, repo, pull, push_, v2, search) in CASES.items():
            auth = (user.replace("_", "")[:30], PW)
            assert v1(s, repo, auth) == (pull, push_), user
            a = access(s.token("repository:%s:pull,push,delete" % repo,
                               auth=auth))
            assert a == {("repository", repo): v2}, (user, a)
            assert found(s, repo, auth) == search, user


def test_team_records_routes_and_check():
    with V2Server() as s:
        s.add_user("alice", PW)
        s.add_user("bobby", PW)
        a = admin(s)
        r = s.request("POST", "/teams", body={"name": "devs"}, auth=a)
        assert r.status == 201, r
        assert r.json() == {"name": "devs", "owners": [], "members": [],
                            "perms": {}, "created": r.json()["created"]}
        assert s.request("POST", "/teams", body={"name": "devs"},
                         auth=a).status == 409
        for bad in ("x", "Devs", "a" * 31, "de vs", 7):
            r = s.request("POST", "/teams", body={"name": bad}, auth=a)
            assert r.status == 400, (bad, r)
        assert s.request("PUT", "/teams/devs/members/nosuch",
                         auth=a).status == 404
        assert s.request("PUT", "/teams/nope/members/alice",
                         auth=a).status == 404
        r = s.request("PUT", "/teams/devs/members/alice", auth=a)
        assert r.status == 200 and r.json()["members"] == ["alice"], r
        r = s.request("PUT", "/teams/devs/owners/bobby", auth=a)
        assert r.json()["owners"] == ["bobby"], r
        r = s.request("PUT", "/teams/devs/permissions",
                      body={"repo": "acme/app", "access": "write"}, auth=a)
        assert r.status == 200 and r.json() == {"acme/app": "write"}, r
        r = s.request("PUT", "/teams/devs/permissions",
                      body={"repo": "acme/app", "access": "all"}, auth=a)
        assert r.status == 400, r
        r = s.request("GET", "/teams", auth=("alice", PW))
        assert r.status == 200 and r.json() == ["devs"], r
        assert s.request("GET", "/teams").status == 401
        out = s.ctl("team", "show", "devs").stdout
        assert "owners:   bobby" in out and "members:  alice" in out, out
        assert "acme/app" in out and "write" in out, out
        # a team name is not a user name: "team:" never clashes
        s.ctl("team", "add", "alice")
        dump = json.loads(s.ctl("dump").stdout)["records"]
        assert dump["team:devs"]["owners"] == {"bobby": True}
        assert dump["user:alice"]["teams"] == {"devs": True}
        assert "members" not in dump["team:devs"]
        # dump, load, dump: the same bytes
        first = s.ctl("dump").stdout
        s.ctl("load", "--force", input=first)
        assert s.ctl("dump").stdout == first
        # deleting a user: their ownerships go; a team: its memberships
        assert s.request("DELETE", "/users/bobby", auth=a).status == 200
        assert s.ctl("team", "show", "devs", "--json").stdout.count(
            "bobby") == 0
        s.ctl("team", "rm", "devs")
        dump = json.loads(s.ctl("dump").stdout)["records"]
        assert "team:devs" not in dump
        assert dump["user:alice"].get("teams") == {}
        assert s.request("DELETE", "/teams/devs", auth=a).status == 404
        assert s.request("DELETE", "/teams/alice/members/alice",
                         auth=a).status == 404


def test_limits():
    with V2Server() as s:
        s.add_user("alice", PW)
        a = admin(s)
        for i in range(33):
            s.ctl("team", "add", "t%d" % i)
        for i in range(32):
            s.ctl("team", "member", "add", "t%d" % i, "alice")
        r = s.request("PUT", "/teams/t32/members/alice", auth=a)
        assert r.status == 409 and "32 teams a user" in r.json()["error"], r
        # already in: no change, no refusal
        assert s.request("PUT", "/teams/t0/members/alice",
                         auth=a).status == 200
        # the login reads every team: all 32 grants count
        images = "/v1/repositories/acme/app/images"
        assert s.request("GET", images, auth=("alice", PW)).status == 403
        s.ctl("team", "perm", "set", "t31", "acme", "read")
        r = s.request("GET", images, auth=("alice", PW))
        assert r.status == 404, r   # allowed, but nothing pushed yet


def test_check_reports_damaged_and_dangling_teams():
    with V2Server() as s:
        s.clean_at_close = False
        s.add_user("alice", PW)
        s.raw_put("team:ok", {"name": "ok", "owners": {"ghost": True},
                              "perms": {}, "created": 1})
        s.raw_put("team:bad", {"name": "bad", "owners": "alice",
                               "perms": {}, "created": 1})
        s.raw_put("team:worse", {"name": "worse", "owners": {},
                                 "perms": {"a/": "read"}, "created": 1})
        rec = json.loads(s.ctl("dump").stdout)["records"]["user:alice"]
        rec["teams"] = {"ok": True, "gone": True}
        s.raw_put("user:alice", rec)
        p = s.ctl("check", check=False)
        assert p.returncode != 0
        assert "team:ok: user 'ghost' does not exist" in p.stdout, p.stdout
        assert "team:bad: owners must be" in p.stdout, p.stdout
        assert "team:worse: invalid grant a/" in p.stdout, p.stdout
        assert "user:alice: team 'gone' does not exist" in p.stdout, p.stdout
        # a dangling team is skipped at login, not a failure
        r = s.request("GET", "/v1/users", auth=("alice", PW))
        assert r.status == 200, r
        # deleting a user or a team walks past records that do not parse
        s.raw_put("team:torn", b"{not json")
        s.raw_put("user:torn", b"[1, 2")
        s.add_user("bobby", PW)
        adm = ("admin", s.admin_password)
        assert s.request("DELETE", "/users/bobby", auth=adm).status == 200
        assert s.request("DELETE", "/teams/ok", auth=adm).status == 200
        assert "team:torn: does not parse" in s.ctl("check",
                                                   check=False).stdout


def deleg(s):
    """acmeadm: admin on acme, but only read on acme/secret; bobby a user
    with a grant outside acme; team devs owned by acmeadm, ops not."""
    s.add_user("acmeadm", PW)
    s.add_user("bobby", PW)
    s.ctl("perm", "set", "acmeadm", "acme", "admin")
    s.ctl("perm", "set", "acmeadm", "acme/secret", "read")
    s.ctl("perm", "set", "bobby", "other/x", "read")
    for team in ("devs", "ops"):
        s.ctl("team", "add", team)
    s.ctl("team", "owner", "add", "devs", "acmeadm")
    return ("acmeadm", PW)


def err(r, status):
    assert r.status == status, r
    return r.json()["error"]


def test_delegated_admin_grants():
    with V2Server() as s:
        d = deleg(s)
        perm = "/users/bobby/permissions"
        r = s.request("PUT", perm, body={"repo": "acme/app",
                                         "access": "write"}, auth=d)
        # the answer shows only the grants in acmeadm's namespaces
        assert r.status == 200 and r.json() == {"acme/app": "write"}, r
        r = s.request("PUT", perm, body={"repo": "acme/tools/cli",
                                         "access": "admin"}, auth=d)
        assert r.status == 200, r
        r = s.request("PUT", perm, body={"repo": "other/y",
                                         "access": "read"}, auth=d)
        assert err(r, 403) == "admin on namespace 'other' required"
        r = s.request("PUT", perm, body={"repo": "acme/secret",
                                         "access": "write"}, auth=d)
        assert err(r, 403) == "cannot grant or remove more than you hold"
        r = s.request("PUT", perm, body={"repo": "acme/secret",
                                         "access": "read"}, auth=d)
        assert r.status == 200, r
        assert err(s.request("DELETE", perm + "/other/x", auth=d),
                   403) == "admin on namespace 'other' required"
        r = s.request("GET", perm, auth=d)
        assert r.json() == {"acme/app": "write", "acme/tools/cli": "admin",
                            "acme/secret": "read"}, r
        r = s.request("DELETE", perm + "/acme/tools/cli", auth=d)
        assert r.status == 200 and "acme/tools/cli" not in r.json(), r
        # removing a narrower grant would widen rights: not where acmeadm
        # holds less than admin (nor their own restriction)
        for who in ("bobby", "acmeadm"):
            r = s.request("DELETE", "/users/%s/permissions/acme/secret" % who,
                          auth=d)
            assert err(r, 403) == "cannot grant or remove more than you hold"
        assert s.ctl("perm", "list", "bobby", "--json").stdout.count(
            "other/x") == 1
        # the admin flag, user records and teams stay administrators'
        assert err(s.request("PUT", "/users/bobby/admin", auth=d),
                   403) == "administrators only"
        assert s.request("GET", "/users/bobby", auth=d).status == 403
        assert s.request("POST", "/teams", body={"name": "mine"},
                         auth=d).status == 403
        assert s.request("DELETE", "/teams/devs", auth=d).status == 403
        # a user with no namespace of their own grants nothing
        r = s.request("PUT", "/users/acmeadm/permissions",
                      body={"repo": "acme", "access": "read"},
                      auth=("bobby", PW))
        assert err(r, 403) == "admin on namespace 'acme' required"
        assert s.request("GET", perm, auth=("bobby", PW)).json() == {}


def test_delegated_admin_teams():
    with V2Server() as s:
        d = deleg(s)
        r = s.request("PUT", "/teams/devs/members/bobby", auth=d)
        assert r.status == 200 and r.json()["members"] == ["bobby"], r
        r = s.request("PUT", "/teams/ops/members/bobby", auth=d)
        assert "owner of the team" in err(r, 403), r
        assert s.request("PUT", "/teams/devs/owners/bobby",
                         auth=d).status == 200
        assert s.request("DELETE", "/teams/devs/owners/bobby",
                         auth=("bobby", PW)).status == 200
        # team grants: the same rule as a user's
        tp = "/teams/ops/permissions"
        r = s.request("PUT", tp, body={"repo": "acme/app",
                                       "access": "admin"}, auth=d)
        assert r.status == 200 and r.json() == {"acme/app": "admin"}, r
        r = s.request("PUT", tp, body={"repo": "other",
                                       "access": "read"}, auth=d)
        assert err(r, 403) == "admin on namespace 'other' required"
        r = s.request("PUT", tp, body={"repo": "acme/secret",
                                       "access": "admin"}, auth=d)
        assert err(r, 403) == "cannot grant or remove more than you hold"
        s.ctl("team", "perm", "set", "ops", "other", "read")
        assert s.request("GET", tp, auth=d).json() == {"acme/app": "admin"}
        assert s.ctl("team", "show", "ops", "--json").stdout.count(
            "other") == 1
        assert s.request("DELETE", tp + "/acme/app", auth=d).json() == {}
        assert err(s.request("DELETE", tp + "/other", auth=d),
                   403) == "admin on namespace 'other' required"
        # a member with team admin on acme becomes a delegated admin there
        s.ctl("team", "perm", "set", "devs", "acme/app", "admin")
        s.ctl("team", "perm", "set", "ops", "acme", "admin")
        s.ctl("team", "member", "add", "ops", "bobby")
        r = s.request("PUT", "/users/acmeadm/permissions",
                      body={"repo": "acme/app", "access": "read"},
                      auth=("bobby", PW))
        assert r.status == 200, r
        # who may do what in acme
        assert err(s.request("GET", "/namespaces/other/permissions",
                             auth=d), 403)
        r = s.request("GET", "/namespaces/acme/permissions", auth=d)
        rows = [(x["who"], x["right"], x["scope"], x["through"])
                for x in r.json()]
        assert ("bobby", "admin", "acme", "team:ops") in rows, rows
        assert ("bobby", "admin", "acme/app", "team:devs") in rows, rows
        assert ("team:ops", "admin", "acme", "grant") in rows, rows
        assert ("acmeadm", "read", "acme/secret", "grant") in rows, rows
        assert ("admin", "admin", "*", "administrator") in rows, rows
        assert not [x for x in rows if x[2].startswith("other")], rows
        out = s.ctl("perm", "who", "acme/secret").stdout.splitlines()
        assert out[0].split() == ["WHO", "RIGHT", "SCOPE", "THROUGH"]
        assert ["acmeadm", "read", "acme/secret", "grant"] in [
            x.split() for x in out], out
        assert not [x for x in out if "acme/app" in x], out


def test_membership_change_mid_session():
    with V2Server() as s:
        s.add_user("owner", PW)
        s.add_user("reader", PW)
        push(s, "owner/app", ("owner", PW))
        s.ctl("team", "add", "readers")
        s.ctl("team", "perm", "set", "readers", "owner/app", "read")
        s.ctl("team", "member", "add", "readers", "reader")
        r = s.request("GET", "/v1/repositories/owner/app/images",
                      auth=("reader", PW), headers=DOCKER_JSON)
        assert r.status == 200, r
        tok = "Token " + r.header("X-Docker-Token")
        images = "/v1/repositories/owner/app/images"
        assert s.request("GET", images, auth=tok).status == 200
        s.ctl("team", "member", "rm", "readers", "reader")
        assert s.request("GET", images, auth=tok).status == 401
        assert s.request("GET", images, auth=("reader", PW)).status == 403
        a = access(s.token("repository:owner/app:pull",
                           auth=("reader", PW)))
        assert a == {("repository", "owner/app"): []}
        # back in: at once; a team's grant removed: at once too
        s.ctl("team", "member", "add", "readers", "reader")
        assert s.request("GET", images, auth=("reader", PW)).status == 200
        s.ctl("team", "perm", "rm", "readers", "owner/app")
        assert s.request("GET", images, auth=("reader", PW)).status == 403


def test_webhooks_and_access_tokens_use_team_grants():
    with V2Server() as s:
        s.add_user("carol", PW)
        s.ctl("team", "add", "ops")
        s.ctl("team", "perm", "set", "ops", "acme/app", "admin")
        hooks = "/webhooks/acme/app"
        assert s.request("GET", hooks, auth=("carol", PW)).status == 403
        s.ctl("team", "member", "add", "ops", "carol")
        assert s.request("GET", hooks, auth=("carol", PW)).status == 200
        # an access token: the team's rights narrowed to its scopes
        r = s.request("POST", "/users/carol/tokens", auth=("carol", PW),
                      body={"name": "ci", "scopes": ["acme/app:read"]})
        assert r.status == 201, r
        tok = ("carol", r.json()["token"])
        a = access(s.token("repository:acme/app:pull,push,delete", auth=tok))
        assert a == {("repository", "acme/app"): ["pull"]}, a
        assert s.request("GET", hooks, auth=tok).status == 403
        # an access token never manages a team, even its owner's
        s.ctl("team", "owner", "add", "ops", "carol")
        r = s.request("PUT", "/teams/ops/members/carol", auth=tok)
        assert r.status == 403, r
        assert s.request("DELETE", "/teams/ops/members/carol",
                         auth=("carol", PW)).status == 200
        a = access(s.token("repository:acme/app:pull", auth=tok))
        assert a == {("repository", "acme/app"): []}, a
