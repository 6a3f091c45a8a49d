"""The docker 1.x and docker-registry request sequences of PROTOCOL.md,
request by request, with every status and header of its section 13."""
import json
import re

from harness import Server
from v1util import DOCKER_JSON, IDS, push, push_body, push_finish, push_start

TOKEN_RE = re.compile(r'^signature=[0-9a-f]{64},repository="([^"]+)",'
                      r'access=(read|write|delete)$')


def register(s, name, password="secret1", email="a@b.c"):
    body = json.dumps({"username": name, "password": password, "auth": "",
                       "email": email}, separators=(",", ":"))
    return s.request("POST", "/v1/users/", body=body, headers={
        "Content-Type": "application/json; charset=utf-8"})


def test_login_flow_docker_19_and_111():
    with Server(new_accounts_enabled="yes") as s:
        r = register(s, "alice")
        assert r.status == 201 and r.json() == "User Created"
        # docker <= 1.10: POST again -> exact 400 body -> GET login
        r = register(s, "alice", password="whatever")
        assert r.status == 400
        assert r.body == b'"Username or email already exists"'
        assert len(r.body) == 34
        assert s.request("GET", "/v1/users/",
                         auth=("alice", "secret1")).status == 200
        # docker >= 1.11: GET only, with and without the slash
        assert s.request("GET", "/v1/users",
                         auth=("alice", "secret1")).status == 200
        assert s.request("GET", "/v1/users/",
                         auth=("alice", "wrong")).status == 401
        assert s.request("GET", "/v1/users/",
                         auth=("nobody", "secret1")).status == 401
        assert s.request("GET", "/v1/users/").status == 401


def test_registration_rules():
    with Server() as s:
        r = register(s, "bobby")
        assert r.status == 201
        # new accounts start disabled by default: right password -> 403
        assert s.request("GET", "/v1/users/",
                         auth=("bobby", "secret1")).status == 403
        for name, pw, email in (("ab", "secret1", "a@b"),
                                ("Bobby", "secret1", "a@b"),
                                ("carol", "1234", "a@b"),
                                ("carol", "secret1", "nope"),
                                ("carol", "secret1", "@b")):
            r = register(s, name, pw, email)
            assert r.status == 400 and "error" in r.json(), (name, r)
        for body in ("{", "[]", '{"username": 5}', ""):
            r = s.request("POST", "/v1/users/", body=body)
            assert r.status == 400, body
    with Server(allow_registration="no") as s:
        assert register(s, "alice").status == 401


def test_update_user():
    with Server() as s:
        s.add_user("alice")
        s.add_user("bobby")
        s.add_user("boss", admin=True)
        url = "/v1/users/alice/"
        assert s.request("PUT", url, body={"password": "newpass"}).status \
            == 401
        assert s.request("PUT", url, body={"password": "newpass"},
                         auth=("bobby", "secret1")).status == 403
        assert s.request("PUT", url, body={"password": "newpass"},
                         auth=("alice", "secret1")).status == 204
        assert s.request("GET", "/v1/users/",
                         auth=("alice", "newpass")).status == 200
        assert s.request("PUT", url, body={"email": "x"},
                         auth=("alice", "newpass")).status == 400
        assert s.request("PUT", url, body="{bad",
                         auth=("alice", "newpass")).status == 400
        assert s.request("PUT", "/v1/users/ghost/", body={"email": "a@b"},
                         auth=("boss", "secret1")).status == 404
        assert s.request("PUT", url, body={"email": "n@e.w"},
                         auth=("boss", "secret1")).status == 204


def test_push_validate_pull_search_delete():
    with Server(registries="reg1:5000,reg2") as s:
        s.add_user("alice")
        auth = ("alice", "secret1")
        r = push_start(s, "alice/app", auth)
        assert r.status == 200
        tok = r.header("X-Docker-Token")
        m = TOKEN_RE.match(tok)
        assert m and m.groups() == ("alice/app", "write"), tok
        assert r.header("WWW-Authenticate") == "Token " + tok
        assert r.header_all("X-Docker-Endpoints") == ["reg1:5000", "reg2"]
        # the registry validates on every request with the same token,
        # with and without spaces, ':' or '=' (PROTOCOL 5.1, 5.3)
        variants = [tok, tok.replace(",", ", "),
                    tok.replace("=", ":").replace('"', "")]
        for v in variants:
            r = s.request("GET", "/v1/repositories/alice/app/images",
                          auth="Token " + v)
            assert r.status == 200, (v, r)
            assert [e["id"] for e in r.json()] == IDS
        for i in IDS:
            r = s.request("GET", "/v1/repositories/alice/app/layer/%s/access"
                          % i, auth="Token " + tok)
            assert r.status == 200 and r.json() == {"access": True}
        r = s.request("GET", "/v1/repositories/alice/app/layer/%s/access"
                      % ("f" * 64), auth="Token " + tok)
        assert r.json() == {"access": False}
        assert s.request("PUT", "/v1/repositories/alice/app/auth",
                         auth="Token " + tok).json() == "OK"
        # not searchable before the push completes
        r = s.request("GET", "/v1/search?q=app", auth=auth)
        assert r.json()["num_results"] == 0
        # finish: old clients send checksums, new ones []
        body = json.dumps([{"id": IDS[0], "checksum": "tarsum+sha256:1"}])
        assert push_finish(s, "alice/app", auth, body).status == 204
        assert push_finish(s, "alice/app", auth, "[]").status == 204
        # pull
        r = s.request("GET", "/v1/repositories/alice/app/images", auth=auth,
                      headers={"X-Docker-Token": "true"})
        assert r.status == 200
        lst = r.json()
        assert lst[0] == {"id": IDS[0], "checksum": "tarsum+sha256:1"}
        assert [e["id"] for e in lst] == IDS
        assert TOKEN_RE.match(r.header("X-Docker-Token")).group(2) == "read"
        assert r.header_all("X-Docker-Endpoints") == ["reg1:5000", "reg2"]
        # search, docker >= 1.12 adds n
        r = s.request("GET", "/v1/search?q=app&n=25", auth=auth)
        j = r.json()
        assert r.status == 200 and j["num_results"] == 1
        assert j["results"][0]["name"] == "alice/app"
        assert j["query"] == "app" and j["page"] == 1 and j["page_size"] == 25
        # delete: 202 + delete token, registry validates, then 200
        r = s.request("DELETE", "/v1/repositories/alice/app/", auth=auth,
                      headers={"X-Docker-Token": "true"})
        assert r.status == 202
        dtok = r.header("X-Docker-Token")
        assert TOKEN_RE.match(dtok).group(2) == "delete"
        assert r.header("X-Docker-Endpoints")
        assert s.request("GET", "/v1/repositories/alice/app/images",
                         auth="Token " + dtok).status == 200
        assert s.request("GET", "/v1/repositories/alice/app/images",
                         auth=auth).status == 404
        r = s.request("DELETE", "/v1/repositories/alice/app/", auth=auth,
                      headers={"X-Docker-Endpoints": "reg1:5000"})
        assert r.status == 200
        assert s.request("GET", "/v1/repositories/alice/app/images",
                         auth=auth).status == 404
        assert s.request("GET", "/v1/repositories/alice/app/images",
                         auth="Token " + dtok).status == 401


def test_library_names_and_slashes():
    with Server() as s:
        s.add_user("boss", admin=True)
        auth = ("boss", "secret1")
        r = push_start(s, "foo", auth)
        assert r.status == 200
        assert 'repository="library/foo"' in r.header("X-Docker-Token")
        tok = "Token " + r.header("X-Docker-Token")
        # the registry calls with the long form
        assert s.request("GET", "/v1/repositories/library/foo/images",
                         auth=tok).status == 200
        assert s.request("GET", "/v1/repositories/foo/images",
                         auth=tok).status == 200
        assert s.request("PUT", "/v1/repositories/foo/images", body="[]",
                         auth=auth).status == 204
        # with the slash, PUT .../<a>/images/ is the push start of <a>/images
        r = s.request("PUT", "/v1/repositories/foo/images/",
                      body=push_body(), auth=auth, headers=DOCKER_JSON)
        assert r.status == 200
        assert 'repository="foo/images"' in r.header("X-Docker-Token")
        # GET prefers library/<a> images, with or without the slash
        r = s.request("GET", "/v1/repositories/foo/images/", auth=auth)
        assert r.status == 200 and len(r.json()) == len(IDS)
        r = s.request("GET", "/v1/repositories/library/foo/images/",
                      auth=auth)
        assert r.status == 200


def test_unknown_repo_404_and_empty_list():
    with Server() as s:
        s.add_user("alice")
        auth = ("alice", "secret1")
        assert s.request("GET", "/v1/repositories/alice/none/images",
                         auth=auth).status == 404
        r = s.request("PUT", "/v1/repositories/alice/empty/", body="[]",
                      auth=auth, headers=DOCKER_JSON)
        assert r.status == 200
        r = s.request("GET", "/v1/repositories/alice/empty/images",
                      auth=auth)
        assert r.status == 200 and r.body == b"[]"


def test_merge_keeps_ids_and_checksums():
    with Server() as s:
        s.add_user("alice")
        auth = ("alice", "secret1")
        push(s, "alice/m", auth, IDS[:2])
        body = json.dumps([{"id": IDS[0], "checksum": "c1"}])
        assert push_finish(s, "alice/m", auth, body).status == 204
        push(s, "alice/m", auth, IDS[2:])
        body = json.dumps([{"id": IDS[0], "checksum": "c2"},
                           {"id": IDS[3], "checksum": "c3"}])
        assert push_finish(s, "alice/m", auth, body).status == 204
        lst = s.request("GET", "/v1/repositories/alice/m/images",
                        auth=auth).json()
        assert [e["id"] for e in lst] == IDS
        assert lst[0]["checksum"] == "c1" and lst[3]["checksum"] == "c3"
