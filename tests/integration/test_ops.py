"""The operator's day: dindexctl status and metrics over a database and
spool the test fills, the deliverer's counters, metrics --write, --help
and --version of the three programs, and the rough edges of issue 21."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse

from harness import (DELIVER, DINDEX, DINDEXCTL, FAST_SCRYPT, ROOT, Server,
                     free_port)
from nspawn import wait_listening
from receiver import Receiver
from test_hooks import A, LOCAL, add_hook, deliver, make_due
from test_v2_token import PW, SERVICE, V2Server
from v1util import push

PROMTOOL = shutil.which("promtool")


def status(s):
    return json.loads(s.ctl("--json", "status").stdout)


def samples(text):
    """{name{labels}: value} of a Prometheus text exposition."""
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in text.splitlines() if line and line[0] != "#"}


def promtool(text):
    p = subprocess.run([PROMTOOL, "check", "metrics"], input=text,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout + p.stderr == "", \
        p.stdout + p.stderr


def test_status_and_metrics_count_what_is_there():
    rcv = Receiver(statuses=[500])
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            s.add_user("bobby")
            s.ctl("user", "disable", "bobby")
            add_hook(s, rcv.url)
            push(s, "alice/app", A)
            push(s, "alice/two", A)
            st = status(s)
            assert st["records"]["users"] == 3, st
            assert st["records"]["repositories"] == 2, st
            assert st["spool"]["new"] == 1 and st["spool"]["failed"] == 0
            assert st["deliver"]["attempts"] == 0
            assert st["database"]["path"] == s.settings["database"]
            assert st["database"]["bytes"] == os.path.getsize(
                s.settings["database"])
            assert st["config"] == s.conf_path and st["v2"] is False
            time.sleep(1.1)
            assert status(s)["spool"]["oldest_waiting_seconds"] >= 1
            deliver(s)          # 500: deferred
            make_due(s)
            deliver(s)          # 200: done
            st = status(s)
            assert st["spool"]["new"] == st["spool"]["deferred"] == 0
            assert st["spool"]["oldest_waiting_seconds"] == 0
            d = st["deliver"]
            assert (d["attempts"], d["failed"], d["result"]) == \
                (2, 1, "HTTP 200"), d
            assert abs(d["last_at"] - time.time()) < 60
            text = s.ctl("status").stdout
            assert re.search(r"^records\.users +3$", text, re.M), text
            assert re.search(r"^deliver\.last_at +20\d\d-", text, re.M)
            m = s.ctl("metrics").stdout
            promtool(m)
            v = samples(m)
            assert v["dindex_users"] == 3 and v["dindex_repositories"] == 2
            assert v['dindex_spool_deliveries{state="failed"}'] == 0
            assert v["dindex_deliveries_attempted_total"] == 2
            assert v["dindex_deliveries_failed_total"] == 1
            assert v["dindex_tokens{type=\"v1\"}"] >= 0
            assert v["dindex_database_bytes"] == st["database"]["bytes"]
            assert "dindex_certificate_expiry_timestamp_seconds" not in v
            # check knows the counters' record, and its rules
            assert "no problems" in s.ctl("check").stdout
            s.raw_put("stats:deliver", {"attempts": 1})
            s.raw_put("stats:other", {"attempts": 1, "failed": 0,
                                      "last_at": 0, "result": ""})
            out = s.ctl("check", check=False).stdout
            assert "stats:deliver: attempts, failed" in out, out
            assert "stats:other: unknown counters" in out, out
            s.clean_at_close = False
    finally:
        rcv.close()


def test_status_failed_and_certificate():
    with V2Server() as s:
        os.makedirs(os.path.join(s.dir, "spool", "failed"), exist_ok=True)
        with open(os.path.join(s.dir, "spool", "failed",
                               "1.2.abc.json"), "w") as f:
            json.dump({"id": "1.2.abc", "url": "http://x/"}, f)
        st = status(s)
        assert st["spool"]["failed"] == 1 and st["v2"] is True
        assert "CN = dindex-test" in st["certificate"]["subject"] or \
            "CN=dindex-test" in st["certificate"]["subject"], st
        # the certificate was made for 30 days (test_v2_token.keypair)
        left = st["certificate"]["expires_at"] - time.time()
        assert 29 * 86400 < left <= 30 * 86400 + 60, left
        m = s.ctl("metrics").stdout
        promtool(m)
        v = samples(m)
        assert v['dindex_spool_deliveries{state="failed"}'] == 1
        assert v["dindex_certificate_expiry_timestamp_seconds"] == \
            st["certificate"]["expires_at"]


def test_metrics_write_replaces_the_file_and_empty_is_off():
    with Server() as s:
        path = os.path.join(s.dir, "dindex.prom")
        s.write_conf(dict(s.settings, metrics_file=path))
        with open(path, "w") as f:
            f.write("old\n")
        ino = os.stat(path).st_ino
        assert s.ctl("metrics", "--write").stdout == ""
        text = open(path).read()
        promtool(text)
        assert os.stat(path).st_ino != ino      # renamed into place
        assert [f for f in os.listdir(s.dir) if "prom." in f] == []
        s.write_conf(dict(s.settings, metrics_file=""))
        os.unlink(path)
        assert s.ctl("metrics", "--write").returncode == 0
        assert not os.path.exists(path)


def test_help_and_version_of_the_three_programs():
    for prog in (DINDEX, DINDEXCTL, DELIVER):
        name = os.path.basename(prog)
        for flag in ("--help", "-h"):
            p = subprocess.run([prog, flag], capture_output=True, text=True)
            assert p.returncode == 0 and p.stderr == "", (prog, p)
            assert p.stdout.startswith("usage: " + name), (prog, p.stdout)
        p = subprocess.run([prog, "--version"], capture_output=True,
                           text=True)
        assert p.returncode == 0, (prog, p)
        assert re.match(name + r" \d+\.\d+\.\d+( \(.+\))?\n$", p.stdout), \
            p.stdout
    # built from a checkout: the commit is named
    if os.path.exists(os.path.join(os.path.dirname(DINDEX), "..", ".git")):
        p = subprocess.run([DINDEXCTL, "--version"], capture_output=True,
                           text=True)
        assert "(" in p.stdout, p.stdout
    # a bad option is still a usage error, on stderr
    p = subprocess.run([DELIVER, "-x"], capture_output=True, text=True)
    assert p.returncode == 64 and "usage:" in p.stderr


def test_never_initialised_database_names_init():
    d = tempfile.mkdtemp(prefix="dindex-test-")
    try:
        conf = os.path.join(d, "c.conf")
        with open(conf, "w") as f:
            f.write("database = %s/index.db\nspool = %s/spool\n"
                    "scrypt = %s\n" % (d, d, FAST_SCRYPT))
        for args in (["user", "list"], ["status"], ["check"]):
            p = subprocess.run([DINDEXCTL, "-c", conf] + args,
                               capture_output=True, text=True)
            assert p.returncode == 1, p
            assert p.stderr == "dindexctl: %s/index.db: the database was " \
                "never initialised; run 'dindexctl init'\n" % d, p.stderr
        p = subprocess.run([DINDEXCTL, "-c", conf, "--json", "init"],
                           capture_output=True, text=True)
        j = json.loads(p.stdout)
        assert j["initialised"] is True and j["administrator"] == "admin"
        assert len(j["password"]) == 24
        p = subprocess.run([DINDEXCTL, "-c", conf, "--json", "init"],
                           capture_output=True, text=True)
        assert json.loads(p.stdout) == {"database": d + "/index.db",
                                        "initialised": False}
        p = subprocess.run([DINDEXCTL, "-c", conf, "init"],
                           capture_output=True, text=True)
        assert p.stdout.startswith("dindexctl: "), p.stdout
    finally:
        shutil.rmtree(d)


def test_config_error_names_key_value_and_what_is_allowed():
    with Server() as s:
        s.write_conf(dict(s.settings, token_ttl="0"))
        p = s.ctl("user", "list", check=False)
        assert p.returncode == 1
        s.write_conf(dict(s.settings, token_ttl="60"))
        assert p.stderr == "dindexctl: %s:4: token_ttl: '0' is not between " \
            "1 and 86400\n" % s.conf_path, p.stderr


def test_webhook_tables_are_aligned():
    rcv = Receiver()
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            h1 = add_hook(s, rcv.url)
            h2 = add_hook(s, rcv.url + "2", "--events", "new")
            lines = s.ctl("webhook", "list", "alice/app").stdout.splitlines()
            cols = [l.index("URL") if i == 0 else l.index("http")
                    for i, l in enumerate(lines)]
            assert len(lines) == 3 and len(set(cols)) == 1, lines
            assert any(l.split()[2] == "new,existing" for l in lines[1:])
            push(s, "alice/app", A)
            deliver(s)
            out = s.ctl("webhook", "history", "alice/app", h1).stdout
            head, row = out.splitlines()
            assert head.split() == ["TIME", "DELIVERY", "EVENT", "STATUS",
                                    "MS", "ERROR"], head
            assert row.split()[3:5] == ["new", "200"], row
            assert row.index("new") == head.index("EVENT"), out
            assert json.loads(s.ctl("--json", "webhook", "history",
                                    "alice/app", h2).stdout)[0]["status"] \
                == 200
    finally:
        rcv.close()


def test_v2_inactive_account_is_told_wrong_password_is_not():
    with V2Server() as s:
        s.add_user("reader", PW)
        s.ctl("user", "disable", "reader")
        sc = "repository:team/app:pull"
        q = urllib.parse.urlencode([("service", SERVICE), ("scope", sc)])

        def form(user, pw):
            return s.form({"grant_type": "password", "service": SERVICE,
                           "username": user, "password": pw, "scope": sc})

        for r in (s.request("GET", "/v2/token?" + q, auth=("reader", PW)),
                  form("reader", PW)):
            assert r.status == 401, r
            assert "account is not active" in r.json()["error"], r.body
        wrong = [s.request("GET", "/v2/token?" + q, auth=("reader", "bad")),
                 s.request("GET", "/v2/token?" + q, auth=("ghost1", "bad")),
                 form("reader", "badpass"), form("ghost1", "badpass")]
        assert [r.status for r in wrong] == [401] * 4
        assert wrong[0].body == wrong[1].body, (wrong[0], wrong[1])
        assert wrong[2].body == wrong[3].body, (wrong[2], wrong[3])
        assert b"active" not in b"".join(r.body for r in wrong)


def test_make_run_delivers_webhooks_and_stops_with_the_server():
    d = tempfile.mkdtemp(prefix="dindex-run-")
    conf, port, rcv = os.path.join(d, "dindex.conf"), free_port(), Receiver()
    with open(conf, "w") as f:      # make run keeps a config it finds
        f.write("database = %s/index.db\nspool = %s/spool\nscrypt = %s\n"
                "webhook_allow_networks = 127.0.0.0/8\n" % (d, d, FAST_SCRYPT))
    p = subprocess.Popen(
        ["make", "-s", "-C", ROOT, "run", "RUN_DIR=" + d,
         "RUN_PORT=%d" % port, "BUILD=" + os.environ.get("DINDEX_BUILD",
                                                         "build")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        wait_listening(port, 60)
        ctl = [DINDEXCTL, "-c", conf]
        hid = subprocess.run(ctl + ["webhook", "add", "alice/app", rcv.url],
                             capture_output=True, text=True,
                             check=True).stdout.strip()
        subprocess.run(ctl + ["webhook", "ping", "alice/app", hid],
                       check=True)
        deadline = time.time() + 20     # the loop runs it every 5 s
        while not rcv.got and time.time() < deadline:
            time.sleep(0.2)
        assert len(rcv.got) == 1, "make run did not deliver"
        # Ctrl-C: SIGINT to the foreground process group
        os.killpg(p.pid, signal.SIGINT)
        out = p.communicate(timeout=30)[0].decode()
        assert "webhooks delivered every 5 s" in out, out
        time.sleep(6)       # a sleep of the loop may finish its 5 s
        left = subprocess.run(["pgrep", "-g", str(p.pid)],
                              capture_output=True, text=True).stdout
        assert left == "", "left running after Ctrl-C: " + left
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        rcv.close()
        shutil.rmtree(d, ignore_errors=True)


def test_unreadable_spool_state_has_no_count_not_zero():
    """status and metrics counted a spool state they could not read as 0
    deliveries: an alert on failed deliveries stayed quiet."""
    with Server() as s:
        failed = os.path.join(s.dir, "spool", "failed")
        os.rmdir(failed)
        open(failed, "w").close()
        out = s.ctl("metrics").stdout
        assert 'dindex_spool_deliveries{state="failed"}' not in out, out
        assert 'dindex_spool_deliveries{state="new"} 0' in out, out
        spool = json.loads(s.ctl("status", "--json").stdout)["spool"]
        assert spool["failed"] is None and spool["new"] == 0, spool
        os.unlink(failed)
        os.mkdir(failed, 0o700)
