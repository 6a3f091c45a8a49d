"""Webhooks end to end: queueing at push finish, dindex-deliver, retries,
failed/, spool commands, history, signatures, crashes and races."""
import glob
import hashlib
import hmac
import json
import os
import signal
import subprocess
import threading
import time

from harness import DELIVER, Server
from receiver import Receiver
from v1util import IDS, push

A = ("alice", "secret1")
# the receivers listen on 127.0.0.1, which deliveries may not reach unless
# allowed
LOCAL = {"webhook_allow_networks": "127.0.0.0/8"}


def deliver(s, check=True):
    p = subprocess.run([DELIVER, "-c", s.conf_path], capture_output=True,
                       text=True, timeout=120)
    if check:
        assert p.returncode == 0, p.stderr
    return p


def spool(s, state):
    return sorted(glob.glob(os.path.join(s.dir, "spool", state, "*.json")))


def add_hook(s, url, *extra):
    return s.ctl("webhook", "add", "alice/app", url, *extra).stdout.strip()


def make_due(s):
    for f in spool(s, "deferred"):
        d = json.load(open(f))
        d["next_attempt"] = 0
        json.dump(d, open(f, "w"))


def test_push_queues_and_delivers_with_headers_and_signature():
    rcv = Receiver()
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            hid = add_hook(s, rcv.url, "--secret", "s3cret")
            push(s, "alice/app", A)
            files = spool(s, "new")
            assert len(files) == 1
            d = json.load(open(files[0]))
            assert d["event"] == "new" and d["webhook_id"] == hid
            assert d["repository"] == "alice/app" and d["url"] == rcv.url
            assert "s3cret" not in open(files[0]).read()
            assert oct(os.stat(files[0]).st_mode & 0o777) == "0o600"
            deliver(s)
            assert spool(s, "new") == [] and len(rcv.got) == 1
            g = rcv.got[0]
            h = g["headers"]
            assert h["Content-Type"] == "application/json"
            assert h["User-Agent"].startswith("dindex/")
            assert h["X-Docker-Index-Event"] == "new"
            assert h["X-Docker-Index-Delivery"] == d["id"]
            mac = hmac.new(b"s3cret", g["body"], hashlib.sha256).hexdigest()
            assert h["X-Dindex-Signature"] == "sha256=" + mac
            p = json.loads(g["body"])
            assert p["repository"] == {"name": "app", "namespace": "alice",
                                       "repo_name": "alice/app"}
            assert p["push_data"]["images"] == IDS
            assert p["push_data"]["tags"] == ["latest"]
            assert p["push_data"]["pusher"] == "alice"
            assert isinstance(p["push_data"]["pushed_at"], int)
            # history through the API and the CLI
            hist = s.ctl("--json", "webhook", "history", "alice/app",
                         hid).stdout
            assert json.loads(hist)[0]["status"] == 200
            r = s.request("GET", "/webhooks/alice/app/%s/history" % hid,
                          auth=A)
            assert r.status == 200 and r.json()[0]["delivery"] == d["id"]
            # the same tag again: existing
            push(s, "alice/app", A)
            deliver(s)
            assert rcv.got[1]["headers"]["X-Docker-Index-Event"] == \
                "existing"
            # the tag moved to another id: new
            push(s, "alice/app", A, ids=IDS[:2])
            deliver(s)
            assert rcv.got[2]["headers"]["X-Docker-Index-Event"] == "new"
    finally:
        rcv.close()


def test_events_filter_and_webhooks_off():
    rcv = Receiver()
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            add_hook(s, rcv.url, "--events", "existing")
            push(s, "alice/app", A)
            assert spool(s, "new") == []
            push(s, "alice/app", A)
            assert len(spool(s, "new")) == 1
        with Server(webhooks="no", **LOCAL) as s:
            s.add_user("alice")
            add_hook(s, rcv.url)
            push(s, "alice/app", A)
            assert spool(s, "new") == []
    finally:
        rcv.close()


def test_retry_after_500_then_delivered():
    rcv = Receiver(statuses=[500])
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            hid = add_hook(s, rcv.url)
            push(s, "alice/app", A)
            deliver(s)
            (f,) = spool(s, "deferred")
            d = json.load(open(f))
            assert d["attempts"] == 1 and d["last_error"] == "HTTP 500"
            assert d["next_attempt"] >= time.time() + 25
            deliver(s)                  # not due yet: nothing happens
            assert len(rcv.got) == 1
            make_due(s)
            deliver(s)
            assert len(rcv.got) == 2 and spool(s, "deferred") == []
            hist = json.loads(s.ctl("--json", "webhook", "history",
                                    "alice/app", hid).stdout)
            assert [h["status"] for h in hist] == [500, 200]
            assert rcv.ids()[0] == rcv.ids()[1]
    finally:
        rcv.close()


def test_receiver_down_ends_in_failed_then_retry():
    with Server(webhook_attempts=2, webhook_timeout=2, **LOCAL) as s:
        s.add_user("alice")
        rcv = Receiver()
        url = rcv.url
        rcv.close()                         # nobody listens there now
        add_hook(s, url)
        push(s, "alice/app", A)
        deliver(s)
        make_due(s)
        deliver(s)
        (f,) = spool(s, "failed")
        d = json.load(open(f))
        assert d["attempts"] == 2 and d["last_error"]
        out = s.ctl("spool", "list", "--failed").stdout
        assert d["id"] in out
        shown = json.loads(s.ctl("spool", "show", d["id"]).stdout)
        assert shown["state"] == "failed"
        port = int(url.split(":")[2].split("/")[0])
        rcv2 = Receiver.__new__(Receiver)
        try:
            import http.server
            rcv2 = Receiver()
            # point the parked delivery at the live receiver's port
            d["url"] = rcv2.url
            json.dump(d, open(f, "w"))
            s.ctl("spool", "retry", "--failed")
            assert spool(s, "failed") == [] and len(spool(s, "new")) == 1
            deliver(s)
            assert len(rcv2.got) == 1
        finally:
            rcv2.close()
        del port


def test_ping_and_api_routes():
    rcv = Receiver()
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            s.add_user("other")
            url = "/webhooks/alice/app"
            assert s.request("GET", url).status == 401
            assert s.request("GET", url, auth=("other", "secret1")).status \
                == 403
            r = s.request("POST", url, body={"url": rcv.url,
                                             "secret": "x"}, auth=A)
            assert r.status == 201 and "secret" not in r.json()
            hid = r.json()["id"]
            assert s.request("POST", url, body={"url": rcv.url},
                             auth=A).status == 409
            r = s.request("POST", url, body="url=ftp%3A%2F%2Fx", auth=A,
                          headers={"Content-Type":
                                   "application/x-www-form-urlencoded"})
            assert r.status == 400
            assert s.request("POST", url, body={"url": rcv.url + "2",
                                                "events": ["bogus"]},
                             auth=A).status == 400
            r = s.request("GET", url, auth=A)
            assert [h["id"] for h in r.json()] == [hid]
            assert "secret" not in r.json()[0]
            r = s.request("POST", url + "/%s/ping" % hid, auth=A)
            assert r.status == 202
            assert s.request("POST", url + "/nope/ping", auth=A).status \
                == 404
            deliver(s)
            assert rcv.got[0]["headers"]["X-Docker-Index-Event"] == "ping"
            assert s.request("DELETE", url + "/" + "0" * 16,
                             auth=A).status == 404
            assert s.request("DELETE", url + "/" + hid, auth=A).status == 200
            assert s.request("GET", url, auth=A).json() == []
            s.request("POST", url, body={"url": rcv.url}, auth=A)
            assert s.request("DELETE", url, auth=A).status == 200
            assert s.request("GET", url, auth=A).json() == []
            # dindexctl webhook and spool commands
            hid = add_hook(s, rcv.url)
            assert hid in s.ctl("webhook", "list", "alice/app").stdout
            s.ctl("webhook", "ping", "alice/app", hid)
            (f,) = spool(s, "new")
            did = os.path.basename(f)[:-5]
            s.ctl("spool", "drop", did)
            assert spool(s, "new") == []
            assert s.ctl("webhook", "rm", "alice/app", hid).returncode == 0
            assert s.ctl("webhook", "rm", "alice/app", hid,
                         check=False).returncode == 1
            assert s.ctl("webhook", "add", "bad", rcv.url,
                         check=False).returncode == 1
    finally:
        rcv.close()


def test_kill_deliverer_mid_batch_loses_nothing():
    rcv = Receiver(delay=0.02)
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            hid = add_hook(s, rcv.url)
            for _ in range(100):
                s.ctl("webhook", "ping", "alice/app", hid)
            queued = {os.path.basename(f)[:-5] for f in spool(s, "new")}
            assert len(queued) == 100
            p = subprocess.Popen([DELIVER, "-c", s.conf_path],
                                 stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            p.send_signal(signal.SIGKILL)
            p.wait()
            # a claim left by the killed deliverer goes back after the
            # stale time; age the claims instead of waiting
            for f in glob.glob(os.path.join(s.dir, "spool/active/*.json")):
                os.utime(f, (0, 0))
            deliver(s)
            assert set(rcv.ids()) == queued
            assert spool(s, "new") == [] and spool(s, "active") == []
    finally:
        rcv.close()


def test_two_deliverers_deliver_each_file_once():
    rcv = Receiver(delay=0.01)
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            hid = add_hook(s, rcv.url)
            for _ in range(40):
                s.ctl("webhook", "ping", "alice/app", hid)
            ps = [subprocess.Popen([DELIVER, "-c", s.conf_path])
                  for _ in range(2)]
            for p in ps:
                assert p.wait(60) == 0
            assert len(rcv.ids()) == 40 and len(set(rcv.ids())) == 40
    finally:
        rcv.close()


def test_unreadable_webhook_list_is_503_not_empty():
    """A hooks record that does not parse was listed as no webhooks (200
    []), in the API and in dindexctl webhook list."""
    with Server() as s:
        s.clean_at_close = False
        s.add_user("alice")
        push(s, "alice/app", A)
        s.raw_put("hooks:alice/app", b"{not json")
        r = s.request("GET", "/webhooks/alice/app", auth=A)
        assert r.status == 503, r
        p = s.ctl("webhook", "list", "alice/app", check=False)
        assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
