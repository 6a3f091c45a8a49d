"""A webhook receiver on 127.0.0.1 that records what it gets and answers
with the statuses it is told, in order (then 200), and body."""
import http.server
import json
import socket
import threading
import time


class Receiver:
    def __init__(self, statuses=(), delay=0.0, body=b"ok"):
        self.got = []
        self.statuses = list(statuses)
        self.delay = delay
        self.lock = threading.Lock()
        self.body = body
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                time.sleep(rec.delay)
                with rec.lock:
                    rec.got.append({"path": self.path, "body": body,
                                    "headers": dict(self.headers),
                                    "time": time.time()})
                    code = rec.statuses.pop(0) if rec.statuses else 200
                self.send_response(code)
                self.send_header("Content-Length", str(len(rec.body)))
                self.end_headers()
                self.wfile.write(rec.body)

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


class RawReceiver:
    """A listener on 127.0.0.1 that reads each request and then sends
    reply (bytes) and closes, or, with reply None, never answers (a black
    hole: the connection stays open until close())."""

    def __init__(self, reply=None):
        self.reply = reply
        self.conns = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = "http://127.0.0.1:%d/raw" % self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self.answer, args=(c,),
                             daemon=True).start()

    def answer(self, c):
        data = b""
        try:
            while True:
                head, sep, body = data.partition(b"\r\n\r\n")
                n = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
                     if l.lower().startswith(b"content-length:")]
                if sep and len(body) >= (n[0] if n else 0):
                    break
                chunk = c.recv(65536)
                if not chunk:
                    return
                data += chunk
            if self.reply is not None:
                c.sendall(self.reply)
                c.close()
        except OSError:
            pass

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)    # wakes accept()
        except OSError:
            pass
        self.sock.close()
        for c in self.conns:
            c.close()
