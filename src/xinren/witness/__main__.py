"""`python -m xinren.witness …`: run an independent witness of a Xinren log (docs/ledger.md, Witnesses).

    keygen  --name NAME --key-file PATH [--if-missing]   make the witness's own key; prints its verifier key
    vkey    [--key-file PATH]                            print the verifier key of the witness key
    once    --log-url URL --log-key VKEY --state PATH    one round: fetch, check, cosign, post back
    follow  … [--interval SECONDS]                       rounds forever (the service)
    serve   … --listen HOST:PORT                         the add-checkpoint endpoint, for logs that push

The key comes from --key-file, $XINREN_WITNESS_KEY or $XINREN_WITNESS_KEY_FILE; the log's key from --log-key or
$XINREN_WITNESS_LOG_KEY; the state from --state or $XINREN_WITNESS_STATE. No Django is needed.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence

from xinren.ledger.errors import LedgerError
from xinren.ledger.note import Verifier

from .core import Witness
from .follow import Follower
from .keys import WitnessKeyError, key_file_create, signer_load
from .server import server_create
from .state import StateError, StateFile


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m xinren.witness", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    keygen = commands.add_parser("keygen", help="make the witness's own cosigning key")
    keygen.add_argument("--name", required=True, help="the witness's name, a schema-less URL")
    keygen.add_argument("--key-file", required=True)
    keygen.add_argument("--if-missing", action="store_true", help="keep the key already in --key-file")
    vkey = commands.add_parser("vkey", help="print the witness's verifier key")
    vkey.add_argument("--key-file")
    for name in ("once", "follow", "serve"):
        command = commands.add_parser(name)
        command.add_argument("--key-file")
        command.add_argument("--log-key", default=os.environ.get("XINREN_WITNESS_LOG_KEY", ""),
                             help="the log's verifier key (as /log/key prints it, obtained out of band)")
        command.add_argument("--state", default=os.environ.get("XINREN_WITNESS_STATE", ""),
                             help="the witness's state file (keep it and back it up)")
        if name == "serve":
            command.add_argument("--listen", default="127.0.0.1:8077")
        else:
            command.add_argument("--log-url", default=os.environ.get("XINREN_WITNESS_LOG_URL", ""),
                                 help="the log's /log/ prefix, e.g. https://xinren.example.cn/log/")
            command.add_argument("--post-url", help="where to post cosignatures (default <log-url>/cosignature)")
        if name == "follow":
            command.add_argument("--interval", type=float, default=5.0)
            command.add_argument("--stop-with-parent", action="store_true",
                                 help="exit when the process that started it is gone (make run)")
            command.add_argument("--rounds", type=int, default=0, help="stop after this many rounds (tests)")
    return parser


def _witness(options: argparse.Namespace) -> Witness:
    if not options.log_key:
        raise WitnessKeyError("the log's verifier key is needed (--log-key or $XINREN_WITNESS_LOG_KEY)")
    if not options.state:
        raise WitnessKeyError("a state file is needed (--state or $XINREN_WITNESS_STATE)")
    log_key = Verifier.from_vkey(options.log_key.strip())
    witness = Witness(signer=signer_load(key_file=options.key_file), logs={log_key.name: log_key},
                      state=StateFile(options.state))
    witness.state.read()  # refuse to start on an unreadable state rather than forget what we cosigned
    return witness


def main(argv: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s witness %(levelname)s %(message)s")
    try:
        if options.command == "keygen":
            print(key_file_create(name=options.name, path=options.key_file, exist_ok=options.if_missing)
                  .verifier().vkey)
            return 0
        if options.command == "vkey":
            print(signer_load(key_file=options.key_file).verifier().vkey)
            return 0
        witness = _witness(options)
        if options.command == "serve":
            host, _, port = options.listen.rpartition(":")
            server = server_create(witness, host=host or "127.0.0.1", port=int(port))
            logging.getLogger("xinren.witness").info("%s listening on %s", witness.name, options.listen)
            server.serve_forever()
            return 0
        if not options.log_url:
            raise WitnessKeyError("the log's URL is needed (--log-url or $XINREN_WITNESS_LOG_URL)")
        follower = Follower(witness, log_url=options.log_url, post_url=options.post_url)
        if options.command == "once":
            outcome = follower.follow_once()
            print(f"{outcome.outcome} {outcome.size} {outcome.message}".rstrip())
            return 0 if outcome.outcome in {"cosigned", "current"} else 1
        parent = os.getppid()
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
        follower.follow(interval=options.interval, rounds=options.rounds, sleep=stopping.wait,
                        keep_going=lambda: not stopping.is_set() and
                        not (options.stop_with_parent and os.getppid() != parent))
        return 0
    except (WitnessKeyError, StateError, LedgerError, ValueError) as exc:
        print(f"xinren.witness: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
