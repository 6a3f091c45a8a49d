"""Registry v2 token server (GET|POST /v2/token) and notifications
(POST /v2/notify), driven over HTTP without a registry. Signatures are
checked with the openssl CLI, independently of dindex's own code."""
import base64
import glob
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse

from harness import Server, basic

SERVICE = "registry.test"
ISSUER = "dindex.test"
SECRET = "notify-secret-0123456789"
PW = "secret1"


def keypair(d, kind="ec", days=30):
    """A key and a self-signed certificate made with the openssl CLI."""
    key, crt = os.path.join(d, "token.key"), os.path.join(d, "token.crt")
    new = (["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
           if kind == "ec" else ["-newkey", "rsa:2048"])
    subprocess.run(["openssl", "req", "-x509", "-nodes", "-days", str(days),
                    "-subj", "/CN=dindex-test", "-keyout", key, "-out", crt]
                   + new, check=True, capture_output=True)
    return key, crt


class V2Server(Server):
    """A dindex configured as token server, with keys made for it."""

    def __init__(self, kind="ec", days=30, **conf):
        self.keydir = tempfile.mkdtemp(prefix="dindex-v2-")
        self.key, self.crt = keypair(self.keydir, kind, days)
        base = {"token_key": self.key, "token_cert": self.crt,
                "token_issuer": ISSUER, "token_service": SERVICE,
                "notify_secret": SECRET}
        base.update(conf)
        super().__init__(**base)

    def close(self):
        super().close()
        shutil.rmtree(self.keydir, ignore_errors=True)

    def token(self, *scopes, auth=None, service=SERVICE, extra=None):
        q = [("service", service)] if service is not None else []
        q += [("scope", sc) for sc in scopes] + list(extra or [])
        return self.request("GET", "/v2/token?" + urllib.parse.urlencode(q),
                            auth=auth)

    def form(self, fields):
        return self.request(
            "POST", "/v2/token", body=urllib.parse.urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"})

    def users(self):
        """reader, writer, owner (admin grant), nobody, boss (admin flag)
        on namespace team; returns nothing."""
        for u in ("reader", "writer", "owner", "nobody"):
            self.add_user(u, PW)
        self.add_user("boss", PW, admin=True)
        self.ctl("perm", "set", "reader", "team/app", "read")
        self.ctl("perm", "set", "writer", "team", "write")
        self.ctl("perm", "set", "owner", "team/app", "admin")


def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jwt(resp):
    """(header, claims, raw token) of a token answer."""
    assert resp.status == 200, resp
    body = resp.json()
    tok = body["token"]
    assert body["access_token"] == tok
    h, c, _ = tok.split(".")
    return json.loads(unb64(h)), json.loads(unb64(c)), tok


def access(resp):
    return {(a["type"], a["name"]): a["actions"]
            for a in jwt(resp)[1]["access"]}


def der_int(b):
    b = b.lstrip(b"\0") or b"\0"
    if b[0] & 0x80:
        b = b"\0" + b
    return b"\x02" + bytes([len(b)]) + b


def verify(tok, keyfile, alg):
    """Check the JWS signature with `openssl dgst -verify`."""
    h, c, sig = tok.split(".")
    raw = unb64(sig)
    if alg.startswith("ES"):
        n = len(raw) // 2
        body = der_int(raw[:n]) + der_int(raw[n:])
        raw = b"\x30" + bytes([len(body)]) + body
    with tempfile.TemporaryDirectory() as d:
        pub = os.path.join(d, "pub")
        subprocess.run(["openssl", "pkey", "-in", keyfile, "-pubout",
                        "-out", pub], check=True, capture_output=True)
        with open(os.path.join(d, "sig"), "wb") as f:
            f.write(raw)
        with open(os.path.join(d, "msg"), "wb") as f:
            f.write(("%s.%s" % (h, c)).encode())
        p = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub,
                            "-signature", os.path.join(d, "sig"),
                            os.path.join(d, "msg")], capture_output=True)
        return p.returncode == 0


def libtrust_kid(keyfile):
    der = subprocess.run(["openssl", "pkey", "-in", keyfile, "-pubout",
                          "-outform", "DER"], check=True,
                         capture_output=True).stdout
    b = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode()
    return ":".join(b[i:i + 4] for i in range(0, 48, 4))


def spool_files(s, seen=None):
    """Deliveries queued in new/ (only those not in seen, which grows)."""
    out = []
    for f in sorted(glob.glob(os.path.join(s.dir, "spool", "new", "*"))):
        if seen is not None and f in seen:
            continue
        with open(f) as fh:
            out.append(json.load(fh))
        if seen is not None:
            seen.add(f)
    return out


def repo_record(s, name):
    """The "repo:<name>" record, read through `dindexctl dump`."""
    dump = json.loads(s.ctl("dump").stdout)
    return dump["records"].get("repo:" + name)


# --- configuration -----------------------------------------------------

def test_v2_libcrypto_loaded_only_to_sign():
    """dindex does not link libcrypto (every connection would pay for
    loading it); the first signature opens it, inside the sandbox.
    dindexctl links it: key init and rotate make keys, off that path."""
    from harness import DINDEX
    out = subprocess.run(["objdump", "-p", DINDEX], capture_output=True,
                         text=True, check=True).stdout
    needed = [l.split()[1] for l in out.splitlines()
              if l.strip().startswith("NEEDED")]
    assert needed and not [n for n in needed if "crypto" in n], needed
    with V2Server() as s:
        s.users()
        r = s.token("repository:team/app:pull", auth=basic("writer", PW))
        assert r.status == 200, r.body
        assert jwt(r)[0]["alg"] == "ES256"


def test_v2_off_without_key():
    with Server() as s:
        assert s.request("GET", "/v2/token?service=x").status == 404
        assert s.request("POST", "/v2/token", body="").status == 404
        r = s.request("POST", "/v2/notify", body="{}",
                      auth="Bearer " + SECRET)
        assert r.status == 404
        assert s.request("GET", "/v2/").status == 404
        assert s.request("GET", "/v1/_ping").status == 200


def test_v2_root_stays_404():
    with V2Server() as s:
        for path in ("/v2/", "/v2"):
            r = s.request("GET", path)
            assert r.status == 404, r
            assert r.header("docker-distribution-api-version") is None


def test_v2_service_must_match():
    with V2Server() as s:
        assert s.token("repository:team/app:pull", service=None).status == 400
        assert s.token("repository:team/app:pull",
                       service="other").status == 400
        assert s.token("repository:team/app:pull").status == 200


# --- grants ------------------------------------------------------------

def test_v2_grants_per_user():
    with V2Server() as s:
        s.users()
        want = "repository:team/app:pull,push,delete"
        cases = {"reader": ["pull"], "writer": ["pull", "push"],
                 "owner": ["pull", "push", "delete"], "nobody": [],
                 "boss": ["pull", "push", "delete"]}
        for user, actions in cases.items():
            a = access(s.token(want, auth=(user, PW)))
            assert a == {("repository", "team/app"): actions}, (user, a)
            assert jwt(s.token(want, auth=(user, PW)))[1]["sub"] == user
        # the intersection with what was asked
        a = access(s.token("repository:team/app:push", auth=("reader", PW)))
        assert a == {("repository", "team/app"): []}
        # own namespace: admin there by default
        a = access(s.token("repository:nobody/x:pull,push,delete",
                           auth=("nobody", PW)))
        assert a == {("repository", "nobody/x"): ["pull", "push", "delete"]}
        # the catalog only for the admin flag
        for user, actions in (("boss", ["*"]), ("owner", [])):
            a = access(s.token("registry:catalog:*", auth=(user, PW)))
            assert a == {("registry", "catalog"): actions}, (user, a)


def test_v2_anonymous_and_public():
    with V2Server() as s:
        s.users()
        r = s.token("repository:team/app:pull")
        assert jwt(r)[1]["sub"] == ""
        assert access(r) == {("repository", "team/app"): []}
        s.ctl("perm", "set", "*", "team/app", "read")
        r = s.token("repository:team/app:pull,push")
        assert access(r) == {("repository", "team/app"): ["pull"]}
        # public grants add to a user's own
        a = access(s.token("repository:team/app:pull,push",
                           auth=("nobody", PW)))
        assert a == {("repository", "team/app"): ["pull"]}


def test_v2_bad_credentials():
    with V2Server() as s:
        s.users()
        sc = "repository:team/app:pull"
        assert s.token(sc, auth=("reader", "wrong")).status == 401
        assert s.token(sc, auth=("ghost", PW)).status == 401
        assert s.token(sc, auth="Basic !!!").status == 401
        assert s.token(sc, auth="Bearer abc").status == 401
        s.ctl("user", "disable", "reader")
        assert s.token(sc, auth=("reader", PW)).status == 401


def test_v2_password_grant_bad_username_logged_as_sent():
    """A user name too long or badly escaped is a 401, logged as far as
    it decoded (make check-valgrind: no uninitialised byte is read)."""
    with V2Server() as s:
        for name, logged in (("a" * 31, "a" * 30), ("%zz", "%"),
                             ("b" * 29 + "%zz", "b" * 29 + "%")):
            r = s.request("POST", "/v2/token", body="grant_type=password&"
                          "service=%s&username=%s&password=x" % (SERVICE,
                                                                  name),
                          headers={"Content-Type":
                                   "application/x-www-form-urlencoded"})
            assert r.status == 401, (name, r)
            assert '401 user=%s repo' % logged in s.logtext(), name


def test_v2_scope_forms():
    with V2Server() as s:
        s.users()
        # repeated parameters, blanks inside one, merged resources
        r = s.token("repository:team/app:pull repository:team/other:pull",
                    "repository:team/app:push",
                    "repository(plugin):team/app:delete",
                    auth=("owner", PW))
        a = jwt(r)[1]["access"]
        assert a == [{"type": "repository", "name": "team/app",
                      "actions": ["pull", "push", "delete"]},
                     {"type": "repository", "name": "team/other",
                      "actions": []}], a
        # names with host:port, multi-component names, invalid names
        r = s.token("repository:localhost:5000/team/app:pull",
                    "repository:team/a/b:pull,push",
                    "repository:Team/App:pull", "repository:app:pull",
                    "other:team/app:pull", auth=("writer", PW))
        assert access(r) == {
            ("repository", "localhost:5000/team/app"): [],
            ("repository", "team/a/b"): ["pull", "push"],
            ("repository", "Team/App"): [],
            ("repository", "app"): [],
            ("other", "team/app"): []}
        # a one-component name is in namespace library, as in v1
        s.ctl("perm", "set", "writer", "library/app", "read")
        assert access(s.token("repository:app:pull,push",
                              auth=("writer", PW))) == {
            ("repository", "app"): ["pull"]}
        # no scope at all: a token with an empty access list (docker login)
        assert jwt(s.token(auth=("writer", PW)))[1]["access"] == []
        for bad in ("repository:team/app", "team/app", "repository::pull",
                    "repository:team/app:pull,"):
            assert s.token(bad, auth=("writer", PW)).status == 400, bad
        many = " ".join("repository:team/r%d:pull" % i for i in range(33))
        assert s.token(many).status == 400


# --- the token itself ----------------------------------------------------

def check_jwt(s, alg):
    s.add_user("writer", PW)
    r = s.token("repository:writer/app:pull", auth=("writer", PW))
    body = r.json()
    assert isinstance(body["expires_in"], int) and body["expires_in"] >= 60
    assert r.header("cache-control") == "no-store"
    h, c, tok = jwt(r)
    assert h["typ"] == "JWT" and h["alg"] == alg
    assert h["kid"] == libtrust_kid(s.key)
    with open(s.crt) as f:
        pem = "".join(l.strip() for l in f if not l.startswith("-----"))
    assert h["x5c"] == [pem]
    assert c["iss"] == ISSUER and c["sub"] == "writer"
    assert c["aud"] == SERVICE            # a string, not a list
    for k in ("exp", "nbf", "iat"):
        assert type(c[k]) is int, k
    assert c["exp"] - c["iat"] == body["expires_in"]
    assert c["nbf"] == c["iat"] - 10
    assert abs(c["iat"] - time.time()) < 60
    assert isinstance(c["jti"], str) and len(c["jti"]) >= 16
    assert c["jti"] != jwt(s.token(auth=("writer", PW)))[1]["jti"]
    assert verify(tok, s.key, alg)
    assert not verify(tok[:-2] + ("AA" if tok[-2:] != "AA" else "BB"),
                      s.key, alg)


def test_v2_jwt_es256():
    with V2Server(token_v2_ttl=120) as s:
        check_jwt(s, "ES256")
        assert s.token().json()["expires_in"] == 120


def test_v2_jwt_rs256():
    with V2Server(kind="rsa") as s:
        check_jwt(s, "RS256")


def test_v2_unusable_key_is_503():
    with V2Server() as s:
        os.unlink(s.key)
        assert s.token().status == 503


def expired_cert(keyfile, out, ca=None, cakey=None):
    """A certificate of keyfile valid in January 2020 only (OpenSSL 3.0's
    req and x509 take no date in the past; ca does), self-signed or by the
    CA given."""
    with tempfile.TemporaryDirectory() as d:
        csr, cnf = os.path.join(d, "csr"), os.path.join(d, "cnf")
        open(os.path.join(d, "index.txt"), "w").close()
        with open(cnf, "w") as f:
            f.write("[ca]\ndefault_ca = d\n[d]\ndatabase = %s/index.txt\n"
                    "new_certs_dir = %s\nrand_serial = yes\n"
                    "default_md = sha256\npolicy = p\n[p]\n"
                    "commonName = supplied\n" % (d, d))
        subprocess.run(["openssl", "req", "-new", "-key", keyfile, "-subj",
                        "/CN=expired", "-out", csr], check=True,
                       capture_output=True)
        signer = (["-cert", ca, "-keyfile", cakey] if ca
                  else ["-selfsign", "-keyfile", keyfile])
        subprocess.run(["openssl", "ca", "-batch", "-config", cnf, "-in", csr,
                        "-out", out, "-notext", "-startdate", "20200101000000Z",
                        "-enddate", "20200102000000Z"] + signer, check=True,
                       capture_output=True)


def test_v2_expired_certificate_is_503():
    """not a token every registry would refuse: a 503 that says why"""
    with V2Server() as s:
        expired_cert(s.key, s.crt)
        r = s.token()
        assert r.status == 503, r
        assert r.json()["error"] == "token certificate expired or not yet " \
            "valid", r.body
        assert "expired or not yet valid" in s.logtext()


WARNING = "the certificate expires within 14 days"


def two_requests(s):
    """Two token requests on one kept-alive connection."""
    q = "GET /v2/token?service=%s HTTP/1.1\r\nHost: x\r\n" % SERVICE
    data = s.raw((q + "\r\n" + q + "Connection: close\r\n\r\n").encode())
    assert data.count(b"HTTP/1.1 200") == 2, data[:300]


def test_v2_certificate_expiring_soon_warns_once_per_connection():
    with V2Server(days=5) as s:
        two_requests(s)
        assert s.logtext().count(WARNING) == 1, s.logtext()
        assert s.token().status == 200     # a token still, and a warning
        assert s.logtext().count(WARNING) == 2
    with V2Server(days=30) as s:
        two_requests(s)
        assert WARNING not in s.logtext()


def keys_server(d, **conf):
    """A dindex with the keys of `dindexctl key init --dir d`."""
    pem = os.path.join(d, "token.pem")
    s = V2Server(**conf)
    s.ctl("key", "init", "--dir", d)
    s.settings.update(token_key=pem, token_cert=pem)
    s.write_conf(s.settings)
    return s


def test_v2_key_init_chain_in_x5c():
    """x5c is token.pem's chain, leaf first, and openssl verifies it to the
    CA; kid is libtrust's unless token_kid = thumbprint."""
    d = tempfile.mkdtemp(prefix="dindex-keys-")
    try:
        with keys_server(os.path.join(d, "k")) as s:
            h, _, tok = jwt(s.token())
            certs = []
            for i, der in enumerate(h["x5c"]):
                p = os.path.join(d, "c%d.pem" % i)
                certs.append(p)
                subprocess.run(["openssl", "x509", "-inform", "DER", "-out",
                                p], input=base64.b64decode(der), check=True,
                               capture_output=True)
            assert len(certs) == 2
            ca = os.path.join(d, "k", "ca.pem")
            p = subprocess.run(["openssl", "verify", "-CAfile", ca,
                                "-untrusted", certs[1], certs[0]],
                               capture_output=True, text=True)
            assert p.returncode == 0, p.stdout + p.stderr
            with open(ca) as a, open(certs[1]) as b:
                assert a.read() == b.read()
            assert verify(tok, s.settings["token_key"], "ES256")
            show = json.loads(s.ctl("key", "show", "--json").stdout)
            assert h["kid"] == show["kid_libtrust"]
            assert h["kid"] == libtrust_kid(s.settings["token_key"])
            s.settings["token_kid"] = "thumbprint"
            s.write_conf(s.settings)
            h, _, _ = jwt(s.token())
            assert h["kid"] == show["kid_thumbprint"]
            jwk = json.loads(s.ctl("key", "jwks").stdout)["keys"][0]
            assert jwk["kid"] == h["kid"] and jwk["use"] == "sig"
            req = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
            dig = hashlib.sha256(json.dumps(req, sort_keys=True, separators=(
                ",", ":")).encode()).digest()
            assert h["kid"] == base64.urlsafe_b64encode(dig).decode() \
                .rstrip("=")
    finally:
        shutil.rmtree(d, ignore_errors=True)


# --- POST and refresh tokens ---------------------------------------------

def test_v2_post_password_and_refresh():
    with V2Server() as s:
        s.users()
        f = {"grant_type": "password", "username": "writer",
             "password": PW, "service": SERVICE, "client_id": "test",
             "scope": "repository:team/app:pull repository:team/x:push"}
        r = s.form(f)
        assert "refresh_token" not in r.json()
        assert access(r) == {("repository", "team/app"): ["pull"],
                             ("repository", "team/x"): ["push"]}
        # '+' is a blank in a form
        r = s.request("POST", "/v2/token", body=(
            "grant_type=password&username=writer&password=%s&service=%s"
            "&scope=repository:team/app:pull+repository:team/y:push"
            % (PW, SERVICE)))
        assert access(r) == {("repository", "team/app"): ["pull"],
                             ("repository", "team/y"): ["push"]}
        assert s.form(dict(f, password="wrong")).status == 401
        assert s.form(dict(f, service="other")).status == 400
        assert s.form(dict(f, grant_type="magic")).status == 400
        r = s.form(dict(f, access_type="offline"))
        rt = r.json()["refresh_token"]
        assert len(rt) >= 32
        g = {"grant_type": "refresh_token", "refresh_token": rt,
             "service": SERVICE, "client_id": "test",
             "scope": "repository:team/app:push"}
        r = s.form(g)
        assert r.json()["refresh_token"] == rt
        assert jwt(r)[1]["sub"] == "writer"
        assert access(r) == {("repository", "team/app"): ["push"]}
        assert s.form(dict(g, refresh_token="0" * len(rt))).status == 401
        assert s.form(dict(g, refresh_token="junk")).status == 401
        assert s.form(dict(g, service="other")).status == 400
        # a second offline login gets a token of its own
        rt2 = s.form(dict(f, access_type="offline")).json()["refresh_token"]
        assert rt2 != rt
        # disabling the user revokes its refresh tokens for good
        s.ctl("user", "disable", "writer")
        assert s.form(g).status == 401
        s.ctl("user", "enable", "writer")
        assert s.form(g).status == 401
        assert s.form(dict(g, refresh_token=rt2)).status == 401
        # so does deleting it, even if the name comes back
        rt3 = s.form(dict(f, access_type="offline")).json()["refresh_token"]
        assert s.form(dict(g, refresh_token=rt3)).status == 200
        s.ctl("user", "del", "writer")
        assert s.form(dict(g, refresh_token=rt3)).status == 401
        s.add_user("writer", PW)
        assert s.form(dict(g, refresh_token=rt3)).status == 401


def test_v2_get_offline_token():
    with V2Server() as s:
        s.users()
        r = s.token("repository:team/app:pull", auth=("reader", PW),
                    extra=[("offline_token", "true"), ("client_id", "t"),
                           ("account", "reader")])
        rt = r.json()["refresh_token"]
        r = s.form({"grant_type": "refresh_token", "refresh_token": rt,
                    "service": SERVICE,
                    "scope": "repository:team/app:pull"})
        assert access(r) == {("repository", "team/app"): ["pull"]}
        # anonymous callers get no refresh token
        r = s.token("repository:team/app:pull",
                    extra=[("offline_token", "true")])
        assert r.status == 200 and "refresh_token" not in r.json()


# --- notifications -------------------------------------------------------

MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def event(repo, tag, digest, action="push", media=MANIFEST, actor="writer"):
    return {"id": "e1", "timestamp": "2024-01-01T00:00:00Z",
            "action": action, "actor": {"name": actor},
            "target": {"mediaType": media, "size": 100, "digest": digest,
                       "length": 100, "repository": repo, "tag": tag,
                       "url": "http://r/v2/%s/manifests/%s" % (repo, digest)},
            "request": {"id": "r1", "method": "PUT"}}


def notify(s, *events, auth="Bearer " + SECRET):
    return s.request("POST", "/v2/notify", body={"events": list(events)},
                     auth=auth)


def test_v2_notify_auth():
    with V2Server() as s:
        assert notify(s, auth=None).status == 401
        assert notify(s, auth="Bearer wrong").status == 401
        assert notify(s, auth="Bearer " + SECRET + "x").status == 401
        assert notify(s, auth=basic("admin", SECRET)).status == 401
        assert notify(s).status == 200
        r = s.request("POST", "/v2/notify", body="not json",
                      auth="Bearer " + SECRET)
        assert r.status == 400
        r = s.request("POST", "/v2/notify", body={"events": {}},
                      auth="Bearer " + SECRET)
        assert r.status == 400
        many = [event("team/app", "t", "sha256:" + "a" * 64,
                      action="pull")] * 101
        assert notify(s, *many).status == 413
    with V2Server(notify_secret="") as s:
        assert notify(s).status == 404


def test_v2_notify_records_tags_and_queues_hooks():
    d1, d2 = "sha256:" + "1" * 64, "sha256:" + "2" * 64
    with V2Server(webhook_allow_networks="127.0.0.0/8") as s:
        s.ctl("webhook", "add", "team/app", "http://127.0.0.1:9/hook",
              "--events", "new,existing")
        seen = set()
        # ignored: blobs, pulls, untagged manifests, bad names
        r = notify(s, event("team/app", "v1", d1,
                            media="application/octet-stream"),
                   event("team/app", "v1", d1, action="pull"),
                   event("team/app", None, d1),
                   event("Team/App", "v1", d1),
                   event("team/app", "v1", "md5:xyz"))
        assert r.status == 200 and spool_files(s, seen) == []
        assert notify(s, event("team/app", "v1", d1)).status == 200
        rec = repo_record(s, "team/app")
        assert rec["tags"] == {"v1": d1} and rec["state"] == "complete"
        assert rec["pusher"] == "writer"
        q = spool_files(s, seen)
        assert [x["event"] for x in q] == ["new"], q
        p = q[0]["payload"]
        assert p["push_data"]["tags"] == ["v1"]
        assert p["push_data"]["images"] == [d1]
        assert p["push_data"]["pusher"] == "writer"
        assert p["repository"] == {"name": "app", "namespace": "team",
                                   "repo_name": "team/app"}
        # the same digest again is "existing"; another one is "new"
        assert notify(s, event("team/app", "v1", d1)).status == 200
        assert [x["event"] for x in spool_files(s, seen)] == ["existing"]
        assert notify(s, event("team/app", "v1", d2,
                               media="application/vnd.docker.distribution."
                               "manifest.v2+json")).status == 200
        assert [x["event"] for x in spool_files(s, seen)] == ["new"]
        assert repo_record(s, "team/app")["tags"] == {"v1": d2}
        # multi-component and one-component names
        assert notify(s, event("team/a/b", "x", d1),
                      event("solo", "x", d1)).status == 200
        assert repo_record(s, "team/a/b")["tags"] == {"x": d1}
        assert repo_record(s, "library/solo")["tags"] == {"x": d1}
        assert spool_files(s, seen) == []
