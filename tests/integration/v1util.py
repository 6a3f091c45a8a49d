"""Helpers for the v1 tests: what docker 1.x sends, byte for byte."""
import json

IDS = ["%064x" % (0xa0 + i) for i in range(4)]
DOCKER_JSON = {"Content-type": "application/json", "X-Docker-Token": "true"}


def push_body(ids=IDS, tag="latest"):
    body = [{"id": i} for i in ids[:-1]] + [{"id": ids[-1], "Tag": tag}]
    return json.dumps(body, separators=(",", ":"))


def push_start(s, name, auth, ids=IDS, tag="latest"):
    return s.request("PUT", "/v1/repositories/%s/" % name,
                     body=push_body(ids, tag), auth=auth,
                     headers=DOCKER_JSON)


def push_finish(s, name, auth, body="[]"):
    return s.request("PUT", "/v1/repositories/%s/images" % name, body=body,
                     auth=auth, headers={"Content-type": "application/json",
                                         "X-Docker-Token": "true"})


def push(s, name, auth, ids=IDS, tag="latest"):
    r = push_start(s, name, auth, ids, tag)
    assert r.status == 200, r
    tok = r.header("X-Docker-Token")
    assert push_finish(s, name, auth).status == 204
    return tok
