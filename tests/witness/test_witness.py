"""The witness on its own (no Django, no database): it cosigns only what extends what it cosigned before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from xinren.ledger.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from xinren.ledger.hashstore import MemoryHashStore, consistency_proof
from xinren.ledger.merkle import leaf_hash
from xinren.ledger.note import SIG_COSIGNATURE_V1, Signer, Verifier, open_note
from xinren.witness.core import Refusal, Witness, parse_add_checkpoint
from xinren.witness.keys import WitnessKeyError, key_file_create, signer_load
from xinren.witness.server import server_create
from xinren.witness.state import StateError, StateFile

ORIGIN = "log.test/xinren"


class Log:
    """A tiny honest log: leaves in memory, checkpoints signed with its own key."""

    def __init__(self, signer: Signer | None = None) -> None:
        self.signer = signer or Signer.generate(ORIGIN)
        self.store = MemoryHashStore()

    def grow(self, count: int, tag: str = "") -> str:
        start = self.store.size
        self.store.append(leaf_hash(f"entry {n}{tag}".encode()) for n in range(start, start + count))
        return self.signed()

    def signed(self) -> str:
        return sign_checkpoint(Checkpoint(origin=ORIGIN, size=self.store.size, root=self.store.root()), self.signer)

    def proof(self, old: int) -> list[bytes]:
        return consistency_proof(old, self.store.size, self.store) if 0 < old < self.store.size else []


@pytest.fixture
def log() -> Log:
    return Log()


@pytest.fixture
def witness(log: Log, tmp_path: Path) -> Witness:
    signer = Signer.generate("witness.test/dian-cha", SIG_COSIGNATURE_V1)
    return Witness(signer=signer, logs={ORIGIN: log.signer.verifier()}, state=StateFile(tmp_path / "state.json"),
                   clock=lambda: 1_790_000_000)


def _verifies(signed: str, line: str, log: Log, witness: Witness) -> bool:
    opened = open_checkpoint(signed + line, log.signer.verifier(), witnesses=[witness.verifier], quorum=1)
    return opened.witnesses == (witness.verifier,)


def test_cosigns_a_first_checkpoint_and_then_a_consistent_one(log: Log, witness: Witness) -> None:
    # given
    first = log.grow(5)
    line = witness.cosign(old_size=0, proof=[], signed_checkpoint=first)
    second = log.grow(6)
    # when
    line2 = witness.cosign(old_size=5, proof=log.proof(5), signed_checkpoint=second)
    # then
    assert line.startswith("— witness.test/dian-cha ") and line.endswith("\n")
    assert _verifies(first, line, log, witness) and _verifies(second, line2, log, witness)
    state = witness.state.read()[ORIGIN]
    assert (state.size, state.root, state.note) == (11, log.store.root(), second)
    assert open_note(second + line2, [witness.verifier]).verified[0].timestamp == 1_790_000_000


def test_refuses_a_fork_at_the_same_size_and_keeps_the_evidence(log: Log, witness: Witness) -> None:
    # given: the log's key signs a second tree of 5 leaves
    honest = log.grow(5)
    witness.cosign(old_size=0, proof=[], signed_checkpoint=honest)
    forked = Log(log.signer).grow(5, tag=" rewritten")
    # when
    with pytest.raises(Refusal) as refused:
        witness.cosign(old_size=5, proof=[], signed_checkpoint=forked)
    # then
    assert (refused.value.status, refused.value.code) == (409, "fork")
    assert witness.state.read()[ORIGIN].note == honest
    evidence = [json.loads(line) for line in witness.state.evidence_path.read_text().splitlines()]
    assert [(e["request"], e["cosigned"]) for e in evidence] == [(forked, honest)]


def test_refuses_a_larger_tree_that_does_not_extend_the_cosigned_one(log: Log, witness: Witness) -> None:
    # given: another history of 9 leaves, with an honest-looking proof of its own
    witness.cosign(old_size=0, proof=[], signed_checkpoint=log.grow(5))
    other = Log(log.signer)
    other.grow(5, tag=" rewritten")
    forked = other.grow(4)
    # when
    with pytest.raises(Refusal) as refused:
        witness.cosign(old_size=5, proof=other.proof(5), signed_checkpoint=forked)
    # then
    assert (refused.value.status, refused.value.code) == (422, "inconsistent")
    assert witness.state.read()[ORIGIN].size == 5


def test_refuses_a_rollback(log: Log, witness: Witness) -> None:
    # given
    older = log.grow(5)
    witness.cosign(old_size=0, proof=[], signed_checkpoint=older)
    newer = log.grow(3)
    witness.cosign(old_size=5, proof=log.proof(5), signed_checkpoint=newer)
    # when: the log serves the size-5 checkpoint again, claiming the witness is at 5
    with pytest.raises(Refusal) as stale:
        witness.cosign(old_size=5, proof=[], signed_checkpoint=older)
    with pytest.raises(Refusal) as beyond:
        witness.cosign(old_size=8, proof=[], signed_checkpoint=older)
    # then: 409 with the size it knows, and 400 for an old size past the checkpoint
    assert (stale.value.status, stale.value.body()) == (409, (b"8\n", "text/x.tlog.size"))
    assert beyond.value.status == 400
    assert witness.state.read()[ORIGIN].size == 8


def test_refuses_checkpoints_not_signed_by_the_log_or_of_unknown_logs(log: Log, witness: Witness) -> None:
    # given
    impostor = Log()  # same origin, another key
    impostor.grow(2)
    unknown = sign_checkpoint(Checkpoint(origin="other.test/log", size=1, root=leaf_hash(b"x")),
                              Signer.generate("other.test/log"))
    # when / then
    with pytest.raises(Refusal) as not_signed:
        witness.cosign(old_size=0, proof=[], signed_checkpoint=impostor.signed())
    with pytest.raises(Refusal) as not_known:
        witness.cosign(old_size=0, proof=[], signed_checkpoint=unknown)
    assert (not_signed.value.status, not_known.value.status) == (403, 404)
    assert witness.state.read() == {}


def test_refuses_its_own_log_key_and_a_plain_signing_key(log: Log, tmp_path: Path) -> None:
    cosigner_with_log_seed = Signer(name="witness.test/w", seed=log.signer.seed, sig_type=SIG_COSIGNATURE_V1)
    with pytest.raises(ValueError, match="key of the log"):
        Witness(signer=cosigner_with_log_seed, logs={ORIGIN: log.signer.verifier()}, state=StateFile(tmp_path / "s"))
    with pytest.raises(ValueError, match="0x04"):
        Witness(signer=Signer.generate("witness.test/w"), logs={ORIGIN: log.signer.verifier()},
                state=StateFile(tmp_path / "s"))


def test_the_state_survives_a_restart_and_a_damaged_state_stops_the_witness(log: Log, witness: Witness) -> None:
    # given
    witness.cosign(old_size=0, proof=[], signed_checkpoint=log.grow(3))
    restarted = Witness(signer=witness.signer, logs=witness.logs, state=StateFile(witness.state.path))
    # when / then: the new process still knows size 3
    with pytest.raises(Refusal) as refused:
        restarted.cosign(old_size=0, proof=[], signed_checkpoint=log.grow(1))
    assert refused.value.known_size == 3
    witness.state.path.write_text("{not json")
    with pytest.raises(StateError, match="restore it"):
        restarted.cosign(old_size=3, proof=log.proof(3), signed_checkpoint=log.signed())


def test_the_add_checkpoint_body_is_parsed_strictly() -> None:
    assert parse_add_checkpoint(b"old 0\n\nlog\n0\n").old_size == 0
    too_long = b"old 1\n" + b"AA==\n" * 64 + b"\nx\n"
    for body in (b"old 01\n\nx\n", b"old 1\nnot base64!\n\nx\n", b"old 1\n", b"\xff", too_long):
        with pytest.raises(Refusal) as refused:
            parse_add_checkpoint(body)
        assert refused.value.status == 400


def test_keygen_writes_a_private_file_and_the_key_loads_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.delenv("XINREN_WITNESS_KEY", raising=False)
    path = tmp_path / "keys" / "witness.key"
    # when
    made = key_file_create(name="witness.test/w1", path=path)
    # then
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert signer_load(key_file=str(path)) == made
    assert key_file_create(name="ignored", path=path, exist_ok=True) == made
    with pytest.raises(WitnessKeyError, match="exists"):
        key_file_create(name="witness.test/w1", path=path)
    monkeypatch.setenv("XINREN_WITNESS_KEY", Signer.generate("witness.test/plain").skey)
    with pytest.raises(WitnessKeyError, match="0x04"):
        signer_load()


def test_the_add_checkpoint_endpoint_answers_as_the_protocol_says(log: Log, witness: Witness) -> None:
    import http.client
    import threading

    server = server_create(witness, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        def post(body: bytes) -> tuple[int, str, bytes]:
            connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
            connection.request("POST", "/add-checkpoint", body=body)
            answer = connection.getresponse()
            return answer.status, answer.getheader("Content-Type", ""), answer.read()

        first = log.grow(4)
        ok = post(b"old 0\n\n" + first.encode())
        conflict = post(b"old 0\n\n" + log.grow(2).encode())
    finally:
        server.shutdown()
        server.server_close()
    assert ok[0] == 200 and _verifies(first, ok[2].decode(), log, witness)
    assert conflict == (409, "text/x.tlog.size", b"4\n")


def test_the_command_needs_no_django(tmp_path: Path) -> None:
    # given: a Python that cannot import Django
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text("import sys\nclass Block:\n    def find_spec(self, name, *a):\n"
                       "        if name == 'django' or name.startswith('django.'):\n"
                       "            raise ImportError('django is blocked')\nsys.meta_path.insert(0, Block())\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env.pop("XINREN_WITNESS_KEY", None)
    # when
    made = subprocess.run([sys.executable, "-m", "xinren.witness", "keygen", "--name", "witness.test/w",
                           "--key-file", str(tmp_path / "k")], capture_output=True, text=True, env=env, check=False)
    django = subprocess.run([sys.executable, "-c", "import django"], capture_output=True, text=True, env=env,
                            check=False)
    # then
    assert "django is blocked" in django.stderr
    assert made.returncode == 0, made.stderr
    assert Verifier.from_vkey(made.stdout.strip()).name == "witness.test/w"
