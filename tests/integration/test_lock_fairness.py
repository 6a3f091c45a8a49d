"""Lock fairness: with 30,000 repositories, anonymous search loops must not
starve writers (a write waits at most one bounded read hold), and search
on the index gives the same results as a walk over every record."""
import json
import threading
import time

from harness import Server
from test_reliability import Client

REPOS = 30000


def big_database(s):
    """REPOS complete repositories under gens/, public; a few others."""
    doc = json.loads(s.ctl("dump").stdout)
    recs = doc["records"]
    rec = {"images": [{"id": "a" * 64}], "tags": {}, "state": "complete",
           "created": 0, "updated": 0, "pusher": "admin"}
    for i in range(REPOS):
        recs["repo:gens/r%05d" % i] = rec
    recs["repo:gens/pushing"] = dict(rec, state="pushing")
    recs["repo:priv/r1"] = rec
    recs["user:*"] = {"name": "*", "perms": {"gens": "read"}}
    s.ctl("load", "--force", input=json.dumps(doc))


def search_loops(s, n, stop, done):
    def loop():
        c = Client(s)
        while not stop.is_set():
            r = c.send("GET", "/v1/search?q=r0&n=10")
            if r is not None and r.status == 200:
                done.append(1)
        c.close()
    threads = [threading.Thread(target=loop) for _ in range(n)]
    for t in threads:
        t.start()
    return threads


def timed(fn):
    t0 = time.monotonic()
    ok = fn()
    return ok, time.monotonic() - t0


def test_writes_not_starved_by_search_loops():
    with Server() as s:
        big_database(s)
        s.add_user("alice")
        r = s.request("GET", "/v1/search?q=r0&n=10&page=3")
        body = r.json()
        assert r.status == 200 and body["num_results"] == 10000, r
        assert [x["name"] for x in body["results"]] == [
            "gens/r%05d" % i for i in range(20, 30)]
        assert s.request("GET", "/v1/search?q=priv").json()[
            "num_results"] == 0
        for loops in (3, 6):
            stop, done = threading.Event(), []
            threads = search_loops(s, loops, stop, done)
            try:
                time.sleep(1)
                for i in range(3):
                    ok, t = timed(lambda: s.ctl(
                        "perm", "set", "alice", "w%d/r%d" % (loops, i),
                        "read", check=False).returncode == 0)
                    assert ok and t < 1, (loops, "perm set", t)
                    ok, t = timed(lambda: s.request(
                        "POST", "/v1/users/", {
                            "username": "u%d_%d" % (loops, i),
                            "password": "secret1", "email": "a@b"}
                    ).status == 201)
                    assert ok and t < 1, (loops, "register", t)
                    ok, t = timed(lambda: s.request(
                        "PUT", "/v1/users/alice/", {"email": "a%d@b.c" % i},
                        auth=("alice", "secret1")).status == 204)
                    assert ok and t < 1, (loops, "PUT /v1/users", t)
            finally:
                stop.set()
                for t in threads:
                    t.join()
            assert len(done) >= loops, (loops, len(done))
        assert s.ctl("check").returncode == 0
