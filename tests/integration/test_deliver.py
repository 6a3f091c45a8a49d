"""dindex-deliver against broken spools."""
import json
import os
import time

from harness import Server
from receiver import Receiver
from test_hooks import LOCAL, add_hook, deliver, spool


def test_leftover_temp_files_block_nothing_and_stale_ones_go():
    rcv = Receiver(statuses=[500])
    try:
        with Server(**LOCAL) as s:
            s.add_user("alice")
            hid = add_hook(s, rcv.url)
            s.ctl("webhook", "ping", "alice/app", hid)
            (f,) = spool(s, "new")
            tmp = os.path.join(s.dir, "spool", "tmp")
            # what a deliverer killed between write and rename left
            left = os.path.join(tmp, os.path.basename(f))
            open(left, "w").write("{}")
            old = os.path.join(tmp, "1.2.3.json")
            open(old, "w").write("{}")
            os.utime(old, (time.time() - 7200,) * 2)
            deliver(s)
            assert len(rcv.got) == 1
            (g,) = spool(s, "deferred")
            assert json.load(open(g))["last_error"] == "HTTP 500"
            assert os.listdir(tmp) == [os.path.basename(f)]  # fresh: kept
    finally:
        rcv.close()
