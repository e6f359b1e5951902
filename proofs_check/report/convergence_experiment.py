r"""The paper's convergence experiment, rerun offline on scikit-learn's digits data.

The reference's ``experiments/convergence/train.py`` trains a linear softmax model
with cross-entropy and weight decay 0.01 on 5,000 rows of rcv1 (80/20 split,
standardized, batch 25, 25 epochs) with SGD_C, SGDM_C, Adam_C, RMSprop_C and their
plain versions, lr in {1e-2, 1e-3, 1e-4, 1e-5}, decay 0.7, topC 10, aggregation
"sum" or "mean", kappa 1, five seeds.  Its data loading draws the rows and the labels
with two independent ``np.random.randint`` calls (lines 77-78), so each row gets the
label of another row: the labels it trains on are noise.

Here: the same protocol on the digits data (1,797 rows, 64 features, 10 classes,
shipped with scikit-learn: no download), labels kept with their rows, the objective

.. math:: F(W) = \text{mean cross-entropy} + \tfrac{0.01}{2}\|W\|^2

(:func:`memgd.solvers.problems.make_softmax`: mu = 0.01 exactly, L an upper bound),
every optimizer in memgd's documented mode (weight decay inside the gradient; on
this objective that is the L2 term), batched over seeds and learning rates in one
run per optimizer.  Minibatches are drawn independently per step (the reference
shuffles once per epoch).  Measured: F(x_k) - F* per epoch, distance to the exact
x*, test accuracy.  Beside it, the theory: Theorem 1 / 1b
(:func:`memgd.theory.promise`) for SGD_C with *full* gradients, with the ages the run
realized (the critical rule bounds none a priori), and the minibatch noise level.
Pattern-set certificates (:func:`memgd.proofs_check.certificates.certify.certify`) need the
pattern set of every subset of ages up to T; they are attempted only for T <= 3.  The class
certificates of the same rules at their realized T (one LMI per vertex of the rule's weight
polytope) are computed by :mod:`memgd.proofs_check.report.class_certificates`.

``python -m memgd.proofs_check.report.convergence_experiment [--quick]`` prints the
table; ``python -m memgd.figures --only convergence_experiment`` draws the figure.
Needs scikit-learn (``pip install memgd[examples]``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from memgd.proofs_check.report.render import Check, Section, render_text, terminal_width
from memgd.solvers import Status, make_optimizer, run_optimizer, tail_rate
from memgd.solvers.problems import SoftmaxBatch, make_softmax
from memgd.theory.aggregations import aggregation_bounds, promise
from memgd.theory.constants import alpha_max, iteration_count, optimal_step, rate_at_optimal_step

OPTIMIZERS = (("sgd", None), ("sgd_c", "sum"), ("sgd_c", "mean"), ("sgdm", None), ("sgdm_c", "sum"),
              ("sgdm_c", "mean"), ("adam", None), ("adam_c", "sum"), ("adam_c", "mean"), ("rmsprop", None),
              ("rmsprop_c", "sum"), ("rmsprop_c", "mean"))
CERTIFY_MAX_T = 3


@dataclass(frozen=True)
class Settings:
    """The reference's protocol (defaults) and the knobs a quick run shrinks."""

    lrs: tuple[float, ...] = (1e-2, 1e-3, 1e-4, 1e-5)
    seeds: tuple[int, ...] = (100, 101, 102, 103, 104)
    batch_size: int = 25
    epochs: int = 25
    decay: float = 0.7
    top_c: int = 10
    kappa: float = 1.0
    l2: float = 0.01
    test_size: float = 0.2
    split_seed: int = 1234
    rows: int | None = None        # use only the first rows of the data (quick runs)
    optimizers: tuple = OPTIMIZERS
    full_steps: int = 4000         # full-gradient SGD_C runs for the theory
    full_lrs: tuple[float, ...] = (1e-2,)  # plus 1/L
    scrambled: bool = True         # also train on labels drawn independently of the rows (the reference's loading)


def quick_settings() -> Settings:
    return Settings(lrs=(1e-2, 1e-3), seeds=(100, 101), epochs=3, rows=400,
                    optimizers=(("sgd", None), ("sgd_c", "sum"), ("adam_c", "mean")), full_steps=400)


def load_digits_split(settings: Settings):
    """Standardized digits train / test split (labels kept with their rows)."""
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError("the convergence experiment needs scikit-learn: pip install memgd[examples]") from err
    X, y = load_digits(return_X_y=True)
    if settings.rows is not None:
        X, y = X[: settings.rows], y[: settings.rows]
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=settings.test_size, random_state=settings.split_seed)
    scaler = StandardScaler()
    return scaler.fit_transform(X_tr), scaler.transform(X_te), y_tr.astype(np.int64), y_te.astype(np.int64)


@dataclass(frozen=True)
class TheoryRun:
    aggregation: str
    alpha: float
    distances: np.ndarray       # (K+1,) full-gradient SGD_C, r_k / r_0
    status: Status
    T: int                      # largest age realized
    bound_rate: float           # Theorem 1 / 1b with the realized T (inf: vacuous)
    bound_theorem: str
    measured_rate: float
    certificate: str
    alpha_admissible: float     # Theorem 1's largest admissible step with the realized T
    best_step: float            # its optimal step and rate there
    best_rate: float


@dataclass(frozen=True)
class ConvergenceResult:
    settings: Settings
    mu: float
    L: float
    L_at_x_star: float            # top Hessian eigenvalue at x* (how loose the bound L is)
    steps_per_epoch: int
    names: tuple[str, ...]        # "sgd_c/sum", "adam", ...
    gaps: np.ndarray              # (R, epochs+1, n_lr, n_seed) F(x) - F*
    distances: np.ndarray         # (R, epochs+1, n_lr, n_seed) ||x - x*|| / ||x_0 - x*||
    accuracy: np.ndarray          # (R, n_lr, n_seed) test accuracy at the end
    diverged: np.ndarray          # (R, n_lr) count of seeds diverged
    noise_level: np.ndarray       # (n_lr,) sqrt(alpha sigma_b^2 / (2 mu)) / r_0 (median r_0)
    theory: tuple[TheoryRun, ...] = field(default_factory=tuple)
    scrambled_accuracy: float = float("nan")  # test accuracy after training on labels drawn apart from the rows


def _starts(problems: SoftmaxBatch, seeds, n_lr: int, p0: int) -> np.ndarray:
    """torch.nn.Linear's initialization: U(-1/sqrt(p0), 1/sqrt(p0)) per weight, one draw per seed."""
    bound = 1.0 / np.sqrt(p0)
    x = [np.random.default_rng(s).uniform(-bound, bound, problems.d) for s in seeds]
    return np.tile(np.asarray(x), (n_lr, 1))  # problem index = lr_index * n_seed + seed_index


def _minibatch_variance(problems: SoftmaxBatch, batch: int) -> float:
    """E||g_B(x*) - grad F(x*)||^2 for batches of ``batch`` rows drawn without replacement."""
    x = problems.x_star[:1]
    A, y = problems.features[0], problems.labels[0]
    m = A.shape[0]
    per_row = np.stack([problems.take([0])._ce_grad(x, A[None, i:i + 1], y[None, i:i + 1])[0] for i in range(m)])
    spread = per_row - per_row.mean(axis=0)
    row_var = float(np.einsum("ij,ij->", spread, spread)) / m
    return row_var / batch * (m - batch) / (m - 1)


def _theory_run(problems: SoftmaxBatch, settings: Settings, aggregation: str, alpha: float,
                x0: np.ndarray) -> TheoryRun:
    one = problems.take([0])
    opt = make_optimizer("sgd_c", kappa=settings.kappa, decay=settings.decay, top_c=settings.top_c,
                         aggregation=aggregation)
    res = run_optimizer(one, opt, alpha, settings.full_steps, x0=x0[:1], tol=1e-12)
    T = int(res.constants.T[0])
    mu, L = float(one.mu[0]), float(one.L[0])
    bound = promise(aggregation=aggregation, kappa=settings.kappa, T=max(T, settings.top_c), mu=mu, L=L,
                    alpha=alpha, topC=settings.top_c, m_min=0)
    rate = float(tail_rate(res.distances)[0])
    cert = ("pattern-set certificate not attempted: realized T = %d > %d (2^T patterns); the rule's class "
            "certificate at this T is in the report's class-certificates section" % (T, CERTIFY_MAX_T)
            ) if T > CERTIFY_MAX_T else "not available"
    c = aggregation_bounds(aggregation, settings.kappa, settings.top_c, m_min=0)
    kw = dict(mu=mu, L=L, s_lo=c.s_lo, s_hi=c.s_hi, B=c.B, W=c.W, T=max(T, settings.top_c))
    return TheoryRun(aggregation, alpha, res.relative_distances[:, 0], Status(int(res.status[0])), T,
                     float(bound.rate), str(bound.theorem), rate, cert, float(alpha_max(**kw)),
                     float(optimal_step(**kw)), float(rate_at_optimal_step(**kw)))


def convergence_data(settings: Settings | None = None, *, progress: Callable[[str], None] | None = None
                     ) -> ConvergenceResult:
    """Run the experiment (module doc)."""
    settings = Settings() if settings is None else settings
    say = progress or (lambda message: None)
    X_tr, X_te, y_tr, y_te = load_digits_split(settings)
    lrs, seeds = np.asarray(settings.lrs, float), tuple(settings.seeds)
    n_lr, n_seed = lrs.size, len(seeds)
    say("convergence experiment: softmax regression on digits, computing x* by Newton's method")
    problems = make_softmax(X_tr, y_tr, l2=settings.l2, n=n_lr * n_seed, classes=10)
    x0 = _starts(problems, seeds, n_lr, X_tr.shape[1])
    alpha = np.repeat(lrs, n_seed)
    per_epoch = -(-X_tr.shape[0] // settings.batch_size)
    steps = settings.epochs * per_epoch
    R, E = len(settings.optimizers), settings.epochs
    gaps = np.full((R, E + 1, n_lr, n_seed), np.nan)
    dists = np.full((R, E + 1, n_lr, n_seed), np.nan)
    acc = np.full((R, n_lr, n_seed), np.nan)
    diverged = np.zeros((R, n_lr), int)
    names = []
    for r, (name, aggregation) in enumerate(settings.optimizers):
        label = name if aggregation is None else f"{name}/{aggregation}"
        names.append(label)
        say(f"convergence experiment: {label} ({r + 1}/{R}), {n_lr * n_seed} runs of {steps} steps")
        options = {} if aggregation is None else dict(kappa=settings.kappa, decay=settings.decay,
                                                       top_c=settings.top_c, aggregation=aggregation)
        res = run_optimizer(problems, make_optimizer(name, **options), alpha, steps, x0=x0, tol=0.0,
                            rng=np.random.default_rng(seeds[0]), batch_size=settings.batch_size)
        at = np.arange(E + 1) * per_epoch
        gaps[r] = res.gaps[at].reshape(E + 1, n_lr, n_seed)
        dists[r] = res.relative_distances[at].reshape(E + 1, n_lr, n_seed)
        acc[r] = problems.accuracy(res.x, X_te, y_te).reshape(n_lr, n_seed)
        diverged[r] = (res.status == Status.DIVERGED).reshape(n_lr, n_seed).sum(axis=1)
    say("convergence experiment: full-gradient SGD_C runs and the theory")
    L = float(problems.L[0])
    top = float(np.linalg.eigvalsh(problems.take([0]).hessian(problems.x_star[:1])[0])[-1])
    sigma2 = _minibatch_variance(problems, settings.batch_size)
    r0 = float(np.median(problems.distance(x0)))
    noise = np.sqrt(lrs * sigma2 / (2.0 * settings.l2)) / r0
    theory = tuple(_theory_run(problems, settings, agg, a, x0)
                   for agg in ("sum", "mean") for a in (*settings.full_lrs, 1.0 / L))
    scrambled = _scrambled_accuracy(settings, X_tr, y_tr, X_te, y_te, steps, say) if settings.scrambled else np.nan
    return ConvergenceResult(settings, float(problems.mu[0]), L, top, per_epoch, tuple(names), gaps, dists, acc,
                             diverged, noise, theory, scrambled)


def _scrambled_accuracy(settings: Settings, X_tr, y_tr, X_te, y_te, steps: int, say) -> float:
    """Adam_C ("mean", lr 1e-2) trained on labels drawn independently of the rows, tested on the true labels.

    The reference draws ``X[randint(...)]`` and ``y[randint(...)]`` separately (train.py lines 77-78):
    every row gets the label of an unrelated row.  A permutation of the labels does the same here.
    """
    say("convergence experiment: labels drawn independently of the rows, as the reference loads them")
    y_noise = np.random.default_rng(settings.split_seed).permutation(y_tr)
    seeds = tuple(settings.seeds)
    problems = make_softmax(X_tr, y_noise, l2=settings.l2, n=len(seeds), classes=10)
    opt = make_optimizer("adam_c", kappa=settings.kappa, decay=settings.decay, top_c=settings.top_c,
                         aggregation="mean")
    res = run_optimizer(problems, opt, 1e-2, steps, x0=_starts(problems, seeds, 1, X_tr.shape[1]), tol=0.0,
                        rng=np.random.default_rng(seeds[0]), batch_size=settings.batch_size)
    return float(np.median(problems.accuracy(res.x, X_te, y_te)))


COLUMNS = ["optimizer", "lr", "F - F* after 25 epochs (median)", "distance r/r0 (median)", "test accuracy (median)",
           "diverged"]


def convergence_section(progress: Callable[[str], None], *, result: ConvergenceResult | None = None) -> Section:
    """The report section: the paper's convergence protocol on digits, and the theory beside it."""
    try:
        result = convergence_data(progress=progress) if result is None else result
    except ImportError as err:
        sec = Section("The paper's convergence experiment (digits): not available", ["reason"])
        sec.rows.append({"reason": str(err)})
        return sec
    st = result.settings
    cols = list(COLUMNS)
    cols[2] = f"F - F* after {st.epochs} epochs (median)"
    sec = Section(
        f"The paper's convergence experiment, offline: softmax regression + L2 {st.l2:g} on digits "
        f"(batch {st.batch_size}, {st.epochs} epochs, {len(st.seeds)} seeds, decay {st.decay:g}, topC {st.top_c}, "
        f"kappa {st.kappa:g}; mu = {result.mu:g} exact, L <= {result.L:.4g})", cols,
        intro=["The reference's data loading draws rows and labels with two independent calls "
               "(experiments/convergence/train.py lines 77-78), so its labels are noise; here labels stay with "
               "their rows. Minibatches are drawn independently per step."])
    for r, name in enumerate(result.names):
        for i, lr in enumerate(st.lrs):
            sec.rows.append({"optimizer": name, "lr": lr, cols[2]: float(np.nanmedian(result.gaps[r, -1, i])),
                             "distance r/r0 (median)": float(np.nanmedian(result.distances[r, -1, i])),
                             "test accuracy (median)": float(np.nanmedian(result.accuracy[r, i])),
                             "diverged": f"{result.diverged[r, i]}/{len(st.seeds)}"})
    if np.isfinite(result.scrambled_accuracy):
        sec.notes.append(f"trained as the reference loads the data (labels drawn apart from the rows; Adam_C 'mean', "
                         f"lr 0.01), the model classifies {result.scrambled_accuracy:.3f} of the true test labels "
                         "(chance: 0.1): the reference's convergence curves measure fitting noise.")
    sec.notes.extend(_memory_notes(result))
    best = float(np.nanmax(result.accuracy))
    sec.checks.append(Check("labels kept with their rows: the best run classifies >= 90% of the test set",
                            best >= 0.9, f"best test accuracy {best:.3f} (scrambled labels give about 0.1)"))
    for run in result.theory:
        vacuous = not np.isfinite(run.bound_rate)
        sec.notes.append(
            f"full-gradient SGD_C '{run.aggregation}' at alpha = {run.alpha:.4g}: {run.status.name.lower()}, "
            f"measured rate {run.measured_rate:.6f}, realized T = {run.T}; Theorem 1/1b with that T: "
            + ("vacuous at this step" if vacuous else f"rate {run.bound_rate:.6f} (Theorem {run.bound_theorem})")
            + f"; Theorem 1 needs alpha < {run.alpha_admissible:.3g} and promises at best rate "
            f"{run.best_rate:.10f} (alpha = {run.best_step:.3g}: about "
            f"{iteration_count(eps=1e-6, rate=run.best_rate):.3g} iterations per 1e-6); certificate: {run.certificate}.")
        if not vacuous:
            sec.checks.append(Check(f"full-gradient SGD_C '{run.aggregation}', alpha {run.alpha:.3g}: measured rate "
                                    "<= Theorem 1/1b rate (realized T)", run.measured_rate <= run.bound_rate + 1e-12,
                                    f"measured {run.measured_rate:.6f} > bound {run.bound_rate:.6f}"))
    sec.notes.append(f"L bound {result.L:.4g} against the Hessian's top eigenvalue at x* {result.L_at_x_star:.4g}: "
                     "the bound (lambda + ||A||^2/(2m)) is valid everywhere, not tight.")
    sec.notes.append("minibatch noise level sqrt(alpha sigma_b^2 / (2 mu)) / r_0 (small-step linearization of SGD, "
                     "a scale, not a theorem): " + ", ".join(f"lr {lr:g}: {v:.3g}" for lr, v in
                                                          zip(st.lrs, result.noise_level)))
    return sec


def _memory_notes(result: ConvergenceResult) -> list[str]:
    """How far each "_C" optimizer's final suboptimality is from its plain version's, per aggregation.

    With kappa = 1, "mean" weighs g and the m stored gradients 1/(m+1) each (s = 1: for SGD the
    plain step), while "sum" adds the stored mean with weight kappa (s = 1 + kappa = 2: for SGD
    about a doubled step).
    """
    plain = {name: r for r, name in enumerate(result.names) if "/" not in name}
    notes = []
    for r, name in enumerate(result.names):
        base, _, agg = name.partition("/")
        partner = plain.get(base.removesuffix("_c"))
        if not agg or partner is None:
            continue
        mine, theirs = np.nanmedian(result.gaps[r, -1], axis=1), np.nanmedian(result.gaps[partner, -1], axis=1)
        ratio = mine / theirs
        notes.append(f"{name} against {result.names[partner]}: final F - F* ratio per lr "
                     + ", ".join(f"{v:.3g}" for v in ratio) + _why(base, agg))
    return notes


def _why(base: str, aggregation: str) -> str:
    if not base.startswith("sgd"):
        return " (an adaptive base rescales the direction: s is not a step factor)"
    return " (s = 1 + kappa = 2: about a doubled step)" if aggregation == "sum" else " (s = 1: the plain step)"


def convergence_figure_data(*, quick: bool = False) -> ConvergenceResult:
    """The figure's data (``python -m memgd.figures --only convergence_experiment``)."""
    return convergence_data(quick_settings() if quick else Settings())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m memgd.proofs_check.report.convergence_experiment",
                                     description="the paper's convergence experiment on digits (table)")
    parser.add_argument("--quick", action="store_true", help="a small version (fewer rows, epochs, optimizers)")
    args = parser.parse_args(argv)
    settings = quick_settings() if args.quick else Settings()
    sec = convergence_section(lambda message: print(message, file=sys.stderr, flush=True),
                              result=convergence_data(settings, progress=lambda m: print(m, file=sys.stderr)))
    print(render_text([sec], terminal_width()))
    return 1 if sec.failed else 0


if __name__ == "__main__":
    sys.exit(main())
