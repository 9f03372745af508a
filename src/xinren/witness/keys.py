"""The witness's own cosigning key: from the environment or a key file, generated once with `keygen`.

Key strings are the signed-note formats (`PRIVATE+KEY+<name>+<key ID>+<base64(0x04 ‖ seed)>` and the verifier
key `<name>+<key ID>+<base64(0x04 ‖ public key)>`); the name SHOULD be a schema-less URL that identifies the
witness (tlog-cosignature), e.g. `witness.dianchalianmeng.example/w1`.
"""

from __future__ import annotations

import os
from pathlib import Path

from xinren.ledger.note import SIG_COSIGNATURE_V1, Signer

KEY_ENV = "XINREN_WITNESS_KEY"
KEY_FILE_ENV = "XINREN_WITNESS_KEY_FILE"


class WitnessKeyError(Exception):
    """No usable witness key."""


def signer_load(*, key_file: str | None = None) -> Signer:
    """The key in the file `key_file`, else in $XINREN_WITNESS_KEY, else in the file $XINREN_WITNESS_KEY_FILE."""
    text = "" if key_file else os.environ.get(KEY_ENV, "").strip()
    path = key_file or os.environ.get(KEY_FILE_ENV, "")
    if not text and path:
        try:
            text = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise WitnessKeyError(f"cannot read the witness key file {path}: {exc.strerror}") from None
    if not text:
        raise WitnessKeyError(f"no witness key: set {KEY_ENV} or {KEY_FILE_ENV}, or pass --key-file "
                        "(`python -m xinren.witness keygen` makes one)")
    try:
        signer = Signer.from_skey(text)
    except ValueError as exc:
        raise WitnessKeyError(f"the witness key is not a signer key string: {exc}") from None
    if signer.sig_type != SIG_COSIGNATURE_V1:
        raise WitnessKeyError("the witness key must be of type 0x04 (cosignature/v1), as `keygen` makes it")
    return signer


def key_file_create(*, name: str, path: str | os.PathLike[str], exist_ok: bool = False) -> Signer:
    """A new cosigning key written to `path` (mode 0600); with `exist_ok`, the key already there."""
    target = Path(path)
    if target.exists():
        if not exist_ok:
            raise WitnessKeyError(f"{target} exists: a witness keeps its key (pass --if-missing to reuse it)")
        return signer_load(key_file=str(target))
    signer = Signer.generate(name, SIG_COSIGNATURE_V1)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(signer.skey + "\n")
    return signer
