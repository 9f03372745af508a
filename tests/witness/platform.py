"""A follower's HTTP answered by the platform's own views through Django's test client (no socket)."""

from __future__ import annotations

from django.test import Client

from xinren.witness.follow import HttpAnswer, Transport

LOG_URL = "https://xinren.test/log/"


def platform_transport(client: Client) -> Transport:
    def send(url: str, body: bytes | None) -> HttpAnswer:
        path = url.removeprefix("https://xinren.test")
        response = client.get(path) if body is None else client.post(path, data=body, content_type="text/plain")
        return HttpAnswer(response.status_code, response.content)

    return send
