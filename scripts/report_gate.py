#!/usr/bin/env python3
"""A gate in front of the real report receiver for the Swift report tests (scripts/swift.sh).

    report_gate.py RECEIVER_URL PORT_FILE CONTROL_DIR

Binds 127.0.0.1 on a free port and writes the port to PORT_FILE. Each POST is appended to
CONTROL_DIR/log.jsonl (every byte a phone sent, one JSON string a line), then forwarded to
RECEIVER_URL (`faro reports serve`) and its answer passed back while reports are let through;
once they are used up it answers 503, as a receiver failing half-way would. How many go
through is set by writing `N TAG` to CONTROL_DIR/pass (N = -1, the start: all; a new TAG
restarts the count). Files, not requests, because the tests run in a chroot whose Swift has
no HTTP client. Standard library only.
"""

import http.server
import json
import os
import sys
import threading
import urllib.error
import urllib.request


class Gate(http.server.BaseHTTPRequestHandler):
    receiver = ""
    control = ""
    lock = threading.Lock()
    passing = -1
    order = ""

    def answer(self, status, body=b"", content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with Gate.lock:
            with open(os.path.join(Gate.control, "log.jsonl"), "a") as log:
                log.write(json.dumps(body.decode("utf-8", "replace")) + "\n")
            try:
                with open(os.path.join(Gate.control, "pass")) as f:
                    order = f.read().strip()
            except FileNotFoundError:
                order = ""
            if order and order != Gate.order:
                Gate.order = order
                Gate.passing = int(order.split()[0])
            refuse = Gate.passing == 0
            if Gate.passing > 0:
                Gate.passing -= 1
        if refuse:
            return self.answer(503, b'{"error": "the receiver is down (test gate)"}')
        request = urllib.request.Request(Gate.receiver, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                self.answer(reply.status, reply.read())
        except urllib.error.HTTPError as e:
            self.answer(e.code, e.read())

    def log_message(self, *args):
        pass


def main():
    Gate.receiver, Gate.control = sys.argv[1], sys.argv[3]
    os.makedirs(Gate.control, exist_ok=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gate)
    with open(sys.argv[2], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
