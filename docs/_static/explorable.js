// The memgd explorable (docs/explore/memory_explorable.md): d_k = g_k + b g_{k-tau}, x_{k+1} = x_k - alpha d_k
// on quadratics with spectrum in [mu, L] (L = 1, mu = 1/kappa), computed live in the page.
//
// What is computed here, and how it mirrors memgd (the page's JSON carries memgd's constants and the
// theorems' formulas, printed from memgd's sympy objects by sympy's JavaScript printer at build time):
//
// - exact rate: max over h in [mu, L] of the largest root modulus of
//   chi_h(z) = z^(T+1) - z^T + alpha h sum_t w_t z^(T-t)   (memgd.theory.exact_rate's convention),
//   on memgd's h grid (linspace, 257 points) refined by the same golden-section search on the two grid
//   cells around the grid maximum.  Roots: the Aberth-Ehrlich iteration (below), accepted only when
//   every root passes a backward-error test and the roots reproduce the polynomial's two outer
//   coefficients (Vieta: sum and product), else restarted from other starting points;
// - Theorems 1 and 1b: p, q, D from the sympy expressions, the Halanay root by memgd's bisection with
//   memgd's rounding margins (rounded upward);
// - Theorem 2: memgd's candidate search over (lambda, theta, s') with memgd's candidate sets and margins;
// - the certified rate is looked up in a grid memgd computed at build (no SDP runs in the page);
// - gradient descent and heavy ball at their optimal tunings: closed forms for quadratics.
//
// No library, no network: plain JavaScript drawing SVG.  Address: #alphaL=..&b=..&tau=..&kappa=..
(function (global) {
  "use strict";

  // =========================================================================== numerics
  const U = Math.pow(2, -53);   // unit roundoff of float64
  const EPS = Math.pow(2, -52); // numpy.finfo(float64).eps

  /** The next float64 above x >= 0 (numpy.nextafter(x, inf)). */
  function nextUp(x) {
    if (!(x >= 0) || x === Infinity) return x;
    if (x === 0) return Number.MIN_VALUE;
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, x);
    buf.setBigUint64(0, buf.getBigUint64(0) + 1n);
    return buf.getFloat64(0);
  }

  // Backward-error factor of the stopping test: a root z is accepted when
  // |p(z)| <= ACCEPT (n+1) u sum_k |a_k| |z|^(n-k), i.e. z is an exact root of a polynomial whose
  // coefficients differ from p's by a relative amount of that order (Horner's own rounding is about
  // 2n u times the same sum, complex arithmetic a small factor more).
  const ACCEPT = 8;
  const MAX_SWEEPS = 200;

  /**
   * Roots of the monic real polynomial z^n + a[1] z^(n-1) + ... + a[n] (a[0] = 1) by the Aberth-Ehrlich
   * iteration (simultaneous Newton steps, each repelled from the other approximations), Gauss-Seidel
   * order.  `start` = optional {re, im} starting points (warm start).  Returns {re, im, radius, ok}: ok
   * only when every root passed the backward-error test and the inclusion radii (`inclusion`) are small.
   */
  function aberth(a, start, attempt) {
    const n = a.length - 1;
    const re = new Float64Array(n), im = new Float64Array(n);
    if (start && start.re.length === n) {
      re.set(start.re); im.set(start.im);
    } else {
      // starting circle: radius from the coefficients' scale (Fujiwara's bound halved), angles off the
      // real axis and not conjugate-symmetric (a real polynomial keeps real iterates real)
      let r = 0;
      for (let k = 1; k <= n; k++) r = Math.max(r, Math.pow(Math.abs(a[k]), 1 / k));
      r = r * (1 + 0.37 * (attempt || 0)) || 1;
      const off = 0.7 + 0.9 * (attempt || 0);
      for (let k = 0; k < n; k++) {
        const t = off + 2 * Math.PI * k / n;
        re[k] = r * Math.cos(t); im[k] = r * Math.sin(t);
      }
    }
    const done = new Uint8Array(n);
    const tol = ACCEPT * (n + 1) * U;
    let sweeps = 0;
    for (; sweeps < MAX_SWEEPS; sweeps++) {
      let nDone = 0;
      for (let i = 0; i < n; i++) {
        if (done[i]) { nDone++; continue; }
        const zr = re[i], zi = im[i], az = Math.hypot(zr, zi);
        let pr = 1, pi = 0, dr = 0, di = 0, bound = 1, t;
        for (let k = 1; k <= n; k++) {
          t = dr * zr - di * zi + pr; di = dr * zi + di * zr + pi; dr = t;      // p' <- p' z + p
          t = pr * zr - pi * zi + a[k]; pi = pr * zi + pi * zr; pr = t;          // p  <- p z + a_k
          bound = bound * az + Math.abs(a[k]);
        }
        if (Math.hypot(pr, pi) <= tol * bound) { done[i] = 1; nDone++; continue; }
        const den = dr * dr + di * di;
        if (!(den > 0) || !isFinite(den)) {   // p'(z) = 0 or overflow: nudge the point
          re[i] = zr * (1 + 1e-3) + 1e-3; im[i] = zi * (1 - 1e-3) + 1e-3;
          continue;
        }
        const Nr = (pr * dr + pi * di) / den, Ni = (pi * dr - pr * di) / den;   // Newton correction p/p'
        let Sr = 0, Si = 0;
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          const xr = zr - re[j], xi = zi - im[j], m = xr * xr + xi * xi;
          if (m > 0) { Sr += xr / m; Si -= xi / m; }
        }
        const Dr = 1 - (Nr * Sr - Ni * Si), Di = -(Nr * Si + Ni * Sr), m = Dr * Dr + Di * Di;
        if (!(m > 0)) { re[i] = zr - Nr; im[i] = zi - Ni; continue; }
        re[i] = zr - (Nr * Dr + Ni * Di) / m;
        im[i] = zi - (Ni * Dr - Nr * Di) / m;
      }
      if (nDone === n) break;
    }
    const radius = inclusion(a, re, im);
    let worst = 0, scale = 1;
    for (let i = 0; i < n; i++) { worst = Math.max(worst, radius[i]); scale = Math.max(scale, Math.hypot(re[i], im[i])); }
    return {re: re, im: im, radius: radius, ok: sweeps < MAX_SWEEPS && worst <= INCLUSION_MAX * scale, sweeps: sweeps};
  }

  // Largest inclusion radius accepted, relative to the largest root: a sanity bound (a root missed, or two
  // approximations on one root, gives a radius of the order of the roots themselves); the radii
  // themselves are the error bars reported.
  const INCLUSION_MAX = 1e-3;

  /**
   * Inclusion radii (Braess-Hadeler): with the Weierstrass corrections
   * W_i = p(z_i) / prod_{j != i} (z_i - z_j), every root of p lies in the union of the discs
   * |z - z_i| <= n |W_i|, and a connected union of k discs holds exactly k roots.  |p(z_i)| is taken
   * with its rounding bound added, so the radii hold for the computed numbers.  A root missed by the
   * iteration (two approximations on one root) makes a product tiny and a radius large.  At a
   * cluster of m roots the radii are about u^(1/m): the true accuracy there.
   */
  function inclusion(a, re, im) {
    const n = re.length, out = new Float64Array(n), tol = ACCEPT * (n + 1) * U;
    for (let i = 0; i < n; i++) {
      const zr = re[i], zi = im[i], az = Math.hypot(zr, zi);
      let pr = 1, pi = 0, bound = 1, t, prod = 1;
      for (let k = 1; k <= n; k++) {
        t = pr * zr - pi * zi + a[k]; pi = pr * zi + pi * zr; pr = t;
        bound = bound * az + Math.abs(a[k]);
      }
      for (let j = 0; j < n; j++) if (j !== i) prod *= Math.hypot(zr - re[j], zi - im[j]);
      out[i] = prod > 0 ? n * (Math.hypot(pr, pi) + tol * bound) / prod : Infinity;
    }
    return out;
  }

  /** All roots of the monic polynomial a (trailing zero coefficients: roots at 0), with restarts. */
  function polyRoots(a, warm) {
    let m = a.length - 1;
    while (m > 0 && a[m] === 0) m--;        // z^(n-m) factor: roots at zero
    const b = m === a.length - 1 ? a : a.slice(0, m + 1);
    if (m === 0) return {re: new Float64Array(0), im: new Float64Array(0), radius: new Float64Array(0), ok: true};
    if (m === 1) return {re: Float64Array.of(-b[1]), im: new Float64Array(1), radius: new Float64Array(1), ok: true};
    if (warm && warm.re.length === m) {
      const r = aberth(b, warm, 0);
      if (r.ok) return r;
    }
    for (let attempt = 0; attempt < 6; attempt++) {
      const r = aberth(b, null, attempt);
      if (r.ok) return r;
    }
    return {re: new Float64Array(m).fill(NaN), im: new Float64Array(m).fill(NaN), radius: new Float64Array(m).fill(NaN), ok: false};
  }

  /** Coefficients of chi_h for c = alpha h and dense weights w[0..T]: a[0] = 1, a[1] = c w_0 - 1, a[1+t] = c w_t. */
  function charPoly(c, w) {
    const a = new Float64Array(w.length + 1);
    a[0] = 1;
    for (let t = 0; t < w.length; t++) a[t + 1] = c * w[t];
    a[1] -= 1.0;
    return a;
  }

  /** Largest root modulus of chi_h at c = alpha h (NaN if the root finder failed its checks). */
  function spectralRadius(c, w, cache) {
    const r = polyRoots(charPoly(c, w), cache ? cache.roots : null);
    if (cache) cache.roots = r.ok ? r : null;
    if (!r.ok) return NaN;
    let best = 0;
    for (let k = 0; k < r.re.length; k++) best = Math.max(best, Math.hypot(r.re[k], r.im[k]));
    return best;
  }

  /** Error bar of the largest root modulus at c: the largest inclusion radius among the discs that
   * reach the computed maximum (the true largest modulus lies within it). */
  function spectralRadiusError(c, w) {
    const r = polyRoots(charPoly(c, w), null);
    if (!r.ok) return NaN;
    let best = 0, err = 0;
    for (let k = 0; k < r.re.length; k++) best = Math.max(best, Math.hypot(r.re[k], r.im[k]));
    for (let k = 0; k < r.re.length; k++) if (Math.hypot(r.re[k], r.im[k]) + r.radius[k] >= best) err = Math.max(err, r.radius[k]);
    return err;
  }

  /** Dense weights by age of d = g_k + b g_{k-tau} (gradient descent, T = 0, when b = 0). */
  function weights(b, tau) {
    if (b === 0) return [1.0];
    const w = new Array(tau + 1).fill(0);
    w[0] = 1.0; w[tau] = b;
    return w;
  }

  const GOLDEN = (Math.sqrt(5.0) - 1.0) / 2.0;

  /**
   * memgd.theory.quadratic_rate: max over h of the spectral radius, on a uniform grid of nGrid points
   * (endpoints included) refined by golden section on the two grid cells around the grid maximum to a
   * bracket of 1e-13 (L - mu); every value returned is an evaluated spectral radius.
   * Returns {rate, h} (and `error`, the root's error bar at h, when `withError`); `noRefine`: the grid's
   * maximum only (the map: a value at most the true maximum, by less than the rate varies over a cell).
   */
  function exactRate(mu, L, alpha, w, nGrid, withError, noRefine) {
    nGrid = nGrid || 257;
    const cache = {roots: null};
    const rad = (h) => spectralRadius(alpha * h, w, cache);
    if (L === mu) return {rate: rad(mu), h: mu, error: withError ? spectralRadiusError(alpha * mu, w) : undefined};
    const step = (L - mu) / (nGrid - 1);
    const grid = new Float64Array(nGrid);
    for (let i = 0; i < nGrid; i++) grid[i] = i * step + mu;
    grid[nGrid - 1] = L;
    let iBest = 0, best = -Infinity, failed = false;
    for (let i = 0; i < nGrid; i++) {
      const v = rad(grid[i]);
      if (isNaN(v)) failed = true;
      if (v > best) { best = v; iBest = i; }
    }
    if (failed) return {rate: NaN, h: NaN};
    let hBest = grid[iBest];
    if (noRefine) return {rate: best, h: hBest};
    let a = grid[Math.max(iBest - 1, 0)], b = grid[Math.min(iBest + 1, nGrid - 1)];
    const tol = 1e-13 * (L - mu);
    cache.roots = null;
    let c = b - GOLDEN * (b - a), d = a + GOLDEN * (b - a);
    let fc = rad(c), fd = rad(d);
    let bh = fc >= fd ? c : d, bf = Math.max(fc, fd);
    for (let it = 0; it < 200 && b - a > tol; it++) {
      const left = fc >= fd;
      if (left) { b = d; } else { a = c; }
      const nc = b - GOLDEN * (b - a), nd = a + GOLDEN * (b - a);
      const x = left ? nc : nd, fx = rad(x);
      if (left) { d = c; fd = fc; c = nc; fc = fx; } else { c = d; fc = fd; d = nd; fd = fx; }
      if (fx > bf) { bf = fx; bh = x; }
    }
    if (isNaN(bf)) return {rate: NaN, h: NaN};
    if (bf > best) { best = bf; hBest = bh; }
    return {rate: best, h: hBest, error: withError ? spectralRadiusError(alpha * hBest, w) : undefined};
  }

  /** The spectral radius of heavy ball at one eigenvalue: roots of z^2 - (1 + beta - alpha h) z + beta. */
  function heavyBallRadius(alpha, beta, h) {
    const tr = 1 + beta - alpha * h, disc = tr * tr - 4 * beta;
    if (disc >= 0) return Math.max(Math.abs((tr + Math.sqrt(disc)) / 2), Math.abs((tr - Math.sqrt(disc)) / 2));
    return Math.sqrt(beta);
  }

  /** Gradient descent and heavy ball at their optimal tunings for quadratics with condition number kappa. */
  function references(kappa) {
    const sk = Math.sqrt(kappa);
    return {
      gd: {rate: (kappa - 1) / (kappa + 1), alphaL: 2 * kappa / (kappa + 1)},
      hb: {rate: (sk - 1) / (sk + 1), alphaL: 4 / Math.pow(1 + 1 / sk, 2), beta: Math.pow((sk - 1) / (sk + 1), 2)},
    };
  }

  /** K with C rho^K <= eps: ceil(log(eps/C)/log(rho)); Infinity for rho >= 1 or not finite. */
  function iterations(eps, rate, transient) {
    const C = transient || 1;
    if (!(rate >= 0 && rate < 1)) return Infinity;
    if (C <= eps) return 0;
    if (rate === 0) return 1;
    return Math.ceil(Math.log(eps / C) / Math.log(rate));
  }

  /**
   * The theorems' rates, from the formulas memgd's sympy objects printed (data.formulas) and memgd's
   * constants (data.constants): functions of the constants v = {mu, L, alpha, s_lo, s_hi, B, W, T}.
   */
  function makeTheory(data) {
    const K = data.constants;
    const F = {};
    for (const name in data.formulas) {
      const f = data.formulas[name];
      const raw = new Function(...f.args, '"use strict"; return (' + f.body + ");");
      F[name] = (o) => raw(...f.args.map((k) => o[k]));
    }

    function halanayRoot(p, q, D) {  // memgd.theory.halanay.halanay_root, rounded upward
      const pUp = Math.min(p + K.P_SLACK, 1.0), qUp = q * (1.0 + K.Q_SLACK);
      const above = (lam) => Math.pow(lam, D) * (lam - pUp) * (1.0 - (4 * D + 16) * K.UNIT) >= qUp;
      if (!above(1.0)) return Infinity;
      let lo = 0.0, hi = 1.0;
      for (let i = 0; i < K.BISECTIONS; i++) {
        const mid = 0.5 * (lo + hi);
        if (above(mid)) hi = mid; else lo = mid;
      }
      return hi < 1.0 ? hi : Infinity;
    }

    function theorem1(v, which) {  // memgd.theory.rate(theorem="1" | "1b")
      const tag = which === "1b" ? "t1b" : "t1";
      const p = F[tag + "_p"](v), q = F[tag + "_q"](v), D = F[tag + "_delay"](v);
      const ok = isFinite(p) && p >= 0 && p <= 1 && isFinite(q) && q >= 0;
      const root = ok ? halanayRoot(p, q, D) : Infinity;
      const hyp = v.s_lo > 0 && v.alpha * v.s_hi * (v.mu + v.L) <= 2.0 * (1.0 - K.STEP_MARGIN);
      return hyp && isFinite(root) && root >= 0 && root < 1 ? root : Infinity;
    }

    const psiMargin = (T) => (T + 32.0) * EPS;
    function psiOk(v, lam, theta, s) {
      if (!(s > 0 && 2 * v.alpha * v.mu * s < 1)) return false;
      const psi = F.t2_psi(Object.assign({}, v, {s_lo: s, lambda: lam, theta: theta}));
      return isFinite(psi) && psi <= 1 - psiMargin(v.T);
    }
    function largestAdmissibleSum(v) {  // memgd.theory.constants2.largest_admissible_sum
      const top = v.s_lo > 0 ? Math.min(v.s_lo, (0.5 - EPS) / (v.alpha * v.mu)) : 0.0;
      if (psiOk(v, 1.0, 1.0, top)) return top;
      const psi0 = F.t2_psi(Object.assign({}, v, {s_lo: 0.0, lambda: 1.0, theta: 1.0}));
      if (!(top > 0 && psi0 <= 1 - psiMargin(v.T))) return 0.0;
      let sStar = F.t2_largest_sum(v);
      sStar = isFinite(sStar) ? Math.min(Math.max(sStar, 0.0), top) : 0.0;
      for (const f of K.S_LOWERING) {
        const cand = sStar * (1 - f * psiMargin(v.T));
        if (cand > 0 && psiOk(v, 1.0, 1.0, cand)) return cand;
      }
      const cand = Math.min(top, 64 * EPS / (v.alpha * v.mu));
      return psiOk(v, 1.0, 1.0, cand) ? cand : 0.0;
    }
    function theorem2(v, nonnegative) {  // memgd.theory.rate2: best candidate (lambda, theta, s')
      if (!nonnegative || !(v.s_lo > 0)) return Infinity;
      const sTop = largestAdmissibleSum(v);
      const bump = 1.0 + 4.0 * psiMargin(v.T);
      let best = Infinity;
      for (const fr of K.S_FRACTIONS) {
        const s = fr * sTop;
        for (const th of K.THETAS) {
          const lmin = F.t2_lambda_min(Object.assign({}, v, {s_lo: s, theta: th}));
          const lam = isFinite(lmin) && lmin > 0 ? Math.min(lmin * bump, 1.0) : 1.0;
          if (!psiOk(v, lam, th, s)) continue;
          const rsq = F.t2_rho_sq(Object.assign({}, v, {s_lo: s, lambda: lam, theta: th})) + K.RHO_SQ_ROUNDING;
          if (!(isFinite(rsq) && rsq < 1)) continue;
          const rho = nextUp(Math.sqrt(Math.max(rsq, 0.0)));
          if (rho < 1 && rho < best) best = rho;
        }
      }
      return best;
    }
    return {halanayRoot: halanayRoot, theorem1: theorem1, theorem2: theorem2, formulas: F};
  }

  /** The constants of d = g_k + b g_{k-tau}: s = 1 + b, B = |b|, W = 1 + |b|, T = tau (0 when b = 0). */
  function patternConstants(kappa, alphaL, b, tau) {
    const s = 1 + b;
    return {mu: 1 / kappa, L: 1.0, alpha: alphaL, s_lo: s, s_hi: s, B: Math.abs(b), W: 1 + Math.abs(b),
            T: b === 0 ? 0 : tau};
  }

  // =========================================================================== drawing (SVG)
  const NS = "http://www.w3.org/2000/svg";
  function el(name, attrs, parent, text) {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) if (attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  const SUP = {"-": "\u207b", "0": "\u2070", "1": "\u00b9", "2": "\u00b2", "3": "\u00b3", "4": "\u2074",
               "5": "\u2075", "6": "\u2076", "7": "\u2077", "8": "\u2078", "9": "\u2079"};
  const pow10 = (e) => (e === 0 ? "1" : e === 1 ? "10" : "10" + String(e).split("").map((c) => SUP[c]).join(""));
  const decimal = (v) => (Math.abs(v) >= 1e-3 ? String(+v.toPrecision(6)) : v.toExponential(0));

  function scale(spec, r0, r1) {
    const [d0, d1] = spec.domain;
    if (spec.type === "log") {
      const l0 = Math.log10(d0), l1 = Math.log10(d1);
      const f = (v) => r0 + (r1 - r0) * (Math.log10(v) - l0) / (l1 - l0);
      f.inv = (p) => Math.pow(10, l0 + (p - r0) / (r1 - r0) * (l1 - l0));
      return f;
    }
    const f = (v) => r0 + (r1 - r0) * (v - d0) / (d1 - d0);
    f.inv = (p) => d0 + (p - r0) / (r1 - r0) * (d1 - d0);
    return f;
  }
  function ticks(spec, maxTicks) {
    const [d0, d1] = spec.domain, out = [];
    if (spec.type === "log") {
      const e0 = Math.ceil(Math.log10(d0) - 1e-9), e1 = Math.floor(Math.log10(d1) + 1e-9);
      const every = Math.max(1, Math.ceil((e1 - e0 + 1) / maxTicks));
      const minor = e1 - e0 <= 5;   // minor ticks (2..9 per decade) only where they stay readable
      for (let e = e0; e <= e1; e++) {
        out.push({v: Math.pow(10, e), label: (e - e0) % every === 0 ? (spec.powers ? pow10(e) : decimal(Math.pow(10, e))) : null});
        for (let m = 2; m <= 9 && minor; m++) {
          const v = m * Math.pow(10, e);
          if (v > d0 && v < d1) out.push({v: v, label: null, minor: true});
        }
      }
      for (let m = 2; m <= 9 && minor; m++) { const v = m * Math.pow(10, e0 - 1); if (v > d0 && v < d1) out.push({v: v, label: null, minor: true}); }
      return out;
    }
    const span = d1 - d0, raw = span / Math.max(1, maxTicks), mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const stepv = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= maxTicks) || 10 * mag;
    for (let v = Math.ceil(d0 / stepv - 1e-9) * stepv; v <= d1 + 1e-9 * span; v += stepv) {
      out.push({v: v, label: String(+v.toFixed(10))});
    }
    return out;
  }

  /**
   * A plot: an <svg class="mx-plot"> sized in CSS pixels to its container (so font sizes are true pixel
   * sizes), with x and y axes carrying ticks and a label (data-role="x-label" / "y-label") and a legend
   * below the axes (data-role="legend"), one entry per drawn series.
   */
  function Plot(container, o) {
    container.innerHTML = "";
    const width = Math.max(260, Math.floor(container.clientWidth || 600));
    const narrow = width < 520;
    const m = {l: narrow ? 54 : 62, r: 14, t: 12, b: 46};
    const plotH = o.height || Math.round(Math.min(320, Math.max(200, width * 0.46)));
    const svg = el("svg", {class: "mx-plot", width: width, height: plotH + m.t + m.b,
                           role: "img", "aria-label": o.title}, container);
    el("title", {}, svg, o.title);
    const x = scale(o.x, m.l, width - m.r), y = scale(o.y, m.t + plotH, m.t);
    const defs = el("defs", {}, svg);
    const clipId = "clip-" + container.id;
    el("rect", {x: m.l, y: m.t, width: width - m.l - m.r, height: plotH}, el("clipPath", {id: clipId}, defs));
    const under = el("g", {}, svg);
    const gx = el("g", {class: "mx-axis", "data-axis": "x"}, svg), gy = el("g", {class: "mx-axis", "data-axis": "y"}, svg);
    el("rect", {x: m.l, y: m.t, width: width - m.l - m.r, height: plotH, fill: "none", stroke: "#888"}, svg);
    for (const t of ticks(o.x, narrow ? 5 : 8)) {
      const px = x(t.v);
      if (px < m.l - 0.5 || px > width - m.r + 0.5) continue;
      el("line", {x1: px, x2: px, y1: m.t + plotH, y2: m.t + plotH + (t.minor ? 3 : 5), stroke: "#666"}, gx);
      if (!t.minor && o.grid !== false) el("line", {x1: px, x2: px, y1: m.t, y2: m.t + plotH, stroke: "#eee"}, under);
      if (t.label) el("text", {x: px, y: m.t + plotH + 18, "text-anchor": "middle", "font-size": 12}, gx, t.label);
    }
    for (const t of ticks(o.y, 6)) {
      const py = y(t.v);
      if (py < m.t - 0.5 || py > m.t + plotH + 0.5) continue;
      el("line", {x1: m.l - (t.minor ? 3 : 5), x2: m.l, y1: py, y2: py, stroke: "#666"}, gy);
      if (!t.minor && o.grid !== false) el("line", {x1: m.l, x2: width - m.r, y1: py, y2: py, stroke: "#eee"}, under);
      if (t.label) el("text", {x: m.l - 7, y: py + 4, "text-anchor": "end", "font-size": 12}, gy, t.label);
    }
    el("text", {x: (m.l + width - m.r) / 2, y: m.t + plotH + 38, "text-anchor": "middle", "font-size": 13,
                class: "mx-axis-label", "data-role": "x-label"}, gx, o.x.label);
    el("text", {x: 0, y: 0, transform: "translate(13," + (m.t + plotH / 2) + ") rotate(-90)", "text-anchor": "middle",
                "font-size": 13, class: "mx-axis-label", "data-role": "y-label"}, gy, o.y.label);
    const body = el("g", {"clip-path": "url(#" + clipId + ")"}, svg);
    const entries = [];
    const self = {
      svg: svg, x: x, y: y, body: body, under: under, m: m, width: width, plotH: plotH,
      xin: (v) => v >= o.x.domain[0] && v <= o.x.domain[1],
      line(pts, style, name) {
        let d = "", pen = false;
        for (const [vx, vy] of pts) {
          if (!(isFinite(vx) && isFinite(vy)) || (o.y.type === "log" && vy <= 0)) { pen = false; continue; }
          const py = Math.max(-1e4, Math.min(1e4, y(vy)));
          d += (pen ? " L " : " M ") + x(vx).toFixed(2) + " " + py.toFixed(2);
          pen = true;
        }
        if (d) el("path", {d: d, fill: "none", stroke: style.color, "stroke-width": style.width || 2,
                           "stroke-dasharray": style.dash}, body);
        if (name) entries.push({name: name, style: style});
      },
      hline(v, style, name) { self.line([[o.x.domain[0], v], [o.x.domain[1], v]], style, name); },
      vline(v, style, name) {
        if (!self.xin(v)) return;
        el("line", {x1: x(v), x2: x(v), y1: m.t, y2: m.t + plotH, stroke: style.color, "stroke-width": style.width || 1.5,
                    "stroke-dasharray": style.dash}, body);
        if (name) entries.push({name: name, style: style});
      },
      marker(vx, vy, style, name) {
        if (isFinite(vx) && isFinite(vy)) drawMarker(body, x(vx), y(vy), style);
        if (name) entries.push({name: name, style: Object.assign({marker: true}, style)});
      },
      entry(name, style) { entries.push({name: name, style: style}); },
      finish() { legend(svg, entries, m.l, m.t + plotH + m.b, width - m.r); },
    };
    return self;
  }
  function drawMarker(g, px, py, s) {
    const r = s.size || 4.5;
    if (s.shape === "star") {
      let d = "";
      for (let k = 0; k < 10; k++) {
        const rr = k % 2 ? r * 0.45 : r * 1.35, t = -Math.PI / 2 + k * Math.PI / 5;
        d += (k ? " L " : "M ") + (px + rr * Math.cos(t)).toFixed(2) + " " + (py + rr * Math.sin(t)).toFixed(2);
      }
      el("path", {d: d + " Z", fill: s.color, stroke: s.stroke || "#000", "stroke-width": 1}, g);
    } else if (s.shape === "cross") {
      el("path", {d: `M ${px - r} ${py - r} L ${px + r} ${py + r} M ${px - r} ${py + r} L ${px + r} ${py - r}`,
                  stroke: s.color, "stroke-width": 2}, g);
    } else if (s.shape === "diamond") {
      el("path", {d: `M ${px} ${py - r * 1.3} L ${px + r} ${py} L ${px} ${py + r * 1.3} L ${px - r} ${py} Z`,
                  fill: s.color, stroke: s.stroke || "#000", "stroke-width": 1}, g);
    } else {
      el("circle", {cx: px, cy: py, r: r, fill: s.hollow ? "#fff" : s.color, stroke: s.stroke || s.color,
                    "stroke-width": s.hollow ? 2 : 1}, g);
    }
  }
  /** Legend rows under the axes; the svg grows to hold them. */
  function legend(svg, entries, x0, y0, xmax) {
    const g = el("g", {class: "mx-legend", "data-role": "legend"}, svg);
    let px = x0, py = y0 + 4;
    const rowH = 19;
    for (const e of entries) {
      const item = el("g", {class: "mx-legend-entry"}, g);
      const key = el("g", {}, item);
      if (e.style.marker) drawMarker(key, 11, 0, Object.assign({}, e.style, {size: 4.5}));
      else if (e.style.swatch) el("rect", {x: 2, y: -6, width: 18, height: 12, fill: e.style.swatch, stroke: "#888"}, key);
      else el("line", {x1: 0, x2: 22, y1: 0, y2: 0, stroke: e.style.color, "stroke-width": e.style.width || 2,
                       "stroke-dasharray": e.style.dash}, key);
      const t = el("text", {x: 27, y: 4, "font-size": 12}, item, e.name);
      const w = 27 + (t.getComputedTextLength ? t.getComputedTextLength() : 7 * e.name.length) + 16;
      if (px > x0 && px + w > xmax) { px = x0; py += rowH; }
      item.setAttribute("transform", `translate(${px},${py + 6})`);
      px += w;
    }
    const h = py + rowH + 4;
    svg.setAttribute("height", Math.ceil(h));
  }

  // viridis (matplotlib's colormap, CC0): 9 anchors, interpolated linearly
  const VIRIDIS = [[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129],
                   [92, 200, 99], [170, 220, 50], [253, 231, 37]];
  function viridis(t) {
    t = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
    const i = Math.min(VIRIDIS.length - 2, Math.floor(t)), f = t - i;
    return VIRIDIS[i].map((c, k) => Math.round(c + f * (VIRIDIS[i + 1][k] - c)));
  }

  // =========================================================================== the widget
  const COLORS = {memory: "#1f5fb4", gdSame: "#9a9a9a", t1: "#e07b00", t2: "#c0182a", cert: "#1a9850",
                  gd: "#555555", hb: "#8e44ad", marker: "#000"};
  const RANGES = {alphaL: [1e-3, 2.5], b: [-0.5, 2.0], tau: [1, 16], kappa: [1.5, 1000]};
  const EPS_TARGET = 1e-6;

  function init(root, data) {
    const theory = makeTheory(data);
    const $ = (id) => document.getElementById(id);
    const sliders = {alphaL: $("mx-alphaL"), b: $("mx-b"), tau: $("mx-tau"), kappa: $("mx-kappa")};
    const logSlider = {alphaL: true, kappa: true};
    const cert = data.certified;
    const state = {alphaL: 0.3, b: 0.5, tau: 1, kappa: 10};

    // tick marks on the sliders at the certified grid's values (only there is a certificate)
    const marks = {alphaL: cert.alpha_L.map(Math.log10), b: cert.b, kappa: cert.kappa.map(Math.log10)};
    for (const k in marks) {
      if (!marks[k].length) continue;
      const list = document.createElement("datalist");
      list.id = "mx-" + k + "-ticks";
      for (const v of marks[k]) { const o = document.createElement("option"); o.value = v; list.appendChild(o); }
      root.appendChild(list);
      sliders[k].setAttribute("list", list.id);
    }
    for (const k in sliders) {
      const s = sliders[k], [lo, hi] = RANGES[k];
      s.min = logSlider[k] ? Math.log10(lo) : lo;
      s.max = logSlider[k] ? Math.log10(hi) : hi;
      s.step = k === "tau" ? 1 : "any";
    }
    function clamp(k, v) { const [lo, hi] = RANGES[k]; return Math.min(hi, Math.max(lo, v)); }
    /** The moved slider's value into the state (the others keep their exact values: a log slider's
     * round trip 10^log10(x) may move x by an ulp, off a certified grid point). */
    function readSlider(k) {
      const v = +sliders[k].value;
      state[k] = clamp(k, logSlider[k] ? Math.pow(10, v) : v);
      state.tau = Math.round(state.tau);
      snap();
    }
    function writeSliders() {
      for (const k in sliders) sliders[k].value = logSlider[k] ? Math.log10(state[k]) : state[k];
    }
    // detents: b and kappa snap to the certified grid's values when close (only there is a certificate)
    function snap() {
      for (const kv of cert.kappa) if (Math.abs(Math.log10(state.kappa / kv)) < 0.012) state.kappa = kv;
      for (const bv of cert.b) if (Math.abs(state.b - bv) < 0.015) state.b = bv;
      if (Math.abs(state.b) < 0.015) state.b = 0;
    }
    function fromHash() {
      const h = new URLSearchParams(window.location.hash.slice(1));
      for (const k in sliders) if (h.has(k) && isFinite(+h.get(k))) state[k] = clamp(k, +h.get(k));
      state.tau = Math.round(state.tau);
      writeSliders();
    }

    function constants(alphaL, b) { return patternConstants(state.kappa, alphaL, b, state.tau); }
    function rates(alphaL, b, nGrid, withError) {
      const v = constants(alphaL, b);
      const ex = exactRate(v.mu, v.L, alphaL, weights(b, state.tau), nGrid, withError);
      const t1 = theory.theorem1(v, "1"), t1b = theory.theorem1(v, "1b"), t2 = theory.theorem2(v, b >= 0);
      return {exact: ex.rate, h: ex.h, error: ex.error, t1: t1, t1b: t1b, t2: t2};
    }
    /** The certified grid point at the current (kappa, tau, b) and this step index, or null. */
    function certAt(ia) {
      const ik = cert.kappa.indexOf(state.kappa), ib = cert.b.indexOf(state.b);
      const it = state.b === 0 ? 0 : cert.tau.indexOf(state.tau);
      if (ik < 0 || ib < 0 || it < 0) return null;
      return cert.points[ik][it][ib][ia];
    }
    function certHere() {  // the grid point at the slider's step, if the step is a grid step
      const ia = cert.alpha_L.findIndex((a) => Math.abs(Math.log10(a / state.alphaL)) < 1e-9);
      return ia < 0 ? null : certAt(ia);
    }

    // ------------------------------------------------------------------ the (alpha L, b) map
    const MAP = {nx: 72, ny: 51, nGrid: 33};
    let map = null, mapJob = 0;
    function mapKey() { return state.tau + "|" + state.kappa; }
    function computeMap(done) {
      const job = ++mapJob, key = mapKey();
      const nx = MAP.nx, ny = MAP.ny, rate = new Float64Array(nx * ny);
      const xs = [], ys = [];
      for (let i = 0; i < nx; i++) xs.push(Math.pow(10, Math.log10(RANGES.alphaL[0]) + i / (nx - 1) * Math.log10(RANGES.alphaL[1] / RANGES.alphaL[0])));
      for (let j = 0; j < ny; j++) ys.push(RANGES.b[0] + j / (ny - 1) * (RANGES.b[1] - RANGES.b[0]));
      let j = 0;
      function chunk() {
        if (job !== mapJob) return;
        const t0 = performance.now();
        while (j < ny && performance.now() - t0 < 30) {
          for (let i = 0; i < nx; i++) {
            const v = constants(xs[i], ys[j]);
            rate[j * nx + i] = exactRate(v.mu, v.L, xs[i], weights(ys[j], state.tau), MAP.nGrid, false, true).rate;
          }
          j++;
        }
        if (j < ny) { setTimeout(chunk, 0); return; }
        map = {key: key, xs: xs, ys: ys, rate: rate, optimum: optimum(xs, ys, rate)};
        done();
      }
      chunk();
    }
    /** Best (alpha L, b) for this tau and kappa: the map's minimum, refined by a compass search on the
     * readout-quality exact rate (257 h values and golden refinement). */
    function optimum(xs, ys, rate) {
      let k = 0;
      for (let i = 1; i < rate.length; i++) if (rate[i] < rate[k]) k = i;
      let la = Math.log10(xs[k % xs.length]), b = ys[Math.floor(k / xs.length)];
      const f = (la_, b_) => {
        const aL = Math.pow(10, la_);
        if (aL < RANGES.alphaL[0] || aL > RANGES.alphaL[1] || b_ < RANGES.b[0] || b_ > RANGES.b[1]) return Infinity;
        return exactRate(1 / state.kappa, 1, aL, weights(b_, state.tau), 129).rate;
      };
      let fb = f(la, b), da = (Math.log10(xs[1]) - Math.log10(xs[0])), db = ys[1] - ys[0];
      for (let it = 0; it < 60 && (da > 1e-5 || db > 1e-5); it++) {
        let moved = false;
        for (const [sa, sb] of [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1], [1, -1], [-1, 1]]) {
          const v = f(la + sa * da, b + sb * db);
          if (v < fb) { fb = v; la += sa * da; b += sb * db; moved = true; break; }
        }
        if (!moved) { da /= 2; db /= 2; }
      }
      return {alphaL: Math.pow(10, la), b: b, rate: fb};
    }

    // ------------------------------------------------------------------ curves against the step
    const CURVE_N = 121;
    let curves = null;
    function computeCurves() {
      const key = state.b + "|" + state.tau + "|" + state.kappa;
      if (curves && curves.key === key) return curves;
      const out = {key: key, a: [], exact: [], gd: [], t1: [], t2: []};
      for (let i = 0; i < CURVE_N; i++) {
        const aL = Math.pow(10, Math.log10(RANGES.alphaL[0]) + i / (CURVE_N - 1) * Math.log10(RANGES.alphaL[1] / RANGES.alphaL[0]));
        const r = rates(aL, state.b, 65);
        out.a.push(aL); out.exact.push(r.exact); out.t1.push(Math.min(r.t1, r.t1b)); out.t2.push(r.t2);
        out.gd.push(Math.max(Math.abs(1 - aL / state.kappa), Math.abs(1 - aL)));
      }
      curves = out;
      return out;
    }

    // ------------------------------------------------------------------ readout
    const fmtRate = (r) => (r === null ? "off the grid" : isNaN(r) ? "root finder failed" : !isFinite(r) ? "none (vacuous)" : r >= 1 ? r.toFixed(6) + " (diverges)" : r.toFixed(6));
    const fmtIt = (k) => (!isFinite(k) ? "\u2013" : k >= 1e7 ? k.toExponential(2) : String(k));
    const attr = (r) => (isFinite(r) ? String(r) : "");

    function readout(r, ref, c) {
      const t1best = Math.min(r.t1, r.t1b);
      const rows = [
        ["memory, exact rate on quadratics", r.exact, 1, COLORS.memory, "worst eigenvalue h = " + (r.h).toPrecision(4) + " L" +
         (r.error > 1e-10 ? " (\u00b1 " + r.error.toExponential(0) + ": a near-double root)" : "")],
        ["Theorem 1 / 1b (bound, the class)", t1best, 1, COLORS.t1,
         isFinite(t1best) ? "Theorem " + (r.t1b < r.t1 ? "1b" : "1") : "hypotheses fail"],
        ["Theorem 2 (bound, the class)", r.t2, 1, COLORS.t2, state.b < 0 ? "needs b \u2265 0" : isFinite(r.t2) ? "" : "hypotheses fail"],
        ["certified (SDP, the class)", c === null ? null : c.rho !== null ? c.rho : Infinity, c && c.rho !== null ? Math.sqrt(c.transient) : 1, COLORS.cert,
         c === null ? "only on the grid (ticks)" : c.rho === null ? "not certified" : "C = " + Math.sqrt(c.transient).toPrecision(3)],
        ["gradient descent, best step", ref.gd.rate, 1, COLORS.gd, "\u03b1L = " + ref.gd.alphaL.toPrecision(3)],
        ["heavy ball, best tuning", ref.hb.rate, 1, COLORS.hb, "\u03b1L = " + ref.hb.alphaL.toPrecision(3) + ", \u03b2 = " + ref.hb.beta.toPrecision(3)],
      ];
      const tbody = $("mx-readout-rows");
      tbody.innerHTML = "";
      for (const [name, rate, C, color, note] of rows) {
        const tr = document.createElement("tr");
        tr.innerHTML = `<td><span class="mx-key" style="background:${color}"></span>${name}</td>` +
          `<td class="num">${fmtRate(rate)}</td><td class="num">${fmtIt(rate === null ? Infinity : iterations(EPS_TARGET, rate, C))}</td><td>${note}</td>`;
        tbody.appendChild(tr);
      }
      const ro = $("mx-readout");
      Object.assign(ro.dataset, {
        alphaL: String(state.alphaL), b: String(state.b), tau: String(state.tau), kappa: String(state.kappa),
        exact: attr(r.exact), exactError: attr(r.error), hWorst: attr(r.h), theorem1: attr(r.t1), theorem1b: attr(r.t1b), theorem2: attr(r.t2),
        certified: c && c.rho !== null ? String(c.rho) : "", certStatus: c === null ? "off-grid" : c.rho === null ? "not certified" : "certified",
        gd: String(ref.gd.rate), hb: String(ref.hb.rate),
      });
    }

    // ------------------------------------------------------------------ figures
    function drawIterations(r, ref) {
      const cv = computeCurves();
      const its = (arr) => arr.map((v) => iterations(EPS_TARGET, v, 1));
      const all = [].concat(its(cv.exact), its(cv.t1), its(cv.t2), [iterations(EPS_TARGET, ref.hb.rate, 1)]).filter(isFinite);
      const top = Math.pow(10, Math.ceil(Math.log10(Math.max(10, ...all)) + 0.01));
      const bottom = Math.pow(10, Math.floor(Math.log10(Math.max(1, Math.min(...all)))));
      const P = Plot($("mx-fig-iterations"), {
        title: "iterations to reach 1e-6 against the step",
        x: {type: "log", domain: RANGES.alphaL, label: "step \u03b1L (log scale)"},
        y: {type: "log", domain: [bottom, top], label: "iterations to 10\u207b\u2076", powers: true},
      });
      // shade steps where the method diverges
      let start = null;
      cv.a.forEach((a, i) => {
        const bad = !(cv.exact[i] < 1);
        if (bad && start === null) start = a;
        if ((!bad || i === cv.a.length - 1) && start !== null) {
          const end = bad ? a : cv.a[i - 1];
          el("rect", {x: P.x(start), y: P.m.t, width: Math.max(1, P.x(end) - P.x(start)), height: P.plotH, fill: "#f3e3e3"}, P.under);
          start = null;
        }
      });
      P.line(cv.a.map((a, i) => [a, iterations(EPS_TARGET, cv.gd[i], 1)]), {color: COLORS.gdSame, width: 1.5}, "gradient descent, same step");
      P.line(cv.a.map((a, i) => [a, iterations(EPS_TARGET, cv.t1[i], 1)]), {color: COLORS.t1, dash: "7 4"}, "Theorem 1/1b bound");
      P.line(cv.a.map((a, i) => [a, iterations(EPS_TARGET, cv.t2[i], 1)]), {color: COLORS.t2, dash: "2 3", width: 2.5}, "Theorem 2 bound");
      P.line(cv.a.map((a, i) => [a, iterations(EPS_TARGET, cv.exact[i], 1)]), {color: COLORS.memory, width: 2.5}, "memory, exact (quadratics)");
      P.hline(iterations(EPS_TARGET, ref.gd.rate, 1), {color: COLORS.gd, dash: "1 3", width: 2}, "gradient descent, best step");
      P.hline(iterations(EPS_TARGET, ref.hb.rate, 1), {color: COLORS.hb, dash: "1 3", width: 2}, "heavy ball, best tuning");
      let anyCert = false, anyNot = false;
      cert.alpha_L.forEach((a, ia) => {
        const c = certAt(ia);
        if (c === null) return;
        if (c.rho !== null) { P.marker(a, iterations(EPS_TARGET, c.rho, Math.sqrt(c.transient)), {color: COLORS.cert, stroke: "#0b4d27"}); anyCert = true; }
        else { P.marker(a, top / 1.6, {color: COLORS.cert, shape: "cross"}); anyNot = true; }
      });
      if (anyCert) P.entry("certified (SDP, grid)", {marker: true, color: COLORS.cert, stroke: "#0b4d27"});
      if (anyNot) P.entry("grid point not certified", {marker: true, color: COLORS.cert, shape: "cross"});
      P.vline(state.alphaL, {color: COLORS.marker, width: 1, dash: "3 3"}, "this step");
      P.entry("memory diverges", {swatch: "#f3e3e3"});
      P.finish();
    }

    function drawMap(r, ref) {
      const holder = $("mx-fig-map");
      if (!map || map.key !== mapKey()) {
        holder.dataset.ready = "0";
        if (!holder.firstChild) holder.textContent = "computing the map\u2026";
        computeMap(() => { holder.dataset.ready = "1"; drawMap(lastR, ref); if (mapWaiters) { const w = mapWaiters; mapWaiters = null; w(); } });
        return;
      }
      const P = Plot(holder, {
        title: "exact rate over step and memory weight",
        x: {type: "log", domain: RANGES.alphaL, label: "step \u03b1L (log scale)"},
        y: {type: "linear", domain: RANGES.b, label: "memory weight b"},
        grid: false, height: Math.round(Math.min(330, Math.max(220, holder.clientWidth * 0.5))),
      });
      // heat map: log10 of the iterations to 1e-6 of the exact rate, on a canvas put in as an image
      const nx = MAP.nx, ny = MAP.ny, canvas = document.createElement("canvas");
      canvas.width = nx; canvas.height = ny;
      const ctx = canvas.getContext("2d"), img = ctx.createImageData(nx, ny);
      const its = Array.from(map.rate, (v) => iterations(EPS_TARGET, v, 1));
      const finite = its.filter(isFinite);
      // colour: log10 of the iterations, dark = few; the scale spans three decades above the fastest point
      const lo = Math.log10(Math.max(1, Math.min(...finite))), hi = Math.min(lo + 3, Math.log10(Math.max(...finite)));
      for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
        const k = (ny - 1 - j) * nx + i, v = its[j * nx + i];
        const c = isFinite(v) ? viridis((Math.log10(v) - lo) / Math.max(1e-9, hi - lo)) : [225, 225, 225];
        img.data.set([c[0], c[1], c[2], 255], 4 * k);
      }
      ctx.putImageData(img, 0, 0);
      const x0 = P.x(map.xs[0]), x1 = P.x(map.xs[nx - 1]), y0 = P.y(map.ys[ny - 1]), y1 = P.y(map.ys[0]);
      const dx = (x1 - x0) / (nx - 1) / 2, dy = (y1 - y0) / (ny - 1) / 2;
      el("image", {href: canvas.toDataURL(), x: x0 - dx, y: y0 - dy, width: x1 - x0 + 2 * dx, height: y1 - y0 + 2 * dy,
                   preserveAspectRatio: "none", style: "image-rendering: pixelated"}, P.under);
      // stability boundary: the cell edges between stable and unstable grid points
      let d = "";
      const stable = (i, j) => map.rate[j * nx + i] < 1;
      const cx = (i) => x0 + (x1 - x0) * i / (nx - 1), cy = (j) => y1 - (y1 - y0) * j / (ny - 1);
      for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
        if (i + 1 < nx && stable(i, j) !== stable(i + 1, j)) {
          const xm = (cx(i) + cx(i + 1)) / 2; d += `M ${xm.toFixed(1)} ${(cy(j) + dy).toFixed(1)} L ${xm.toFixed(1)} ${(cy(j) - dy).toFixed(1)} `;
        }
        if (j + 1 < ny && stable(i, j) !== stable(i, j + 1)) {
          const ym = (cy(j) + cy(j + 1)) / 2; d += `M ${(cx(i) - dx).toFixed(1)} ${ym.toFixed(1)} L ${(cx(i) + dx).toFixed(1)} ${ym.toFixed(1)} `;
        }
      }
      el("path", {d: d, stroke: "#c0182a", "stroke-width": 2, fill: "none"}, P.body);
      P.entry("stability boundary (\u03c1 = 1)", {color: "#c0182a"});
      P.entry("diverges (\u03c1 \u2265 1)", {swatch: "rgb(225,225,225)"});
      // certified grid points at this (tau, kappa)
      let anyCert = false, anyNot = false;
      const ik = cert.kappa.indexOf(state.kappa), it = cert.tau.indexOf(state.tau);
      if (ik >= 0) {
        cert.b.forEach((bv, ib) => cert.alpha_L.forEach((a, ia) => {
          const tIdx = bv === 0 ? 0 : it;
          if (tIdx < 0) return;
          const c = cert.points[ik][tIdx][ib][ia];
          if (c.rho !== null) { P.marker(a, bv, {color: "#fff", stroke: "#0b4d27", size: 3}); anyCert = true; }
          else { P.marker(a, bv, {color: "#fff", shape: "cross", size: 3}); anyNot = true; }
        }));
      }
      if (anyCert) P.entry("certified grid point", {marker: true, color: "#fff", stroke: "#0b4d27", size: 3});
      if (anyNot) P.entry("grid point not certified", {marker: true, color: "#555", shape: "cross", size: 3});
      P.marker(ref.gd.alphaL, 0, {color: COLORS.gd, shape: "diamond", stroke: "#fff"}, "gradient descent optimum");
      P.marker(map.optimum.alphaL, map.optimum.b, {color: "#ffd400", shape: "star"}, "memory optimum (this \u03c4, \u03ba)");
      P.marker(state.alphaL, state.b, {color: "#fff", stroke: "#000", size: 5, hollow: true}, "current setting");
      // colour bar
      const cbW = Math.min(220, P.width * 0.38), cbX = P.width - P.m.r - cbW, g = el("g", {class: "mx-colorbar"}, P.svg);
      P.finish();
      const cbY = +P.svg.getAttribute("height") + 6;
      for (let k = 0; k < 40; k++) {
        const c = viridis(k / 39);
        el("rect", {x: cbX + cbW * k / 40, y: cbY, width: cbW / 40 + 0.5, height: 10, fill: `rgb(${c})`}, g);
      }
      el("text", {x: cbX, y: cbY + 24, "font-size": 12, "text-anchor": "start"}, g, String(Math.round(Math.pow(10, lo))));
      el("text", {x: cbX + cbW, y: cbY + 24, "font-size": 12, "text-anchor": "end"}, g, (hi < Math.log10(Math.max(...finite)) ? "\u2265 " : "") + String(Math.round(Math.pow(10, hi))));
      el("text", {x: cbX - 8, y: cbY + 10, "font-size": 12, "text-anchor": "end", "data-role": "colorbar-label"}, g, "iterations to 10\u207b\u2076 (log colour)");
      P.svg.setAttribute("height", cbY + 32);
      $("mx-optimum").textContent = `best memory at \u03c4 = ${state.tau}, \u03ba = ${+state.kappa.toPrecision(4)}: ` +
        `\u03c1 = ${map.optimum.rate.toFixed(4)} at \u03b1L = ${map.optimum.alphaL.toPrecision(3)}, b = ${map.optimum.b.toFixed(3)} ` +
        `(gradient descent ${ref.gd.rate.toFixed(4)}, heavy ball ${ref.hb.rate.toFixed(4)})`;
      Object.assign($("mx-optimum").dataset, {rate: String(map.optimum.rate), alphaL: String(map.optimum.alphaL), b: String(map.optimum.b)});
    }

    function drawEigen(r, ref) {
      const mu = 1 / state.kappa, w = weights(state.b, state.tau), n = 161, cache = {roots: null};
      const hs = [], mem = [], gd = [], hb = [];
      for (let i = 0; i < n; i++) {
        const h = Math.pow(10, Math.log10(mu) + i / (n - 1) * Math.log10(1 / mu));
        hs.push(h);
        mem.push(spectralRadius(state.alphaL * h, w, cache));
        gd.push(Math.abs(1 - state.alphaL * h));
        hb.push(heavyBallRadius(ref.hb.alphaL, ref.hb.beta, h));
      }
      const shown = [...mem.filter(isFinite), ...gd, ...hb];
      const ymax = Math.min(2, Math.max(1.05, ...shown.map((v) => Math.min(v * 1.04, 2))));
      const ymin = Math.max(0, Math.floor((Math.min(...shown) - 0.05) * 10) / 10);
      const P = Plot($("mx-fig-eigen"), {
        title: "rate of each eigen-direction",
        x: {type: "log", domain: [mu, 1], label: "eigenvalue h / L (log scale)"},
        y: {type: "linear", domain: [ymin, ymax], label: "rate of that direction"},
      });
      P.hline(1, {color: "#c0182a", width: 1, dash: "4 3"}, "\u03c1 = 1 (no convergence)");
      P.line(hs.map((h, i) => [h, gd[i]]), {color: COLORS.gdSame, width: 1.5}, "gradient descent, same step");
      P.line(hs.map((h, i) => [h, hb[i]]), {color: COLORS.hb, dash: "1 3", width: 2}, "heavy ball, best tuning");
      P.line(hs.map((h, i) => [h, mem[i]]), {color: COLORS.memory, width: 2.5}, "memory (this setting)");
      P.marker(r.h, r.exact, {color: COLORS.memory, stroke: "#000", size: 5}, "worst direction (the exact rate)");
      P.finish();
    }

    function drawDistance(r, ref, c) {
      const t1best = Math.min(r.t1, r.t1b);
      const lines = [
        {rate: r.exact, C: 1, color: COLORS.memory, dash: "6 4", name: "exact rate \u03c1\u1d4f"},
        {rate: t1best, C: 1, color: COLORS.t1, dash: "7 4", name: "Theorem 1/1b bound"},
        {rate: r.t2, C: 1, color: COLORS.t2, dash: "2 3", name: "Theorem 2 bound"},
        {rate: c && c.rho !== null ? c.rho : Infinity, C: c && c.rho !== null ? Math.sqrt(c.transient) : 1, color: COLORS.cert, dash: "9 3 2 3", name: "certified bound C\u03c1\u1d4f"},
        {rate: ref.gd.rate, C: 1, color: COLORS.gd, dash: "1 3", name: "gradient descent, best step"},
        {rate: ref.hb.rate, C: 1, color: COLORS.hb, dash: "1 3", name: "heavy ball, best tuning"},
      ];
      const K = Math.min(1e8, Math.max(20, 1.5 * Math.max(...lines.map((l) => iterations(1e-8, l.rate, l.C)).filter(isFinite))));
      // the run on the slowest eigen-direction: x_{k+1} = x_k - alpha h (x_k + b x_{k-tau}), x_{-i} = x_0 = 1
      const steps = Math.min(Math.ceil(K), 200000), tau = state.tau, hist = new Float64Array(tau + 1).fill(1);
      const c0 = state.alphaL * r.h, run = [[1, 1]];
      let x = 1, head = 0;
      const sample = (k) => k < 50 || k % Math.max(1, Math.floor(k / 60)) === 0;
      for (let k = 1; k <= steps && isFinite(r.h); k++) {
        const old = hist[(head + 1) % (tau + 1)];  // x_{k-1-tau}
        x = x - c0 * (x + state.b * old);
        head = (head + 1) % (tau + 1);
        hist[head] = x;
        if (!isFinite(x) || Math.abs(x) > 1e12) break;
        if (Math.abs(x) < 1e-13) { run.push([k, Math.abs(x)]); break; }
        if (sample(k)) run.push([k, Math.abs(x)]);
      }
      const P = Plot($("mx-fig-distance"), {
        title: "distance to the minimizer against the iteration",
        x: {type: "log", domain: [1, K], label: "iteration k (log scale)", powers: true},
        y: {type: "log", domain: [1e-8, 10], label: "distance / initial distance", powers: true},
      });
      P.hline(EPS_TARGET, {color: "#bbb", width: 1}, "the target 10\u207b\u2076");
      P.line(run, {color: COLORS.memory, width: 2.5}, "run on the worst direction");
      for (const l of lines) {
        if (!(l.rate < 1)) continue;
        const pts = [];
        for (let i = 0; i <= 80; i++) { const k = Math.pow(K, i / 80); pts.push([k, l.C * Math.pow(l.rate, k)]); }
        P.line(pts, {color: l.color, dash: l.dash, width: 2}, l.name);
      }
      P.finish();
    }

    // ------------------------------------------------------------------ update
    let lastR = null, mapWaiters = null;
    function labels() {
      $("mx-alphaL-v").textContent = state.alphaL.toPrecision(3);
      $("mx-b-v").textContent = state.b.toFixed(3);
      $("mx-tau-v").textContent = String(state.tau);
      $("mx-kappa-v").textContent = String(+state.kappa.toPrecision(4));
      $("mx-formula").textContent = `d_k = g_k ${state.b < 0 ? "\u2212" : "+"} ${Math.abs(state.b).toFixed(3)} g_{k\u2212${state.tau}},  ` +
        `\u03b1 = ${state.alphaL.toPrecision(3)}/L,  \u03ba = L/\u03bc = ${+state.kappa.toPrecision(4)}`;
    }
    function update() {
      root.dataset.ready = "0";
      labels();
      const r = rates(state.alphaL, state.b, 257, true), ref = references(state.kappa), c = certHere();
      lastR = r;
      readout(r, ref, c);
      drawIterations(r, ref);
      drawEigen(r, ref);
      drawDistance(r, ref, c);
      drawMap(r, ref);
      root.dataset.ready = "1";
    }
    let pending = false;
    function schedule(event) {
      readSlider(event.target.id.slice(3));
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; update(); history.replaceState(null, "", "#" + hash()); });
    }
    function hash() {
      return `alphaL=${+state.alphaL.toPrecision(6)}&b=${+state.b.toFixed(4)}&tau=${state.tau}&kappa=${+state.kappa.toPrecision(6)}`;
    }
    for (const k in sliders) sliders[k].addEventListener("input", schedule);
    // the grid steps of the certificates: buttons that set the step exactly to one of them
    window.addEventListener("hashchange", () => { fromHash(); update(); });
    let width = root.clientWidth;
    window.addEventListener("resize", () => { if (root.clientWidth !== width) { width = root.clientWidth; update(); } });
    $("mx-go-optimum").addEventListener("click", () => {
      if (!map || map.key !== mapKey()) return;
      state.alphaL = map.optimum.alphaL; state.b = map.optimum.b; writeSliders(); update();
    });
    $("mx-go-grid").addEventListener("click", () => {  // nearest certified grid step
      let best = cert.alpha_L[0];
      for (const a of cert.alpha_L) if (Math.abs(Math.log10(a / state.alphaL)) < Math.abs(Math.log10(best / state.alphaL))) best = a;
      state.alphaL = best; writeSliders(); update();
    });
    fromHash();   // values from the address are kept as given (no snapping)
    update();
    /** For the checks: a promise resolved once the map for the current setting is drawn. */
    root.whenMapReady = () => new Promise((resolve) => {
      if (map && map.key === mapKey()) resolve(); else mapWaiters = resolve;
    });
  }

  const api = {nextUp, aberth, inclusion, polyRoots, charPoly, spectralRadius, spectralRadiusError, weights, exactRate, heavyBallRadius,
               references, iterations, makeTheory, patternConstants, init};
  global.memgdExplorable = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  if (typeof document !== "undefined") {
    const start = () => {
      const root = document.getElementById("memgd-explorable"), json = document.getElementById("memgd-explorable-data");
      if (root && json) init(root, JSON.parse(json.textContent));
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  }
})(typeof window !== "undefined" ? window : globalThis);
