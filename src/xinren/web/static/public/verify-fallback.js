// The pure-JavaScript path of verify.js, for browsers whose Web Crypto lacks Ed25519 (or pages not on HTTPS,
// where there is no Web Crypto at all): the audited noble-ed25519 1.7.3 and noble-hashes 1.3.3, vendored in
// vendor/ as published on npm (two import lines changed so that a browser can load them; vendor/VENDOR.md).
import * as ed from "./vendor/noble-ed25519-1.7.3.js";
import { sha256 as nobleSha256 } from "./vendor/noble-hashes-1.3.3/sha256.js";
import { sha512 } from "./vendor/noble-hashes-1.3.3/sha512.js";
import { concatBytes } from "./vendor/noble-hashes-1.3.3/utils.js";

ed.utils.sha512Sync = (...messages) => sha512(concatBytes(...messages));

export function sha256(bytes) {
  return nobleSha256(bytes);
}

export function ed25519Verify(publicKey, signature, message) {
  try {
    return ed.sync.verify(signature, message, publicKey);
  } catch (error) {
    return false; // a malformed key or signature verifies nothing
  }
}
