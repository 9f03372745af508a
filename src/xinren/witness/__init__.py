"""An independent witness of a C2SP transparency log (c2sp.org/tlog-witness, tlog-cosignature).

It holds its own Ed25519 cosigning key, keeps the latest checkpoint it cosigned per log in its own file, and
cosigns a new checkpoint only when the log signed it and a consistency proof shows that it extends that
state. It never cosigns a fork (another root at a size it knows, or an inconsistent extension) nor a smaller
tree. It talks to the log over HTTP only: this package imports the pure ledger core (`xinren.ledger.note`,
`checkpoint`, `merkle`, `b64`) and the standard library, never Django nor the platform's contexts, so an
alliance or a regulator can run it on its own machine (`python -m xinren.witness`, docs/ledger.md).

Modules: `state` (the state file), `core` (the checks, `Witness`), `follow` (fetch, cosign, post back),
`server` (the add-checkpoint HTTP endpoint), `keys` (key loading and generation).
"""
