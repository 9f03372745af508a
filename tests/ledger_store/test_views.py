"""/log/ over HTTP: tiles and bundles byte for byte as the pure package builds them, proofs, headers."""

from __future__ import annotations

import base64

import pytest

from xinren.attest import signing
from xinren.ledger import verify_bundle, verify_consistency, verify_inclusion
from xinren.ledger.checkpoint import open_checkpoint
from xinren.ledger.hashstore import MemoryHashStore, inclusion_proof
from xinren.ledger.merkle import leaf_hash
from xinren.ledger.note import Verifier
from xinren.ledger.store.models import LogEntry
from xinren.ledger.store.sequencer import log_integrate
from xinren.ledger.tiles import TileHashReader, encode_entry_bundle, tile_bytes, tiles_for_size

from .conftest import note_statement, signed

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ledger_store.urls")]


@pytest.fixture
def log_of_300(lab_key, lab_actor, lab_private_key):  # type: ignore[no-untyped-def]
    """A log of 300 entries (two key statements and 298 lab reports), integrated in two batches."""
    envelopes = [signed(lab_private_key, note_statement(n)) for n in range(298)]
    signing.envelopes_submit(actor=lab_actor, envelopes=envelopes[:100])
    first = log_integrate()
    signing.envelopes_submit(actor=lab_actor, envelopes=envelopes[100:])
    second = log_integrate()
    assert second.new_size == 300
    return first, second


def _reference() -> tuple[MemoryHashStore, list[bytes]]:
    entries = [bytes(e) for e in LogEntry.objects.order_by("index").values_list("envelope", flat=True)]
    return MemoryHashStore(leaf_hash(e) for e in entries), entries


def test_key_and_checkpoint_verify(client, log_of_300) -> None:
    # when
    vkey = client.get("/log/key")
    checkpoint = client.get("/log/checkpoint")
    # then
    assert vkey["Content-Type"] == "text/plain; charset=utf-8"
    verifier = Verifier.from_vkey(vkey.content.decode().strip())
    opened = open_checkpoint(checkpoint.content.decode(), verifier).checkpoint
    assert (opened.origin, opened.size, opened.root) == ("xinren.example/log", 300, log_of_300[1].root)
    assert checkpoint["Cache-Control"] == "public, max-age=5"


def test_hash_tiles_are_byte_for_byte_those_of_the_pure_package(client, log_of_300) -> None:
    # given
    reference, _ = _reference()
    # when / then: every tile a tree of 300 publishes
    tiles = tiles_for_size(300)
    assert [t.path for t in tiles] == ["tile/0/000", "tile/0/001.p/44", "tile/1/000.p/1"]
    for tile in tiles:
        response = client.get("/log/" + tile.path)
        assert response.status_code == 200, tile.path
        assert response.content == tile_bytes(reference.read_hashes(tile.hash_positions()))
        expected_cache = "public, max-age=5" if tile.is_partial else "public, max-age=31536000, immutable"
        assert response["Cache-Control"] == expected_cache


def test_entry_bundles_are_byte_for_byte_those_of_the_pure_package(client, log_of_300) -> None:
    _, entries = _reference()
    full = client.get("/log/tile/entries/000")
    partial = client.get("/log/tile/entries/001.p/44")
    narrower = client.get("/log/tile/entries/001.p/10")
    assert full.content == encode_entry_bundle(entries[:256])
    assert partial.content == encode_entry_bundle(entries[256:300])
    assert narrower.content == encode_entry_bundle(entries[256:266])
    assert full["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_third_party_proves_inclusion_from_the_served_tiles(client, log_of_300) -> None:
    # given: a client holding only the checkpoint and fetching tiles over HTTP
    _, entries = _reference()
    reader = TileHashReader(300, lambda tile: client.get("/log/" + tile.path).content)
    # when
    path = inclusion_proof(257, 300, reader)
    # then
    verify_inclusion(leaf_hash(entries[257]), 257, 300, path, log_of_300[1].root)


def test_tiles_beyond_the_tree_are_not_found(client, log_of_300) -> None:
    assert client.get("/log/tile/0/001").status_code == 404
    assert client.get("/log/tile/0/001.p/45").status_code == 404
    assert client.get("/log/tile/entries/002.p/1").status_code == 404
    assert client.get("/log/tile/0/1").status_code in {404, 422}


def test_inclusion_proof_json_by_index_and_by_leaf_hash(client, log_of_300) -> None:
    # given
    _, entries = _reference()
    leaf = leaf_hash(entries[123])
    # when
    by_index = client.get("/log/proof/inclusion", {"index": 123}).json()
    by_hash = client.get("/log/proof/inclusion", {"leaf_hash": leaf.hex()}).json()
    by_b64 = client.get("/log/proof/inclusion", {"leaf_hash": base64.b64encode(leaf).decode()}).json()
    # then
    assert by_index == by_hash == by_b64
    assert (by_index["index"], by_index["size"], by_index["leaf_hash"]) == (123, 300, leaf.hex())
    path = [base64.b64decode(h) for h in by_index["inclusion_path"]]
    verify_inclusion(leaf, 123, 300, path, log_of_300[1].root)
    assert by_index["checkpoint"].startswith("xinren.example/log\n300\n")


def test_inclusion_proof_at_an_older_checkpoint(client, log_of_300) -> None:
    first = log_of_300[0]
    body = client.get("/log/proof/inclusion", {"index": 5, "size": first.new_size}).json()
    _, entries = _reference()
    verify_inclusion(leaf_hash(entries[5]), 5, first.new_size, [base64.b64decode(h) for h in body["inclusion_path"]],
                     first.root)


def test_consistency_proof_json(client, log_of_300) -> None:
    first, second = log_of_300
    body = client.get("/log/proof/consistency", {"first": first.new_size, "second": 300}).json()
    assert (body["first"], body["second"]) == (first.new_size, 300)
    verify_consistency(first.new_size, 300, [base64.b64decode(h) for h in body["consistency_path"]], first.root,
                       second.root)


@pytest.mark.parametrize(
    ("query", "code", "status"),
    [
        ({"index": 300}, "ledger.tree_size_invalid", 422),
        ({"index": "01"}, "ledger.query_invalid", 422),
        ({}, "ledger.query_invalid", 422),
        ({"leaf_hash": "ab" * 32}, "ledger.entry_not_found", 404),
        ({"index": 1, "size": 301}, "ledger.tree_size_invalid", 422),
    ],
)
def test_bad_proof_queries_answer_in_the_error_shape(client, log_of_300, query, code, status) -> None:
    response = client.get("/log/proof/inclusion", query)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message", "details"}


def test_bundle_download_verifies(client, log_of_300) -> None:
    # when
    text = client.get("/log/bundle/42")
    as_json = client.get("/log/bundle/42", {"format": "json"})
    # then
    assert text["Content-Disposition"] == 'attachment; filename="xinren-log-42.tlog-proof"'
    vkey = client.get("/log/key").content.decode().strip()
    assert verify_bundle(text.content, vkey).ok is True
    assert verify_bundle(as_json.content, vkey).ok is True
    assert client.get("/log/bundle/300").status_code == 404


def test_entry_status(client, lab_key, lab_actor, lab_private_key) -> None:
    # given
    ref = signing.envelope_submit(actor=lab_actor, envelope_bytes=signed(lab_private_key, note_statement(1)))
    # when
    pending = client.get(f"/log/entry/{ref.leaf_hash}").json()
    log_integrate()
    integrated = client.get(f"/log/entry/{ref.leaf_hash}").json()
    # then
    assert pending == {"leaf_hash": ref.leaf_hash, "status": "pending", "index": None}
    assert integrated == {"leaf_hash": ref.leaf_hash, "status": "integrated", "index": 2}
    assert client.get("/log/entry/" + "00" * 32).status_code == 404


def test_the_empty_log_serves_a_signed_empty_checkpoint(client) -> None:
    response = client.get("/log/checkpoint")
    verifier = Verifier.from_vkey(client.get("/log/key").content.decode().strip())
    assert open_checkpoint(response.content, verifier).checkpoint.size == 0


def test_only_get_is_allowed(client) -> None:
    assert client.post("/log/checkpoint").status_code == 405
