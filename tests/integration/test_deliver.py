"""dindex-deliver against hostile and broken receivers and spools: the
address policy (webhook_allow_networks), parallel delivery, redacted logs,
binary responses, corrupt and leftover spool files, the signature that
binds time and id, and the ping quota."""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import time

from harness import DELIVER, Server
from receiver import RawReceiver, Receiver
from test_hooks import A, LOCAL, add_hook, deliver, spool
from v1util import push


def history(s, hid, repo="alice/app"):
    return json.loads(s.ctl("--json", "webhook", "history", repo, hid).stdout)


def without_allow(s):
    """The config from now on without webhook_allow_networks."""
    s.settings.pop("webhook_allow_networks")
    s.write_conf(s.settings)


def test_loopback_refused_at_delivery_into_failed_with_history():
    rcv = Receiver()
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            hid = add_hook(s, rcv.url)
            push(s, "alice/app", A)
            without_allow(s)
            deliver(s)
            assert rcv.got == [] and spool(s, "new") == []
            (f,) = spool(s, "failed")
            d = json.load(open(f))
            assert d["last_error"] == \
                "refused by webhook_allow_networks: 127.0.0.1"
            assert d["attempts"] == 1
            (h,) = history(s, hid)
            assert h["status"] == 0 and h["error"] == d["last_error"]
    finally:
        rcv.close()


def test_name_resolving_to_loopback_refused_at_delivery():
    rcv = Receiver()
    try:
        with Server() as s:
            s.add_user("alice")
            url = rcv.url.replace("127.0.0.1", "localhost")
            hid = add_hook(s, url)          # a name passes at creation
            s.ctl("webhook", "ping", "alice/app", hid)
            deliver(s)
            assert rcv.got == []
            (f,) = spool(s, "failed")
            err = json.load(open(f))["last_error"]
            assert err.startswith("refused by webhook_allow_networks: ")
            assert err.split(": ")[1] in ("127.0.0.1", "::1")
    finally:
        rcv.close()


def test_address_literals_refused_at_creation():
    with Server() as s:
        s.add_user("alice")
        for url in ("http://0x7f000001/", "http://[::1]/",
                    "http://169.254.169.254/latest/meta-data",
                    "http://10.0.0.1/", "http://2130706433/",
                    "http://127.1:8080/", "http://[::ffff:127.0.0.1]/",
                    "http://u:p@192.168.1.1/"):
            r = s.request("POST", "/webhooks/alice/app", body={"url": url},
                          auth=A)
            assert r.status == 400, url
            assert "webhook_allow_networks" in r.json()["error"]
            p = s.ctl("webhook", "add", "alice/app", url, check=False)
            assert p.returncode == 1, url
            assert len(p.stderr.strip().splitlines()) == 1
            assert "webhook_allow_networks" in p.stderr
        assert s.request("GET", "/webhooks/alice/app",
                         auth=A).json() == []
        r = s.request("POST", "/webhooks/alice/app",
                      body={"url": "http://example.com/hook"}, auth=A)
        assert r.status == 201
    with Server(webhook_allow_networks="127.0.0.0/8, ::1/128") as s:
        s.add_user("alice")
        for url in ("http://0x7f000001/", "http://[::1]/"):
            r = s.request("POST", "/webhooks/alice/app", body={"url": url},
                          auth=A)
            assert r.status == 201, url
        assert s.request("POST", "/webhooks/alice/app",
                         body={"url": "http://10.0.0.1/"},
                         auth=A).status == 400


def test_slow_receiver_leaves_slots_to_others():
    hole, rcv = RawReceiver(), Receiver()
    try:
        with Server(webhook_timeout=2, **LOCAL) as s:
            s.add_user("alice")
            slow = add_hook(s, hole.url)
            good = add_hook(s, rcv.url)
            for _ in range(10):
                s.ctl("webhook", "ping", "alice/app", slow)
            s.ctl("webhook", "ping", "alice/app", good)    # queued last
            t0 = time.time()
            deliver(s)
            took = time.time() - t0
            assert len(rcv.got) == 1
            waited = rcv.got[0]["time"] - t0
            print("good delivery after %.2f s, run %.2f s" % (waited, took))
            assert waited < 2           # less than one webhook_timeout
            assert len(spool(s, "deferred")) == 10
            # 4 at a time to one host: three rounds of timeouts, not ten
            assert took < 3 * 2 + 2
    finally:
        hole.close()
        rcv.close()


def test_log_shows_no_credentials_or_query():
    rcv = Receiver()
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            url = rcv.url.replace("http://", "http://bob:pa55word@") + \
                "?token=t0ps3cret#frag"
            add_hook(s, url)
            push(s, "alice/app", A)
            p = deliver(s)
            assert len(rcv.got) == 1
            assert rcv.got[0]["path"] == "/hook?token=t0ps3cret"
            for secret in ("bob", "pa55word", "t0ps3cret", "frag", "?"):
                assert secret not in p.stderr, p.stderr
            assert rcv.url in p.stderr
    finally:
        rcv.close()


def test_binary_and_cut_responses_are_recorded():
    cut = b"a" * 1023 + "\u00e9".encode() + b"tail"     # straddles 1024
    bodies = [b"\xff\xfe\x00binary", cut, "h\u00e9llo".encode()]
    rcvs = [Receiver(body=b) for b in bodies]
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            hids = [add_hook(s, r.url + str(i)) for i, r in enumerate(rcvs)]
            push(s, "alice/app", A)
            deliver(s)
            hs = [history(s, h) for h in hids]
            assert all(len(h) == 1 and h[0]["status"] == 200 for h in hs)
            assert base64.b64decode(hs[0][0]["response_base64"]) == \
                bodies[0] and "response" not in hs[0][0]
            assert base64.b64decode(hs[1][0]["response_base64"]) == \
                cut[:1024]
            assert hs[2][0]["response"] == "h\u00e9llo"
            assert "response_base64" not in hs[2][0]
    finally:
        for r in rcvs:
            r.close()


def test_corrupt_spool_file_goes_to_failed_and_can_be_dropped():
    rcv = Receiver()
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            hid = add_hook(s, rcv.url)
            s.ctl("webhook", "ping", "alice/app", hid)
            bad = "1700000000.1.00000000deadbeef"
            path = os.path.join(s.dir, "spool", "new", bad + ".json")
            with open(path, "w") as f:
                f.write('{"broken\x1b')
            assert bad in s.ctl("spool", "list").stdout
            deliver(s)                  # exit 0: the spool was worked
            assert len(rcv.got) == 1
            assert spool(s, "new") == [] and spool(s, "active") == []
            (f,) = spool(s, "failed")
            d = json.load(open(f))
            assert d["id"] == bad and "unparsable" in d["last_error"]
            assert d["raw"] == "{\\x22broken\\x1b"
            assert bad in s.ctl("spool", "list", "--failed").stdout
            shown = json.loads(s.ctl("spool", "show", bad).stdout)
            assert shown["state"] == "failed"
            deliver(s)
            assert len(spool(s, "failed")) == 1
            s.ctl("spool", "drop", bad)
            assert spool(s, "failed") == []
    finally:
        rcv.close()


def test_leftover_temp_files_block_nothing_and_stale_ones_go():
    rcv = Receiver(statuses=[500])
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            hid = add_hook(s, rcv.url)
            s.ctl("webhook", "ping", "alice/app", hid)
            (f,) = spool(s, "new")
            tmp = os.path.join(s.dir, "spool", "tmp")
            # what a deliverer killed between write and rename left
            left = os.path.join(tmp, os.path.basename(f))
            open(left, "w").write("{}")
            old = os.path.join(tmp, "1.2.3.json")
            open(old, "w").write("{}")
            os.utime(old, (time.time() - 7200,) * 2)
            deliver(s)
            assert len(rcv.got) == 1
            (g,) = spool(s, "deferred")
            assert json.load(open(g))["last_error"] == "HTTP 500"
            assert os.listdir(tmp) == [os.path.basename(f)]  # fresh: kept
    finally:
        rcv.close()


def test_2xx_status_then_cut_body_counts_as_delivered():
    raw = RawReceiver(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab")
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            hid = add_hook(s, raw.url)
            s.ctl("webhook", "ping", "alice/app", hid)
            deliver(s)
            for state in ("new", "active", "deferred", "failed"):
                assert spool(s, state) == []
            (h,) = history(s, hid)
            assert h["status"] == 200 and h["error"] != ""
            assert h["response"] == "ab"
    finally:
        raw.close()


def check(secret, headers, body, seen, window=300, now=None):
    """The receiver of README.md: "new", "repeat" or None (refused)."""
    f = dict(kv.split("=", 1)
             for kv in headers["X-Dindex-Signature-256"].split(","))
    mac = hmac.new(secret, ("%s.%s." % (f["t"], f["id"])).encode() + body,
                   hashlib.sha256).hexdigest()
    now = time.time() if now is None else now
    if not hmac.compare_digest(mac, f["v1"]) or \
            abs(now - int(f["t"])) > window:
        return None
    if f["id"] in seen:
        return "repeat"
    seen[f["id"]] = now
    return "new"


def test_signature_binds_time_and_delivery_id():
    rcv = Receiver()
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            add_hook(s, rcv.url, "--secret", "k3y")
            push(s, "alice/app", A)
            deliver(s)
            g = rcv.got[0]
            h, body = g["headers"], g["body"]
            f = dict(kv.split("=", 1)
                     for kv in h["X-Dindex-Signature-256"].split(","))
            assert f["id"] == h["X-Docker-Index-Delivery"]
            assert abs(int(f["t"]) - time.time()) < 60
            assert h["X-Dindex-Signature"] == "sha256=" + hmac.new(
                b"k3y", body, hashlib.sha256).hexdigest()
            seen = {}
            assert check(b"k3y", h, body, seen, now=time.time() + 3600) \
                is None                                 # too old
            assert check(b"k3y", h, body, seen) == "new"
            assert check(b"k3y", h, body, seen) == "repeat"     # replayed
            assert check(b"other", h, body, {}) is None
            assert check(b"k3y", h, body + b" ", {}) is None
            h2 = dict(h, **{"X-Dindex-Signature-256": h[
                "X-Dindex-Signature-256"].replace(f["id"], "1.2.3")})
            assert check(b"k3y", h2, body, {}) is None  # the id is signed
    finally:
        rcv.close()


def test_ping_quota_for_non_admins():
    with Server(**LOCAL) as s:
        s.add_user("alice")
        s.add_user("boss", admin=True)
        hids = {r: s.ctl("webhook", "add", "alice/" + r,
                         "http://127.0.0.1:9/").stdout.strip()
                for r in ("app", "b", "c", "d")}

        def ping(repo, auth=A):
            return s.request("POST", "/webhooks/alice/%s/%s/ping" %
                             (repo, hids[repo]), auth=auth)

        for _ in range(10):
            assert ping("app").status == 202
        r = ping("app")
        assert r.status == 429 and "ping" in r.json()["error"]
        assert ping("app", ("boss", "secret1")).status == 202
        # an administrator's access token without *:admin is not one
        lim = s.ctl("token", "add", "boss", "lim", "--scope",
                    "alice:admin").stdout.strip()
        assert ping("app", ("boss", lim)).status == 429
        s.ctl("webhook", "ping", "alice/app", hids["app"])
        assert ping("app").status == 429
        for repo in ("b", "c"):
            for _ in range(10):
                assert ping(repo).status == 202
        assert ping("d").status == 429          # alice has 30 waiting
        d = json.load(open(spool(s, "new")[0]))
        assert d["queued_by"] in ("alice", "boss", "dindexctl")
        assert sorted(json.load(open(f))["queued_by"]
                      for f in spool(s, "new")).count("alice") == 30
        # refused pings park in failed/ and count for an hour: no flood
        without_allow(s)
        deliver(s)
        assert spool(s, "new") == [] and len(spool(s, "failed")) == 32
        assert ping("d").status == 429
        for f in spool(s, "failed"):
            d = json.load(open(f))
            d["created"] -= 3600
            json.dump(d, open(f, "w"))
        assert ping("d").status == 202


def test_unreadable_spool_state_is_an_error_not_an_empty_spool():
    """A state directory that cannot be read was taken for an empty one:
    dindex-deliver exited 0 without a word, spool list showed nothing."""
    rcv = Receiver()
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            add_hook(s, rcv.url)
            push(s, "alice/app", A)
            deferred = os.path.join(s.dir, "spool", "deferred")
            failed = os.path.join(s.dir, "spool", "failed")
            for d in (deferred, failed):
                os.rmdir(d)
                open(d, "w").close()        # ENOTDIR for scandir
            p = deliver(s, check=False)
            assert p.returncode == 75, (p.returncode, p.stderr)
            assert "scandir %s: " % deferred in p.stderr, p.stderr
            assert len(rcv.got) == 1        # what could be read went out
            for args in (["spool", "list", "--failed"],
                         ["spool", "retry", "--failed"]):
                p = s.ctl(*args, check=False)
                assert p.returncode == 1 and "cannot read" in p.stderr, \
                    (args, p.returncode, p.stdout, p.stderr)
            assert s.request("GET", "/spool", auth=("admin",
                             s.admin_password)).status == 503
            for d in (deferred, failed):
                os.unlink(d)
                os.mkdir(d, 0o700)
    finally:
        rcv.close()


def test_ping_quota_fails_closed_when_the_spool_cannot_be_read():
    """The quota counted an unreadable state as holding no pings, so a
    non-admin's pings went on past it."""
    with Server(**LOCAL) as s:
        s.add_user("alice")
        hid = s.ctl("webhook", "add", "alice/app",
                    "http://127.0.0.1:9/").stdout.strip()
        failed = os.path.join(s.dir, "spool", "failed")
        os.rmdir(failed)
        open(failed, "w").close()
        r = s.request("POST", "/webhooks/alice/app/%s/ping" % hid, auth=A)
        assert r.status == 503, r
        assert spool(s, "new") == []
        os.unlink(failed)
        os.mkdir(failed, 0o700)
        r = s.request("POST", "/webhooks/alice/app/%s/ping" % hid, auth=A)
        assert r.status == 202, r


def test_webhook_removed_during_its_delivery_keeps_no_history():
    """The attempt's history entry was written after the transfer whether
    or not the webhook still existed: a removed webhook's history came
    back (and went to the next webhook given the same URL)."""
    hole = RawReceiver()
    try:
        with Server(webhook_timeout=2, **LOCAL) as s:
            s.add_user("alice")
            hid = add_hook(s, hole.url)
            s.ctl("webhook", "ping", "alice/app", hid)
            p = subprocess.Popen([DELIVER, "-c", s.conf_path],
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
            deadline = time.time() + 30
            while not hole.conns and time.time() < deadline:
                time.sleep(0.02)
            assert hole.conns, "the delivery never connected"
            s.ctl("webhook", "rm", "alice/app", hid)
            p.communicate(timeout=60)
            keys = json.loads(s.ctl("dump").stdout)["records"]
            assert not [k for k in keys if k.startswith("hist:")], keys
    finally:
        hole.close()
