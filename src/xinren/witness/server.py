"""The witness's add-checkpoint endpoint (c2sp.org/tlog-witness): for logs that push their checkpoints.

`POST <prefix>/add-checkpoint` with the request body of the spec; the answer is the cosignature line (200) or
the refusal's status with a short text (409 about sizes in `text/x.tlog.size`). The platform's sequencer
pushes to it when `XINREN_WITNESSES` names the witness's URL (docs/ledger.md).
"""

from __future__ import annotations

import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .core import MAX_BODY, Refusal, Witness

logger = logging.getLogger("xinren.witness")


def handler_for(witness: Witness, prefix: str = "") -> type[BaseHTTPRequestHandler]:
    path = prefix.rstrip("/") + "/add-checkpoint"

    class AddCheckpointHandler(BaseHTTPRequestHandler):
        server_version = "xinren-witness/1"
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            if self.path != path:
                self._answer(404, b"not found\n", "text/plain; charset=utf-8")
                return
            length = self.headers.get("Content-Length", "")
            if not length.isdigit() or int(length) > MAX_BODY:
                self._answer(400, b"a body of at most 65536 bytes with its Content-Length\n",
                             "text/plain; charset=utf-8")
                return
            body = self.rfile.read(int(length))
            try:
                line = witness.add_checkpoint(body)
            except Refusal as refusal:
                logger.warning("refused: %s (%s)", refusal.message, refusal.code)
                answer, content_type = refusal.body()
                self._answer(refusal.status, answer, content_type)
                return
            self._answer(200, line.encode("utf-8"), "text/plain; charset=utf-8")

        def do_GET(self) -> None:
            self._answer(405, b"POST add-checkpoint\n", "text/plain; charset=utf-8")

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            logger.info("%s %s", self.address_string(), format % args)

    return AddCheckpointHandler


def server_create(witness: Witness, *, host: str, port: int, prefix: str = "") -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), handler_for(witness, prefix))
