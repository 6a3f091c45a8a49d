"""A Debian 12 container booted with systemd-nspawn, dindex installed in
it as the README's Production section says: the shipped units under a real
systemd, on the host's network. Used by test_deployed.py and make bench.

The Debian root is made once with debootstrap and cached under build/;
every Container works on a fresh copy of it. The binaries are always
normal (not ASan: they would need libasan inside the root), built here
with a clean make environment into build-deploy/ with PREFIX=/usr, so
the paths they bake in never leak into build/, which the rest of the
suite tests."""
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from harness import ROOT, Server, free_port

SUITE = "bookworm"
MIRROR = os.environ.get("DINDEX_DEBIAN_MIRROR", "http://deb.debian.org/debian")
PKGS = ["systemd", "systemd-sysv", "dbus", "libgdbm6", "libjansson4",
        "libscrypt0", "libcurl4", "curl"]
CACHE = os.path.join(ROOT, "build")
# nspawn 252's own filter on the whole container predates Landlock
LANDLOCK = "landlock_create_ruleset landlock_add_rule landlock_restrict_self"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def clean_env():
    """The environment without the outer make's variables: make exports
    its command-line variables, so BUILD, CC, OPT and SAN of make
    check-asan would otherwise build build/ with ASan."""
    return {k: v for k, v in os.environ.items()
            if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES",
                         "DINDEX_BUILD", "BUILD", "CC", "OPT", "SAN",
                         "CFLAGS", "LDFLAGS")}


def nspawn_missing():
    """Why this machine cannot boot a container, or None."""
    if os.geteuid() != 0:
        return "not root"
    for tool in ("systemd-nspawn", "debootstrap", "nsenter"):
        if shutil.which(tool) is None:
            return tool + " is not installed (make deps)"
    return None


def debian_root(extra=()):
    """The cached pristine root (debootstrap --variant=minbase)."""
    name = "debian-root" + "".join("-" + p for p in extra)
    path = os.path.join(CACHE, name)
    os.makedirs(CACHE, exist_ok=True)
    with open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)     # the bench may build it too
        if not os.path.isdir(path):
            tmp = path + ".tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            p = subprocess.run(
                ["debootstrap", "--variant=minbase",
                 "--include=" + ",".join(PKGS + list(extra)), SUITE, tmp,
                 MIRROR], capture_output=True, text=True)
            if p.returncode != 0:
                raise RuntimeError("debootstrap failed:\n" + p.stdout[-3000:]
                                   + p.stderr[-3000:])
            os.rename(tmp, path)
    return path


def readme_production_steps():
    """The command lines of the README's Production block, comments cut."""
    text = open(os.path.join(ROOT, "README.md")).read()
    block = text.split("\n## Production\n", 1)[1].lstrip("\n")
    steps = []
    for line in block.split("\n"):
        if not line.startswith("    "):
            break
        steps.append(line.split("#", 1)[0].strip())
    return steps


class Container:
    """A booted copy of the root; exec() runs a command inside it."""

    def __init__(self, extra=(), before_boot=None):
        base = debian_root(extra)
        self.root = tempfile.mkdtemp(prefix="nspawn.", dir=CACHE)
        subprocess.run(["cp", "-a", "--reflink=auto", base + "/.",
                        self.root], check=True)
        if before_boot:
            before_boot(self)
        self.log = os.path.join(self.root + ".log")
        self.proc = subprocess.Popen(
            ["systemd-nspawn", "-q", "-b", "--register=no", "--keep-unit",
             "--console=read-only", "--system-call-filter=" + LANDLOCK,
             "-D", self.root],
            stdin=subprocess.DEVNULL, stdout=open(self.log, "w"),
            stderr=subprocess.STDOUT, start_new_session=True)
        self.leader = self._leader()
        for _ in range(300):
            # "offline" (or no answer) until init has its socket up
            p = self.exec("systemctl is-system-running --wait", check=False)
            out = p.stdout.strip()
            if out not in ("offline", ""):
                break
            time.sleep(0.2)
        if out not in ("running", "degraded"):
            raise RuntimeError("container did not boot (%s %s):\n%s" % (
                out, p.stderr, self.logtext()))

    def logtext(self):
        return open(self.log, errors="replace").read()[-4000:]

    def _leader(self):
        """PID (host view) of the container's init."""
        for _ in range(600):
            if self.proc.poll() is not None:
                raise RuntimeError("systemd-nspawn exited %d:\n%s" % (
                    self.proc.returncode, self.logtext()))
            todo = [self.proc.pid]
            while todo:
                pid = todo.pop()
                try:
                    status = open("/proc/%d/status" % pid).read()
                    kids = open("/proc/%d/task/%d/children" %
                                (pid, pid)).read().split()
                except OSError:
                    continue
                ns = re.search(r"^NSpid:\s+(.*)$", status, re.M)
                if ns and ns.group(1).split()[-1] == "1" and pid != \
                        self.proc.pid:
                    return pid
                todo += [int(k) for k in kids]
            time.sleep(0.05)
        raise RuntimeError("no init in the container:\n" + self.logtext())

    def exec(self, cmd, input=None, check=True, timeout=120):
        """sh -c cmd inside the container, as root."""
        p = subprocess.run(
            ["nsenter", "-t", str(self.leader), "-a", "env", "-i",
             "PATH=" + PATH, "LANG=C.UTF-8", "sh", "-c", cmd],
            input=input, capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError("in container: %s: exit %d\n%s%s" % (
                cmd, p.returncode, p.stdout, p.stderr))
        return p

    def path(self, p):
        return os.path.join(self.root, p.lstrip("/"))

    def write(self, p, text):
        os.makedirs(os.path.dirname(self.path(p)), exist_ok=True)
        with open(self.path(p), "w") as f:
            f.write(text)

    def install(self):
        """make install DESTDIR=<root> PREFIX=/usr, from build-deploy/."""
        for target in ("all", "install"):
            p = subprocess.run(["make", "-s", "-j2", "-C", ROOT, target,
                                "BUILD=build-deploy", "DESTDIR=" + self.root,
                                "PREFIX=/usr"], env=clean_env(),
                               capture_output=True, text=True)
            if p.returncode != 0:
                raise RuntimeError("make %s: %s" % (target, p.stderr))

    def set_conf(self, settings):
        """Set keys of the installed dindex.conf, as an operator edits it."""
        path = self.path("/etc/dindex/dindex.conf")
        lines = open(path).read().split("\n")
        for key, value in settings.items():
            new = "%s = %s" % (key, value)
            at = [i for i, l in enumerate(lines)
                  if re.match(r"#?%s\s*=" % key, l)]
            if at:
                lines[at[0]] = new
            else:
                lines.append(new)
        with open(path, "w") as f:
            f.write("\n".join(lines))

    def deploy(self, port, conf=None, before_steps=None):
        """The README's production steps, literally: the make line on the
        host into the root, every other line inside (sudo dropped). A
        drop-in moves the socket to port; conf goes into the installed
        dindex.conf. Returns the output of dindexctl init."""
        outputs = {}
        for step in readme_production_steps():
            if step.startswith("make"):
                self.install()
                self.write("/etc/systemd/system/dindex.socket.d/port.conf",
                           "[Socket]\nListenStream=\n"
                           "ListenStream=127.0.0.1:%d\n" % port)
                self.set_conf(conf or {})
                if before_steps:
                    before_steps(self)
                continue
            cmd = step.replace("sudo ", "")
            outputs[cmd] = self.exec(cmd).stdout
        init = [v for k, v in outputs.items() if "dindexctl init" in k]
        return init[0] if init else ""

    def journal(self, *match):
        return self.exec("journalctl -q --no-pager -o json " +
                         " ".join(match), check=False).stdout

    def stop(self):
        if self.proc.poll() is None:
            # nspawn turns SIGTERM into an orderly shutdown of a booted init
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if not os.environ.get("DINDEX_KEEP_ROOT"):
            shutil.rmtree(self.root, ignore_errors=True)
            if os.path.exists(self.log):
                os.unlink(self.log)


class Remote:
    """HTTP to a port of the container (the harness's request helpers)."""
    connect = Server.connect
    raw = Server.raw
    request = Server.request

    def __init__(self, port):
        self.port = port


def wait_listening(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nothing listens on %d" % port)


__all__ = ["Container", "Remote", "free_port", "nspawn_missing",
           "wait_listening", "clean_env"]
