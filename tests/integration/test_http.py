"""The handler end to end: ping, keep-alive, pipelining, limits, deadlines,
garbage, concurrency and how dindex gets its connection."""
import os
import socket
import subprocess
import threading
import time

from harness import DINDEX, Server, free_port, parse_response, recv_to_eof


def read_responses(sock, count, timeout=10):
    sock.settimeout(timeout)
    data, out = b"", []
    while len(out) < count:
        try:
            resp, data = parse_response(data)
            out.append(resp)
            continue
        except ValueError:
            pass
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return out


def test_ping():
    with Server() as s:
        for path in ("/v1/_ping", "/v1/_ping/", "/v1/", "/v1"):
            r = s.request("GET", path)
            assert r.status == 200, (path, r)
            assert r.body == b"true"
            assert r.header("X-Docker-Registry-Standalone") == "false"
            assert r.header("X-Docker-Registry-Version")
            assert r.header("Date")
            assert r.header("Connection") == "close"
        r = s.request("GET", "/_ping")
        assert r.status == 200 and r.header("X-Docker-Index-Version")


def test_v2_probe_is_404_without_distribution_header():
    with Server() as s:
        r = s.request("GET", "/v2/")
        assert r.status == 404
        assert r.header("Docker-Distribution-API-Version") is None
        assert "error" in r.json()


def test_unknown_path_404_and_wrong_method_405():
    with Server() as s:
        r = s.request("GET", "/nope")
        assert r.status == 404 and r.json()["error"]
        r = s.request("DELETE", "/v1/_ping")
        assert r.status == 405
        assert "GET" in r.header("Allow")
        r = s.request("BREW", "/v1/_ping")
        assert r.status == 405


def test_head_has_length_but_no_body():
    with Server() as s:
        with s.connect() as c:
            c.sendall(b"HEAD /v1/_ping HTTP/1.1\r\nHost: x\r\n\r\n"
                      b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\n"
                      b"Connection: close\r\n\r\n")
            c.settimeout(5)
            data = recv_to_eof(c)
        head, _, rest = data.partition(b"\r\n\r\n")
        assert b"Content-Length: 4" in head
        assert rest.startswith(b"HTTP/1.1 200"), rest


def test_three_requests_on_one_connection():
    with Server() as s:
        with s.connect() as c:
            for i in range(3):
                last = i == 2
                c.sendall(b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\n" +
                          (b"Connection: close\r\n" if last else b"") +
                          b"\r\n")
                (r,) = read_responses(c, 1)
                assert r.status == 200
                assert (r.header("Connection") == "close") == last
            c.settimeout(5)
            assert c.recv(10) == b""


def test_pipelined_requests_answered_in_order():
    with Server() as s:
        with s.connect() as c:
            c.sendall(b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\n\r\n"
                      b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                      b"GET /_ping HTTP/1.1\r\nHost: x\r\n"
                      b"Connection: close\r\n\r\n")
            rs = read_responses(c, 3)
        assert [r.status for r in rs] == [200, 404, 200]


def test_http10_keep_alive_is_announced():
    with Server() as s:
        with s.connect() as c:
            for _ in range(2):
                c.sendall(b"GET /v1/_ping HTTP/1.0\r\n"
                          b"Connection: Keep-Alive\r\n\r\n")
                (r,) = read_responses(c, 1)
                assert r.status == 200
                assert r.header("Connection") == "keep-alive"


def test_http10_closes_by_default():
    with Server() as s:
        data = s.raw(b"GET /v1/_ping HTTP/1.0\r\n\r\n")
        r, rest = parse_response(data)
        assert r.status == 200 and rest == b""


def test_request_line_too_long_414():
    with Server() as s:
        data = s.raw(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n")
        r, _ = parse_response(data)
        assert r.status == 414 and r.header("Connection") == "close"


def test_header_block_too_large_431():
    with Server() as s:
        hdrs = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 400)
                        for i in range(90))
        r, _ = parse_response(s.raw(b"GET /v1/_ping HTTP/1.1\r\n" + hdrs +
                                    b"\r\n"))
        assert r.status == 431
        hdrs = b"".join(b"X-H%d: v\r\n" % i for i in range(101))
        r, _ = parse_response(s.raw(b"GET /v1/_ping HTTP/1.1\r\n" + hdrs +
                                    b"\r\n"))
        assert r.status == 431


def test_body_too_large_413():
    with Server(max_body=100) as s:
        r, _ = parse_response(s.raw(
            b"POST /v1/users/ HTTP/1.1\r\nContent-Length: 101\r\n\r\n" +
            b"x" * 101))
        assert r.status == 413
        r, _ = parse_response(s.raw(
            b"POST /v1/users/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"65\r\n" + b"x" * 101 + b"\r\n0\r\n\r\n"))
        assert r.status == 413


def test_stalled_request_cut_with_408():
    with Server() as s:
        t0 = time.time()
        with s.connect(timeout=60) as c:
            c.sendall(b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\n")
            data = b""
            while True:
                chunk = c.recv(4096)
                if not chunk:
                    break
                data += chunk
        elapsed = time.time() - t0
        r, _ = parse_response(data)
        assert r.status == 408
        assert elapsed < 45, elapsed


def test_idle_connection_closed_quietly():
    with Server(idle_timeout=1) as s:
        with s.connect(timeout=10) as c:
            c.sendall(b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\n\r\n")
            (r,) = read_responses(c, 1)
            assert r.status == 200
            t0 = time.time()
            c.settimeout(10)
            rest = c.recv(100)
            assert rest == b"" and time.time() - t0 < 5


def test_garbage_gets_400_and_process_exits():
    with Server() as s:
        for junk in (b"\x00\x01\x02garbage\r\n\r\n", b"GET\r\n\r\n",
                     b"GET / HTTP/9.9\r\n\r\n", b"hello world\n\n"):
            data = s.raw(junk)
            r, _ = parse_response(data)
            assert 400 <= r.status < 506, (junk, r)
            assert r.json()["error"]
        assert s.request("GET", "/v1/_ping").status == 200
        time.sleep(0.3)
        # every handler process has exited: only the activator is left
        out = subprocess.run(["pgrep", "-P", str(s.proc.pid)],
                             capture_output=True, text=True).stdout
        assert out.strip() == "", out


def test_twenty_concurrent_connections():
    with Server() as s:
        results = []

        def one():
            results.append(s.request("GET", "/v1/_ping").status)
        threads = [threading.Thread(target=one) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [200] * 20


def test_listen_fds_path():
    with Server(inetd=False) as s:
        r = s.request("GET", "/v1/_ping")
        assert r.status == 200 and r.body == b"true"


def test_accept_no_is_refused_with_clear_message():
    with Server(init=True) as s:
        port = free_port()
        # without --accept the listening socket itself is passed (Accept=no)
        p = subprocess.Popen(["systemd-socket-activate", "-l",
                              "127.0.0.1:%d" % port,
                              "-E", "DINDEX_CONFIG=" + s.conf_path, DINDEX],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            time.sleep(0.3)
            try:
                socket.create_connection(("127.0.0.1", port), 2).close()
            except OSError:
                pass
            _, err = p.communicate(timeout=10)
        finally:
            if p.poll() is None:
                p.kill()
        assert p.returncode != 0
        assert b"Accept=yes" in err, err


def test_bad_config_names_file_and_line():
    with Server() as s:
        bad = os.path.join(s.dir, "bad.conf")
        with open(bad, "w") as f:
            f.write("# comment\ndatabase = /tmp/x.db\nbogus = 1\n")
        p = subprocess.run([DINDEX, "-c", bad], capture_output=True,
                           text=True, stdin=subprocess.DEVNULL)
        assert p.returncode != 0
        assert "bad.conf:3" in p.stderr, p.stderr
