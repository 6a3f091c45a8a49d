"""A webhook receiver on 127.0.0.1 that records what it gets and answers
with the statuses it is told, in order (then 200)."""
import http.server
import json
import threading
import time


class Receiver:
    def __init__(self, statuses=(), delay=0.0):
        self.got = []
        self.statuses = list(statuses)
        self.delay = delay
        self.lock = threading.Lock()
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                time.sleep(rec.delay)
                with rec.lock:
                    rec.got.append({"path": self.path, "body": body,
                                    "headers": dict(self.headers)})
                    code = rec.statuses.pop(0) if rec.statuses else 200
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_port
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def json(self, i):
        return json.loads(self.got[i]["body"])

    def ids(self):
        return [g["headers"]["X-Docker-Index-Delivery"] for g in self.got]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
