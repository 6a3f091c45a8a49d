"""The config file: all three programs refuse a FIFO or a directory at once
(no open that waits for a writer) and accept up to LIM_CONF_FILE bytes."""
import os
import subprocess
import tempfile

from harness import DELIVER, DINDEX, DINDEXCTL

LIMIT = 64 * 1024


def run(prog, conf):
    args = [prog, "-c", conf] + (["check"] if prog == DINDEXCTL else [])
    return subprocess.run(args, capture_output=True, text=True, timeout=10,
                          stdin=subprocess.DEVNULL)


def sized(path, size, db):
    head = "database = %s\n" % db
    with open(path, "w") as f:
        f.write(head + ("#" * 79 + "\n") * ((size - len(head)) // 80))
        f.write("#" * ((size - len(head)) % 80))
    assert os.path.getsize(path) == size


def test_fifo_and_directory_refused():
    d = tempfile.mkdtemp(prefix="dindex-conf-")
    fifo = os.path.join(d, "fifo.conf")
    os.mkfifo(fifo)
    for prog in (DINDEX, DINDEXCTL, DELIVER):
        for conf in (fifo, d):
            p = run(prog, conf)
            assert p.returncode != 0, (prog, conf)
            assert "not a regular file" in p.stderr, (prog, p.stderr)
    os.unlink(fifo)
    os.rmdir(d)


def test_size_limit_inclusive():
    d = tempfile.mkdtemp(prefix="dindex-conf-")
    conf, db = os.path.join(d, "c.conf"), os.path.join(d, "index.db")
    sized(conf, LIMIT, db)
    p = subprocess.run([DINDEXCTL, "-c", conf, "init"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    sized(conf, LIMIT + 1, db)
    p = run(DINDEXCTL, conf)
    assert p.returncode == 1 and "larger than 65536 bytes" in p.stderr, \
        p.stderr
    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    os.rmdir(d)


def test_an_operand_is_a_usage_error():
    d = tempfile.mkdtemp(prefix="dindex-conf-")
    conf = os.path.join(d, "c.conf")
    with open(conf, "w") as f:
        f.write("database = %s\n" % os.path.join(d, "index.db"))
    for prog in (DINDEX, DELIVER):
        for args in (["-c", conf, "extra"], ["extra", "-c", conf], [conf]):
            p = subprocess.run([prog] + args, capture_output=True,
                               text=True, timeout=10,
                               stdin=subprocess.DEVNULL)
            assert p.returncode == 64 and "usage:" in p.stderr, (prog, args,
                                                                  p)
    os.unlink(conf)
    os.rmdir(d)
