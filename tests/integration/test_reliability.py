"""Reliability: concurrent writers lose nothing, kill -9 at random moments
corrupts nothing and loses no acknowledged write or queued delivery, and a
full disk answers 503 while reads go on."""
import glob
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time

from harness import DINDEX, Server, basic, parse_response, stop

ADMIN = None


class Client:
    """One kept-alive connection; reconnects when the server goes away."""

    def __init__(self, s):
        self.s = s
        self.sock = None
        self.buf = b""

    def send(self, method, path, body=None, auth=None, headers=None):
        hdrs = {"Host": "x"}
        if auth:
            hdrs["Authorization"] = basic(*auth)
        if body is not None:
            body = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
            hdrs["Content-Length"] = str(len(body))
        hdrs.update(headers or {})
        data = ("%s %s HTTP/1.1\r\n" % (method, path) + "".join(
            "%s: %s\r\n" % kv for kv in hdrs.items()) + "\r\n").encode() + \
            (body or b"")
        try:
            if self.sock is None:
                self.sock = self.s.connect(timeout=30)
                self.buf = b""
            self.sock.sendall(data)
            while True:
                try:
                    r, self.buf = parse_response(self.buf)
                    if r.header("Connection") == "close":
                        self.close()
                    return r
                except ValueError:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        raise ConnectionError("closed")
                    self.buf += chunk
        except (OSError, ConnectionError):
            self.close()
            return None

    def close(self):
        if self.sock:
            self.sock.close()
        self.sock = None


def image_ids(tag, n=2):
    return ["%064x" % (hash((tag, i)) & (2 ** 256 - 1)) for i in range(n)]


def records(s):
    return json.loads(s.ctl("dump").stdout)["records"]


def concurrent_writers(remove_lock, writers=16, per=200, ctl=100):
    """writers clients x per writes and ctl dindexctl runs beside them;
    remove_lock: a thread deletes the lock file every 100 ms meanwhile."""
    with Server() as s:
        s.add_user("boss", admin=True)
        boss = ("boss", "secret1")
        acked = {"users": set(), "grants": set(), "images": set(),
                 "ctl": set()}
        lock = threading.Lock()

        def writer(w):
            c = Client(s)
            for i in range(per):
                kind = i % 4
                if kind == 0:
                    name = "u%02d_%03d" % (w, i)
                    r = c.send("POST", "/v1/users/", {
                        "username": name, "password": "secret1",
                        "email": "a@b"})
                    key = ("users", name)
                elif kind == 1:
                    scope = "ns%02d/r%03d" % (w, i)
                    r = c.send("PUT", "/users/boss/permissions",
                               {"repo": scope, "access": "read"}, boss)
                    key = ("grants", scope)
                else:
                    repo = "shared/app" if kind == 2 else "w%02d/app" % w
                    ids = image_ids((w, i))
                    r = c.send("PUT", "/v1/repositories/%s/" % repo,
                               [{"id": x} for x in ids], boss,
                               {"X-Docker-Token": "true"})
                    if r is not None and r.status == 200:
                        r = c.send("PUT", "/v1/repositories/%s/images"
                                   % repo, [], boss)
                    key = ("images", (repo, tuple(ids)))
                if r is not None and 200 <= r.status < 300:
                    with lock:
                        acked[key[0]].add(key[1])
            c.close()

        def ctl_writer():
            for i in range(ctl):
                p = s.ctl("perm", "set", "boss", "ctl/r%03d" % i, "write",
                          check=False)
                if p.returncode == 0:
                    acked["ctl"].add("ctl/r%03d" % i)

        def remover():
            while any(t.is_alive() for t in threads[:writers]):
                try:
                    os.unlink(s.settings["database"] + ".lock")
                    removed[0] += 1
                except FileNotFoundError:
                    pass
                time.sleep(0.1)

        removed = [0]
        threads = [threading.Thread(target=writer, args=(w,))
                   for w in range(writers)] + [
                       threading.Thread(target=ctl_writer)]
        if remove_lock:
            threads.append(threading.Thread(target=remover))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        recs = records(s)
        perms = recs["user:boss"]["perms"]
        assert len(acked["users"]) == writers * per // 4
        assert all("user:" + u in recs for u in acked["users"])
        assert all(g in perms for g in acked["grants"] | acked["ctl"])
        assert len(acked["grants"]) == writers * per // 4
        assert len(acked["ctl"]) == ctl
        for repo, ids in acked["images"]:
            have = {e["id"] for e in recs["repo:" + repo]["images"]}
            assert set(ids) <= have, repo
        assert len(acked["images"]) == writers * per // 2
        assert s.ctl("check").returncode == 0
        r = s.request("GET", "/v1/search?q=app", auth=boss)
        assert r.json()["num_results"] == writers + 1, r
        assert removed[0] >= 5 or not remove_lock, removed


def test_concurrent_writers_lose_nothing():
    concurrent_writers(False)


def test_lock_file_removed_while_serving():
    """Every request still gets an answer, nothing acknowledged is lost,
    and the index survives the recoveries a new lock file triggers."""
    concurrent_writers(True, writers=8, per=100, ctl=40)


def handler_pids(s):
    out = subprocess.run(["pgrep", "-P", str(s.proc.pid)],
                         capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_kill_9_storm_loses_no_acknowledged_write():
    with Server(webhook_allow_networks="127.0.0.0/8") as s:
        s.add_user("boss", admin=True)
        boss = ("boss", "secret1")
        s.ctl("webhook", "add", "storm/app", "http://127.0.0.1:9/hook")
        acked_push, acked_finish = [], []
        stop = threading.Event()
        kills = [0]

        def writer(w):
            c = Client(s)
            i = 0
            while not stop.is_set():
                ids = image_ids(("storm", w, i))
                r = c.send("PUT", "/v1/repositories/storm/app/",
                           [{"id": x, "Tag": "t%d" % w} for x in ids], boss,
                           {"X-Docker-Token": "true"})
                if r is not None and r.status == 200:
                    acked_push.append(ids)
                    r = c.send("PUT", "/v1/repositories/storm/app/images",
                               [], boss)
                    if r is not None and r.status == 204:
                        acked_finish.append(ids)
                i += 1
            c.close()

        def killer():
            while kills[0] < 200:
                pids = handler_pids(s)
                if pids:
                    try:
                        os.kill(random.choice(pids), signal.SIGKILL)
                        kills[0] += 1
                    except ProcessLookupError:
                        pass
                time.sleep(random.uniform(0, 0.01))
            stop.set()

        threads = [threading.Thread(target=writer, args=(w,))
                   for w in range(6)] + [threading.Thread(target=killer)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        assert kills[0] >= 200
        assert s.request("GET", "/v1/_ping").status == 200
        chk = s.ctl("check", check=False)
        assert chk.returncode == 0, chk.stdout + chk.stderr
        have = {e["id"] for e in records(s)["repo:storm/app"]["images"]}
        for ids in acked_push:
            assert set(ids) <= have
        spooled = glob.glob(os.path.join(s.dir, "spool", "new", "*.json"))
        for f in spooled:
            json.load(open(f))          # every queued file is whole
        assert len(spooled) >= len(acked_finish)
        assert len(acked_push) > 50, len(acked_push)
        print("kills=%d acked pushes=%d finishes=%d deliveries=%d" % (
            kills[0], len(acked_push), len(acked_finish), len(spooled)))


def test_disk_full_answers_503_and_keeps_data():
    with Server() as s:
        s.add_user("alice")
        alice = ("alice", "secret1")
        r = s.request("PUT", "/v1/repositories/alice/app/",
                      body=[{"id": x} for x in image_ids("before")],
                      auth=alice)
        assert r.status == 200
        before = records(s)
        stop(s.proc)
        # the same server, with a file size limit the database has reached
        size = os.path.getsize(os.path.join(s.dir, "index.db"))
        s.log = open(s.log_path, "ab")
        s.proc = subprocess.Popen(
            s.activator(["/bin/sh", "-c", "ulimit -f %d; exec %s" % (
                size // 1024, DINDEX)]),
            stdout=s.log, stderr=subprocess.STDOUT)
        s.wait_listening()
        big = [{"id": x} for x in image_ids("big", 3000)]
        r = s.request("PUT", "/v1/repositories/alice/big/", body=big,
                      auth=alice)
        assert r.status == 503, r
        assert r.header("Retry-After")
        r = s.request("GET", "/v1/repositories/alice/app/images",
                      auth=alice)
        assert r.status == 200 and len(r.json()) == 2, (r, s.logtext()[-800:])
        assert "File too large" in s.logtext() or "gdbm" in s.logtext()
        after = records(s)
        assert after["repo:alice/app"] == before["repo:alice/app"]
        assert s.ctl("check").returncode == 0


FILL = """import dbm.gnu, json, sys
d = dbm.gnu.open(sys.argv[1], 'wu')
for i in range(3000):
    n = 'u%04d' % i
    d[('user:' + n).encode()] = json.dumps({'name': n}).encode()
d.close()
"""


def test_failed_walk_is_an_error_for_status_metrics_and_init():
    """A read error in the middle of the database (GDBM's 'malformed
    bucket') once gave status and metrics the counts read so far, exit
    0, and init 'already holds users'. Damage with a clean mark, so that
    no recovery runs first: every command whose walk failed fails."""
    with Server() as s:
        s.clean_at_close = False
        db = s.settings["database"]
        stop(s.proc)
        subprocess.run(["/usr/bin/python3", "-c", FILL, db], check=True,
                       timeout=60)
        whole = open(db, "rb").read()
        failed = 0
        for off in range(16384, len(whole) - 4096, 4096):
            with open(db, "r+b") as f:
                f.write(whole)
                f.seek(off)
                f.write(b"\xff" * 4096)
            for cmd in ("status", "metrics", "init"):
                p = s.ctl(cmd, check=False)
                if "gdbm_nextkey" in p.stderr:
                    failed += 1
                    assert p.returncode == 1, (off, cmd, p.stdout, p.stderr)
        assert failed > 0
