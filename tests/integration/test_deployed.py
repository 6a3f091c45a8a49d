"""As deployed: a Debian 12 container booted with systemd-nspawn, dindex
installed by the README's production steps, the shipped units under a
real systemd on the host's network (a drop-in moves the socket to a free
port). Checks ping and a v1 push through the real socket, a webhook
delivered through the path unit, a deferred one retried by the timer,
journal fields, the Landlock confinement of a live dindex@ instance, the
console from the installed files and a 2,000-connection flood from one
source and from several.

Always normal binaries, built into build-deploy/ (nspawn.py builds them
with a clean make environment), also under make check-asan: ASan
binaries would need libasan in the root. A machine that cannot boot the container fails this
file loudly; DINDEX_NO_NSPAWN=1 skips it, saying so."""
import atexit
import json
import os
import resource
import socket
import sys
import time

from harness import basic
from nspawn import Container, Remote, free_port, nspawn_missing, ROOT
from receiver import Receiver
import v1util

SKIP = os.environ.get("DINDEX_NO_NSPAWN") == "1"
PW = "secret-alice"
CAP = 128           # MaxConnections= and MaxConnectionsPerSource= shipped
FLOOD = 2000
ST = {}             # the container and what the tests learn, in order


def skipped():
    if SKIP:
        print("SKIPPED: DINDEX_NO_NSPAWN=1, the deployed units are NOT "
              "tested", flush=True)
    return SKIP


def c():
    return ST["c"]


def journal(match, want, timeout=20):
    """Journal entries (dicts) matching, waiting until want(entries)."""
    deadline = time.time() + timeout
    while True:
        out = c().journal(match)
        entries = [json.loads(l) for l in out.splitlines() if l.strip()]
        if want(entries) or time.time() > deadline:
            return entries
        time.sleep(0.3)


def test_boot_and_readme_production_steps():
    if skipped():
        return
    why = nspawn_missing()
    assert why is None, ("cannot run systemd-nspawn here (%s): the deployed "
                         "units are not tested; DINDEX_NO_NSPAWN=1 skips "
                         "this explicitly" % why)
    try:
        ST["c"] = Container()
    except RuntimeError as e:
        raise AssertionError("cannot boot the Debian container here: the "
                             "deployed units are NOT tested "
                             "(DINDEX_NO_NSPAWN=1 skips this explicitly)\n"
                             + str(e))
    atexit.register(lambda: "c" in ST and ST.pop("c").stop())
    ST["port"] = free_port()
    ST["srv"] = Remote(ST["port"])
    conf = {"trusted_proxies": "127.0.0.1/32", "idle_timeout": "25"}
    if "webhook_allow_networks" in open(os.path.join(
            ROOT, "src", "config.c")).read():
        conf["webhook_allow_networks"] = "127.0.0.0/8"  # the receiver
    # node_exporter's textfile directory, as its package leaves it
    init = c().deploy(ST["port"], conf, before_steps=lambda k: k.exec(
        "mkdir -p /var/lib/prometheus/node-exporter"))
    assert "password:" in init, init
    ST["admin"] = ("admin", init.split("password:")[1].split()[0])
    c().exec("dindexctl user add alice --password-stdin", input=PW + "\n")
    for u in ("dindex.socket", "dindex-deliver.path",
              "dindex-deliver.timer", "dindex-metrics.timer"):
        assert c().exec("systemctl is-active " + u,
                        check=False).stdout.strip() == "active", u


def test_ping_and_v1_push_through_the_socket():
    if skipped():
        return
    s = ST["srv"]
    r = s.request("GET", "/v1/_ping")
    assert r.status == 200 and r.body == b"true", r
    ST["rcv"] = Receiver(statuses=[200, 500])
    c().exec("dindexctl webhook add alice/app " + ST["rcv"].url)
    t0 = time.time()
    v1util.push(s, "alice/app", ("alice", PW))
    r = s.request("GET", "/v1/repositories/alice/app/images",
                  auth=("alice", PW))
    assert r.status == 200 and len(r.json()) == len(v1util.IDS), r
    # an access token logs in under the unit's confinement (libgcrypt)
    tok = c().exec("dindexctl token add alice deploy --scope "
                   "alice/app:read").stdout.strip()
    assert s.request("GET", "/v1/repositories/alice/app/images",
                     auth=("alice", tok)).status == 200
    # the path unit starts the deliverer as soon as new/ is not empty
    while not ST["rcv"].got and time.time() < t0 + 30:
        time.sleep(0.1)
    assert len(ST["rcv"].got) == 1, ST["rcv"].got
    body = ST["rcv"].json(0)
    assert body["repository"]["repo_name"] == "alice/app", body
    print("webhook delivered %.1f s after the push started" %
          (time.time() - t0))


def test_console_served_from_the_installed_files():
    """The console's files from $(PREFIX)/share/dindex/ui through the
    Landlock sandbox of a live instance, and a session's bearer on the
    management API."""
    if skipped():
        return
    s = ST["srv"]
    for path, kind in (("/ui/", "text/html"), ("/ui/app.js",
                                               "text/javascript")):
        r = s.request("GET", path)
        assert r.status == 200 and r.header("Content-Type").startswith(
            kind), (path, r)
        assert r.header("Content-Security-Policy").startswith(
            "default-src 'self'"), r
    r = s.request("POST", "/ui/session",
                  body={"username": "alice", "password": PW})
    assert r.status == 201, r
    bearer = "Bearer " + r.json()["token"]
    r = s.request("GET", "/repositories", auth=bearer)
    assert r.status == 200 and [x["name"] for x in r.json()] == \
        ["alice/app"], r
    assert s.request("DELETE", "/ui/session", auth=bearer).status == 200
    assert s.request("GET", "/repositories", auth=bearer).status == 401


def test_metrics_timer_service_writes_the_file():
    if skipped():
        return
    path = "/var/lib/prometheus/node-exporter/dindex.prom"
    c().exec("systemctl start dindex-metrics.service")
    text = c().exec("cat " + path).stdout
    assert "\ndindex_users 2\n" in text, text
    assert "dindex_repositories 1\n" in text, text
    assert c().exec("stat -c %U " + path).stdout.strip() == "dindex"
    assert c().exec("ls /var/lib/prometheus/node-exporter").stdout.split() \
        == ["dindex.prom"]      # no temp file left


def test_status_warns_about_paths_the_units_do_not_allow():
    if skipped():
        return
    conf = "/etc/dindex/moved.conf"
    c().write(conf, "database = /srv/dindex/index.db\n"
              "spool = /srv/dindex/spool\n")
    c().exec("mkdir -p /srv/dindex && chown dindex: /srv/dindex && "
             "dindexctl -c %s init" % conf)
    assert "warning" not in c().exec("dindexctl status").stdout
    out = c().exec("dindexctl -c %s status" % conf).stdout
    assert "/srv/dindex or /srv/dindex/spool is outside the " \
        "ReadWritePaths= of dindex-deliver.service" in out, out
    # the drop-in of the README
    c().write("/etc/systemd/system/dindex-deliver.service.d/paths.conf",
              "[Service]\nReadWritePaths=/srv/dindex\n")
    c().exec("systemctl daemon-reload")
    out = c().exec("dindexctl -c %s status" % conf).stdout
    assert "warning" not in out, out
    c().exec("rm -r /etc/systemd/system/dindex-deliver.service.d "
             "/srv/dindex %s && systemctl daemon-reload" % conf)


def test_journal_fields_and_trusted_proxy():
    if skipped():
        return
    s = ST["srv"]
    r = s.request("PUT", "/v1/repositories/bob/app/",
                  body=v1util.push_body(), auth=("alice", PW),
                  headers=v1util.DOCKER_JSON)
    assert r.status == 403, r
    got = journal("DINDEX_STATUS=403", lambda es: any(
        e.get("DINDEX_PATH") == "/v1/repositories/bob/app/" for e in es))
    e = [e for e in got if e.get("DINDEX_PATH") ==
         "/v1/repositories/bob/app/"]
    assert e and e[0]["DINDEX_USER"] == "alice", got
    assert e[0]["DINDEX_PEER"].startswith("127.0.0.1:"), e[0]
    assert e[0]["_SYSTEMD_UNIT"].startswith("dindex@"), e[0]
    # 127.0.0.1 is a trusted proxy here: the last hop is the client
    s.request("GET", "/v1/_ping", headers={
        "X-Forwarded-For": "203.0.113.9, 198.51.100.7"})
    got = journal("DINDEX_PEER=198.51.100.7", lambda es: es)
    assert got and got[0]["DINDEX_PROXY"].startswith("127.0.0.1:"), got
    assert not c().journal("DINDEX_PEER=203.0.113.9").strip()


def test_landlock_confines_a_live_dindex():
    """An honest write outside: the spool's tmp/ replaced by a symlink to
    a directory the dindex user owns. The file modes allow the write
    (shown with setpriv as that user) and the unit no longer has a mount
    namespace, so only Landlock can refuse it, with EACCES."""
    if skipped():
        return
    x = c().exec
    x("mkdir -m 0700 /var/tmp/outside && chown dindex:dindex "
      "/var/tmp/outside && setpriv --reuid=dindex --regid=dindex "
      "--clear-groups touch /var/tmp/outside/control")
    x("mv /var/spool/dindex/tmp /var/spool/dindex/tmp.real && "
      "ln -s /var/tmp/outside /var/spool/dindex/tmp")
    try:
        ids = ["%064x" % (0xb0 + i) for i in range(2)]
        r = v1util.push_start(ST["srv"], "alice/app", ("alice", PW), ids)
        assert r.status == 200, r
        r = v1util.push_finish(ST["srv"], "alice/app", ("alice", PW))
        status = r.status
    finally:
        x("rm /var/spool/dindex/tmp && "
          "mv /var/spool/dindex/tmp.real /var/spool/dindex/tmp")
    assert x("ls -A /var/tmp/outside").stdout.split() == ["control"]
    got = journal("SYSLOG_IDENTIFIER=dindex", lambda es: any(
        "/var/spool/dindex/tmp/" in e.get("MESSAGE", "") and
        "Permission denied" in e.get("MESSAGE", "") for e in es))
    msgs = [e["MESSAGE"] for e in got if "/var/spool/dindex/tmp/" in
            e.get("MESSAGE", "")]
    assert any("Permission denied" in m for m in msgs), (status, msgs)
    print("spool write through the symlink refused (%s), push answered "
          "%d" % (msgs[-1], status))


def test_deferred_delivery_queued():
    """The receiver answers 500 once: the delivery waits in deferred/,
    where the path unit does not look; only the timer retries it."""
    if skipped():
        return
    ids = ["%064x" % (0xc0 + i) for i in range(2)]
    ST["t_fail"] = time.time()
    v1util.push(ST["srv"], "alice/app", ("alice", PW), ids)
    t0 = time.time()
    while len(ST["rcv"].got) < 2 and time.time() < t0 + 30:
        time.sleep(0.1)
    assert len(ST["rcv"].got) == 2, ST["rcv"].got
    deadline = time.time() + 10
    while time.time() < deadline and not c().exec(
            "ls /var/spool/dindex/deferred").stdout.split():
        time.sleep(0.2)
    assert c().exec("ls /var/spool/dindex/deferred").stdout.split()


def flood(sources):
    """FLOOD connections as fast as possible, round-robin over the source
    addresses, none sending a byte. Waits until every connection is either
    closed by systemd (refused) or held by a dindex@ instance (counted by
    the socket unit), then sends a ping on each held one. Returns
    (held per source, answered, refused)."""
    socks = []
    for i in range(FLOOD):
        src = sources[i % len(sources)]
        k = socket.socket()
        k.bind((src, 0))
        k.settimeout(10)
        k.connect(("127.0.0.1", ST["port"]))
        k.setblocking(False)
        socks.append((src, k))
    refused = set()
    deadline = time.time() + 120
    while time.time() < deadline:
        for i, (_, k) in enumerate(socks):
            if i in refused:
                continue
            try:
                if k.recv(1, socket.MSG_PEEK) == b"":
                    refused.add(i)
            except BlockingIOError:
                pass
            except ConnectionError:
                refused.add(i)
        n = int(c().exec("systemctl show -P NConnections dindex.socket")
                .stdout.strip())
        if len(refused) + n == FLOOD:
            break
        time.sleep(0.3)
    assert len(refused) + n == FLOOD, (len(refused), n)
    ST["dindex_status"] = live_dindex_status()
    held, answered = {}, 0
    for i, (src, k) in enumerate(socks):
        if i in refused:
            k.close()
            continue
        held[src] = held.get(src, 0) + 1
        k.setblocking(True)
        k.sendall(b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\n\r\n")
        out = b""
        try:
            while True:
                chunk = k.recv(4096)
                if not chunk:
                    break
                out += chunk
        except (ConnectionError, socket.timeout):
            pass
        k.close()
        answered += out.startswith(b"HTTP/1.1 200 ")
    return held, answered, len(refused)


def live_dindex_status():
    """/proc status of one dindex@ instance holding a flood connection."""
    pid = c().exec("grep -l '^Name:.dindex$' /proc/[0-9]*/status | "
                   "head -n 1 | cut -d/ -f3", check=False).stdout.strip()
    if not pid:
        return ""
    return c().exec("cat /proc/%s/status" % pid, check=False).stdout


def after_flood():
    x = c().exec
    assert x("systemctl is-active dindex.socket",
             check=False).stdout.strip() == "active"
    assert x("systemctl show -P Result dindex.socket").stdout.strip() == \
        "success"
    r = ST["srv"].request("GET", "/v1/_ping")
    assert r.status == 200, r
    r = ST["srv"].request("GET", "/v1/repositories/alice/app/images",
                          auth=("alice", PW))
    assert r.status == 200, r


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < FLOOD + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (min(hard, FLOOD + 1000), hard))


def test_flood_from_one_source():
    if skipped():
        return
    raise_fd_limit()
    held, answered, refused = flood(["127.0.0.1"])
    print("one source: %d held, %d of them answered, %d refused" % (
        sum(held.values()), answered, refused))
    assert sum(held.values()) <= CAP and refused >= FLOOD - CAP
    assert answered == sum(held.values()) and answered >= 1
    after_flood()
    # the cheap unit options are in force in a live instance
    st = ST["dindex_status"]
    assert "NoNewPrivs:\t1" in st and "Seccomp:\t2" in st, st
    assert "CapEff:\t0000000000000000" in st, st


def test_flood_from_several_sources():
    if skipped():
        return
    srcs = ["127.0.0.%d" % i for i in range(2, 10)]
    held, answered, refused = flood(srcs)
    print("8 sources: held %s, %d answered, %d refused" % (
        held, answered, refused))
    assert sum(held.values()) <= CAP and refused >= FLOOD - CAP
    assert answered == sum(held.values()) and answered >= 1
    after_flood()


def test_flood_with_the_direct_exposure_drop_in():
    """The README's drop-in for an index exposed without a front: a
    per-source cap below the total."""
    if skipped():
        return
    c().write("/etc/systemd/system/dindex.socket.d/direct.conf",
              "[Socket]\nMaxConnectionsPerSource=16\n")
    c().exec("systemctl daemon-reload && systemctl restart dindex.socket")
    held, answered, refused = flood(["127.0.0.1"])
    print("one source, MaxConnectionsPerSource=16: %d held, %d refused" % (
        sum(held.values()), refused))
    assert 1 <= sum(held.values()) <= 16 and answered == sum(held.values())
    after_flood()
    srcs = ["127.0.0.%d" % i for i in range(2, 10)]
    held, answered, refused = flood(srcs)
    print("8 sources, MaxConnectionsPerSource=16: held %s, %d refused" % (
        held, refused))
    assert all(n <= 16 for n in held.values()), held
    assert answered == sum(held.values()) > 16, held
    after_flood()


def test_deferred_delivery_retried_by_the_timer():
    if skipped():
        return
    rcv = ST["rcv"]
    deadline = time.time() + 180   # backoff 30 s, timer every 30 s
    while len(rcv.got) < 3 and time.time() < deadline:
        time.sleep(0.5)
    assert len(rcv.got) == 3, [g["headers"] for g in rcv.got]
    assert rcv.ids()[2] == rcv.ids()[1], rcv.ids()     # the same delivery
    last = c().exec("date -d \"$(systemctl show -P LastTriggerUSec "
                    "dindex-deliver.timer)\" +%s").stdout.strip()
    assert int(last) >= int(ST["t_fail"]), (last, ST["t_fail"])
    assert not c().exec("ls /var/spool/dindex/deferred").stdout.split()
    print("retried by the timer %.0f s after the failed attempt" % (
        time.time() - ST["t_fail"]))


def test_zz_default_trigger_limit_would_fail_the_socket():
    """The regression this guards against: with systemd's default trigger
    limit back in a drop-in, the same flood leaves the socket failed."""
    if skipped():
        return
    c().write("/etc/systemd/system/dindex.socket.d/zz-default.conf",
              "[Socket]\nTriggerLimitIntervalSec=2s\n"
              "TriggerLimitBurst=200\n")
    c().exec("systemctl daemon-reload && systemctl restart dindex.socket")
    socks = []
    for _ in range(FLOOD):
        k = socket.socket()
        try:
            k.connect(("127.0.0.1", ST["port"]))
        except ConnectionError:
            pass
        socks.append(k)
    deadline = time.time() + 30
    while time.time() < deadline:
        res = c().exec("systemctl show -P Result dindex.socket").stdout
        if res.strip() != "success":
            break
        time.sleep(0.2)
    for k in socks:
        k.close()
    assert res.strip() == "trigger-limit-hit", res


def test_zz_shutdown():
    if skipped():
        return
    if "rcv" in ST:
        ST["rcv"].close()
    ST.pop("c").stop()
