/* 在我的手机上验证 — "verify on my phone" (docs/ledger.md). Plain JavaScript, no framework, no inline code.
 *
 * Fetches the item's proof bundle (xinren.ledger.item-bundle/v1) and checks, in this browser:
 * the checkpoint's signature by the log key, each record's inclusion proof (RFC 9162), each record's DSSE
 * signature (Ed25519 over the PAE), and that every signing key was registered by the log's registrar, whose own
 * key is the self-signed entry 0. Web Crypto SHA-256 and Ed25519 where the browser has them; otherwise the audited
 * noble libraries (verify-fallback.js). The same checks as `xinren ledger verify` and the independent verifier.
 *
 * The page's #verify element carries data-bundle (the bundle's URL) and data-log-key (the log's verifier key).
 * #verify in the address runs it at once; #verify-fallback forces the pure-JavaScript path. It speaks Chinese, or
 * English on the English page (<html lang="en">).
 */
(function () {
  "use strict";
  var root = document.getElementById("verify");
  if (!root) return;
  var script = document.currentScript;
  var FALLBACK = new URL("verify-fallback.js", script ? script.src : location.href).href;
  var enc = new TextEncoder();
  var dec = new TextDecoder("utf-8", { fatal: true });
  var STATEMENT = "application/vnd.xinren.statement+json";
  var EN = !/^zh/i.test(document.documentElement.lang || "zh");  // the page's language: Chinese first, or English
  function t(zh, en) { return EN ? en : zh; }

  function Fail(check, message, index) { this.check = check; this.message = message; this.index = index; }
  function need(ok, check, message, index) { if (!ok) throw new Fail(check, message, index); }

  function b64(text) {
    need(typeof text === "string" && /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0, "bundle", "base64");
    var raw = atob(text), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function toB64(bytes) { var s = ""; for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]); return btoa(s); }
  function hex(bytes) { var s = ""; for (var i = 0; i < bytes.length; i++) s += (bytes[i] + 256).toString(16).slice(1); return s; }
  function concat() {
    var n = 0, i, parts = arguments;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    var out = new Uint8Array(n), at = 0;
    for (i = 0; i < parts.length; i++) { out.set(parts[i], at); at += parts[i].length; }
    return out;
  }
  function equal(a, b) { if (a.length !== b.length) return false; for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false; return true; }

  // -- the two primitives: Web Crypto, or the fallback module --------------------------------------------------
  function webCrypto() {
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle) return Promise.resolve(null);
    var key = new Uint8Array(32).fill(0x66); key[0] = 0x58;  // the base point: is Ed25519 there at all?
    return subtle.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]).then(function () {
      return {
        name: "webcrypto",
        sha256: function (b) { return subtle.digest("SHA-256", b).then(function (d) { return new Uint8Array(d); }); },
        verify: function (pub, sig, msg) {
          return subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"])
            .then(function (k) { return subtle.verify({ name: "Ed25519" }, k, sig, msg); })["catch"](function () { return false; });
        },
      };
    })["catch"](function () { return null; });
  }
  function fallback() {
    return import(FALLBACK).then(function (m) {
      return {
        name: "fallback",
        sha256: function (b) { return Promise.resolve(m.sha256(b)); },
        verify: function (pub, sig, msg) { return Promise.resolve(m.ed25519Verify(pub, sig, msg)); },
      };
    });
  }
  function engine(forceFallback) {
    return forceFallback ? fallback() : webCrypto().then(function (c) { return c || fallback(); });
  }

  // -- checks --------------------------------------------------------------------------------------------------
  function openCheckpoint(c, note, vkey) {
    var m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(vkey || "");  // name+keyid+key (the key may hold "+")
    need(m, "log_key", t("日志公钥格式不对", "the log key is malformed"));
    var parts = m.slice(1);
    var material = b64(parts[2]);
    need(material.length === 33 && material[0] === 1, "log_key", t("日志公钥不是 Ed25519 公钥", "the log key is not an Ed25519 key"));
    var split = note.indexOf("\n\n");
    need(split > 0, "checkpoint", t("检查点格式不对", "the checkpoint is malformed"));
    var text = note.slice(0, split + 1), lines = note.slice(split + 2).split("\n"), name = parts[0];
    var wanted = "— " + name + " ";
    return c.sha256(concat(enc.encode(name + "\n"), material)).then(function (id) {
      var tries = [];
      lines.forEach(function (line) {
        if (line.indexOf(wanted) !== 0) return;
        var sig = b64(line.slice(wanted.length));
        if (sig.length === 68 && equal(sig.slice(0, 4), id.slice(0, 4))) tries.push(c.verify(material.slice(1), sig.slice(4), enc.encode(text)));
      });
      need(tries.length === 1, "checkpoint", t("检查点没有日志密钥的签名", "the checkpoint is not signed by the log key"));
      return tries[0];
    }).then(function (ok) {
      need(ok, "checkpoint", t("检查点签名无效", "the checkpoint's signature is invalid"));
      var body = text.split("\n");
      need(body[0] === name && /^(0|[1-9][0-9]*)$/.test(body[1]), "checkpoint", t("检查点内容不对", "the checkpoint's body is wrong"));
      var rootHash = b64(body[2]);
      need(rootHash.length === 32, "checkpoint", t("检查点根哈希不对", "the checkpoint's root hash is wrong"));
      return { origin: body[0], size: Number(body[1]), root: rootHash };
    });
  }

  function inclusion(c, leaf, index, size, path, rootHash) {
    // RFC 9162 §2.1.3.2, with the path length checked first (as the platform's verifier does).
    var fn = index, sn = size - 1, r = leaf, i = 0, inner = 0, n;
    for (n = index ^ (size - 1); n; n >>= 1) inner++;
    var ones = 0; for (n = index >> inner; n; n >>= 1) ones += n & 1;
    need(path.length === inner + ones, "inclusion", t("包含证明长度不对", "the inclusion proof has the wrong length"));
    function step() {
      if (i === path.length) return Promise.resolve(sn === 0 && equal(r, rootHash));
      need(sn !== 0, "inclusion", t("包含证明过长", "the inclusion proof is too long"));
      var p = path[i++], left;
      if (fn % 2 === 1 || fn === sn) {
        left = c.sha256(concat([1], p, r)).then(function (h) {
          r = h; if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn /= 2; sn = Math.floor(sn / 2); }
        });
      } else {
        left = c.sha256(concat([1], r, p)).then(function (h) { r = h; });
      }
      return left.then(function () { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); return step(); });
    }
    return step();
  }

  function pae(type, body) {
    var t = enc.encode(type);
    return concat(enc.encode("DSSEv1 " + t.length + " "), t, enc.encode(" " + body.length + " "), body);
  }

  function verifyBundle(c, bundle, trustedKey) {
    need(bundle && bundle.format === "xinren.ledger.item-bundle/v1", "bundle", t("不是商品证明包", "this is not an item proof bundle"));
    need(bundle.log_key === trustedKey, "log_key", t("证明包中的日志公钥与本页公布的不一致", "the bundle names another log key than this page publishes"));
    var keys = {}, verified = {}, checkpoint;
    return openCheckpoint(c, bundle.checkpoint, trustedKey).then(function (cp) {
      checkpoint = cp;
      return Promise.all(bundle.keys.map(function (k) {
        var pub = b64(k.public_key);
        need(pub.length === 32 && !keys[k.key_id], "bundle", t("签名密钥列表不对", "the list of signing keys is wrong"));
        keys[k.key_id] = { key: k, pub: pub };
        return c.sha256(pub).then(function (h) { need(hex(h) === k.key_id, "bundle", t("密钥 ID 与公钥不符", "a key id does not match its key")); });
      }));
    }).then(function () {
      return Promise.all(bundle.records.map(function (rec) {
        var entry = b64(rec.entry), index = rec.index;
        need(Number.isInteger(index) && index >= 0 && index < checkpoint.size && !verified[index], "index", t("条目序号不对", "an entry index is wrong"), index);
        verified[index] = true;
        return c.sha256(concat([0], entry)).then(function (leaf) {
          return inclusion(c, leaf, index, checkpoint.size, rec.inclusion_path.map(b64), checkpoint.root);
        }).then(function (ok) {
          need(ok, "inclusion", t("包含证明不成立：此记录不在已签名的日志中", "the inclusion proof fails: this record is not in the signed log"), index);
          var env = JSON.parse(dec.decode(entry));
          need(env.payloadType === STATEMENT, "signature", t("不是信任平台的声明", "not a Xinren statement"), index);
          var payload = b64(env.payload), signers = [], checks = [];
          env.signatures.forEach(function (s) {
            var k = keys[s.keyid];
            if (!k) return;
            need(signers.indexOf(k.key) < 0, "signature", t("同一密钥签名两次", "the same key signed twice"), index);
            signers.push(k.key);
            checks.push(c.verify(k.pub, b64(s.sig), pae(env.payloadType, payload)));
          });
          need(checks.length > 0, "signature", t("没有已知密钥的签名", "no signature by a known key"), index);
          return Promise.all(checks).then(function (oks) {
            need(oks.every(Boolean), "signature", t("签名无效：记录内容已被改动", "the signature is invalid: the record was changed"), index);
            return { index: index, section: rec.section, statement: JSON.parse(dec.decode(payload)), signers: signers };
          });
        });
      }));
    }).then(function (records) {
      var byIndex = {};
      records.forEach(function (r) { byIndex[r.index] = r; });
      bundle.keys.forEach(function (k) {
        var reg = byIndex[k.registered_at], s = reg && reg.statement, said = s && s.key;
        var registrar = reg && reg.signers.filter(function (x) { return x.owner === "platform"; })[0];
        need(reg && registrar && (k.owner !== "platform" || (k.registered_at === 0 && registrar === k)) &&
             (s.type === "key.register" || s.type === "key.rotate") && s.subject === k.owner && said &&
             said.id === k.key_id && said.public_key === k.public_key, "keys", t("签名密钥未经日志登记处登记", "a signing key was not registered by the log's registrar"), k.registered_at);
      });
      return { checkpoint: checkpoint, records: records };
    });
  }

  // -- what each record says, in Chinese -----------------------------------------------------------------------
  var TYPES = {
    "trace.event": ["溯源事件", "trace event"], "lab.report": ["检测报告", "lab report"],
    "evidence.media": ["证据文件", "evidence file"], "evidence.withdrawal": ["证据撤回", "evidence withdrawn"],
    "cost.breakdown": ["成本构成", "cost breakdown"], "coldchain.profile": ["冷链温度要求", "cold-chain range"],
    "coldchain.promise": ["时效承诺", "delivery promise"], "coldchain.readings": ["冷链温度记录", "cold-chain readings"],
    "review": ["买家评价", "review"], "review.diary": ["使用日记", "usage diary"], "review.reply": ["商家回复", "merchant reply"],
    "review.response": ["作者回应", "author's response"], "review.fold": ["评价折叠", "review folded"],
    "review.unfold": ["评价恢复显示", "review unfolded"], "trust.programme": ["区域认证规则", "regional programme"],
    "verification.registry": ["核验名录", "verification registry"], "verification.result": ["资质核验结果", "credential check"],
    "key.register": ["签名密钥登记", "signing key registered"], "key.rotate": ["签名密钥轮换", "signing key rotated"],
    "key.revoke": ["签名密钥吊销", "signing key revoked"],
  };
  var STEPS = { harvesting: ["采收", "harvested"], commissioning: ["赋码", "commissioned"], inspecting: ["检验", "inspected"],
    packing: ["包装", "packed"], shipping: ["发货", "shipped"], receiving: ["收货", "received"], storing: ["入库", "stored"],
    accepting: ["验收", "accepted"], retail_selling: ["零售", "sold"], departing: ["出发", "departed"],
    arriving: ["到达", "arrived"], transforming: ["加工", "processed"], destroying: ["销毁", "destroyed"] };
  var CHECKS = { bundle: ["证明包格式", "bundle"], log_key: ["日志公钥", "log key"], checkpoint: ["检查点签名", "checkpoint"],
    index: ["条目序号", "index"], inclusion: ["包含证明", "inclusion"], signature: ["记录签名", "signature"],
    keys: ["密钥登记", "key registration"], fetch: ["下载证明包", "download"] };
  function pick(table, key) { var v = table[key]; return v ? t(v[0], v[1]) : key; }

  function when(text) {  // 2026-04-21T06:30:00+08:00 → 2026-04-21 06:30 (the offset shown unless China's)
    var m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)?$/.exec(String(text || ""));
    return m ? m[1] + " " + m[2] + (m[3] && m[3] !== "+08:00" ? " " + m[3] : "") : String(text || "");
  }
  function says(s) {
    var e = s.event || {}, c = t("：", ": ");
    switch (s.type) {
      case "trace.event":
        return t("步骤", "step") + c + pick(STEPS, String(e.bizStep || "").split(/[:/]/).pop()) + " · " + t("时间", "at") + c + when(e.eventTime);
      case "lab.report":
        return t("样品 ", "sample ") + s.sample_id + c + (s.measurements || []).map(function (m) { return m.indicator + " " + m.value + " " + (m.unit || ""); }).join(t("，", ", "));
      case "evidence.media": return (s.caption || "") + " (" + s.mediaType + ", SHA-256 " + String(s.sha256).slice(0, 16) + "…)";
      case "cost.breakdown": return t("售价", "price") + " ¥" + (s.price_fen / 100).toFixed(2);
      case "coldchain.profile": return t("温度", "range") + " " + (s.temperature || {}).min + "–" + (s.temperature || {}).max + " °C";
      case "coldchain.readings": return ((s.readings || {}).count || 0) + t(" 条读数，", " readings, ") + (s.excursions || []).length + t(" 次超温", " excursions");
      case "review": return s.stars + t(" 星：", " stars: ") + s.text;
      case "review.reply": case "review.diary": case "review.response": return s.text;
      case "review.fold": case "review.unfold": case "key.revoke": case "evidence.withdrawal": return t("原因", "reason") + c + s.reason;
      case "key.register": case "key.rotate": return t("密钥 ", "key ") + String((s.key || {}).id).slice(0, 16) + t("… 登记给 ", "… registered to ") + s.subject;
      case "verification.result": return s.kind + " " + s.number + c + s.status;
      case "trust.programme": return s.name;
      default: return t("对象", "about") + c + s.subject;
    }
  }
  function who(signers) {
    return signers.map(function (k) { return k.owner === "platform" ? t("日志登记处", "the log's registrar") : (k.name || k.owner); }).join(t("、", ", "));
  }

  // -- the page ------------------------------------------------------------------------------------------------
  var button = root.querySelector("button"), out = root.querySelector("[data-f=result]");
  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text != null) n.textContent = text; return n; }

  function show(result, c, ms, omitted) {
    out.textContent = "";
    var n = result.records.length;
    var head = el("p", "proof ok", t("✓ 全部 " + n + " 条记录已在您的手机上验证：检查点由日志签名，每条记录都在日志中，且由登记过的密钥签名。", "✓ All " + n + " records verified on your phone: the checkpoint is signed by the log, every record is in the log and signed by a registered key."));
    out.appendChild(head);
    var list = el("ol", "vlist");
    result.records.forEach(function (r) {
      var li = el("li", null);
      li.setAttribute("data-index", r.index);
      li.appendChild(el("b", null, "✓ " + pick(TYPES, r.statement.type) + " "));
      li.appendChild(el("span", "n", t("日志第 " + r.index + " 条", "log entry " + r.index)));
      li.appendChild(el("p", null, says(r.statement)));
      li.appendChild(el("p", "who", t("签名方：", "signed by: ") + who(r.signers)));
      list.appendChild(li);
    });
    out.appendChild(list);
    if (omitted.length) out.appendChild(el("p", "proof", t("另有 " + omitted.length + " 条记录尚未写入日志或与日志不一致，无法验证。", omitted.length + " more records are not in the log yet or differ from it, and cannot be verified.")));
    var cp = result.checkpoint, engineName = c.name === "webcrypto" ? t("浏览器内置密码学", "the browser's Web Crypto") : t("备用密码学库", "the fallback library");
    out.appendChild(el("p", "proof-help", t("日志 " + cp.origin + "，大小 " + cp.size + "，根哈希 " + hex(cp.root).slice(0, 16) + "…；用时 " + Math.round(ms) + " 毫秒（" + engineName + "）。",
      "Log " + cp.origin + ", size " + cp.size + ", root " + hex(cp.root).slice(0, 16) + "…; " + Math.round(ms) + " ms (" + engineName + ").")));
    root.setAttribute("data-verdict", "ok");
  }
  function showFailure(error) {
    out.textContent = "";
    var fail = error instanceof Fail ? error : new Fail("bundle", String(error && error.message || error));
    var where = fail.index != null ? t("，日志第 " + fail.index + " 条", ", log entry " + fail.index) : "";
    var text = t("⚠ 验证未通过（" + pick(CHECKS, fail.check) + where + "）：" + fail.message + "。请勿采信本页内容。",
      "⚠ Verification failed (" + pick(CHECKS, fail.check) + where + "): " + fail.message + ". Do not trust this page.");
    out.appendChild(el("p", "proof bad", text));
    root.setAttribute("data-verdict", "fail");
    root.setAttribute("data-check", fail.check);
  }

  function run(forceFallback) {
    var start = performance.now(), c;
    button.disabled = true;
    out.hidden = false;
    out.textContent = t("正在验证…", "Verifying…");
    root.removeAttribute("data-verdict");
    return engine(forceFallback).then(function (engine) {
      c = engine;
      root.setAttribute("data-engine", c.name);
      return fetch(root.getAttribute("data-bundle"), { cache: "no-store" })["catch"](function () { throw new Fail("fetch", t("网络错误", "network error")); });
    }).then(function (r) {
      need(r.ok, "fetch", t("服务器返回 ", "the server answered ") + r.status);
      return r.json()["catch"](function () { throw new Fail("bundle", t("不是 JSON", "not JSON")); });
    }).then(function (bundle) {
      return verifyBundle(c, bundle, root.getAttribute("data-log-key")).then(function (result) {
        var ms = performance.now() - start;
        root.setAttribute("data-ms", ms.toFixed(1));
        show(result, c, ms, bundle.omitted || []);
      });
    })["catch"](showFailure).then(function () { button.disabled = false; });
  }

  window.XinrenVerify = { engine: engine, verifyBundle: verifyBundle, run: run };
  button.hidden = false;
  button.addEventListener("click", function () { run(location.hash === "#verify-fallback"); });
  if (location.hash === "#verify" || location.hash === "#verify-fallback") run(location.hash === "#verify-fallback");
})();
