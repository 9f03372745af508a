// In-browser timing of verify.js on one item bundle: the baseline (fetch + parse), then fetch + parse + verify
// with Web Crypto and with the noble fallback. Medians of N runs after one warm-up, written into #bench.
(function () {
  "use strict";
  var N = 25;
  function median(xs) { xs = xs.slice().sort(function (a, b) { return a - b; }); return xs[Math.floor(xs.length / 2)]; }
  function fetchParse() { return fetch("/bundle.json", { cache: "no-store" }).then(function (r) { return r.json(); }); }
  function time(task, n, acc) {
    acc = acc || [];
    if (acc.length === n) return Promise.resolve(acc);
    var t = performance.now();
    return task().then(function () { acc.push(performance.now() - t); return time(task, n, acc); });
  }
  function verifyWith(engine) {
    var key = document.getElementById("verify").getAttribute("data-log-key");
    return function () { return fetchParse().then(function (b) { return window.XinrenVerify.verifyBundle(engine, b, key); }); };
  }
  window.addEventListener("load", function () {
    var out = document.createElement("pre"); out.id = "bench"; document.body.appendChild(out);
    var V = window.XinrenVerify, result = {};
    Promise.all([V.engine(false), V.engine(true)]).then(function (engines) {
      if (engines[0].name !== "webcrypto") throw new Error("no Web Crypto Ed25519 in this browser");
      return time(fetchParse, 1).then(function () { return time(fetchParse, N); }).then(function (b) {
        result.baseline_ms = median(b);
        return time(verifyWith(engines[0]), 1);
      }).then(function () { return time(verifyWith(engines[0]), N); }).then(function (w) {
        result.webcrypto_ms = median(w);
        return time(verifyWith(engines[1]), 1);
      }).then(function () { return time(verifyWith(engines[1]), N); }).then(function (f) {
        result.fallback_ms = median(f);
      });
    }).then(function () { return result; })["catch"](function (e) { return { error: String(e) }; }).then(function (r) {
      out.textContent = JSON.stringify(r);
      return fetch("/result", { method: "POST", body: JSON.stringify(r) });
    });
  });
})();
