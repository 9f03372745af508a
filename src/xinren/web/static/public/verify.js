/* 在我的手机上验证 — "verify on my phone" (docs/ledger.md). Plain JavaScript, no framework, no inline code.
 *
 * Fetches the item's proof bundle (xinren.ledger.item-bundle/v1) and checks, in this browser:
 * the checkpoint's signature by the log key, each record's inclusion proof (RFC 9162), each record's DSSE
 * signature (Ed25519 over the PAE), and that every signing key was registered by the log's registrar, whose own
 * key is the self-signed entry 0. Web Crypto SHA-256 and Ed25519 where the browser has them; otherwise the audited
 * noble libraries (verify-fallback.js). The same checks as `xinren ledger verify` and the independent verifier.
 *
 * The page's #verify element carries data-bundle (the bundle's URL) and data-log-key (the log's verifier key).
 * #verify in the address runs it at once; #verify-fallback forces the pure-JavaScript path.
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
    need(m, "log_key", "日志公钥格式不对");
    var parts = m.slice(1);
    var material = b64(parts[2]);
    need(material.length === 33 && material[0] === 1, "log_key", "日志公钥不是 Ed25519 公钥");
    var split = note.indexOf("\n\n");
    need(split > 0, "checkpoint", "检查点格式不对");
    var text = note.slice(0, split + 1), lines = note.slice(split + 2).split("\n"), name = parts[0];
    var wanted = "— " + name + " ";
    return c.sha256(concat(enc.encode(name + "\n"), material)).then(function (id) {
      var tries = [];
      lines.forEach(function (line) {
        if (line.indexOf(wanted) !== 0) return;
        var sig = b64(line.slice(wanted.length));
        if (sig.length === 68 && equal(sig.slice(0, 4), id.slice(0, 4))) tries.push(c.verify(material.slice(1), sig.slice(4), enc.encode(text)));
      });
      need(tries.length === 1, "checkpoint", "检查点没有日志密钥的签名");
      return tries[0];
    }).then(function (ok) {
      need(ok, "checkpoint", "检查点签名无效");
      var body = text.split("\n");
      need(body[0] === name && /^(0|[1-9][0-9]*)$/.test(body[1]), "checkpoint", "检查点内容不对");
      var rootHash = b64(body[2]);
      need(rootHash.length === 32, "checkpoint", "检查点根哈希不对");
      return { origin: body[0], size: Number(body[1]), root: rootHash };
    });
  }

  function inclusion(c, leaf, index, size, path, rootHash) {
    // RFC 9162 §2.1.3.2, with the path length checked first (as the platform's verifier does).
    var fn = index, sn = size - 1, r = leaf, i = 0, inner = 0, n;
    for (n = index ^ (size - 1); n; n >>= 1) inner++;
    var ones = 0; for (n = index >> inner; n; n >>= 1) ones += n & 1;
    need(path.length === inner + ones, "inclusion", "包含证明长度不对");
    function step() {
      if (i === path.length) return Promise.resolve(sn === 0 && equal(r, rootHash));
      need(sn !== 0, "inclusion", "包含证明过长");
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
    need(bundle && bundle.format === "xinren.ledger.item-bundle/v1", "bundle", "不是商品证明包");
    need(bundle.log_key === trustedKey, "log_key", "证明包中的日志公钥与本页公布的不一致");
    var keys = {}, verified = {}, checkpoint;
    return openCheckpoint(c, bundle.checkpoint, trustedKey).then(function (cp) {
      checkpoint = cp;
      return Promise.all(bundle.keys.map(function (k) {
        var pub = b64(k.public_key);
        need(pub.length === 32 && !keys[k.key_id], "bundle", "签名密钥列表不对");
        keys[k.key_id] = { key: k, pub: pub };
        return c.sha256(pub).then(function (h) { need(hex(h) === k.key_id, "bundle", "密钥 ID 与公钥不符"); });
      }));
    }).then(function () {
      return Promise.all(bundle.records.map(function (rec) {
        var entry = b64(rec.entry), index = rec.index;
        need(Number.isInteger(index) && index >= 0 && index < checkpoint.size && !verified[index], "index", "条目序号不对", index);
        verified[index] = true;
        return c.sha256(concat([0], entry)).then(function (leaf) {
          return inclusion(c, leaf, index, checkpoint.size, rec.inclusion_path.map(b64), checkpoint.root);
        }).then(function (ok) {
          need(ok, "inclusion", "包含证明不成立：此记录不在已签名的日志中", index);
          var env = JSON.parse(dec.decode(entry));
          need(env.payloadType === STATEMENT, "signature", "不是信任平台的声明", index);
          var payload = b64(env.payload), signers = [], checks = [];
          env.signatures.forEach(function (s) {
            var k = keys[s.keyid];
            if (!k) return;
            need(signers.indexOf(k.key) < 0, "signature", "同一密钥签名两次", index);
            signers.push(k.key);
            checks.push(c.verify(k.pub, b64(s.sig), pae(env.payloadType, payload)));
          });
          need(checks.length > 0, "signature", "没有已知密钥的签名", index);
          return Promise.all(checks).then(function (oks) {
            need(oks.every(Boolean), "signature", "签名无效：记录内容已被改动", index);
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
             said.id === k.key_id && said.public_key === k.public_key, "keys", "签名密钥未经日志登记处登记", k.registered_at);
      });
      return { checkpoint: checkpoint, records: records };
    });
  }

  // -- what each record says, in Chinese -----------------------------------------------------------------------
  var TYPES = {
    "trace.event": "溯源事件", "lab.report": "检测报告", "evidence.media": "证据文件", "evidence.withdrawal": "证据撤回",
    "cost.breakdown": "成本构成", "coldchain.profile": "冷链温度要求", "coldchain.promise": "时效承诺",
    "coldchain.readings": "冷链温度记录", "review": "买家评价", "review.diary": "使用日记", "review.reply": "商家回复",
    "review.response": "作者回应", "review.fold": "评价折叠", "review.unfold": "评价恢复显示",
    "trust.programme": "区域认证规则", "verification.registry": "核验名录", "verification.result": "资质核验结果",
    "key.register": "签名密钥登记", "key.rotate": "签名密钥轮换", "key.revoke": "签名密钥吊销",
  };
  var STEPS = { harvesting: "采收", commissioning: "赋码", inspecting: "检验", packing: "包装", shipping: "发货",
    receiving: "收货", storing: "入库", accepting: "验收", retail_selling: "零售", departing: "出发", arriving: "到达",
    transforming: "加工", destroying: "销毁" };
  var CHECKS = { bundle: "证明包格式", log_key: "日志公钥", checkpoint: "检查点签名", index: "条目序号",
    inclusion: "包含证明", signature: "记录签名", keys: "密钥登记", fetch: "下载证明包" };

  function says(s) {
    var e = s.event || {};
    switch (s.type) {
      case "trace.event":
        var step = String(e.bizStep || "").split(/[:/]/).pop();
        return "步骤：" + (STEPS[step] || step) + " · 时间：" + (e.eventTime || "");
      case "lab.report":
        return "样品 " + s.sample_id + "：" + (s.measurements || []).map(function (m) { return m.indicator + " " + m.value + " " + (m.unit || ""); }).join("，");
      case "evidence.media": return (s.caption || "") + "（" + s.mediaType + "，SHA-256 " + String(s.sha256).slice(0, 16) + "…）";
      case "cost.breakdown": return "售价 ¥" + (s.price_fen / 100).toFixed(2);
      case "coldchain.profile": return "温度 " + (s.temperature || {}).min + "–" + (s.temperature || {}).max + " °C";
      case "coldchain.readings": return ((s.readings || {}).count || 0) + " 条读数，" + (s.excursions || []).length + " 次超温";
      case "review": return s.stars + " 星：" + s.text;
      case "review.reply": case "review.diary": case "review.response": return s.text;
      case "review.fold": case "review.unfold": case "key.revoke": case "evidence.withdrawal": return "原因：" + s.reason;
      case "key.register": case "key.rotate": return "密钥 " + String((s.key || {}).id).slice(0, 16) + "… 登记给 " + s.subject;
      case "verification.result": return s.kind + " " + s.number + "：" + s.status;
      case "trust.programme": return s.name;
      default: return "对象：" + s.subject;
    }
  }
  function who(signers) {
    return signers.map(function (k) { return k.owner === "platform" ? "日志登记处" : (k.name || k.owner); }).join("、");
  }

  // -- the page ------------------------------------------------------------------------------------------------
  var button = root.querySelector("button"), out = root.querySelector("[data-f=result]");
  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text != null) n.textContent = text; return n; }

  function show(result, c, ms, omitted) {
    out.textContent = "";
    var head = el("p", "proof ok", "✓ 全部 " + result.records.length + " 条记录已在您的手机上验证：检查点由日志签名，每条记录都在日志中，且由登记过的密钥签名。");
    out.appendChild(head);
    var list = el("ol", "vlist");
    result.records.forEach(function (r) {
      var li = el("li", null);
      li.setAttribute("data-index", r.index);
      li.appendChild(el("b", null, "✓ " + (TYPES[r.statement.type] || r.statement.type) + " "));
      li.appendChild(el("span", "n", "日志第 " + r.index + " 条"));
      li.appendChild(el("p", null, says(r.statement)));
      li.appendChild(el("p", "who", "签名方：" + who(r.signers)));
      list.appendChild(li);
    });
    out.appendChild(list);
    if (omitted.length) out.appendChild(el("p", "proof", "另有 " + omitted.length + " 条记录尚未写入日志或与日志不一致，无法验证。"));
    out.appendChild(el("p", "proof-help", "日志 " + result.checkpoint.origin + "，大小 " + result.checkpoint.size + "，根哈希 " + hex(result.checkpoint.root).slice(0, 16) + "…；用时 " + Math.round(ms) + " 毫秒（" + (c.name === "webcrypto" ? "浏览器内置密码学" : "备用密码学库") + "）。"));
    root.setAttribute("data-verdict", "ok");
  }
  function showFailure(error) {
    out.textContent = "";
    var fail = error instanceof Fail ? error : new Fail("bundle", String(error && error.message || error));
    var text = "⚠ 验证未通过（" + (CHECKS[fail.check] || fail.check) + (fail.index != null ? "，日志第 " + fail.index + " 条" : "") + "）：" + fail.message + "。请勿采信本页内容。";
    out.appendChild(el("p", "proof bad", text));
    root.setAttribute("data-verdict", "fail");
    root.setAttribute("data-check", fail.check);
  }

  function run(forceFallback) {
    var start = performance.now(), c;
    button.disabled = true;
    out.hidden = false;
    out.textContent = "正在验证…";
    root.removeAttribute("data-verdict");
    return engine(forceFallback).then(function (engine) {
      c = engine;
      root.setAttribute("data-engine", c.name);
      return fetch(root.getAttribute("data-bundle"), { cache: "no-store" })["catch"](function () { throw new Fail("fetch", "网络错误"); });
    }).then(function (r) {
      need(r.ok, "fetch", "服务器返回 " + r.status);
      return r.json()["catch"](function () { throw new Fail("bundle", "不是 JSON"); });
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
