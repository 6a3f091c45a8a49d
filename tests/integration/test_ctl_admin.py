"""dindexctl user, perm and repo commands: tables, --json, exit statuses
0/1/2, the rules shared with the management API, and CLI writes racing
HTTP writes."""
import json
import subprocess
import threading
import time

from harness import DINDEXCTL, Server


def adm(s):
    return ("admin", s.admin_password)


def refused(p, words=""):
    """Exit 1 with one line on stderr."""
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dindexctl: "), p.stderr
    assert words in lines[0], (words, lines)


def usage(p):
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "usage:" in p.stderr


def records(s):
    return json.loads(s.ctl("dump").stdout)["records"]


def add_records(s, extra):
    recs = records(s)
    recs.update(extra)
    doc = {"format": "dindex-dump", "version": 1, "records": recs}
    s.ctl("load", "--force", input=json.dumps(doc))


def repo(state="complete"):
    img = "b" * 64
    return {"images": [{"id": img}], "tags": {"latest": img},
            "state": state, "created": 1, "updated": 1700000000,
            "pusher": "admin"}


def token(user, repo_name, expires=None):
    return {"user": user, "repo": repo_name, "access": "write",
            "expires": int(time.time()) + 600 if expires is None
            else expires}


def test_user_add_list_show():
    with Server() as s:
        s.add_user("alice", email="a@example.com")
        s.add_user("boss", admin=True)
        out = s.ctl("user", "list").stdout.splitlines()
        assert out[0].split() == ["NAME", "ENABLED", "ADMIN", "LEGACY",
                                  "EMAIL"]
        assert [l.split()[0] for l in out[1:]] == ["admin", "alice", "boss"]
        users = json.loads(s.ctl("user", "list", "--json").stdout)
        assert sorted(users) == ["admin", "alice", "boss"]
        assert all("hash" not in u for u in users.values())
        p = s.ctl("user", "show", "alice")
        assert "a@example.com" in p.stdout and "SCOPE" in p.stdout
        u = json.loads(s.ctl("--json", "user", "show", "boss").stdout)
        assert u["admin"] is True and "hash" not in u
        refused(s.ctl("user", "show", "nobody", check=False),
                "no such user")
        refused(s.ctl("user", "show", "*", check=False), "invalid user")
        refused(s.ctl("user", "add", "alice", "--password-stdin",
                      input="secret1\n", check=False), "user exists")
        refused(s.ctl("user", "add", "Bad", "--password-stdin",
                      input="secret1\n", check=False), "invalid user name")
        refused(s.ctl("user", "add", "carol", "--password-stdin",
                      input="1234\n", check=False), "password")
        refused(s.ctl("user", "add", "carol", "--email", "nope",
                      "--password-stdin", input="secret1\n", check=False),
                "e-mail")
        usage(s.ctl("user", "add", "carol", "--bogus", check=False))
        usage(s.ctl("user", "show", check=False))
        usage(s.ctl("user", "list", "extra", check=False))
        usage(s.ctl("user", "frobnicate", "x", check=False))
        usage(s.ctl(check=False))
        usage(s.ctl("nosuchcommand", check=False))


def test_user_passwd():
    with Server() as s:
        s.add_user("boss", admin=True, password="oldpass1")
        add_records(s, {"token:" + "5" * 64: token("boss", "boss/x"),
                        "repo:boss/x": repo()})
        p = s.ctl("user", "passwd", "boss", "--password-stdin",
                  input="newpass1\n")
        assert p.stdout == "" and p.stderr == ""
        assert s.request("GET", "/users", auth=("boss", "newpass1")).status \
            == 200
        assert s.request("GET", "/users", auth=("boss", "oldpass1")).status \
            == 401
        # a new password revokes the tokens issued under the old one
        assert "token:" + "5" * 64 not in records(s)
        refused(s.ctl("user", "passwd", "nobody", "--password-stdin",
                      input="newpass1\n", check=False), "no such user")
        refused(s.ctl("user", "passwd", "boss", "--password-stdin",
                      input="abc\n", check=False), "password")
        # never from argv
        usage(s.ctl("user", "passwd", "boss", "newpass1", check=False))
        # no terminal and no --password-stdin: refused, not read from stdin
        p = subprocess.run([DINDEXCTL, "-c", s.conf_path, "user", "passwd",
                            "boss"], input="newpass2\n", text=True,
                           capture_output=True, start_new_session=True,
                           timeout=60)
        refused(p, "cannot read a password")
        assert s.request("GET", "/users", auth=("boss", "newpass1")).status \
            == 200


def test_enable_disable_del_admin():
    with Server() as s:
        s.add_user("bert")
        add_records(s, {"token:" + "6" * 64: token("bert", "bert/x"),
                        "repo:bert/x": repo()})
        s.ctl("user", "disable", "bert")
        assert records(s)["user:bert"]["enabled"] is False
        assert "token:" + "6" * 64 not in records(s)
        assert s.request("GET", "/users", auth=("bert", "secret1")).status \
            == 403
        u = json.loads(s.ctl("user", "enable", "bert", "--json").stdout)
        assert u["enabled"] is True and "hash" not in u
        s.ctl("user", "admin", "bert", "on")
        assert s.request("GET", "/users", auth=("bert", "secret1")).status \
            == 200
        s.ctl("user", "admin", "bert", "off")
        assert s.request("GET", "/users", auth=("bert", "secret1")).status \
            == 403
        usage(s.ctl("user", "admin", "bert", "maybe", check=False))
        usage(s.ctl("user", "admin", "bert", check=False))
        usage(s.ctl("user", "enable", check=False))
        for cmd in (["enable", "nobody"], ["disable", "nobody"],
                    ["del", "nobody"], ["admin", "nobody", "on"]):
            refused(s.ctl("user", *cmd, check=False), "no such user")
        # the last enabled administrator stays
        for cmd in (["del", "admin"], ["admin", "admin", "off"],
                    ["disable", "admin"]):
            refused(s.ctl("user", *cmd, check=False),
                    "last enabled administrator")
        refused(s.ctl("user", "del", "bert", check=False),
                "namespace holds repositories")
        s.ctl("repo", "rm", "bert/x")
        s.ctl("user", "del", "bert")
        assert "user:bert" not in records(s)
        refused(s.ctl("user", "del", "bert", check=False), "no such user")
        s.ctl("user", "admin", "admin", "on")     # already: fine


def test_perm():
    with Server() as s:
        s.add_user("bert")
        s.ctl("perm", "set", "bert", "team", "read")
        s.ctl("perm", "set", "bert", "team/app", "write")
        p = s.ctl("perm", "list", "bert")
        assert p.stdout.split() == ["SCOPE", "ACCESS", "team", "read",
                                    "team/app", "write"]
        assert json.loads(s.ctl("perm", "list", "bert", "--json").stdout) == \
            {"team": "read", "team/app": "write"}
        # the API sees the same grants
        assert s.request("GET", "/users/bert/permissions",
                         auth=adm(s)).json() == {"team": "read",
                                                  "team/app": "write"}
        s.ctl("perm", "rm", "bert", "team")
        assert records(s)["user:bert"]["perms"] == {"team/app": "write"}
        refused(s.ctl("perm", "rm", "bert", "team", check=False),
                "no such permission")
        refused(s.ctl("perm", "set", "bert", "team", "delete", check=False),
                "access")
        refused(s.ctl("perm", "set", "bert", "Team", "read", check=False),
                "scope")
        refused(s.ctl("perm", "set", "bert", "a/b/c", "read", check=False),
                "scope")
        refused(s.ctl("perm", "set", "nobody", "x1", "read", check=False),
                "no such user")
        refused(s.ctl("perm", "list", "nobody", check=False), "no such user")
        usage(s.ctl("perm", "set", "bert", "team", check=False))
        usage(s.ctl("perm", "list", check=False))
        usage(s.ctl("perm", check=False))
        # the public pseudo-user
        assert json.loads(s.ctl("perm", "list", "*", "--json").stdout) == {}
        s.ctl("perm", "set", "*", "library", "read")
        assert records(s)["user:*"]["perms"] == {"library": "read"}
        s.ctl("perm", "rm", "*", "library")
        assert s.ctl("perm", "list", "*").stdout.split() == ["SCOPE",
                                                             "ACCESS"]


def test_repo():
    with Server() as s:
        add_records(s, {
            "repo:team/app": repo(), "repo:team/app2": repo("pushing"),
            "hooks:team/app": {"abc0abc0abc0abc0": {
                "url": "http://x/", "events": ["new"], "secret": "",
                "active": True, "created": 1}},
            "hist:team/app/abc0abc0abc0abc0": [{"time": 1, "status": 200}],
            "hist:team/app2/abc0abc0abc0abc0": [{"time": 1, "status": 200}],
            "token:" + "7" * 64: token("admin", "team/app"),
            "token:" + "8" * 64: token("admin", "team/app2")})
        out = s.ctl("repo", "list").stdout.splitlines()
        assert out[0].split()[:3] == ["NAME", "STATE", "IMAGES"]
        assert [l.split()[:3] for l in out[1:]] == [
            ["team/app", "complete", "1"], ["team/app2", "pushing", "1"]]
        lst = json.loads(s.ctl("repo", "list", "--json").stdout)
        assert sorted(lst) == ["team/app", "team/app2"]
        assert lst["team/app"]["state"] == "complete"
        p = s.ctl("repo", "show", "team/app")
        assert "complete" in p.stdout and "latest" in p.stdout
        assert json.loads(s.ctl("repo", "show", "team/app",
                                "--json").stdout)["state"] == "complete"
        refused(s.ctl("repo", "show", "team/none", check=False),
                "no such repository")
        refused(s.ctl("repo", "show", "team", check=False), "invalid")
        s.ctl("repo", "rm", "team/app")
        recs = records(s)
        for key in ("repo:team/app", "hooks:team/app",
                    "hist:team/app/abc0abc0abc0abc0",
                    "token:" + "7" * 64):
            assert key not in recs, key
        for key in ("repo:team/app2", "hist:team/app2/abc0abc0abc0abc0",
                    "token:" + "8" * 64):
            assert key in recs, key
        refused(s.ctl("repo", "rm", "team/app", check=False),
                "no such repository")
        refused(s.ctl("repo", "rm", "Bad/Name", check=False), "invalid")
        usage(s.ctl("repo", "rm", check=False))
        usage(s.ctl("repo", "list", "x", check=False))


def test_cli_races_http():
    """dindexctl and the API write the same database at once; every
    acknowledged write is there afterwards."""
    with Server() as s:
        s.add_user("alice")
        s.add_user("bobby")
        n = 25
        errors = []

        def cli():
            for i in range(n):
                p = s.ctl("perm", "set", "alice", "cli%d" % i, "read",
                          check=False)
                if p.returncode != 0:
                    errors.append(("cli", i, p.stderr))

        def http():
            for i in range(n):
                r = s.request("PUT", "/users/bobby/permissions",
                              {"repo": "web%d" % i, "access": "write"},
                              auth=adm(s))
                if r.status != 200:
                    errors.append(("http", i, r))

        threads = [threading.Thread(target=cli), threading.Thread(target=http)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        recs = records(s)
        assert recs["user:alice"]["perms"] == {"cli%d" % i: "read"
                                               for i in range(n)}
        assert recs["user:bobby"]["perms"] == {"web%d" % i: "write"
                                               for i in range(n)}
        assert s.ctl("check").returncode == 0


def test_secret_not_utf8_is_refused_not_dropped():
    """A password or webhook secret read from stdin that is not UTF-8
    is refused; it once vanished, and the webhook was added unsigned."""
    with Server() as s:
        for args in (["webhook", "add", "alice/app", "http://example.com/h",
                      "--secret-stdin"],
                     ["user", "add", "bobby", "--password-stdin"]):
            p = subprocess.run([DINDEXCTL, "-c", s.conf_path] + args,
                               input=b"s3cr\xffet\n", capture_output=True,
                               timeout=60)
            assert p.returncode == 1, (args, p.returncode, p.stderr)
            assert b"not UTF-8" in p.stderr, p.stderr
        recs = records(s)
        assert "hooks:alice/app" not in recs and "user:bobby" not in recs
