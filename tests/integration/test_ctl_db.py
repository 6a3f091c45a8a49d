"""dindexctl token gc, dump, load and check: round trips, file modes,
refusals, and check naming records that were corrupted on purpose."""
import glob
import json
import os
import resource
import shutil
import stat
import subprocess
import tempfile
import time

from harness import DINDEXCTL, Server

IMG = "c" * 64
H1 = "0123456789abcdef"


def refused(p, words=""):
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert words in p.stderr, (words, p.stderr)


def dump(s):
    return json.loads(s.ctl("dump").stdout)


def load(s, recs, *args, check=True):
    doc = {"format": "dindex-dump", "version": 1, "records": recs}
    return s.ctl("load", *args, input=json.dumps(doc), check=check)


def repo():
    return {"images": [{"id": IMG, "checksum": "sha256:" + "d" * 64}],
            "tags": {"latest": IMG}, "state": "complete", "created": 1,
            "updated": 2, "pusher": "admin"}


def token(user, name, expires):
    return {"user": user, "repo": name, "access": "read", "expires": expires}


def populated(s):
    """A database with one of every kind of record."""
    s.add_user("alice", email="a@example.com")
    s.ctl("perm", "set", "alice", "team/app", "write")
    s.ctl("perm", "set", "*", "library", "read")
    recs = dump(s)["records"]
    now = int(time.time())
    recs.update({
        "repo:team/app": repo(),
        "hooks:team/app": {H1: {"url": "http://hook/", "events": ["new"],
                                "secret": "s", "active": True,
                                "created": 1}},
        "hist:team/app/" + H1: [{"time": 1, "status": 200, "error": "",
                              "duration_ms": 3, "response": "ok",
                              "delivery": "x", "event": "new"}],
        "token:" + "1" * 64: token("alice", "team/app", now + 600),
        "token:" + "2" * 64: token("alice", "team/app", now - 10),
        "refresh:" + "3" * 64: {"user": "alice", "service": "reg",
                                "created": now}})
    load(s, recs, "--force")
    return recs


def test_dump_format_and_stdout():
    with Server() as s:
        recs = populated(s)
        p = s.ctl("dump")
        doc = json.loads(p.stdout)
        assert doc["format"] == "dindex-dump" and doc["version"] == 1
        assert doc["records"] == recs
        # hashes are in (it is a backup), keys sorted
        assert doc["records"]["user:admin"]["hash"].startswith("$s1$")
        keys = [l.split('"')[1] for l in p.stdout.splitlines()
                if l.startswith('  "')]
        assert keys == sorted(keys) and len(keys) == len(recs)
        assert json.loads(s.ctl("--json", "dump").stdout) == doc


def test_dump_file_mode():
    with Server() as s:
        path = os.path.join(s.dir, "backup.json")
        old = os.umask(0)
        try:
            s.ctl("dump", path)
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
            path2 = os.path.join(s.dir, "existing.json")
            with open(path2, "w") as f:
                f.write("x" * 100000)
            os.chmod(path2, 0o644)
            s.ctl("dump", "-o", path2)
            assert stat.S_IMODE(os.stat(path2).st_mode) == 0o600
        finally:
            os.umask(old)
        with open(path) as f, open(path2) as g:
            a, b = f.read(), g.read()
        assert a == b and a == s.ctl("dump").stdout
        refused(s.ctl("dump", os.path.join(s.dir, "no", "such", "dir"),
                      check=False), "No such file")
        assert s.ctl("dump", "-o", check=False).returncode == 2
        assert s.ctl("dump", "a", "b", check=False).returncode == 2


def test_round_trip():
    with Server() as s:
        populated(s)
        first = s.ctl("dump").stdout
        path = os.path.join(s.dir, "b.json")
        s.ctl("dump", path)
        with Server(init=False) as t:
            assert not os.path.exists(t.settings["database"])
            t.ctl("load", path)            # into a fresh, empty database
            assert t.ctl("dump").stdout == first
            # and the restored accounts work
            r = t.request("GET", "/users", auth=("admin", s.admin_password))
            assert r.status == 200 and r.json() == ["admin", "alice"]
            # from stdin too, replacing everything with --force
            t.ctl("user", "add", "zed1", "--password-stdin",
                  input="secret1\n")
            t.ctl("load", "--force", input=first)
            assert t.ctl("dump").stdout == first
        assert s.ctl("check").returncode == 0


def test_load_refusals():
    with Server() as s:
        before = s.ctl("dump").stdout
        doc = json.loads(before)
        refused(s.ctl("load", input=before, check=False), "not empty")
        for bad in ("", "{", "[]", '{"format": "other", "version": 1, '
                    '"records": {}}', '{"format": "dindex-dump", '
                    '"version": 2, "records": {}}',
                    '{"format": "dindex-dump", "version": 1, '
                    '"records": []}',
                    json.dumps(dict(doc, records={"": {}})),
                    json.dumps(dict(doc, records={"k" * 2000: {}})),
                    json.dumps(dict(doc, records={"repo:a/b": 5})),
                    json.dumps(dict(doc, records={"repo:a/b": "x"}))):
            refused(s.ctl("load", "--force", input=bad, check=False))
        refused(s.ctl("load", os.path.join(s.dir, "missing.json"),
                      check=False), "No such file")
        assert s.ctl("load", "--bogus", check=False).returncode == 2
        assert s.ctl("load", "a", "b", check=False).returncode == 2
        assert s.ctl("dump").stdout == before     # nothing changed


def test_token_gc():
    with Server() as s:
        now = int(time.time())
        recs = dump(s)["records"]
        recs.update({"repo:admin/x": repo(),
                     "token:" + "a" * 64: token("admin", "admin/x", now + 600),
                     "token:" + "b" * 64: token("admin", "admin/x", now - 1),
                     "token:" + "c" * 64: token("admin", "admin/x", now - 900)})
        load(s, recs, "--force")
        s.raw_put("token:" + "d" * 64, {"user": "admin"})
        p = s.ctl("token", "gc")
        assert p.stdout.strip() == "3 expired tokens removed"
        left = [k for k in dump(s)["records"] if k.startswith("token:")]
        assert left == ["token:" + "a" * 64]
        assert json.loads(s.ctl("token", "gc", "--json").stdout) == \
            {"removed": 0}
        assert s.ctl("token", check=False).returncode == 2
        assert s.ctl("token", "frob", check=False).returncode == 2


def check_names(s, good, key, value, words):
    # load refuses a dump holding the bad record, with the same words
    recs = dict(good)
    recs[key] = value
    refused(load(s, recs, "--force", check=False), words)
    load(s, good, "--force")
    s.raw_put(key, value)
    p = s.ctl("check", check=False)
    refused(p, "problems found: 1")
    assert p.stdout.strip().startswith(key + ": "), p.stdout
    assert words in p.stdout, p.stdout
    found = json.loads(s.ctl("check", "--json", check=False).stdout)
    assert [f["key"] for f in found] == [key]


def test_check():
    with Server() as s:
        s.clean_at_close = False    # it leaves damage on purpose
        good = populated(s)
        p = s.ctl("check")
        assert "no problems" in p.stdout
        assert json.loads(s.ctl("check", "--json").stdout) == []
        now = int(time.time())
        bad_repo = dict(repo(), images=[{"id": "not-an-id"}])
        bad_user = dict(good["user:alice"], perms={"team/app": "root"})
        cases = [
            ("token:" + "9" * 64, token("ghost", "team/app", now + 60),
             "ghost"),
            ("token:" + "9" * 64, token("alice", "team/none", now + 60),
             "team/none"),
            ("refresh:" + "9" * 64, {"user": "ghost", "service": "reg",
                                     "created": 1}, "ghost"),
            ("repo:team/bad", bad_repo, "image id"),
            ("repo:team/bad", dict(repo(), state="odd"), "state"),
            ("repo:team/bad", dict(repo(), tags={"latest": "zz"}), "tag"),
            ("repo:Bad/Name", repo(), "repository name"),
            ("repo:team/bad", [], "not an object"),
            ("hist:team/app/h2", {}, "not a list"),
            ("hooks:team/app", {H1: {"url": "http://h/", "events": [1, None],
                                     "secret": "", "active": True,
                                     "created": 1}}, "events"),
            ("hooks:team/app", {"h1": {}}, "webhook h1"),
            ("hist:team/app/" + H1, [{"time": "x"}], "attempt 0"),
            ("token:" + "9" * 64, dict(token("alice", "team/app", now),
                                       access="all"), "access"),
            ("user:alice", bad_user, "grant team/app"),
            ("user:alice", dict(good["user:alice"], name="bert"), "name"),
            ("user:alice", dict(good["user:alice"], hash="plain"), "hash"),
            ("user:alice", dict(good["user:alice"], enabled="yes"),
             "enabled"),
            ("user:alice", dict(good["user:alice"], email="x"), "e-mail"),
            ("user:*", {"name": "*", "perms": {"A/b": "read"}}, "grant"),
            ("widget:x", {}, "unknown record type"),
        ]
        for key, value, words in cases:
            check_names(s, good, key, value, words)
        # what the service itself writes is valid: digests as tags,
        # nested names, webhooks of repositories not pushed yet
        recs = dict(good)
        recs.update({"repo:team/tools/app": dict(repo(), tags={
            "v1": "sha256:" + "e" * 64}),
            "hooks:team/none": {}, "hist:team/none/" + H1: []})
        load(s, recs, "--force")
        assert json.loads(s.ctl("check", "--json").stdout) == []
        # no enabled administrator left
        recs = dict(good)
        recs["user:admin"] = dict(good["user:admin"], enabled=False)
        load(s, recs, "--force")
        p = s.ctl("check", check=False)
        refused(p)
        assert "no enabled administrator" in p.stdout
        # several problems, each named once, sorted by key
        load(s, good, "--force")
        s.raw_put("token:" + "9" * 64, token("ghost", "team/app", now))
        s.raw_put("repo:team/bad", bad_repo)
        p = s.ctl("check", check=False)
        refused(p, "problems found: 2")
        assert [l.split(":")[0] + ":" + l.split(":")[1]
                for l in p.stdout.splitlines()] == [
            "repo:team/bad", "token:" + "9" * 64]
        assert s.ctl("check", "x", check=False).returncode == 2


def with_repos(doc, n):
    recs = dict(doc["records"])
    for i in range(n):
        recs["repo:big/r%05d" % i] = repo()
    return dict(doc, records=recs)


def test_load_force_is_atomic():
    """A load that cannot be written (file size limit) changes nothing."""
    with Server() as s:
        populated(s)
        db = s.settings["database"]
        with open(db, "rb") as f:
            before = f.read()
        big = json.dumps(with_repos(dump(s), 20000))
        limit = 256 * 1024
        assert len(big) > 10 * limit
        p = subprocess.run(
            [DINDEXCTL, "-c", s.conf_path, "load", "--force"], input=big,
            capture_output=True, text=True, timeout=120,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE,
                                                  (limit, limit)))
        refused(p, "unchanged")
        assert "File too large" in p.stderr, p.stderr
        with open(db, "rb") as f:
            assert f.read() == before
        assert glob.glob(db + ".load.*") == []
        assert "no problems" in s.ctl("check").stdout
        # without the limit the same load replaces everything
        s.ctl("load", "--force", input=big)
        assert dump(s) == json.loads(big)
        r = s.request("GET", "/v1/search?q=big/r1999",
                      auth=("admin", s.admin_password))
        assert r.json()["num_results"] == 10, r


def test_dump_load_as_root_in_root_only_directory():
    """The README's backup recipe as root, while the database belongs to
    another user: FILE is opened before dindexctl becomes that user."""
    if os.getuid() != 0:
        return
    with Server() as s:
        populated(s)
        for f in ("", "index.db", "index.db.lock"):
            os.chown(os.path.join(s.dir, f), 65534, 65534)
        safe = tempfile.mkdtemp(prefix="dindex-backup-")
        try:
            path = os.path.join(safe, "dindex.json")
            s.ctl("dump", path)
            st = os.stat(path)
            assert st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o600
            s.ctl("user", "add", "later", "--password-stdin",
                  input="secret1\n")
            s.ctl("load", "--force", path)
            with open(path) as f:
                assert json.load(f) == dump(s)
            assert os.stat(s.settings["database"]).st_uid == 65534
            assert "no problems" in s.ctl("check").stdout
            # a root-owned directory: root loads, the file stays theirs
            os.chown(s.dir, 0, 0)
            os.chmod(s.settings["database"], 0o640)
            s.ctl("load", "--force", path)
            st = os.stat(s.settings["database"])
            assert st.st_uid == 65534 and st.st_mode & 0o777 == 0o640
        finally:
            shutil.rmtree(safe)
