#!/usr/bin/env python3
"""make bench: dindex against the floor of a process per connection.

Every figure is measured in this one run, under the same
systemd-socket-activate --accept --inetd, with ab -c 8 and a fixed count;
the cases of a table run in interleaved rounds and ratios are to the floor
(or to the smallest database) of the same round. The last table is from
the deployment: the units under a booted systemd in a Debian container
(tests/integration/nspawn.py), nginx in front. BENCH_DEPLOYED_ONLY=1
runs only that one."""
import base64
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("DINDEX_BUILD", "build"))
COUNT = int(os.environ.get("BENCH_COUNT", "1000"))
SLOW_COUNT = int(os.environ.get("BENCH_SLOW_COUNT", "100"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SCALES = [int(x) for x in os.environ.get(
    "BENCH_SCALES", "1000,100000,1000000").split(",")]
SCRYPT = "16384:8:1"            # the shipped default
SERVICE = "bench.registry"
PROCS = int(os.environ.get("BENCH_PROCS", "200"))
IMG = ["%064x" % (i + 1) for i in range(3)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, argv, env=None):
        self.port = free_port()
        cmd = ["systemd-socket-activate", "--accept", "--inetd",
               "-l", "127.0.0.1:%d" % self.port]
        for k, v in (env or {}).items():
            cmd += ["-E", "%s=%s" % (k, v)]
        # what was served, for a look after a failed run
        self.log = open(os.path.join(BUILD, "bench-%s.log" %
                                     os.path.basename(argv[0])), "a")
        self.proc = subprocess.Popen(cmd + argv, stdout=subprocess.DEVNULL,
                                     stderr=self.log)
        for _ in range(500):
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("not listening: %r" % argv)

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()


def ab(url, n, keepalive=False, headers=(), put=None, post=None):
    csv = tempfile.mktemp(suffix=".csv")
    cmd = ["ab", "-q", "-n", str(n), "-c", "8", "-e", csv]
    if keepalive:
        cmd.append("-k")
    for h in headers:
        cmd += ["-H", h]
    if put:
        cmd += ["-u", put, "-T", "application/json"]
    if post:
        cmd += ["-p", post, "-T", "application/x-www-form-urlencoded"]
    for _ in range(3):     # ab gives up on a reset connection: run again
        p = subprocess.run(cmd + [url], capture_output=True, text=True)
        out = p.stdout
        if re.search(r"Requests per second:", out):
            break
        print("  (ab failed, run again: %s)" % p.stderr.strip()[-200:])
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx responses:\s+(\d+)", out)
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))
    pct = {}
    with open(csv) as f:
        for line in f.read().splitlines()[1:]:
            p, ms = line.split(",")
            pct[int(float(p))] = float(ms)
    os.unlink(csv)
    # ab's 99% row reads past its samples when n <= 50: use the maximum
    return {"rps": rps, "p50": pct.get(50, 0),
            "p99": pct.get(99 if n > 50 else 100, 0),
            "errors": failed + (int(bad.group(1)) if bad else 0)}


def curl(url, method="GET", data=None, headers=()):
    cmd = ["curl", "-s", "-D", "-", "-X", method, url]
    for h in headers:
        cmd += ["-H", h]
    if data is not None:
        cmd += ["--data-binary", data]
    return subprocess.run(cmd, capture_output=True, text=True).stdout


class Index:
    """A dindex with a database, a user and a pushed repository."""

    def __init__(self, records=0):
        self.dir = tempfile.mkdtemp(prefix="dindex-bench-")
        self.conf = os.path.join(self.dir, "dindex.conf")
        key, crt = self.dir + "/token.key", self.dir + "/token.crt"
        subprocess.run(["openssl", "req", "-x509", "-nodes", "-days", "2",
                        "-subj", "/CN=bench", "-keyout", key, "-out", crt,
                        "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256"], check=True,
                       capture_output=True)
        with open(self.conf, "w") as f:
            f.write("database = %s/index.db\nspool = %s/spool\n"
                    "scrypt = %s\nwebhooks = no\ntoken_key = %s\n"
                    "token_cert = %s\ntoken_issuer = bench\n"
                    "token_service = %s\n" % (self.dir, self.dir, SCRYPT,
                                               key, crt, SERVICE))
        ctl = [os.path.join(BUILD, "dindexctl"), "-c", self.conf]
        subprocess.run(ctl + ["init"], check=True, capture_output=True)
        if records:
            subprocess.run([os.path.join(BUILD, "bench-gen"),
                            self.dir + "/index.db", str(records)], check=True)
        subprocess.run(ctl + ["user", "add", "bench", "--password-stdin"],
                       input="benchpass\n", text=True, check=True,
                       capture_output=True)
        self.srv = Served([os.path.join(BUILD, "dindex")],
                          {"DINDEX_CONFIG": self.conf})
        self.basic = "Authorization: Basic YmVuY2g6YmVuY2hwYXNz"
        # an access token as the password: SHA-256, not scrypt
        self.atok = basic("bench", subprocess.run(
            ctl + ["token", "add", "bench", "bench", "--scope", "bench:read"],
            check=True, capture_output=True, text=True).stdout.strip())
        self.body = os.path.join(self.dir, "push.json")
        with open(self.body, "w") as f:
            json.dump([{"id": i} for i in IMG[:-1]] +
                      [{"id": IMG[-1], "Tag": "latest"}], f)
        out = curl(self.srv.url("/v1/repositories/bench/app/"), "PUT",
                   open(self.body).read(),
                   [self.basic, "X-Docker-Token: true",
                    "Content-Type: application/json"])
        m = re.search(r"^X-Docker-Token: (\S+)", out, re.I | re.M)
        if not m:
            raise RuntimeError("push start failed:\n" + out)
        self.token = "Authorization: Token " + m.group(1)
        curl(self.srv.url("/v1/repositories/bench/app/images"), "PUT", "[]",
             [self.basic, "Content-Type: application/json"])
        form = "service=%s&scope=repository:bench/app:pull&client_id=bench" % (
            SERVICE)
        out = curl(self.srv.url("/v2/token"), "POST", form + "&grant_type="
                   "password&username=bench&password=benchpass&"
                   "access_type=offline")
        m = re.search(r'"refresh_token":\s*"([^"]+)"', out)
        if not m:
            raise RuntimeError("no refresh token:\n" + out)
        self.refresh = os.path.join(self.dir, "refresh.form")
        with open(self.refresh, "w") as f:
            f.write(form + "&grant_type=refresh_token&refresh_token=" +
                    m.group(1))
        self.v2basic = "/v2/token?service=%s&scope=repository:bench/app:pull" % (
            SERVICE)

    def close(self):
        self.srv.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def scrypt_verify_us(k):
    """Mean microseconds per scrypt verification with k running at once."""
    gen = [os.path.join(BUILD, "bench-gen"), "-s", SCRYPT]
    procs = [subprocess.Popen(gen, stdout=subprocess.PIPE, text=True)
             for _ in range(k)]
    return sum(float(p.communicate()[0]) for p in procs) / k


def per_process(argv, request, env=None, n=PROCS):
    """Medians over n processes of one process serving one request on a
    socket pair: CPU time, page faults and maximum RSS (tests/bench/spawn.c
    reads them from wait4())."""
    cpu, faults, rss = [], [], []
    spawn = os.path.join(BUILD, "bench-spawn")
    for _ in range(n):
        a, b = socket.socketpair()
        p = subprocess.Popen([spawn] + argv, stdin=b, stdout=b,
                             stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, **(env or {})))
        b.close()
        a.sendall(request)
        while a.recv(65536):
            pass
        a.close()
        c, f, m = p.communicate()[1].split()[-3:]
        cpu.append(int(c))
        faults.append(int(f))
        rss.append(int(m))
    return (statistics.median(cpu), statistics.median(faults),
            statistics.median(rss))


def interleaved(cases, ref):
    """Run every case once per round, in turn, ROUNDS times, so that a
    slow spell of the machine falls on all of them alike. Returns name ->
    the median of its rounds, with "ratio" the median of its per-round
    ratios to the case named ref."""
    runs = {name: [] for name, _ in cases}
    for _ in range(ROUNDS):
        for name, fn in cases:
            runs[name].append(fn())
    out = {}
    for name, rs in runs.items():
        m = {k: statistics.median(r[k] for r in rs)
             for k in ("rps", "p50", "p99")}
        m["errors"] = sum(r["errors"] for r in rs)
        m["ratio"] = statistics.median(
            r["rps"] / b["rps"] for r, b in zip(rs, runs[ref]))
        out[name] = m
    return out


def table(title, cases, ref, notes=None):
    res = interleaved(cases, ref)
    print("\n%-36s %9s %8s %8s %7s" % (title, "req/s", "p50 ms", "p99 ms",
                                        "ratio"))
    for name, _ in cases:
        r = res[name]
        print("%-36s %9.1f %8.2f %8.2f %7s%s%s" % (
            name, r["rps"], r["p50"], r["p99"],
            "-" if name == ref else "%.2f" % r["ratio"],
            (notes or {}).get(name, ""),
            "  (%d failed or non-2xx)" % r["errors"] if r["errors"] else ""))
    return res


def verdict(name, value, target, higher=True):
    ok = value >= target if higher else value <= target
    print("  %-56s %6.3f  target %s %.2f  %s" % (
        name, value, ">=" if higher else "<=", target,
        "met" if ok else "MISSED"))


def basic(user, pw):
    return "Authorization: Basic " + base64.b64encode(
        ("%s:%s" % (user, pw)).encode()).decode()


# --- the deployed table: units under a booted systemd -------------------
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
ROOT_PKGS = [p for p in os.environ.get("BENCH_ROOT_PKGS",
                                       "nginx").split(",") if p]


def socket_unit(port):
    return ("[Socket]\nListenStream=127.0.0.1:%d\nAccept=yes\nNoDelay=yes\n"
            "MaxConnections=128\nMaxConnectionsPerSource=128\n"
            "TriggerLimitIntervalSec=0\n" % port)


def shipped_service(c, argv0, stdin_socket):
    """dindex@.service as installed, running another program."""
    text = open(c.path("/lib/systemd/system/dindex@.service")).read()
    text = re.sub(r"^ExecStart=.*$", "ExecStart=" + argv0, text, flags=re.M)
    return text + ("StandardInput=socket\n" if stdin_socket else "")


def deployed():
    """Floor and dindex under a unit with only User=, dindex and the floor
    under the shipped dindex@.service, and dindex behind nginx with and
    without upstream keep-alive: one container, interleaved rounds, ratios
    to dindex under the User=-only unit."""
    from nspawn import Container, nspawn_missing, wait_listening
    why = nspawn_missing()
    if why:
        print("\ndeployed table NOT measured: cannot run systemd-nspawn "
              "(%s)" % why)
        return None
    ports = {k: free_port() for k in ("shipped", "plain", "floor",
                                      "floorship", "nons", "nginx",
                                      "nginx1")}
    c = Container(ROOT_PKGS, before_boot=lambda c: [
        os.unlink(c.path(f)) for f in ("/etc/nginx/sites-enabled/default",)
        if os.path.lexists(c.path(f))])
    try:
        c.deploy(ports["shipped"], {"webhooks": "no"})
        shutil.copy(os.path.join(ROOT, "build", "floor"),
                    c.path("/usr/local/bin/floor"))
        units = {
            "dindex-plain.socket": socket_unit(ports["plain"]),
            "dindex-plain@.service": "[Service]\nExecStart=/usr/sbin/dindex"
                                     " -c /etc/dindex/dindex.conf\n"
                                     "User=dindex\nGroup=dindex\n",
            "floor.socket": socket_unit(ports["floor"]),
            "floor@.service": "[Service]\nExecStart=/usr/local/bin/floor\n"
                              "User=dindex\nStandardInput=socket\n",
            "floorship.socket": socket_unit(ports["floorship"]),
            "floorship@.service": shipped_service(
                c, "/usr/local/bin/floor", True),
            # what the two namespaces of the shipped unit cost
            "nons.socket": socket_unit(ports["nons"]),
            "nons@.service": re.sub(
                r"^(PrivateNetwork|PrivateUsers)=yes\n", "", shipped_service(
                    c, "/usr/sbin/dindex -c /etc/dindex/dindex.conf", False),
                flags=re.M),
        }
        for name, text in units.items():
            c.write("/etc/systemd/system/" + name, text)
        conf = open(os.path.join(ROOT, "etc", "nginx-dindex.conf")).read()
        conf = conf.replace("127.0.0.1:5100", "127.0.0.1:%d" %
                            ports["shipped"])
        conf = re.sub(r"\tlisten 443 ssl;", "\tlisten 127.0.0.1:%d;" %
                      ports["nginx"], conf)
        conf = re.sub(r"\tssl_.*\n", "", conf)
        # the same front without upstream keep-alive, for comparison
        plain = re.sub(r"upstream dindex \{.*?\}", "upstream dindex1 {\n"
                       "\tserver 127.0.0.1:%d;\n}" % ports["shipped"], conf,
                       flags=re.S)
        plain = plain.replace("http://dindex;", "http://dindex1;").replace(
            "127.0.0.1:%d;\n\tserver_name" % ports["nginx"],
            "127.0.0.1:%d;\n\tserver_name" % ports["nginx1"])
        c.write("/etc/nginx/sites-enabled/dindex", conf + plain)
        c.exec("systemctl daemon-reload && systemctl start dindex-plain.socket"
               " floor.socket floorship.socket nons.socket && "
               "systemctl restart nginx")
        for p in ports.values():
            wait_listening(p)
        url = lambda k: "http://127.0.0.1:%d/v1/_ping" % ports[k]
        ref = "dindex, unit with only User="
        cases = [
            ("floor, unit with only User=", lambda: ab(url("floor"), COUNT)),
            (ref, lambda: ab(url("plain"), COUNT)),
            ("dindex, shipped dindex@.service",
             lambda: ab(url("shipped"), COUNT)),
            ("floor, shipped dindex@.service",
             lambda: ab(url("floorship"), COUNT)),
            ("dindex, shipped without Private{Network,Users}=",
             lambda: ab(url("nons"), COUNT)),
            ("nginx -> shipped, upstream keepalive",
             lambda: ab(url("nginx"), COUNT)),
            ("nginx -> shipped, no upstream keepalive",
             lambda: ab(url("nginx1"), COUNT)),
        ]
        res = table("deployed: ping, ratio to dindex under User= only",
                    cases, ref)
        exp = {}
        for u in ("dindex@.service", "dindex-deliver.service"):
            out = c.exec("systemd-analyze security --offline=true "
                         "/lib/systemd/system/" + u, check=False).stdout
            m = re.search(r"Overall exposure level for \S+: ([\d.]+)", out)
            exp[u] = float(m.group(1)) if m else float("nan")
        print("exposure (systemd-analyze security --offline=true, in the "
              "container): " + ", ".join("%s %.1f" % kv for kv in
                                         exp.items()))
        return res, exp
    finally:
        c.stop()


def main():
    if os.environ.get("BENCH_DEPLOYED_ONLY"):
        return deployed_verdicts(deployed())
    print("dindex bench: %s, %d cores, ab -c 8, %d interleaved rounds of "
          "n=%d (Basic-auth paths n=%d); req/s and latencies are medians "
          "of the rounds, ratios the median of per-round ratios" % (
              time.strftime("%Y-%m-%d"), os.cpu_count(), ROUNDS, COUNT,
              SLOW_COUNT))
    scrypt_us = scrypt_verify_us(1)
    scrypt8_us = scrypt_verify_us(8)
    print("one scrypt verification at %s: %.1f ms alone, %.1f ms with 8 at "
          "once on %d cores" % (SCRYPT, scrypt_us / 1000, scrypt8_us / 1000,
                               os.cpu_count()))
    floor = Served([os.path.join(BUILD, "floor")])
    floor_crypto = Served([os.path.join(BUILD, "floor-crypto")])
    floor_static = Served([os.path.join(BUILD, "floor-static")])
    mcf = subprocess.run([os.path.join(BUILD, "bench-gen"), "-H", SCRYPT],
                         capture_output=True, text=True,
                         check=True).stdout.strip()
    floor_kdf = Served([os.path.join(BUILD, "floor-kdf"), mcf])
    idx = Index()
    u = idx.srv.url
    app = "/v1/repositories/bench/app"
    fl = "floor, four libraries"
    res = table("case (ratio to the four-library floor)", [
        (fl, lambda: ab(floor.url("/"), COUNT)),
        ("floor + libcrypto", lambda: ab(floor_crypto.url("/"), COUNT)),
        ("floor, static, no libraries",
         lambda: ab(floor_static.url("/"), COUNT)),
        ("ping", lambda: ab(u("/v1/_ping"), COUNT)),
        ("token validation (GET images)",
         lambda: ab(u(app + "/images"), COUNT, headers=[idx.token])),
        ("layer access",
         lambda: ab(u(app + "/layer/%s/access" % IMG[0]), COUNT,
                    headers=[idx.token])),
        ("push end (PUT images, Token)",
         lambda: ab(u(app + "/images"), COUNT, put=idx.body,
                    headers=[idx.token])),
        ("/v2/token (refresh token)",
         lambda: ab(u("/v2/token"), COUNT, post=idx.refresh)),
        ("ping, keep-alive (ab -k)",
         lambda: ab(u("/v1/_ping"), COUNT, True)),
        ("token validation, keep-alive",
         lambda: ab(u(app + "/images"), COUNT, True, [idx.token])),
    ], fl)
    conf = {"DINDEX_CONFIG": idx.conf}
    dx = [os.path.join(BUILD, "dindex")]
    get = lambda path, h="": ("GET %s HTTP/1.1\r\nHost: b\r\n%s"
                              "Connection: close\r\n\r\n" % (path, h)).encode()
    refresh = open(idx.refresh).read()
    procs = [
        (fl, [os.path.join(BUILD, "floor")], get("/"), None),
        ("floor + libcrypto", [os.path.join(BUILD, "floor-crypto")],
         get("/"), None),
        ("ping", dx, get("/v1/_ping"), conf),
        ("token validation (GET images)", dx,
         get(app + "/images", idx.token + "\r\n"), conf),
        ("/v2/token (refresh token)", dx, (
            "POST /v2/token HTTP/1.1\r\nHost: b\r\nConnection: close\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: %d\r\n\r\n%s" % (len(refresh), refresh)
        ).encode(), conf),
    ]
    print("\n%-36s %9s %8s %9s" % ("one process, one request (median of "
                                    "%d)" % PROCS, "CPU us", "faults",
                                    "max RSS KB"))
    rss = {}
    for name, argv, req, env in procs:
        c, f, m = per_process(argv, req, env)
        rss[name] = m
        print("%-36s %9.0f %8.0f %9.0f" % (name, c, f, m))
    kdf = "  scrypt %.1f ms alone, %.1f ms with 8 at once" % (
        scrypt_us / 1000, scrypt8_us / 1000)
    fk = "floor + one scrypt verification"
    slow = table("Basic-auth paths (ratio to floor + scrypt)", [
        (fk, lambda: ab(floor_kdf.url("/"), SLOW_COUNT)),
        ("pull (Basic, X-Docker-Token)",
         lambda: ab(u(app + "/images"), SLOW_COUNT,
                    headers=[idx.basic, "X-Docker-Token: true"])),
        ("push start (Basic)",
         lambda: ab(u(app + "/"), SLOW_COUNT, put=idx.body,
                    headers=[idx.basic, "X-Docker-Token: true"])),
        ("/v2/token (Basic)",
         lambda: ab(u(idx.v2basic), SLOW_COUNT, headers=[idx.basic])),
        ("pull (Basic, access token)",
         lambda: ab(u(app + "/images"), SLOW_COUNT,
                    headers=[idx.atok, "X-Docker-Token: true"])),
        ("/v2/token (Basic, access token)",
         lambda: ab(u(idx.v2basic), SLOW_COUNT, headers=[idx.atok])),
    ], fk, {"pull (Basic, X-Docker-Token)": kdf, "push start (Basic)": kdf,
            "/v2/token (Basic)": kdf})
    auth = table("GET /v1/users/ refused (ratio to wrong password)", [
        ("wrong password",
         lambda: ab(u("/v1/users/"), SLOW_COUNT,
                    headers=[basic("bench", "wrongpw")])),
        ("unknown user",
         lambda: ab(u("/v1/users/"), SLOW_COUNT,
                    headers=[basic("nobody", "wrongpw")])),
    ], "wrong password")
    idx.close()

    sizes = []
    for n in SCALES:
        t0 = time.time()
        ix = Index(n)
        sizes.append((n, ix, os.path.getsize(ix.dir + "/index.db") / 1e6,
                      time.time() - t0))
    print("\ndatabases: " + ", ".join(
        "%d users+repos %.0f MB (%.0f s to generate)" % (n, mb, s)
        for n, _, mb, s in sizes))
    cases = []
    for n, ix, _, _ in sizes:
        cases.append(("token validation, %d" % n,
                      lambda ix=ix: ab(ix.srv.url(app + "/images"), COUNT,
                                       headers=[ix.token])))
        cases.append(("pull (Basic), %d" % n,
                      lambda ix=ix: ab(ix.srv.url(app + "/images"),
                                       SLOW_COUNT,
                                       headers=[ix.basic,
                                                "X-Docker-Token: true"])))
    scale = interleaved(cases[0::2], cases[0][0])
    scale.update(interleaved(cases[1::2], cases[1][0]))
    print("\n%-36s %9s %8s %8s %7s" % ("scaling (ratio to 1 000 records)",
                                        "req/s", "p50 ms", "p99 ms",
                                        "ratio"))
    for name, _ in cases:
        r = scale[name]
        print("%-36s %9.1f %8.2f %8.2f %7.2f" % (name, r["rps"], r["p50"],
                                                 r["p99"], r["ratio"]))
    for _, ix, _, _ in sizes:
        ix.close()

    print("\ntargets")
    verdict("token validation / four-library floor",
            res["token validation (GET images)"]["ratio"], 0.95)
    verdict("layer access / four-library floor",
            res["layer access"]["ratio"], 0.95)
    verdict("ping / four-library floor", res["ping"]["ratio"], 0.95)
    verdict("keep-alive token validation / floor + libcrypto",
            res["token validation, keep-alive"]["rps"] /
            res["floor + libcrypto"]["rps"], 4)
    verdict("max RSS of a token validation, MB",
            rss["token validation (GET images)"] / 1024, 3, False)
    verdict("token validation, %d vs %d records (slowdown)" % (
        SCALES[-1], SCALES[0]),
        1 / scale["token validation, %d" % SCALES[-1]]["ratio"], 1.2, False)
    verdict("pull, %d vs %d records (slowdown)" % (SCALES[-1], SCALES[0]),
            1 / scale["pull (Basic), %d" % SCALES[-1]]["ratio"], 1.2, False)
    verdict("pull vs (floor + one scrypt verify), time ratio",
            1 / slow["pull (Basic, X-Docker-Token)"]["ratio"], 1.1, False)
    verdict("push start vs (floor + one scrypt verify), time ratio",
            1 / slow["push start (Basic)"]["ratio"], 1.1, False)
    verdict("pull (Basic, access token) / four-library floor",
            slow["pull (Basic, access token)"]["rps"] / res[fl]["rps"], 0.8)
    verdict("/v2/token (Basic, access token) / four-library floor",
            slow["/v2/token (Basic, access token)"]["rps"] / res[fl]["rps"],
            0.8)
    verdict("unknown user vs wrong password, |time ratio - 1|",
            abs(1 / auth["unknown user"]["ratio"] - 1), 0.1, False)
    floor.stop()
    floor_crypto.stop()
    floor_static.stop()
    floor_kdf.stop()
    deployed_verdicts(deployed())


def deployed_verdicts(got):
    if got is None:
        return 1
    res, exp = got
    print("\ndeployed targets")
    verdict("shipped dindex@.service / dindex under User= only",
            res["dindex, shipped dindex@.service"]["ratio"], 0.5)
    verdict("exposure of dindex@.service", exp["dindex@.service"], 2.5,
            False)
    verdict("exposure of dindex-deliver.service",
            exp["dindex-deliver.service"], 1.0, False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
