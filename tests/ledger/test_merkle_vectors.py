"""Conformance: every RFC 6962 / RFC 9162 vector in ../shared/data/tlog-vectors/.

The vectors come from transparency-dev/merkle. `happy-path.json` must verify; every other file in a
numbered folder is a corrupted proof that must be rejected.

The `additional` folders encode that library's own policy: leaf hashes must be 32 bytes, and any
consistency proof from size 0 is refused. Xinren ADOPTS that policy (see `xinren.ledger.merkle`), and is
one step stricter: every root must be 32 bytes too. So all of them are run and all are rejected, including
`consistency/additional/sizes-are-equal-one-and-proof-is-empty.json`, which expects success for two equal
12-byte placeholder roots ("don't care 2"); a 12-byte value is not a SHA-256 root, and Xinren refuses it
with `InvalidHashError` rather than comparing it.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from xinren.ledger import hashstore, merkle
from xinren.ledger.errors import InvalidHashError, LedgerError

from ..conftest import SHARED_DATA, shared_data

VECTORS = ("tlog-vectors",)
ROOTS_THAT_ARE_NOT_HASHES = {"consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"}


def _vector_files(kind: str) -> list[str]:
    folder = SHARED_DATA.joinpath(*VECTORS, "merkle", kind)
    if not folder.exists():
        return ["<missing>"]  # the test then skips, or fails on CI, through shared_data()
    return sorted(str(p.relative_to(folder.parent)) for p in folder.rglob("*.json"))


def _load(relative: str) -> dict[str, Any]:
    path: Path = shared_data(*VECTORS, "merkle", *relative.split("/"))
    return json.loads(path.read_text())


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


def _proof(vector: dict[str, Any]) -> list[bytes]:
    return [_b64(p) for p in vector["proof"] or []]


@pytest.mark.parametrize("relative", _vector_files("inclusion"))
def test_inclusion_vector(relative: str) -> None:
    # given
    vector = _load(relative)
    leaf, root = _b64(vector["leafHash"]), _b64(vector["root"])
    # when
    if vector["wantErr"]:
        with pytest.raises(LedgerError) as refused:
            merkle.verify_inclusion(leaf, vector["leafIdx"], vector["treeSize"], _proof(vector), root)
        # then
        assert refused.value.code in {"invalid_hash", "invalid_tree_size", "proof_wrong_length", "root_mismatch"}
    else:
        merkle.verify_inclusion(leaf, vector["leafIdx"], vector["treeSize"], _proof(vector), root)
        # then: no exception
        assert relative.endswith(("happy-path.json", "matching-root-and-leaf.json"))


@pytest.mark.parametrize("relative", _vector_files("consistency"))
def test_consistency_vector(relative: str) -> None:
    # given
    vector = _load(relative)
    args = (vector["size1"], vector["size2"], _proof(vector), _b64(vector["root1"]), _b64(vector["root2"]))
    # when
    if relative in ROOTS_THAT_ARE_NOT_HASHES:
        with pytest.raises(InvalidHashError):
            merkle.verify_consistency(*args)
        # then: the vector's wantErr=false is overruled by the 32-byte root policy documented above
        assert vector["wantErr"] is False
    elif vector["wantErr"]:
        with pytest.raises(LedgerError) as refused:
            merkle.verify_consistency(*args)
        # then
        assert refused.value.code in {"invalid_hash", "invalid_tree_size", "proof_wrong_length", "root_mismatch"}
    else:
        merkle.verify_consistency(*args)
        # then: no exception
        assert relative.endswith("happy-path.json")


def _reference_tree() -> dict[str, Any]:
    return json.loads(shared_data("tlog-vectors", "rfc6962_reference_tree.json").read_text())


def test_reference_tree_root_after_each_size() -> None:
    # given
    tree = _reference_tree()
    entries = [bytes.fromhex(h) for h in tree["leaf_inputs_hex"]]
    expected = tree["root_hashes_by_size_hex"]
    store = hashstore.MemoryHashStore()
    # when
    roots = [merkle.root_from_entries(entries[:size]).hex() for size in range(len(entries) + 1)]
    incremental = [store.root().hex()]
    for entry in entries:
        store.append([merkle.leaf_hash(entry)])
        incremental.append(store.root().hex())
    # then
    assert roots == expected
    assert incremental == expected
    assert [hashstore.tree_root(size, store).hex() for size in range(len(entries) + 1)] == expected


def test_reference_tree_proofs_match_the_vectors() -> None:
    # given: the happy-path vectors are proofs over the reference tree
    entries = [bytes.fromhex(h) for h in _reference_tree()["leaf_inputs_hex"]]
    store = hashstore.MemoryHashStore(merkle.leaf_hash(e) for e in entries)
    inclusion = _load("inclusion/2/happy-path.json")
    consistency = _load("consistency/2/happy-path.json")
    # when
    path = hashstore.inclusion_proof(inclusion["leafIdx"], inclusion["treeSize"], store)
    proof = hashstore.consistency_proof(consistency["size1"], consistency["size2"], store)
    # then
    assert path == _proof(inclusion)
    assert proof == _proof(consistency)

