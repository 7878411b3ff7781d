"""A hostile HTTP server on 127.0.0.1, in a thread (so the real CLI can be its client):
endless bodies, lying Content-Length, a byte every few tenths of a second, silence."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

CHUNK = b"x" * 65536


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        conn: socket.socket = self.request
        request = b""
        while b"\r\n\r\n" not in request:
            data = conn.recv(4096)
            if not data:
                return
            request += data
        path = request.split(b" ", 2)[1].decode()
        with contextlib.suppress(OSError):  # the client gave up: what it should do
            getattr(self, "_" + path.strip("/").replace("-", "_"))(conn)

    def _endless(self, conn: socket.socket) -> None:
        """A chunked body that never ends."""
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/markdown\r\n")
        conn.sendall(b"Transfer-Encoding: chunked\r\n\r\n")
        while True:
            conn.sendall(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))

    def _huge(self, conn: socket.socket) -> None:
        """Content-Length: 2 GB, and bytes to match for as long as anyone reads."""
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\n")
        while True:
            conn.sendall(CHUNK)

    def _drip(self, conn: socket.socket) -> None:
        """Headers, then one byte of body every 0.2 s, forever."""
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/markdown\r\n")
        conn.sendall(b"Transfer-Encoding: chunked\r\n\r\n")
        while True:
            conn.sendall(b"1\r\n#\r\n")
            time.sleep(0.2)

    def _silent(self, conn: socket.socket) -> None:
        """Read the request, answer nothing."""
        while conn.recv(4096):
            pass


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def hostile_server() -> Iterator[str]:
    """Serve until the block ends; yields the base URL (``http://127.0.0.1:PORT``)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
