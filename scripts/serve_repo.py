#!/usr/bin/env python3
"""Serves a folder of Faro repositories on loopback for the Swift sync tests (scripts/swift.sh).

    serve_repo.py ROOT PORT_FILE

Binds 127.0.0.1 on a free port and writes the port to PORT_FILE. GET /NAME/... serves
ROOT/NAME/...; GET /slow/NAME/... serves the same file 1 KiB at a time with a pause, so that a
sync takes long enough for reads to run beside it. `Range: bytes=N-` is answered with 206, as
nginx or a CDN would, so an interrupted download resumes. Standard library only.
"""

import http.server
import os
import re
import sys
import time

SLOW_PAUSE_S = 0.025


class Handler(http.server.BaseHTTPRequestHandler):
    root = "."

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        slow = path.startswith("/slow/")
        if slow:
            path = path[len("/slow"):]
        full = os.path.realpath(os.path.join(self.root, path.lstrip("/")))
        if not full.startswith(os.path.realpath(self.root) + os.sep) or not os.path.isfile(full):
            self.send_error(404)
            return
        with open(full, "rb") as f:
            body = f.read()
        match = re.match(r"bytes=(\d+)-$", self.headers.get("Range", ""))
        start = int(match.group(1)) if match and int(match.group(1)) < len(body) else 0
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        try:
            for at in range(start, len(body), 1024):
                self.wfile.write(body[at:at + 1024])
                self.wfile.flush()
                if slow and "/targets/" in path:
                    time.sleep(SLOW_PAUSE_S)
        except (BrokenPipeError, ConnectionResetError):
            pass  # a cancelled sync hung up

    def log_message(self, *args):
        pass


def main():
    root, port_file = sys.argv[1], sys.argv[2]
    Handler.root = root
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
