"""`python -m xinren.witness once|follow` against a log served over real HTTP on a local port."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from xinren.witness.__main__ import main
from xinren.witness.keys import key_file_create

from .test_follow import FakeLog
from .test_witness import Log


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[FakeLog, str]]:
    fake = FakeLog(Log())

    class Handler(BaseHTTPRequestHandler):
        def _send(self, body: bytes | None) -> None:
            answer = fake("https://log.test" + self.path, body)
            self.send_response(answer.status)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def do_GET(self) -> None:
            self._send(None)

        def do_POST(self) -> None:
            self._send(self.rfile.read(int(self.headers["Content-Length"])))

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}/log/"
    finally:
        server.shutdown()
        server.server_close()


def test_once_cosigns_and_follow_keeps_up(served: tuple[FakeLog, str], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.delenv("XINREN_WITNESS_KEY", raising=False)
    fake, url = served
    key = tmp_path / "witness.key"
    key_file_create(name="witness.test/cli", path=key)
    fake.log.grow(3)
    common = ["--key-file", str(key), "--log-key", fake.log.signer.verifier().vkey, "--state", str(tmp_path / "s.json"),
              "--log-url", url]
    # when
    first = main(["once", *common])
    fake.log.grow(2)
    followed = main(["follow", *common, "--interval", "0", "--rounds", "1"])
    # then
    assert (first, followed) == (0, 0)
    assert capsys.readouterr().out == "cosigned 3\n"
    assert len(fake.posted) == 2 and fake.posted[1].startswith(fake.log.signed())


def test_once_exits_1_on_a_refusal_and_2_without_configuration(served: tuple[FakeLog, str], tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a witness told another log key than the one that signs
    monkeypatch.delenv("XINREN_WITNESS_KEY", raising=False)
    fake, url = served
    key = tmp_path / "witness.key"
    key_file_create(name="witness.test/cli", path=key)
    fake.log.grow(1)
    wrong = Log().signer.verifier().vkey
    # when / then
    assert main(["once", "--key-file", str(key), "--log-key", wrong, "--state", str(tmp_path / "s"),
                 "--log-url", url]) == 1
    assert main(["once", "--key-file", str(key), "--state", str(tmp_path / "s"), "--log-url", url]) == 2
    assert fake.posted == []
