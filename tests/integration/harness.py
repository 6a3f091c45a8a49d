"""Integration harness: run the real dindex under systemd-socket-activate
with a temporary config and database, and talk HTTP to it.

    with Server() as s:
        r = s.request("GET", "/v1/_ping")
        assert r.status == 200
"""
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("DINDEX_BUILD", "build"))
DINDEX = os.path.join(BUILD, "dindex")
DINDEXCTL = os.path.join(BUILD, "dindexctl")
DELIVER = os.path.join(BUILD, "dindex-deliver")
FAST_SCRYPT = "1024:8:1"
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:", "VALGRIND-REPORT")
# make check-valgrind: every dindex under memcheck; any report fails
VALGRIND = ["valgrind", "-q", "--leak-check=full", "--show-leak-kinds=all",
            "--errors-for-leak-kinds=all", "--error-markers=VALGRIND-REPORT,"
            "VALGRIND-END", "--suppressions=" + os.path.join(os.path.dirname(
                os.path.abspath(__file__)), "..", "valgrind.supp")
            ] if os.environ.get("DINDEX_VALGRIND") else []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc):
    """Terminate proc; kill it if it is still there after 5 s."""
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def basic(user, password):
    raw = ("%s:%s" % (user, password)).encode()
    return "Basic " + base64.b64encode(raw).decode()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers      # list of (lower-case name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k == name.lower():
                return v
        return None

    def header_all(self, name):
        return [v for k, v in self.headers if k == name.lower()]

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<%d %r %r>" % (self.status, self.headers, self.body[:200])


def recv_to_eof(sock):
    """Every byte the peer sends until it closes."""
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def parse_response(data):
    """Parse one response from bytes; returns (Response, rest)."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("incomplete response: %r" % data[:200])
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.append((k.strip().lower(), v.strip()))
    n = int(dict(headers).get("content-length", "0"))
    if len(rest) < n:
        raise ValueError("short body")
    return Response(status, headers, rest[:n]), rest[n:]


class Server:
    """One dindex behind systemd-socket-activate on a free port."""

    def __init__(self, inetd=True, init=True, **conf):
        self.dir = tempfile.mkdtemp(prefix="dindex-test-")
        self.port = free_port()
        self.conf_path = os.path.join(self.dir, "dindex.conf")
        self.log_path = os.path.join(self.dir, "log")
        settings = {"database": os.path.join(self.dir, "index.db"),
                    "spool": os.path.join(self.dir, "spool"),
                    "scrypt": FAST_SCRYPT}
        settings.update({k: str(v) for k, v in conf.items()})
        self.write_conf(settings)
        self.admin_password = None
        # after every test's traffic, dindexctl check must find nothing;
        # a test that damages the database on purpose turns this off
        self.clean_at_close = init
        if init:
            out = self.ctl("init").stdout
            m = re.search(r"password:\s+(\S+)", out)
            self.admin_password = m.group(1) if m else None
        self.log = open(self.log_path, "ab")
        args = self.activator(VALGRIND + [DINDEX], inetd)
        self.proc = subprocess.Popen(args, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.wait_listening()

    def activator(self, program, inetd=True):
        """The systemd-socket-activate command line that runs program."""
        args = ["systemd-socket-activate", "--accept"]
        if inetd:
            args.append("--inetd")
        args += ["-l", "127.0.0.1:%d" % self.port,
                 "-E", "DINDEX_CONFIG=" + self.conf_path]
        # the activator passes only what -E names: hand on sanitizer options
        for var in ("ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"):
            if var in os.environ:
                args += ["-E", var + "=" + os.environ[var]]
        return args + program

    def write_conf(self, settings):
        self.settings = settings
        with open(self.conf_path, "w") as f:
            for k, v in settings.items():
                f.write("%s = %s\n" % (k, v))

    def wait_listening(self):
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port),
                                         timeout=1).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("dindex did not start listening")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        stop(self.proc)
        self.log.close()
        if self.clean_at_close and os.path.exists(self.settings["database"]):
            p = self.ctl("check", check=False)
            if p.returncode != 0:
                shutil.rmtree(self.dir, ignore_errors=True)
                raise AssertionError("dindexctl check after the test: " +
                                     p.stdout + p.stderr)
        # the activator echoes the command line: leave those lines out
        log = "\n".join(l for l in self.logtext().splitlines()
                        if not l.startswith(("Spawned ", "Execing ")))
        shutil.rmtree(self.dir, ignore_errors=True)
        # under make check-asan, a sanitizer report in dindex fails the test
        for mark in SANITIZER_MARKS:
            if mark in log:
                i = log.index(mark)
                raise AssertionError("sanitizer: " + log[i:i + 2000])

    def logtext(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    # --- tools -------------------------------------------------------
    def ctl(self, *args, input=None, check=True):
        p = subprocess.run([DINDEXCTL, "-c", self.conf_path] + list(args),
                           input=input, capture_output=True, text=True,
                           timeout=120)
        if check and p.returncode != 0:
            raise AssertionError("dindexctl %s: %d %s" %
                                 (" ".join(args), p.returncode, p.stderr))
        return p

    def add_user(self, name, password="secret1", admin=False, email=None):
        args = ["user", "add", name, "--password-stdin"]
        if admin:
            args.append("--admin")
        if email:
            args += ["--email", email]
        self.ctl(*args, input=password + "\n")

    def raw_put(self, key, value):
        """Write a record past every validator, straight into GDBM (to
        test what check and the handlers do with damage). Debian's
        python3 has the gdbm module (python3-gdbm)."""
        data = value if isinstance(value, bytes) else json.dumps(
            value, sort_keys=True, separators=(",", ":")).encode()
        code = ("import dbm.gnu, sys\n"
                "d = dbm.gnu.open(sys.argv[1], 'wu')\n"
                "d[sys.argv[2].encode()] = sys.stdin.buffer.read()\n"
                "d.close()\n")
        subprocess.run(["/usr/bin/python3", "-c", code,
                        self.settings["database"], key], input=data,
                       check=True, timeout=30)

    # --- HTTP --------------------------------------------------------
    def connect(self, timeout=10):
        return socket.create_connection(("127.0.0.1", self.port),
                                        timeout=timeout)

    def raw(self, data, timeout=10, shutdown=False, one=False):
        """Send bytes on a fresh connection; read until the server closes
        (or, with one, until one whole response has arrived)."""
        with self.connect(timeout) as c:
            try:
                c.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass    # the server may answer early (413) and close
            if shutdown:
                c.shutdown(socket.SHUT_WR)
            out = b""
            while True:
                try:
                    chunk = c.recv(65536)
                except (ConnectionResetError, socket.timeout):
                    break
                if not chunk:
                    break
                out += chunk
                if one:
                    try:
                        parse_response(out)
                        break
                    except ValueError:
                        pass
            return out

    def request(self, method, path, body=None, headers=None, auth=None,
                timeout=20):
        """One request on its own connection (Connection: close)."""
        hdrs = {"Host": "127.0.0.1:%d" % self.port, "Connection": "close"}
        if auth is not None:
            hdrs["Authorization"] = (basic(*auth) if isinstance(auth, tuple)
                                     else auth)
        if isinstance(body, (list, dict)):
            body = json.dumps(body)
            hdrs["Content-Type"] = "application/json"
        if isinstance(body, str):
            body = body.encode()
        if body is not None:
            hdrs["Content-Length"] = str(len(body))
        hdrs.update(headers or {})
        head = "%s %s HTTP/1.1\r\n" % (method, path)
        head += "".join("%s: %s\r\n" % kv for kv in hdrs.items()) + "\r\n"
        data = self.raw(head.encode() + (body or b""), timeout=timeout)
        resp, _ = parse_response(data)
        return resp
