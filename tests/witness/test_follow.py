"""The follower: a round fetches the checkpoint and a proof, cosigns and posts back; it refuses forks and rollbacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xinren.ledger.b64 import b64encode
from xinren.ledger.note import SIG_COSIGNATURE_V1, Signer
from xinren.witness.core import Witness
from xinren.witness.follow import FetchError, Follower, HttpAnswer
from xinren.witness.state import StateFile

from .test_witness import ORIGIN, Log


class FakeLog:
    """Serves a `Log` the way /log/ does, and records what the witness posts."""

    def __init__(self, log: Log) -> None:
        self.log = log
        self.served: str | None = None  # a checkpoint to serve instead of the log's own (a fork, a rollback)
        self.posted: list[str] = []
        self.down = False

    def __call__(self, url: str, body: bytes | None) -> HttpAnswer:
        if self.down:
            raise FetchError(f"{url}: connection refused")
        if body is not None:
            self.posted.append(body.decode())
            return HttpAnswer(200, b'{"size": 0, "witnesses": []}')
        if url.endswith("/checkpoint"):
            return HttpAnswer(200, (self.served or self.log.signed()).encode())
        query = dict(part.split("=") for part in url.split("?", 1)[1].split("&"))
        first, second = int(query["first"]), int(query["second"])
        path = [b64encode(h) for h in self.log.proof(first)] if second == self.log.store.size else []
        return HttpAnswer(200, json.dumps({"first": first, "second": second, "consistency_path": path}).encode())


@pytest.fixture
def log() -> Log:
    return Log()


@pytest.fixture
def fake(log: Log) -> FakeLog:
    return FakeLog(log)


@pytest.fixture
def follower(log: Log, fake: FakeLog, tmp_path: Path) -> Follower:
    signer = Signer.generate("witness.test/w", SIG_COSIGNATURE_V1)
    witness = Witness(signer=signer, logs={ORIGIN: log.signer.verifier()}, state=StateFile(tmp_path / "state.json"))
    return Follower(witness, log_url="https://log.test/log", transport=fake)


def test_rounds_cosign_each_new_checkpoint_once_and_post_it(log: Log, fake: FakeLog, follower: Follower) -> None:
    # given
    log.grow(3)
    # when
    rounds = [follower.follow_once()]
    fake.served = fake.posted[-1]  # the log now serves our cosignature
    rounds.append(follower.follow_once())
    fake.served = None
    log.grow(2)
    rounds.append(follower.follow_once())
    # then
    assert [(r.outcome, r.size) for r in rounds] == [("cosigned", 3), ("current", 3), ("cosigned", 5)]
    assert len(fake.posted) == 2
    assert fake.posted[1].startswith(log.signed()) and "— witness.test/w " in fake.posted[1]


def test_a_fork_is_refused_and_nothing_posted(log: Log, fake: FakeLog, follower: Follower) -> None:
    # given
    log.grow(4)
    follower.follow_once()
    fake.served = Log(log.signer).grow(4, tag=" rewritten")
    # when
    outcome = follower.follow_once()
    # then
    assert (outcome.outcome, outcome.size) == ("refused", 4)
    assert outcome.message.startswith("fork:")
    assert len(fake.posted) == 1


def test_a_rollback_is_refused(log: Log, fake: FakeLog, follower: Follower) -> None:
    # given
    older = log.grow(4)
    follower.follow_once()
    log.grow(4)
    follower.follow_once()
    fake.served = older
    # when
    outcome = follower.follow_once()
    # then
    assert (outcome.outcome, outcome.size, outcome.message.split(":")[0]) == ("refused", 8, "rollback")
    assert len(fake.posted) == 2


def test_an_unreachable_log_is_a_failed_round_that_changes_nothing(log: Log, fake: FakeLog, follower: Follower) -> None:
    log.grow(2)
    fake.down = True
    assert follower.follow_once().outcome == "failed"
    assert follower.witness.state.read() == {}
