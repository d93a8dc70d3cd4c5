"""A TLS server on 127.0.0.1 for the tests of what travels over TLS."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from typing import Any

from support.bodies import run_json
from support.dual import TIMER_ID
from support.hostile import json_response


class TLSRunServer:
    """Answers every ``GET .../runs/RUN`` with that run, over TLS on 127.0.0.1, counting
    connections. A connection whose peer sends a TLS close (close_notify) or closes is ended."""

    def __init__(self, ca: Any) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(self.context)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.answered = 0
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._accept)]
        self.threads[0].start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,))
            self.threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        with contextlib.suppress(OSError), self.context.wrap_socket(conn, server_side=True) as tls:
            received = b""
            while not self.stop.is_set():
                while b"\r\n\r\n" not in received:
                    data = tls.recv(4096)
                    if not data:
                        return
                    received += data
                head, received = received.split(b"\r\n\r\n", 1)
                path = head.split(b" ", 2)[1].decode()
                run_id = path.rsplit("/", 1)[-1]
                tls.sendall(json_response(200, run_json(id=run_id, timer_id=TIMER_ID)))
                self.answered += 1

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(15)
        self.listener.close()

    def __enter__(self) -> TLSRunServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
