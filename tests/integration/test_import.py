"""dindexctl import ekristen: a private redis-server holding what
ekristen/docker-index (github.com/ekristen/docker-index, master f8320c2)
writes, imported, then checked over HTTP against dindex.

Each redis write below imitates the original's code; the file and lines
are named where it is made (ORIGINAL)."""
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

from harness import DELIVER, Server, free_port
from receiver import Receiver
from v1util import DOCKER_JSON, push

# the receiver listens on 127.0.0.1: the imported webhook must be allowed
CONF = {"webhook_allow_networks": "127.0.0.0/8", "own_namespace": "no"}
ID = ["%064x" % (0xb0 + i) for i in range(4)]


def sha1(s):
    return hashlib.sha1(s.encode()).hexdigest()


class Redis:
    """A private redis-server on a free loopback port, no persistence,
    and a minimal RESP client for it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dindex-redis-")
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1",
                                                      self.port), 5)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.rf = self.sock.makefile("rb")

    def __call__(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.reply()

    def reply(self):
        line = self.rf.readline()[:-2]
        kind, rest = line[:1], line[1:]
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind in (b"+", b":"):
            return rest.decode()
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.rf.read(n + 2)[:-2].decode()
        return [self.reply() for _ in range(int(rest))]

    def close(self):
        self.sock.close()
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


HOOK_URL = None     # set per test: the receiver's URL


def original(r, hook_url):
    """The original's keys, as its code writes them."""
    # lib/firsttime.js 16-30: the first-run administrator
    r("SET", "users:admin", json.dumps({
        "username": "admin", "password": sha1("adminpw1"),
        "email": "admin@localhost", "disabled": False, "admin": True,
        "permissions": {"test": "admin", "admin": "admin",
                        "dockerfile": "admin"}}))
    r("SADD", "users", "admin")
    # internal/users.js createUser 124-143, then addUserPermission 69-71
    # (the CLI sends repo "ns/repo" or "ns", add_permission.js 48-64)
    r("SET", "users:alice", json.dumps({
        "username": "alice", "password": sha1("alicepw1"),
        "email": "alice@example.com", "admin": False, "permissions": {
            "team/app": "write", "team": "read", "web/site": "admin",
            "my_team/tools": "read"}}))
    r("SADD", "users", "alice")
    # index/users.js createUser 23-49 (disable_new_accounts: disabled),
    # then internal/users.js enableUser 204-207 sets disabled false
    r("SET", "users:bobby", json.dumps({
        "username": "bobby", "password": sha1("bobbypw1"),
        "email": "bob@example.com", "permissions": {
            "team": "readwrite", "web/site": "read"}, "disabled": False}))
    r("SADD", "users", "bobby")
    # index/users.js createUser, never enabled; and one with a name
    # dindex cannot hold (users.js line 6 never validated it)
    r("SET", "users:carol", json.dumps({
        "username": "carol", "password": sha1("carolpw1"), "email": "",
        "permissions": {}, "disabled": True, "colour": "blue"}))
    r("SADD", "users", "carol")
    r("SET", "users:dave", json.dumps({
        "username": "dave", "password": sha1("davepw1"), "email": "",
        "permissions": {}, "disabled": "false", "admin": False}))
    r("SADD", "users", "dave")
    r("SET", "users:Ed", json.dumps({
        "username": "Ed", "password": sha1("edpw12"), "permissions": {}}))
    # internal/users.js deleteUser 173: the record goes, the set keeps it
    r("SADD", "users", "gone")
    # index/repos.js repoPut 74-75: the merged list, Tag on its image;
    # index/images.js repoImagesPut 63: the name joins the set images
    r("SET", "images:team_app", json.dumps(
        [{"id": ID[0]}, {"id": ID[1], "checksum": "tarsum+sha256:ab",
                         "Tag": "latest"}]))
    r("SADD", "images", "team_app")
    r("SET", "images:web_site", json.dumps([{"id": ID[2], "Tag": "v1"}]))
    r("SADD", "images", "web_site")
    r("SET", "images:my_team_tools", json.dumps([{"id": ID[3]}]))
    r("SADD", "images", "my_team_tools")
    # repoPut without repoImagesPut: a push that never finished
    r("SET", "images:web_draft", json.dumps([{"id": ID[3]}]))
    # internal/webhooks.js addWebhook 54-108: id sha1(url), a hash, the set
    hid = sha1(hook_url)
    key = "webhooks:web_site:" + hid
    r("HSET", key, "id", hid)
    r("HSET", key, "url", hook_url)
    r("HSET", key, "new", "true")
    r("HSET", key, "existing", "false")
    r("HSET", key, "active", 1)
    r("SADD", "webhooks:web_site", hid)
    # internal/webhooks.js removeWebhookAll 157-166 deletes the set and
    # keys named by the bare ids: the hash of a removed webhook stays
    r("HSET", "webhooks:web_site:" + sha1("http://gone/"), "url",
      "http://gone.example/hook")
    # lib/webhooks.js processWebhooks 138-157: LPUSH, newest first
    for t, status in ((1400000000, 500), (1400000100, 200)):
        r("LPUSH", key + ":history", json.dumps({
            "created": t, "request": {"headers": {
                "X-Docker-Index-Delivery": sha1(str(t)),
                "X-Docker-Index-Event": "new"}, "payload": {}},
            "response": {"headers": {}, "statusCode": status,
                         "body": "ok"}}))
    # index/helpers.js generateToken 15-23, lib/upgrades.js 9
    r("SET", "tokens:" + sha1("t"), json.dumps({"repo": "team/app",
                                                "access": "read"}))
    r("EXPIRE", "tokens:" + sha1("t"), 600)
    r("SET", "version", "0.5.0")


def imp(s, r, *extra, check=True):
    return s.ctl("import", "ekristen", "--redis", "127.0.0.1:%d" % r.port,
                 *extra, check=check)


def dump(s):
    return json.loads(s.ctl("dump").stdout)["records"]


def login(s, user, pw):
    return s.request("GET", "/v1/users/", auth=(user, pw)).status


def pull(s, name, auth):
    return s.request("GET", "/v1/repositories/%s/images" % name, auth=auth,
                     headers={"X-Docker-Token": "true"})


def push_start(s, name, auth):
    return s.request("PUT", "/v1/repositories/%s/" % name, auth=auth,
                     body=json.dumps([{"id": ID[0]}]), headers=DOCKER_JSON)


def test_import_logins_permissions_images_webhooks():
    rcv = Receiver()
    r = Redis()
    try:
        original(r, rcv.url)
        with Server(**CONF) as s:
            before = dump(s)
            p = imp(s, r, "--dry-run")
            assert "none written" in p.stdout, p.stdout
            assert dump(s) == before
            p = imp(s, r)
            out = p.stdout
            assert "user:admin: the original's replaces" in out, out
            assert "user:alice: grant team/app write dropped" in out
            assert "user:bobby: grant team readwrite dropped" in out
            assert "user:carol: field colour not imported" in out
            assert "user:Ed: not imported: invalid user name" in out
            assert "read as my_team/tools (a grant names it)" in out
            assert "repo:web/draft: its push never finished" in out
            assert "1 tokens: not imported" in out
            assert "records written" in out
            assert "webhooks:web_site:" not in out
            recs = dump(s)
            assert recs["user:alice"]["hash"] == "sha1$" + sha1("alicepw1")
            listed = s.ctl("user", "list").stdout.splitlines()
            assert listed[0].split() == ["NAME", "ENABLED", "ADMIN",
                                         "LEGACY", "EMAIL"]
            assert "alice" in listed[2] and "yes" in listed[2].split()[3]

            # logins with the old passwords, then scrypt
            assert login(s, "alice", "alicepw1") == 200
            assert dump(s)["user:alice"]["hash"].startswith("$s1$")
            assert login(s, "alice", "alicepw1") == 200
            assert s.request("GET", "/users",
                             auth=("admin", "adminpw1")).status == 200
            # a refusal takes as long for a legacy hash, an scrypt one and
            # an unknown user (LIM_LOGIN_FAIL_MS, 400 ms)
            took = []
            for user in ("dave", "alice", "nobody1", "bobby"):
                t0 = time.time()
                assert login(s, user, "wrong") == 401
                took.append(time.time() - t0)
            assert min(took) >= 0.39 and max(took) - min(took) < 0.2, took
            assert dump(s)["user:bobby"]["hash"].startswith("sha1$")
            assert login(s, "carol", "carolpw1") in (401, 403)
            assert dump(s)["user:carol"]["enabled"] is False

            # permissions as the original answered (index/middleware.js
            # 68-92): the namespace's grant decides; readwrite gave nothing
            A, B = ("alice", "alicepw1"), ("bobby", "bobbypw1")
            assert pull(s, "team/app", A).status == 200
            assert push_start(s, "team/app", A).status == 403
            assert pull(s, "team/app", B).status == 403
            assert push_start(s, "team/app", B).status == 403
            assert pull(s, "web/site", B).status == 200
            assert push_start(s, "web/site", B).status == 403

            # the same images and tags
            got = pull(s, "team/app", A).json()
            assert got == [{"id": ID[0]},
                           {"id": ID[1], "checksum": "tarsum+sha256:ab"}]
            show = json.loads(s.ctl("--json", "repo", "show",
                                    "team/app").stdout)
            assert show["tags"] == {"latest": ID[1]}
            assert show["state"] == "complete"
            assert pull(s, "my_team/tools", A).json() == [{"id": ID[3]}]

            # the webhook, its history, and it fires on the next push
            hooks = json.loads(s.ctl("--json", "webhook", "list",
                                     "web/site").stdout)
            assert [h["url"] for h in hooks] == [rcv.url]
            assert hooks[0]["events"] == ["new"]
            hist = json.loads(s.ctl("--json", "webhook", "history", "web/site",
                                    hooks[0]["id"]).stdout)
            assert [h["status"] for h in hist] == [500, 200]
            push(s, "web/site", A, ids=ID[:2], tag="v2")
            subprocess.run([DELIVER, "-c", s.conf_path], check=True,
                           timeout=120)
            assert len(rcv.got) == 1
            body = rcv.json(0)
            assert body["repository"]["repo_name"] == "web/site"
            assert body["push_data"]["pusher"] == "alice"

            # a second run changes nothing
            before = dump(s)
            p = imp(s, r)
            assert "0 records written" in p.stdout, p.stdout
            assert "imported before; left as it is" in p.stdout
            assert dump(s) == before

            # the deadline: who still has a SHA-1 hash is disabled
            p = s.ctl("user", "expire-legacy")
            assert p.stdout.split() == ["DISABLED", "dave"], p.stdout
            assert login(s, "dave", "davepw1") in (401, 403)
            assert login(s, "alice", "alicepw1") == 200
    finally:
        r.close()
        rcv.close()


def test_collisions_refused_then_merged():
    r = Redis()
    try:
        original(r, "http://127.0.0.1:9/hook")
        with Server(**CONF) as s:
            s.add_user("alice", password="dindexpw")
            before = dump(s)
            p = imp(s, r, check=False)
            assert p.returncode == 1
            assert "user:alice: exists in dindex: collision" in p.stdout
            assert "user:admin: exists in dindex: collision" in p.stdout
            assert "collisions" in p.stderr
            assert dump(s) == before
            p = imp(s, r, "--merge")
            assert "user:alice: exists in dindex: dindex's record kept" \
                in p.stdout
            assert login(s, "alice", "dindexpw") == 200
            assert login(s, "alice", "alicepw1") == 401
            assert login(s, "bobby", "bobbypw1") == 200
            assert s.request("GET", "/users", auth=(
                "admin", s.admin_password)).status == 200
    finally:
        r.close()


def test_redis_not_there():
    with Server() as s:
        before = dump(s)
        p = s.ctl("import", "ekristen", "--redis",
                  "127.0.0.1:%d" % free_port(), check=False)
        assert p.returncode == 1 and "redis" in p.stderr, p.stderr
        assert dump(s) == before
        p = s.ctl("import", "ekristen", "--redis", "nohost", check=False)
        assert p.returncode == 1 and "HOST:PORT" in p.stderr
        p = s.ctl("import", "ekristen", "--redis-socket",
                  os.path.join(s.dir, "none.sock"), check=False)
        assert p.returncode == 1 and dump(s) == before


def send(r, *args):
    """A command of raw bytes (Redis() encodes str)."""
    out = b"*%d\r\n" % len(args)
    for a in args:
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    r.sock.sendall(out)
    return r.reply()


def test_member_or_field_not_utf8_is_refused_not_dropped():
    """A set member, list entry or hash field that is not UTF-8 was left
    out without a word (a webhook of the set webhooks:<j> vanished); the
    import is refused as for a value that is not UTF-8."""
    for cmd in ((b"SADD", b"webhooks:team_app", b"\xff1"),
                (b"RPUSH", b"webhooks:team_app:1:history", b"\xff"),
                (b"HSET", b"webhooks:team_app:1", b"url\xff", b"x")):
        r = Redis()
        try:
            with Server(**CONF) as s:
                before = dump(s)
                r("SADD", "webhooks:team_app", "1")
                r("HSET", "webhooks:team_app:1", "url",
                  "http://example.com/h")
                send(r, *cmd)
                p = imp(s, r, check=False)
                assert p.returncode == 1 and "not UTF-8" in p.stderr, \
                    (cmd, p.returncode, p.stdout, p.stderr)
                assert dump(s) == before
        finally:
            r.close()
