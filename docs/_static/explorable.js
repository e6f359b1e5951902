// The memgd explorable: sliders for the step, the memory weight and the age; every number it
// shows is looked up in the JSON that memgd wrote into the page at build time (nothing is
// computed here but drawing coordinates).  URL hash "#a=I&b=J&tau=K" sets the slider indices.
(function () {
  "use strict";
  const root = document.getElementById("memgd-explorable");
  const data = JSON.parse(document.getElementById("memgd-explorable-data").textContent);
  const $ = (id) => document.getElementById(id);
  const sa = $("mx-alpha"), sb = $("mx-b"), st = $("mx-tau");
  sa.max = data.alpha_L.length - 1; sb.max = data.b.length - 1; st.max = data.tau.length - 1;
  function fromHash() {
    const hash = new URLSearchParams(window.location.hash.slice(1));
    if (hash.has("a")) sa.value = hash.get("a");
    if (hash.has("b")) sb.value = hash.get("b");
    if (hash.has("tau")) st.value = hash.get("tau");
  }
  fromHash();
  const fmt = (v, d) => (v === null ? "none (vacuous)" : Number(v).toFixed(d));
  const NS = "http://www.w3.org/2000/svg";
  function el(name, attrs, parent) {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    parent.appendChild(e);
    return e;
  }
  function drawPath(svg, path) {
    svg.innerHTML = "";
    const W = 320, H = 220, sx = W / 2.6, sy = H / 1.6, cx = W / 2, cy = H / 2;
    const h = data.hessian_diagonal;
    for (const lev of [0.05, 0.2, 0.5, 1, 2, 4]) {  // contours of f - f* = lev
      el("ellipse", {cx: cx, cy: cy, rx: sx * Math.sqrt(2 * lev / h[0]), ry: sy * Math.sqrt(2 * lev / h[1]),
                     fill: "none", stroke: "#ccc"}, svg);
    }
    let d = "";
    path.forEach((p, k) => {
      if (p[0] === null || p[1] === null) return;
      const x = Math.max(-5, Math.min(W + 5, cx + sx * p[0])), y = Math.max(-5, Math.min(H + 5, cy - sy * p[1]));
      d += (d ? " L " : "M ") + x.toFixed(1) + " " + y.toFixed(1);
    });
    el("path", {d: d, fill: "none", stroke: "#1f77b4", "stroke-width": 1.5}, svg);
    el("circle", {cx: cx, cy: cy, r: 3, fill: "black"}, svg);
  }
  function drawDistance(svg, path, bound, exact) {
    svg.innerHTML = "";
    const W = 320, H = 220, K = data.steps, lo = -8, hi = 1;
    const X = (k) => 30 + (W - 40) * k / K, Y = (v) => 10 + (H - 30) * (hi - Math.max(lo, Math.min(hi, v))) / (hi - lo);
    el("line", {x1: 30, y1: Y(0), x2: W - 10, y2: Y(0), stroke: "#999"}, svg);
    for (let e = lo; e <= hi; e += 2) {
      const t = el("text", {x: 2, y: Y(e) + 4, "font-size": 10}, svg); t.textContent = "1e" + e;
    }
    const r0 = Math.hypot(path[0][0], path[0][1]);
    let d = "";
    path.forEach((p, k) => {
      if (p[0] === null || p[1] === null) return;
      d += (d ? " L " : "M ") + X(k).toFixed(1) + " " + Y(Math.log10(Math.hypot(p[0], p[1]) / r0)).toFixed(1);
    });
    el("path", {d: d, fill: "none", stroke: "#1f77b4", "stroke-width": 1.5}, svg);
    for (const [rate, color, dash] of [[exact, "#2ca02c", "4 3"], [bound, "#d62728", "6 3"]]) {
      if (rate === null || rate >= 1) continue;
      el("line", {x1: X(0), y1: Y(0), x2: X(K), y2: Y(K * Math.log10(rate)), stroke: color, "stroke-dasharray": dash}, svg);
    }
  }
  function update() {
    const a = +sa.value, b = +sb.value, t = +st.value;
    const alphaL = data.alpha_L[a], weight = data.b[b], tau = data.tau[t];
    const exact = data.exact[t][b][a], bound = data.bound[t][b][a];
    $("mx-alpha-v").textContent = "alpha L = " + alphaL.toFixed(4);
    $("mx-b-v").textContent = "b = " + weight.toFixed(2);
    $("mx-tau-v").textContent = "tau = " + tau;
    const readout = $("mx-readout");
    readout.dataset.exact = exact === null ? "" : exact;
    readout.dataset.bound = bound === null ? "" : bound;
    readout.textContent =
      "d_k = g_k + " + weight.toFixed(2) + " g_{k-" + tau + "},  alpha = " + (alphaL / data.L).toPrecision(4) + "\n" +
      "exact rate on quadratics: " + fmt(exact, 6) + (exact !== null && exact >= 1 ? "  (diverges)" : "") + "\n" +
      "Theorem 1/1b bound:       " + fmt(bound, 6) + (bound === null ? "" : "  (Theorem " + data.theorem[t][b][a] + ")") + "\n" +
      "iterations to 1e-6:  exact " + fmt(data.iterations_exact[t][b][a], 0) + ",  theorem " + fmt(data.iterations_bound[t][b][a], 0);
    const path = data.paths[t][b][a];
    drawPath($("mx-path"), path);
    drawDistance($("mx-dist"), path, bound, exact);
    root.dataset.ready = "1";
  }
  [sa, sb, st].forEach((s) => s.addEventListener("input", update));
  window.addEventListener("hashchange", () => { fromHash(); update(); });
  update();
})();
