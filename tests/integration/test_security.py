"""Regression tests of the outside reviews' findings: credentials that die
when they should, one name grammar, the public pull, write-only tokens,
hostile records and bodies, cross-site requests, and what the log says."""
import json
import os
import subprocess
import tempfile
import threading
import time
import urllib.parse

from harness import Server, basic
from test_v2_token import PW, SERVICE, V2Server, access
from v1util import DOCKER_JSON, IDS, push, push_start

A = ("alice", "secret1")
OTHER = ["%064x" % (0xb0 + i) for i in range(2)]


def records(s):
    return json.loads(s.ctl("dump").stdout)["records"]


def tok(r):
    return "Token " + r.header("X-Docker-Token")


def images(s, name, auth):
    return s.request("GET", "/v1/repositories/%s/images" % name, auth=auth)


def test_v1_password_change_revokes_every_credential():
    with V2Server() as s:
        s.add_user("alice", email="a@example.com")
        t = tok(push_start(s, "alice/app", A))
        assert images(s, "alice/app", t).status == 200
        rt = s.form({"grant_type": "password", "username": "alice",
                     "password": "secret1", "service": SERVICE,
                     "access_type": "offline"}).json()["refresh_token"]
        g = {"grant_type": "refresh_token", "refresh_token": rt,
             "service": SERVICE}
        assert s.form(g).status == 200
        # an e-mail change revokes nothing
        r = s.request("PUT", "/v1/users/alice/", body={"email": "b@x.org"},
                      auth=A)
        assert r.status == 204
        assert images(s, "alice/app", t).status == 200
        r = s.request("PUT", "/v1/users/alice/", body={"password": "newpw1"},
                      auth=A)
        assert r.status == 204
        assert images(s, "alice/app", t).status == 401
        assert s.form(g).status == 401
        assert s.request("GET", "/v1/users/", auth=("alice", "newpw1")) \
            .status == 200
        assert not [k for k in records(s) if k.startswith(("token:",
                                                          "refresh:"))]


def test_rehash_never_undoes_a_reset():
    # the victim's hash is expensive (65536) and the config cheap, so a
    # login rehashes; a reset lands while that login is verifying
    with Server(scrypt="65536:8:1") as s:
        s.add_user("alice", "oldpass1")
        s.settings["scrypt"] = "1024:8:1"
        s.write_conf(s.settings)
        login = threading.Thread(target=lambda: s.request(
            "GET", "/v1/users/", auth=("alice", "oldpass1")))
        login.start()
        time.sleep(0.03)
        s.ctl("user", "passwd", "alice", "--password-stdin",
              input="newpass1\n")
        login.join()
        assert s.request("GET", "/v1/users/",
                         auth=("alice", "newpass1")).status == 200
        assert s.request("GET", "/v1/users/",
                         auth=("alice", "oldpass1")).status == 401


def test_login_in_flight_outlives_no_password_change():
    with V2Server(scrypt="65536:8:1") as s:
        s.add_user("alice", "oldpass1")
        s.add_user("bert", "secret1")
        f = {"grant_type": "password", "username": "alice",
             "password": "oldpass1", "service": SERVICE,
             "access_type": "offline"}
        got = []

        def login():
            got.append(s.form(f))

        def v1():
            got.append(push_start(s, "alice/app", ("alice", "oldpass1")))

        threads = [threading.Thread(target=login) for _ in range(6)] + \
            [threading.Thread(target=v1)]
        for t in threads:
            t.start()
        time.sleep(0.05)
        s.ctl("user", "passwd", "alice", "--password-stdin",
              input="newpass1\n")
        for t in threads:
            t.join()
        for r in got:
            if r.status != 200:
                continue
            if r.header("X-Docker-Token"):
                assert images(s, "alice/app", tok(r)).status == 401
            else:
                rt = r.json().get("refresh_token")
                assert rt is None or s.form({
                    "grant_type": "refresh_token", "refresh_token": rt,
                    "service": SERVICE}).status == 401


def test_reserved_names():
    with Server() as s:
        r = s.request("POST", "/v1/users/", body={
            "username": "library", "password": "secret1",
            "email": "l@example.com"})
        assert r.status == 400 and "reserved" in r.json()["error"]
        r = s.request("POST", "/users", body={"username": "library",
                                              "password": "secret1"},
                      auth=("admin", s.admin_password))
        assert r.status == 400
        p = s.ctl("user", "add", "library", "--password-stdin",
                  input="secret1\n", check=False)
        assert p.returncode == 1 and "reserved" in p.stderr
        assert "user:library" not in records(s)


def test_anonymous_public_pull_stores_nothing():
    with Server() as s:
        s.add_user("owner")
        s.ctl("perm", "set", "*", "owner/pub", "read")
        push(s, "owner/pub", ("owner", "secret1"))
        before = set(records(s))
        r = s.request("GET", "/v1/repositories/owner/pub/images",
                      headers={"X-Docker-Token": "true"})
        assert r.status == 200 and r.header("X-Docker-Token")
        t = tok(r)
        for _ in range(3):
            assert images(s, "owner/pub", t).status == 200
        r = s.request("GET", "/v1/repositories/owner/pub/layer/%s/access"
                      % IDS[0], auth=t)
        assert r.json() == {"access": True}
        assert set(records(s)) == before
        # the token reads no other repository, and dies with the grant
        push(s, "owner/priv", ("owner", "secret1"))
        forged = t.replace("owner/pub", "owner/priv")
        assert images(s, "owner/priv", forged).status == 401
        assert images(s, "owner/pub", t.replace("read", "write")) \
            .status == 401
        s.ctl("perm", "rm", "*", "owner/pub")
        assert images(s, "owner/pub", t).status == 401


def test_write_only_token_sees_its_own_push():
    with Server() as s:
        s.add_user("owner")
        s.add_user("writer")
        s.ctl("perm", "set", "writer", "owner/app", "write")
        push(s, "owner/app", ("owner", "secret1"))
        r = push_start(s, "owner/app", ("writer", "secret1"), ids=OTHER)
        assert r.status == 200
        t = tok(r)
        r = images(s, "owner/app", t)
        assert [i["id"] for i in r.json()] == OTHER
        layer = "/v1/repositories/owner/app/layer/%s/access"
        assert s.request("GET", layer % OTHER[0], auth=t).json() == \
            {"access": True}
        assert s.request("GET", layer % IDS[0], auth=t).json() == \
            {"access": False}
        assert images(s, "owner/app", ("writer", "secret1")).status == 403


def test_revoked_grant_kills_tokens():
    with Server() as s:
        s.add_user("owner")
        s.add_user("reader")
        s.ctl("perm", "set", "reader", "owner/app", "read")
        push(s, "owner/app", ("owner", "secret1"))
        r = s.request("GET", "/v1/repositories/owner/app/images",
                      auth=("reader", "secret1"), headers=DOCKER_JSON)
        t = tok(r)
        assert images(s, "owner/app", t).status == 200
        s.ctl("perm", "rm", "reader", "owner/app")
        assert images(s, "owner/app", t).status == 401


def test_nested_names_everywhere():
    with V2Server() as s:
        adm = ("admin", s.admin_password)
        s.add_user("bobby")
        s.ctl("perm", "set", "bobby", "team/tools/app", "admin")
        assert s.ctl("perm", "list", "bobby", "--json").stdout.count(
            "team/tools/app") == 1
        r = s.request("PUT", "/users/bobby/permissions", auth=adm,
                      body={"repo": "team/tools/cli", "access": "read"})
        assert r.status == 200 and r.json()["team/tools/cli"] == "read"
        r = s.request("DELETE", "/users/bobby/permissions/team/tools/cli",
                      auth=adm)
        assert r.status == 200 and "team/tools/cli" not in r.json()
        r = s.token("repository:team/tools/app:pull,push",
                    auth=("bobby", "secret1"))
        assert access(r) == {("repository", "team/tools/app"):
                             ["pull", "push"]}
        r = s.request("POST", "/v2/notify", auth="Bearer " + s.settings[
            "notify_secret"], body={"events": [{
                "action": "push", "actor": {"name": "bobby"}, "target": {
                    "mediaType": "application/vnd.oci.image.manifest.v1"
                    "+json", "digest": "sha256:" + "a" * 64,
                    "repository": "team/tools/app", "tag": "v1"}}]})
        assert r.status == 200
        assert "v1" in s.ctl("repo", "show", "team/tools/app").stdout
        r = s.request("POST", "/webhooks/team/tools/app", auth=("bobby",
                      "secret1"), body={"url": "http://example.com/h"})
        assert r.status == 201, r
        hid = r.json()["id"]
        assert s.ctl("webhook", "list", "team/tools/app").stdout.count(
            hid) == 1
        r = s.request("GET", "/webhooks/team/tools/app/%s/history" % hid,
                      auth=("bobby", "secret1"))
        assert r.status == 200 and r.json() == []
        assert s.request("DELETE", "/webhooks/team/tools/app/" + hid,
                         auth=("bobby", "secret1")).status == 200
        # HEAD lists, it never deletes
        s.ctl("webhook", "add", "team/tools/app", "http://example.com/h")
        out = s.raw(("HEAD /webhooks/team/tools/app HTTP/1.1\r\nHost: x\r\n"
                     "Authorization: %s\r\nConnection: close\r\n\r\n"
                     % basic("bobby", "secret1")).encode())
        assert out.startswith(b"HTTP/1.1 200"), out[:60]
        assert hid in s.ctl("webhook", "list", "team/tools/app").stdout


def test_non_utf8_is_4xx():
    with V2Server() as s:
        adm = ("admin", s.admin_password)
        for q in ("%ff", "%c3", "%e9t%e9"):
            r = s.request("GET", "/v1/search?q=" + q)
            assert r.status == 400, (q, r)
            r = s.request("GET", "/v2/token?service=%s&scope=repository:"
                          "a%s:pull" % (SERVICE, q))
            assert r.status == 400, (q, r)
        r = s.request("POST", "/users", body="username=%ff&password=x",
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded"},
                      auth=adm)
        assert r.status == 400
        for path in ("/users/%ff", "/webhooks/a%ff/b", "/v1/repositories/"
                     "a%ff/b/images"):
            assert 400 <= s.request("GET", path, auth=adm).status < 500
        assert s.request("GET", "/v1/_ping").status == 200


def test_hostile_records_never_crash_a_handler():
    with Server(webhooks="yes") as s:
        s.clean_at_close = False        # the damage stays on purpose
        s.add_user("alice")
        push(s, "alice/app", A)
        s.raw_put("hooks:alice/app", {"0123456789abcdef": {
            "url": "http://example.com/", "events": [1, None],
            "secret": "", "active": True, "created": 1}})
        r = push_start(s, "alice/app", A)
        assert r.status == 200
        assert s.request("PUT", "/v1/repositories/alice/app/images",
                         body="[]", auth=A, headers=DOCKER_JSON).status == 204
        s.raw_put("repo:alice/bad", {"images": [{"id": 5}, {}],
                                     "state": "complete"})
        r = s.request("GET", "/v1/repositories/alice/bad/images", auth=A,
                      headers=DOCKER_JSON)
        assert r.status == 200
        r = s.request("GET", "/v1/repositories/alice/bad/layer/%s/access"
                      % IDS[0], auth=tok(r))
        assert r.status == 200 and r.json() == {"access": False}
        assert s.request("GET", "/v1/_ping").status == 200


def test_wrong_json_types_are_400():
    with V2Server() as s:
        adm = ("admin", s.admin_password)
        s.add_user("alice")
        r = s.request("POST", "/webhooks/alice/app", auth=A,
                      body={"url": "http://example.com/", "secret": 5})
        assert r.status == 400
        assert s.request("GET", "/webhooks/alice/app", auth=A).json() == []
        for body in ({"username": 5, "password": "secret1"},
                     {"username": "bertt", "password": ["x"]}):
            assert s.request("POST", "/users", body=body,
                             auth=adm).status == 400
        r = s.request("POST", "/v1/users/", body={
            "username": "carol", "password": 12345, "email": "c@x.org"})
        assert r.status == 400
        r = s.request("PUT", "/v1/users/alice/", body={"password": 5},
                      auth=A)
        assert r.status == 400
        deep = "[" * 100 + "]" * 100
        r = s.request("PUT", "/v1/repositories/alice/app/", body=deep,
                      auth=A, headers=DOCKER_JSON)
        assert r.status == 400
        sec = "Bearer " + s.settings["notify_secret"]
        for body in ('{"events": [], "events": []}', "[" * 100 + "]" * 100):
            assert s.request("POST", "/v2/notify", body=body, auth=sec,
                             headers={"Content-Type": "application/json"}) \
                .status == 400


def test_bare_cr_in_chunk_extension():
    with Server() as s:
        body = b"2;a\rb\r\n{}\r\n0\r\n\r\n"
        head = (b"PUT /v1/users/alice/ HTTP/1.1\r\nHost: x\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        out = s.raw(head + body, one=True)
        assert out.startswith(b"HTTP/1.1 400"), out[:80]


def test_cross_site_writes_refused():
    with Server() as s:
        adm = ("admin", s.admin_password)
        host = "127.0.0.1:%d" % s.port
        body = {"username": "mallory", "password": "secret1"}
        for h in ({"Origin": "http://evil.example"},
                  {"Origin": "null"},
                  {"Sec-Fetch-Site": "cross-site"},
                  {"Sec-Fetch-Site": "same-site"}):
            r = s.request("POST", "/users", body=body, auth=adm, headers=h)
            assert r.status == 403 and "cross-site" in r.json()["error"]
        assert "user:mallory" not in records(s)
        # reads stay open; the same origin writes
        assert s.request("GET", "/users", auth=adm,
                         headers={"Origin": "http://evil.example"}) \
            .status == 200
        r = s.request("POST", "/users", body=body, auth=adm,
                      headers={"Origin": "http://" + host,
                               "Sec-Fetch-Site": "same-origin"})
        assert r.status == 201


def test_failed_login_logs_the_name_tried():
    with Server() as s:
        s.add_user("alice")
        assert s.request("GET", "/v1/users/",
                         auth=("alice", "wrongpw99")).status == 401
        assert s.request("GET", "/v1/users/",
                         auth=("ev\x01l", "wrongpw99")).status == 401
        log = s.logtext()
        assert "401 user=alice" in log
        assert "user=ev\\x01l" in log
        assert "wrongpw99" not in log


def test_refused_logins_take_the_same_time():
    # a legacy hash 16 times dearer than the config's: wrong password and
    # unknown user must still look alike (both wait for the floor)
    with Server(scrypt="16384:8:1") as s:
        s.add_user("alice")
        s.settings["scrypt"] = "1024:8:1"
        s.write_conf(s.settings)

        def timed(user):
            t0 = time.time()
            assert s.request("GET", "/v1/users/",
                             auth=(user, "wrongpw1")).status == 401
            return time.time() - t0

        known = sorted(timed("alice") for _ in range(5))[2]
        unknown = sorted(timed("nobody1") for _ in range(5))[2]
        assert 0.8 < known / unknown < 1.25, (known, unknown)


def make_cert(d, start, end):
    """A key and a certificate valid from start to end (YYYYmmddHHMMSSZ)."""
    key, csr, crt = (os.path.join(d, n) for n in ("k.pem", "r.csr",
                                                  "c.pem"))
    open(os.path.join(d, "index.txt"), "w").close()
    with open(os.path.join(d, "ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca = d\n[d]\ndatabase = %s/index.txt\n"
                "new_certs_dir = %s\nserial = %s/serial\n"
                "default_md = sha256\npolicy = p\n[p]\n"
                "commonName = supplied\n" % (d, d, d))
    with open(os.path.join(d, "serial"), "w") as f:
        f.write("01\n")
    subprocess.run(["openssl", "req", "-new", "-nodes", "-subj", "/CN=t",
                    "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-keyout", key, "-out", csr], check=True,
                   capture_output=True)
    subprocess.run(["openssl", "ca", "-batch", "-selfsign", "-config",
                    os.path.join(d, "ca.cnf"), "-keyfile", key, "-in", csr,
                    "-startdate", start, "-enddate", end, "-out", crt],
                   check=True, capture_output=True)
    return key, crt


def test_token_cert_out_of_its_dates_is_503():
    for start, end in (("20200101000000Z", "20200102000000Z"),
                       ("20990101000000Z", "20990102000000Z")):
        d = tempfile.mkdtemp(prefix="dindex-cert-")
        key, crt = make_cert(d, start, end)
        with V2Server(token_key=key, token_cert=crt) as s:
            r = s.token("repository:a/b:pull")
            assert r.status == 503, r
            assert "not yet valid" in s.logtext()


def test_refresh_tokens_capped_listed_revoked_and_idle():
    with V2Server(refresh_ttl=60) as s:
        s.add_user("alice")
        f = {"grant_type": "password", "username": "alice",
             "password": "secret1", "service": SERVICE,
             "access_type": "offline"}
        rts = [s.form(f).json()["refresh_token"]]
        time.sleep(1.1)                     # created: whole seconds
        rts += [s.form(f).json()["refresh_token"] for _ in range(16)]

        def use(rt):
            return s.form({"grant_type": "refresh_token",
                           "refresh_token": rt, "service": SERVICE}).status

        assert use(rts[0]) == 401           # the oldest went first
        assert use(rts[16]) == 200
        lst = json.loads(s.ctl("token", "list", "alice", "--json").stdout)
        assert len(lst) == 16
        assert not any(rt in s.ctl("token", "list", "alice").stdout
                       for rt in rts)
        # remove one, not the one used below (the list is in hash order)
        keep = records(s)["refresh:" + rts[16]]["id"]
        s.ctl("token", "rm", "alice",
              next(t["id"] for t in lst if t["id"] != keep))
        assert len(json.loads(s.ctl("token", "list", "alice",
                                    "--json").stdout)) == 15
        assert s.ctl("token", "rm", "alice", "nope",
                     check=False).returncode == 1
        # idle past refresh_ttl: dead, and token gc removes it
        key = "refresh:" + rts[16]
        rec = dict(records(s)[key], used=int(time.time()) - 120)
        s.raw_put(key, rec)
        assert use(rts[16]) == 401
        s.ctl("token", "gc")
        assert key not in records(s)


def test_webhook_responses_and_url_secrets_for_admins_only():
    with Server() as s:
        adm = ("admin", s.admin_password)
        s.add_user("alice")
        url = "http://user:pw@example.com:8080/hook?key=secret#frag"
        r = s.request("POST", "/webhooks/alice/app", auth=A,
                      body={"url": url})
        assert r.status == 201
        hid = r.json()["id"]
        s.raw_put("hist:alice/app/" + hid, [{
            "time": 1, "status": 200, "error": "", "duration_ms": 3,
            "response": "internal data", "delivery": "d", "event": "ping"}])
        path = "/webhooks/alice/app/%s/history" % hid
        mine = s.request("GET", path, auth=A).json()
        assert mine[0]["status"] == 200 and "response" not in mine[0]
        assert s.request("GET", path, auth=adm).json()[0]["response"] == \
            "internal data"
        shown = s.request("GET", "/webhooks/alice/app", auth=A).json()
        assert shown[0]["url"] == "http://example.com:8080/hook"
        assert "pw" not in json.dumps(shown)
        assert s.request("GET", "/webhooks/alice/app",
                         auth=adm).json()[0]["url"] == url


def test_webhook_secret_from_stdin():
    with Server() as s:
        p = s.ctl("webhook", "add", "alice/app", "http://example.com/h",
                  "--secret-stdin", input="s3cret-from-stdin\n")
        hid = p.stdout.strip()
        hooks = records(s)["hooks:alice/app"]
        assert hooks[hid]["secret"] == "s3cret-from-stdin"
        assert json.loads(s.ctl("webhook", "list", "alice/app",
                                "--json").stdout)[0]["has_secret"] is True


def test_repository_removal_is_one_rule_and_spares_nested_names():
    with Server() as s:
        s.add_user("owner")
        o = ("owner", "secret1")
        push(s, "owner/tools", o)
        hid = s.ctl("webhook", "add", "owner/tools", "http://example.com/a"
                    ).stdout.strip()
        s.ctl("webhook", "add", "owner/tools/app", "http://example.com/b")
        nested = "hist:owner/tools/app/" + "0" * 16
        s.raw_put(nested, [{"time": 1, "status": 200}])
        s.raw_put("hist:owner/tools/" + hid, [{"time": 1, "status": 200}])
        assert s.request("DELETE", "/v1/repositories/owner/tools/",
                         auth=o).status == 200
        recs = records(s)
        assert not [k for k in recs if k in ("repo:owner/tools",
                    "hooks:owner/tools", "hist:owner/tools/" + hid)]
        assert nested in recs and "hooks:owner/tools/app" in recs
        s.ctl("repo", "rm", "owner/tools/app")
        assert nested not in records(s)


def test_registration_cannot_take_a_namespace_in_use():
    """With own_namespace, registering the name of a namespace others
    pushed to would make the newcomer admin of their repositories: it
    answers as for an existing name, and the repositories stay theirs."""
    with Server(new_accounts_enabled="yes") as s:
        s.add_user("bobby")
        s.ctl("perm", "set", "bobby", "acme", "write")
        push(s, "acme/app", ("bobby", "secret1"))
        r = s.request("POST", "/v1/users/", body={
            "username": "acme", "password": "evilpw1", "email": "e@x.org"})
        assert (r.status, r.body) == (
            400, b'"Username or email already exists"'), r
        assert s.request("DELETE", "/v1/repositories/acme/app/",
                         auth=("acme", "evilpw1")).status == 401
        r = s.request("POST", "/v1/users/", body={
            "username": "fresh", "password": "goodpw1", "email": "f@x.org"})
        assert r.status == 201, r
        # a namespace granted to a team or a user before its first push
        # is in use too; a grant on a longer name ("teamx") is not
        s.ctl("team", "add", "ops")
        s.ctl("team", "perm", "set", "ops", "infra", "write")
        s.ctl("perm", "set", "bobby", "tools/cli", "read")
        s.ctl("perm", "set", "bobby", "docsx", "read")
        for name, status in (("infra", 400), ("tools", 400), ("docs", 201)):
            r = s.request("POST", "/v1/users/", body={
                "username": name, "password": "evilpw1",
                "email": name + "@x.org"})
            assert r.status == status, (name, r)
    with Server(new_accounts_enabled="yes", own_namespace="no") as s:
        s.add_user("bobby")
        s.ctl("perm", "set", "bobby", "acme", "write")
        push(s, "acme/app", ("bobby", "secret1"))
        r = s.request("POST", "/v1/users/", body={
            "username": "acme", "password": "goodpw1", "email": "e@x.org"})
        assert r.status == 201, r
