"""End to end: a stock registry (Debian docker-registry, distribution 2.8)
with dindex as its token server and notification endpoint; skopeo pushes
and pulls a one-layer OCI image built here (no network). Missing tools
fail the test: `make deps` installs them."""
import glob
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.request

from harness import DELIVER, Server, free_port, stop
from receiver import Receiver
from test_v2_token import ISSUER, PW, SECRET, SERVICE, V2Server, \
    expired_cert

MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def tool(name):
    path = shutil.which(name) or shutil.which(name, path="/usr/bin:/usr/sbin")
    assert path, "%s not installed (make deps installs it)" % name
    return path


class Registry:
    """docker-registry serve on 127.0.0.1, storage and config in a temp
    dir, token auth (auth, else pointing at dindex server s's certificate)
    and notifications pointing at s."""

    def __init__(self, s, auth=None, port=None):
        self.dir = tempfile.mkdtemp(prefix="dindex-registry-")
        self.port = port or free_port()
        conf = os.path.join(self.dir, "config.yml")
        v = {"dir": self.dir, "port": self.port, "dport": s.port,
             "service": SERVICE, "issuer": ISSUER,
             "cert": getattr(s, "crt", ""), "secret": SECRET}
        with open(conf, "w") as f:
            f.write(REGISTRY_CONF % dict(v, auth=auth or AUTH_CONF % v))
        self.log = open(os.path.join(self.dir, "log"), "wb")
        self.proc = subprocess.Popen([tool("docker-registry"), "serve", conf],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                break
            except OSError:
                assert self.proc.poll() is None, self.logtext()
                assert time.time() < deadline, "registry did not start"
                time.sleep(0.05)

    def logtext(self):
        with open(os.path.join(self.dir, "log"), "rb") as f:
            return f.read().decode("utf-8", "replace")[-4000:]

    def close(self):
        stop(self.proc)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


REGISTRY_CONF = """\
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: %(dir)s/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:%(port)d
  secret: test-only-secret
%(auth)s
notifications:
  endpoints:
    - name: dindex
      url: http://127.0.0.1:%(dport)d/v2/notify
      headers:
        Authorization: [Bearer %(secret)s]
      timeout: 2s
      threshold: 5
      backoff: 200ms
"""


AUTH_CONF = """\
auth:
  token:
    realm: http://127.0.0.1:%(dport)d/v2/token
    service: %(service)s
    issuer: %(issuer)s
    rootcertbundle: %(cert)s"""


def build_image(d, tag):
    """A one-layer OCI image layout in d; (manifest digest, manifest)."""
    os.makedirs(os.path.join(d, "blobs", "sha256"))

    def blob(data):
        h = hashlib.sha256(data).hexdigest()
        with open(os.path.join(d, "blobs", "sha256", h), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + h, "size": len(data)}

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        data = b"hello from dindex\n"
        info = tarfile.TarInfo("hello.txt")
        info.size, info.mtime, info.mode = len(data), 0, 0o644
        t.addfile(info, io.BytesIO(data))
    tar = buf.getvalue()
    layer = blob(gzip.compress(tar, mtime=0))
    config = blob(json.dumps({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids":
                   ["sha256:" + hashlib.sha256(tar).hexdigest()]}}).encode())
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": MANIFEST,
        "config": dict(config,
                       mediaType="application/vnd.oci.image.config.v1+json"),
        "layers": [dict(layer, mediaType="application/vnd.oci.image.layer."
                        "v1.tar+gzip")]}).encode()
    m = blob(manifest)
    with open(os.path.join(d, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [dict(
            m, mediaType=MANIFEST,
            annotations={"org.opencontainers.image.ref.name": tag})]}, f)
    with open(os.path.join(d, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    return m["digest"], manifest


class Skopeo:
    def __init__(self, home, port):
        self.env = dict(os.environ, HOME=home, XDG_RUNTIME_DIR=home)
        self.ref = "docker://127.0.0.1:%d/" % port
        self.home = home

    def run(self, *args):
        return subprocess.run([tool("skopeo"), "--insecure-policy"]
                              + list(args), capture_output=True, text=True,
                              env=self.env, timeout=120)

    def push(self, src, name, creds):
        return self.run("copy", "--preserve-digests",
                        "--dest-tls-verify=false",
                        *(["--dest-creds", creds] if creds
                          else ["--dest-no-creds"]),
                        "oci:" + src, self.ref + name)

    def pull(self, name, dst, creds):
        shutil.rmtree(dst, ignore_errors=True)
        return self.run("copy", "--src-tls-verify=false",
                        *(["--src-creds", creds] if creds
                          else ["--src-no-creds"]),
                        self.ref + name, "oci:" + dst + ":v1")


def succeeded(p, what, reg, s):
    assert p.returncode == 0, "%s: %s\n--- registry\n%s\n--- dindex\n%s" % (
        what, p.stderr, reg.logtext(), s.logtext())


def pulled_manifest(dst):
    with open(os.path.join(dst, "index.json")) as f:
        digest = json.load(f)["manifests"][0]["digest"]
    with open(os.path.join(dst, "blobs", "sha256",
                           digest.split(":")[1]), "rb") as f:
        return digest, f.read()


def test_v2_registry_push_pull_end_to_end():
    tool("docker-registry")
    tool("skopeo")
    work = tempfile.mkdtemp(prefix="dindex-e2e-")
    s = reg = None
    rcv = Receiver()
    try:
        s = V2Server(webhook_allow_networks="127.0.0.0/8")
        for u in ("reader", "writer", "nobody", "owner"):
            s.add_user(u, PW)
        s.ctl("perm", "set", "owner", "team/app", "admin")
        s.ctl("perm", "set", "reader", "team/app", "read")
        s.ctl("perm", "set", "writer", "team/app", "write")
        s.ctl("webhook", "add", "team/app", rcv.url, "--events", "new")
        reg = Registry(s)
        sk = Skopeo(work, reg.port)
        src = os.path.join(work, "src")
        digest, manifest = build_image(src, "v1")
        out = os.path.join(work, "out")

        def ok(p, what):
            succeeded(p, what, reg, s)

        def refused(p, what):
            assert p.returncode != 0, "%s was allowed" % what

        # a writer pushes (write is pull,push in v2) and can pull back
        ok(sk.push(src + ":v1", "team/app:v1", "writer:" + PW), "push")
        ok(sk.pull("team/app:v1", out, "writer:" + PW), "writer pull")
        # a reader pulls the identical image but cannot push
        ok(sk.pull("team/app:v1", out, "reader:" + PW), "reader pull")
        assert pulled_manifest(out) == (digest, manifest)
        layer = json.loads(manifest)["layers"][0]["digest"].split(":")[1]
        with open(os.path.join(src, "blobs", "sha256", layer), "rb") as a, \
                open(os.path.join(out, "blobs", "sha256", layer), "rb") as b:
            assert a.read() == b.read()
        refused(sk.push(src + ":v1", "team/app:v2", "reader:" + PW),
                "reader push")
        # a user without grants can do neither; nor a wrong password
        refused(sk.pull("team/app:v1", out, "nobody:" + PW), "nobody pull")
        refused(sk.push(src + ":v1", "team/app:v3", "nobody:" + PW),
                "nobody push")
        refused(sk.pull("team/app:v1", out, "reader:wrong"), "bad password")
        refused(sk.push(src + ":v1", "team/app:v4", "writer:wrong"),
                "bad password push")
        # anonymous: refused while private, allowed once public
        refused(sk.pull("team/app:v1", out, None), "anonymous pull")
        s.ctl("perm", "set", "*", "team/app", "read")
        ok(sk.pull("team/app:v1", out, None), "anonymous public pull")
        assert pulled_manifest(out)[0] == digest
        refused(sk.push(src + ":v1", "team/app:v5", None), "anonymous push")

        # the registry's notification of the push queued the webhook,
        # and dindex-deliver delivers it like a v1 push's
        deadline = time.time() + 20
        while not glob.glob(os.path.join(s.dir, "spool", "new", "*")):
            assert time.time() < deadline, reg.logtext()
            time.sleep(0.1)
        p = subprocess.run([DELIVER, "-c", s.conf_path], capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 0 and len(rcv.got) == 1, (p.stderr, rcv.got)
        assert rcv.got[0]["headers"]["X-Docker-Index-Event"] == "new"
        body = rcv.json(0)
        assert body["repository"] == {"name": "app", "namespace": "team",
                                      "repo_name": "team/app"}
        push = body["push_data"]
        assert push["tags"] == ["v1"] and push["images"] == [digest]
        assert push["pusher"] == "writer"

        # a delete at the registry takes the tag out of dindex's map
        def tags():
            return json.loads(s.ctl("repo", "show", "team/app",
                                    "--json").stdout).get("tags", {})
        assert tags() == {"v1": digest}
        refused(sk.run("delete", "--tls-verify=false", "--creds",
                       "writer:" + PW, sk.ref + "team/app:v1"),
                "writer delete")
        ok(sk.run("delete", "--tls-verify=false", "--creds", "owner:" + PW,
                  sk.ref + "team/app:v1"), "owner delete")
        deadline = time.time() + 20
        while tags():
            assert time.time() < deadline, (tags(), reg.logtext())
            time.sleep(0.1)
    finally:
        rcv.close()
        if reg is not None:
            reg.close()
        if s is not None:
            s.close()
        shutil.rmtree(work, ignore_errors=True)


def test_v2_registry_access_tokens_end_to_end():
    """skopeo with access tokens as passwords: a write token (of user cibot)
    pushes, a read-only one pulls and cannot push, a revoked one can do
    neither."""
    tool("docker-registry")
    tool("skopeo")
    work = tempfile.mkdtemp(prefix="dindex-e2e-")
    s = reg = None
    try:
        s = V2Server()
        s.add_user("cibot", PW)
        s.ctl("perm", "set", "cibot", "team", "write")
        push = s.ctl("token", "add", "cibot", "push", "--scope",
                     "team/app:write").stdout.strip()
        pull = s.ctl("token", "add", "cibot", "pull", "--scope",
                     "team:read").stdout.strip()
        assert push.startswith("dxt_") and pull.startswith("dxt_")
        reg = Registry(s)
        sk = Skopeo(work, reg.port)
        src = os.path.join(work, "src")
        digest, manifest = build_image(src, "v1")
        out = os.path.join(work, "out")
        succeeded(sk.push(src + ":v1", "team/app:v1", "cibot:" + push),
                  "token push", reg, s)
        succeeded(sk.pull("team/app:v1", out, "cibot:" + pull),
                  "read token pull", reg, s)
        assert pulled_manifest(out) == (digest, manifest)
        assert sk.push(src + ":v1", "team/app:v2", "cibot:" + pull) \
            .returncode != 0, "a read-only token pushed"
        assert sk.push(src + ":v1", "team/other:v1", "cibot:" + push) \
            .returncode != 0, "a token pushed outside its scope"
        s.ctl("token", "rm", "cibot", "pull")
        assert sk.pull("team/app:v1", out, "cibot:" + pull).returncode != 0
        log = s.logtext()
        assert push.split("_")[2] not in log and pull.split("_")[2] not in log
    finally:
        if reg is not None:
            reg.close()
        if s is not None:
            s.close()
        shutil.rmtree(work, ignore_errors=True)


def test_v2_registry_key_init_and_rotate():
    """Set-up in three commands (key init, the lines it prints into
    dindex.conf and the registry's config), then key rotate while the
    registry runs: pushes and pulls go on, a token signed before still
    works; an expired certificate makes /v2/token a 503."""
    tool("docker-registry")
    tool("skopeo")
    work = tempfile.mkdtemp(prefix="dindex-keys-e2e-")
    keys = os.path.join(work, "keys")
    s = reg = None
    try:
        s = Server(notify_secret=SECRET)
        s.add_user("writer", PW)
        s.ctl("perm", "set", "writer", "team/app", "write")
        rport = free_port()
        out = s.ctl("key", "init", "--dir", keys, "--realm",
                    "http://127.0.0.1:%d/v2/token" % s.port).stdout
        conf, auth = out.split("# the registry's config.yml\n")
        with open(s.conf_path, "a") as f:      # dindex reads it per request
            f.write(conf)
        reg = Registry(s, auth=auth.rstrip("\n"), port=rport)
        sk = Skopeo(work, reg.port)
        src = os.path.join(work, "src")
        digest, manifest = build_image(src, "v1")
        out = os.path.join(work, "out")
        creds = "writer:" + PW

        def ok(p, what):
            succeeded(p, what, reg, s)

        ok(sk.push(src + ":v1", "team/app:v1", creds), "push")
        ok(sk.pull("team/app:v1", out, creds), "pull")
        assert pulled_manifest(out) == (digest, manifest)
        service = [l.split(" = ")[1] for l in conf.splitlines()
                   if l.startswith("token_service")][0]
        r = s.request("GET", "/v2/token?service=%s&scope=repository:team/"
                      "app:pull" % service, auth=("writer", PW))
        old = r.json()["token"]
        kid = json.loads(s.ctl("key", "show", "--json").stdout)

        s.ctl("key", "rotate")
        new = json.loads(s.ctl("key", "show", "--json").stdout)
        assert new["kid_libtrust"] != kid["kid_libtrust"]
        assert new["ca_expires"] == kid["ca_expires"]
        pid = reg.proc.pid
        ok(sk.push(src + ":v1", "team/app:v2", creds), "push after rotate")
        ok(sk.pull("team/app:v2", out, creds), "pull after rotate")
        assert pulled_manifest(out)[0] == digest
        assert reg.proc.poll() is None and reg.proc.pid == pid

        # the token of the key before still opens the registry
        req = urllib.request.Request(
            "http://127.0.0.1:%d/v2/team/app/manifests/v1" % reg.port,
            headers={"Authorization": "Bearer " + old, "Accept": MANIFEST})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200 and resp.read() == manifest

        # an expired certificate of the signing key: 503, no token
        pem = os.path.join(keys, "token.pem")
        crt = os.path.join(work, "expired.pem")
        expired_cert(pem, crt, os.path.join(keys, "ca.pem"),
                     os.path.join(keys, "ca.key"))
        with open(pem) as f:
            key = f.read().split("-----BEGIN CERTIFICATE-----")[0]
        with open(crt) as c, open(os.path.join(keys, "ca.pem")) as ca, \
                open(pem, "w") as f:
            f.write(key + c.read() + ca.read())
        r = s.request("GET", "/v2/token?service=%s" % service,
                      auth=("writer", PW))
        assert r.status == 503, r
        assert "expired" in r.json()["error"]
        p = sk.pull("team/app:v2", out, creds)
        assert p.returncode != 0, "pull with an expired certificate"
    finally:
        if reg is not None:
            reg.close()
        if s is not None:
            s.close()
        shutil.rmtree(work, ignore_errors=True)
