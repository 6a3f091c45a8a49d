"""The web console's server side (issue 19): the files of ui_dir at /ui/
with their headers, sessions (POST|DELETE /ui/session) as bearer tokens of
the management API, and the routes the console needed: GET /repositories,
GET /spool, POST /spool/<id>/retry, DELETE /spool/<id>."""
import glob
import json
import os
import re
import subprocess
import tempfile
import threading
import time

from harness import BUILD, DELIVER, ROOT, Server
from v1util import push

UI = os.path.join(ROOT, "src", "ui")
A = ("alice", "secret1")
SECURITY = {"content-security-policy":
            "default-src 'self'; frame-ancestors 'none'",
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer"}


def console(**conf):
    return Server(ui_dir=UI, **conf)


def secure(r):
    for k, v in SECURITY.items():
        assert r.header(k) == v, (k, r)
    assert r.header("cache-control") in ("no-cache", "no-store"), r


def login(s, user, password):
    r = s.request("POST", "/ui/session", {"username": user,
                                          "password": password})
    assert r.status == 201, r
    secure(r)
    return "Bearer " + r.json()["token"]


def test_files_types_etag_and_headers():
    with console() as s:
        for name, ctype in (("", "text/html"), ("index.html", "text/html"),
                            ("app.js", "text/javascript"),
                            ("style.css", "text/css")):
            r = s.request("GET", "/ui/" + name)
            assert r.status == 200, r
            assert r.header("content-type").startswith(ctype)
            secure(r)
            assert r.header("cache-control") == "no-cache"
            tag = r.header("etag")
            assert tag.startswith('"') and r.body == open(os.path.join(
                UI, name or "index.html"), "rb").read()
            r = s.request("GET", "/ui/" + name,
                          headers={"If-None-Match": tag})
            assert r.status == 304 and r.body == b"", r
            assert r.header("content-length") is None
            secure(r)
            assert r.header("etag") == tag


def test_every_file_is_served_and_strict():
    """No inline script or style anywhere; data never as markup."""
    with console() as s:
        for path in glob.glob(os.path.join(UI, "*")):
            text = open(path).read()
            r = s.request("GET", "/ui/" + os.path.basename(path))
            assert r.status == 200, path
            secure(r)
            for bad in ("innerHTML", "outerHTML", "insertAdjacentHTML",
                        "document.write", "eval(", "style=", "<style",
                        "javascript:", "http://", "https://"):
                assert bad not in text, (path, bad)
            if path.endswith(".html"):
                assert text.count("<script") == text.count(
                    '<script type="module" src="/ui/')
                assert not re.search(r"\son[a-z]+\s*=", text)


def test_refused_names_and_no_traversal():
    with console() as s:
        os.symlink("/etc/passwd", os.path.join(s.dir, "passwd.js"))
        outside = os.path.join(s.dir, "ui")
        os.mkdir(outside)
        for f in ("index.html", "app.js"):
            with open(os.path.join(UI, f), "rb") as src:
                open(os.path.join(outside, f), "wb").write(src.read())
        os.symlink("/etc/passwd", os.path.join(outside, "link.js"))
        open(os.path.join(outside, ".hidden.js"), "w").write("x")
        open(os.path.join(outside, "notes.txt"), "w").write("x")
        s.settings["ui_dir"] = outside
        s.write_conf(s.settings)
        for target in ("/ui/link.js", "/ui/.hidden.js", "/ui/notes.txt",
                       "/ui/missing.js", "/ui/App.js", "/ui/a/b.js",
                       "/ui/%2e%2e/dindex.conf", "/ui/app.js.", "/ui/.js",
                       "/ui/index.html/"):
            r = s.request("GET", target)
            assert r.status in (400, 404), (target, r)
            assert b"root:" not in r.body
        for target in ("/ui/../dindex.conf", "/ui/..%2fdindex.conf"):
            assert s.request("GET", target).status == 400
        r = s.request("GET", "/ui/missing.js")
        secure(r)
        assert r.json() == {"error": "not found"}
        assert s.request("GET", "/ui/app.js").status == 200


def test_oversized_file_is_a_503_and_logged():
    with console() as s:
        d = os.path.join(s.dir, "ui")
        os.mkdir(d)
        open(os.path.join(d, "big.js"), "w").write("x" * (256 * 1024 + 1))
        s.settings["ui_dir"] = d
        s.write_conf(s.settings)
        assert s.request("GET", "/ui/big.js").status == 503
        assert "big.js" in s.logtext()


def test_missing_ui_dir_is_a_404_and_logged():
    with console() as s:
        s.settings["ui_dir"] = os.path.join(s.dir, "nosuch")
        s.write_conf(s.settings)
        assert s.request("GET", "/ui/index.html").status == 404
        assert "ui_dir " + s.settings["ui_dir"] in s.logtext()


def test_no_console_without_admin_api():
    with console(admin_api="no") as s:
        assert s.request("GET", "/ui/").status == 404
        r = s.request("POST", "/ui/session", {"username": "admin",
                                              "password": s.admin_password})
        assert r.status == 404


def test_sessions_die_with_the_console():
    with console() as s:
        s.add_user("alice")
        tok = login(s, "alice", "secret1")
        s.settings["admin_api"] = "no"
        s.write_conf(s.settings)
        r = s.request("PUT", "/v1/users/alice/", {"password": "newpass1"},
                      auth=tok)
        assert r.status == 401, r
        assert s.request("GET", "/v1/users/",
                         auth=("alice", "secret1")).status == 200


def test_login_json_and_form_wrong_password_and_refusals():
    with console() as s:
        s.add_user("alice")
        tok = login(s, "admin", s.admin_password)
        assert len(tok) == len("Bearer ") + 64
        r = s.request("POST", "/ui/session", "username=alice&password="
                      "secret1", headers={"Content-Type":
                                          "application/x-www-form-urlencoded"})
        assert r.status == 201 and r.json()["admin"] is False
        assert r.json()["user"] == "alice"
        assert r.header("set-cookie") is None
        for body in ({"username": "alice", "password": "wrong"},
                     {"username": "nobody", "password": "secret1"},
                     {"username": "alice", "password": "secret1" + "x" * 300},
                     {"username": "", "password": ""}, {}):
            r = s.request("POST", "/ui/session", body)
            assert r.status == 401, (body, r)
            assert r.json() == {"error": "wrong user name or password"}
            secure(r)
        r = s.request("POST", "/ui/session", {"username": 1, "password": []})
        assert r.status == 401
        r = s.request("POST", "/ui/session", "[1,2]",
                      headers={"Content-Type": "application/json"})
        assert r.status == 400
        r = s.request("POST", "/ui/session", "x", headers={
            "Content-Type": "text/plain"})
        assert r.status == 415
        s.ctl("user", "disable", "alice")
        r = s.request("POST", "/ui/session", {"username": "alice",
                                              "password": "secret1"})
        assert r.status == 403
        assert s.request("GET", "/ui/session").status == 404


def test_an_access_token_is_no_console_password():
    with console() as s:
        s.add_user("alice")
        r = s.request("POST", "/users/alice/tokens", {
            "name": "ci", "scopes": ["alice:read"]}, auth=A)
        assert r.status == 201, r
        r = s.request("POST", "/ui/session", {"username": "alice",
                                              "password": r.json()["token"]})
        assert r.status == 401


def test_session_is_the_user_with_their_rights():
    with console() as s:
        s.add_user("alice")
        admin = login(s, "admin", s.admin_password)
        alice = login(s, "alice", "secret1")
        assert s.request("GET", "/users", auth=admin).json() == [
            "admin", "alice"]
        for method, path in (("GET", "/users"), ("GET", "/users/admin"),
                             ("GET", "/spool"), ("GET", "/images"),
                             ("PUT", "/users/alice/admin"),
                             ("POST", "/teams"),
                             ("POST", "/spool/1.2.3/retry")):
            r = s.request(method, path, auth=alice)
            assert r.status == 403, (path, r)
        # a namespace's admin (her own) grants there and nowhere else
        r = s.request("PUT", "/users/alice/permissions", {
            "repo": "admin/app", "access": "read"}, auth=alice)
        assert r.status == 403, r
        assert s.request("GET", "/namespaces/alice/permissions",
                         auth=alice).status == 200
        r = s.request("GET", "/users/alice/tokens", auth=alice)
        assert r.status == 200 and r.json() == []
        assert s.request("GET", "/users/admin/tokens",
                         auth=alice).status == 403
        # the log names the session's user
        assert "user=alice" in s.logtext()


def test_no_bearer_no_access():
    with console() as s:
        for method, path in (("GET", "/users"), ("GET", "/repositories"),
                             ("GET", "/spool"), ("GET", "/users/admin/tokens"),
                             ("GET", "/webhooks/admin/app"),
                             ("DELETE", "/ui/session")):
            for auth in (None, "Bearer " + "0" * 64, "Bearer short",
                         "Bearer " + "z" * 64):
                r = s.request(method, path, auth=auth)
                assert r.status == 401, (method, path, auth, r)


def test_logout_and_expiry():
    with console() as s:
        tok = login(s, "admin", s.admin_password)
        assert s.request("GET", "/repositories", auth=tok).status == 200
        r = s.request("DELETE", "/ui/session", auth=tok)
        assert r.status == 200 and r.json() == {"deleted": True}
        secure(r)
        assert s.request("GET", "/repositories", auth=tok).status == 401
        assert s.request("DELETE", "/ui/session", auth=tok).status == 401
        # an expired session is refused, and token gc removes it
        tok = login(s, "admin", s.admin_password)
        key = "session:" + tok.split()[1]
        rec = dump(s)[key]
        assert rec["expires"] - rec["created"] == 3600
        rec["expires"] = int(time.time()) - 1
        s.raw_put(key, rec)
        assert s.request("GET", "/users", auth=tok).status == 401
        out = json.loads(s.ctl("--json", "token", "gc").stdout)
        assert out["removed"] == 1 and key not in dump(s)


def test_session_dies_with_the_users_credentials():
    with console() as s:
        s.add_user("alice")
        s.add_user("carol", admin=True)
        for kill in (["user", "disable", "alice"],
                     ["user", "passwd", "alice", "--password-stdin"],
                     ["user", "del", "alice"]):
            s.ctl("user", "enable", "alice")
            tok = login(s, "alice", "secret1")
            assert s.request("GET", "/repositories", auth=tok).status == 200
            s.ctl(*kill, input="secret1\n")
            assert s.request("GET", "/repositories", auth=tok).status == 401
            assert not any(k.startswith("session:") for k in dump(s))
        # an administrator resets a password through the console's session
        s.add_user("dave")
        tok = login(s, "carol", "secret1")
        dave = login(s, "dave", "secret1")
        r = s.request("PUT", "/v1/users/dave/", {"password": "newpass1"},
                      auth=tok)
        assert r.status == 204, r
        assert s.request("GET", "/repositories", auth=dave).status == 401
        login(s, "dave", "newpass1")


def dump(s):
    out = os.path.join(s.dir, "dump.json")
    s.ctl("dump", "-o", out)
    with open(out) as f:
        return json.load(f)["records"]


def test_repositories_by_right_with_details():
    with console() as s:
        s.add_user("alice")
        s.add_user("bobby")
        push(s, "alice/app", A)
        push(s, "alice/web", A)
        s.ctl("perm", "set", "bobby", "alice/web", "read")
        s.ctl("perm", "set", "*", "alice/app", "read")
        admin = login(s, "admin", s.admin_password)
        bob = login(s, "bobby", "secret1")
        alice = login(s, "alice", "secret1")
        full = {r["name"]: r for r in s.request(
            "GET", "/repositories", auth=admin).json()}
        assert sorted(full) == ["alice/app", "alice/web"]
        app = full["alice/app"]
        assert app["state"] == "complete" and app["pusher"] == "alice"
        assert list(app["tags"]) == ["latest"] and app["public"] is True
        assert abs(app["updated"] - time.time()) < 60
        assert full["alice/web"]["public"] is False
        seen = {r["name"]: r for r in s.request(
            "GET", "/repositories", auth=bob).json()}
        assert sorted(seen) == ["alice/app", "alice/web"]
        assert not any(r["admin"] for r in seen.values())
        assert all(r["admin"] for r in s.request(
            "GET", "/repositories", auth=alice).json())
        s.ctl("perm", "rm", "*", "alice/app")
        assert [r["name"] for r in s.request(
            "GET", "/repositories", auth=bob).json()] == ["alice/web"]
        # Basic works as for every management route
        assert s.request("GET", "/repositories", auth=A).status == 200
        assert s.request("GET", "/repositories").status == 401


def test_spool_routes_are_the_spool_commands():
    with console(webhook_attempts=1, webhook_timeout=2,
                 webhook_allow_networks="127.0.0.0/8") as s:
        s.add_user("alice")
        s.ctl("webhook", "add", "alice/app", "http://127.0.0.1:9/down")
        push(s, "alice/app", A)
        admin = login(s, "admin", s.admin_password)
        r = s.request("GET", "/spool", auth=admin).json()
        assert (r["new"], r["failed"], r["failed_deliveries"]) == (1, 0, [])
        subprocess.run([DELIVER, "-c", s.conf_path], timeout=60,
                       capture_output=True)
        r = s.request("GET", "/spool", auth=admin).json()
        assert (r["new"], r["deferred"], r["failed"]) == (0, 0, 1)
        (d,) = r["failed_deliveries"]
        assert d["repository"] == "alice/app" and d["last_error"]
        assert d["attempts"] == 1 and "payload" not in d
        r = s.request("POST", "/spool/%s/retry" % d["id"], auth=admin)
        assert r.status == 200 and r.json() == {"requeued": d["id"]}
        (f,) = glob.glob(os.path.join(s.dir, "spool", "new", "*.json"))
        assert json.load(open(f))["attempts"] == 0
        assert s.request("POST", "/spool/%s/retry" % d["id"],
                         auth=admin).status == 200     # new/ is waiting too
        r = s.request("DELETE", "/spool/%s" % d["id"], auth=admin)
        assert r.status == 200 and r.json() == {"dropped": d["id"]}
        assert glob.glob(os.path.join(s.dir, "spool", "*", "*.json")) == []
        for method, path in (("DELETE", "/spool/" + d["id"]),
                             ("POST", "/spool/nosuch/retry"),
                             ("DELETE", "/spool/.json")):
            r = s.request(method, path, auth=admin)
            assert r.status == 404, (path, r)
            assert r.json() == {"error": "no waiting delivery"}
        assert s.request("GET", "/spool/x", auth=admin).status == 405


def test_install_puts_the_console_in_share_and_uninstall_removes_it():
    with tempfile.TemporaryDirectory() as dest:
        args = ["make", "-s", "-C", ROOT, "BUILD=" + os.path.relpath(
            BUILD, ROOT), "DESTDIR=" + dest, "PREFIX=/usr/local",
            "UNITDIR=/usr/local/lib/systemd/system"]
        p = subprocess.run(args + ["install"], capture_output=True,
                           text=True)
        assert p.returncode == 0, p.stderr
        ui = os.path.join(dest, "usr/local/share/dindex/ui")
        assert sorted(os.listdir(ui)) == sorted(os.listdir(UI))
        p = subprocess.run(args + ["uninstall"], capture_output=True,
                           text=True)
        assert p.returncode == 0 and not os.path.exists(ui), p.stderr
    # the built default is that directory
    p = subprocess.run(["strings", os.path.join(BUILD, "dindex")],
                       capture_output=True, text=True)
    assert "/usr/local/share/dindex/ui" in p.stdout


def test_console_within_its_size():
    """HTML, CSS and JS together at most 1,200 lines, as make loc says."""
    p = subprocess.run(["make", "-s", "-C", ROOT, "loc"],
                       capture_output=True, text=True)
    n = sum(len(open(f).readlines()) for f in glob.glob(
        os.path.join(UI, "*")))
    assert "%d src/ui" % n in p.stdout, p.stdout
    assert n <= 1200


def test_login_in_flight_gets_no_session_once_the_user_is_gone():
    # alice's hash is expensive, so her login verifies for a while; she is
    # deleted meanwhile: no session may be stored (it would name no user)
    with console(scrypt="65536:8:1") as s:
        s.add_user("alice")
        got = []
        t = threading.Thread(target=lambda: got.append(s.request(
            "POST", "/ui/session", {"username": "alice",
                                    "password": "secret1"})))
        t.start()
        time.sleep(0.1)
        s.ctl("user", "del", "alice")
        t.join()
        assert got[0].status == 401, got[0]
        assert not any(k.startswith("session:") for k in dump(s))


def test_sessions_per_user_are_capped_the_oldest_ending():
    with console() as s:
        s.add_user("alice")
        toks = [login(s, "alice", "secret1") for _ in range(17)]
        mine = [k for k, v in dump(s).items() if k.startswith("session:")
                and v["user"] == "alice"]
        assert len(mine) == 16, len(mine)
        alive = [t for t in toks if s.request("GET", "/repositories",
                                              auth=t).status == 200]
        assert len(alive) == 16 and toks[-1] in alive
        # another user's sessions are theirs
        assert s.request("GET", "/users", auth=login(
            s, "admin", s.admin_password)).status == 200
