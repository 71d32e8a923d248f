"""How much better than cubic spline can a linear-prediction (Gaussian AR) prior upsample these clips?

Context for issue 3's criterion (each prior must beat cubic spline at 4x upsampling of the real clips
in ../shared/eval). The shipped WaveNet priors are level with the spline, and gradient ascent on their
log density from the spline lowers the SNR. This script measures what the simplest family of priors
could do on the SAME task, excerpts and decimation as `reference_sampler.py upsample`:

* a Gaussian AR(p) prior: x ~ N(0, Q^-1), Q = A'A / s_e^2 + I / s_x^2, where A is the prediction-error
  filter of p linear-prediction coefficients (least squares), s_e^2 its residual variance and s_x^2 the
  signal variance (a small ridge that makes the prior proper). With every 4th sample known, the MAP
  (= posterior mean) of the others is one sparse linear solve.
* "oracle" rows fit the coefficients on the TRUE full-rate excerpt (knowledge no upsampler has): an
  upper bound for what an LPC-strength prior could add. "global" fits one model to the whole excerpt,
  "local" one per 1,024-sample window (hop 512, Hann cross-fade).
* the "from spline" row fits the local models on the spline itself (what a non-oracle AR method can
  do without a trained prior).

    /usr/bin/python3 training/upsample_bounds.py            # -> bench/priors/upsample-bounds.{md,json}
"""
import argparse
import json
import os
import sys

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.interpolate import CubicSpline

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from reference_sampler import at_peak, eval_clips, excerpt, load_audio, snr_db  # noqa: E402

FACTOR = 4
WINDOW = 1024
MARGIN = 256  # context each side of a window for its solve


def lpc(y, order):
    """Least-squares linear-prediction coefficients a (x_t ~ sum_k a_k x_{t-k}) and residual variance."""
    X = np.stack([y[order - k - 1:len(y) - k - 1] for k in range(order)], 1)
    t = y[order:]
    a, *_ = np.linalg.lstsq(X, t, rcond=None)
    return a, float(np.var(t - X @ a))


def ar_interpolate(y, known, a, resid_var):
    """MAP of the unknown samples of y under the Gaussian AR prior with coefficients a (see module doc).

    y: float64 signal whose `known` entries are used (the others are ignored); known: bool mask."""
    T, p = len(y), len(a)
    n = T - p
    rows = np.repeat(np.arange(n), p + 1)
    cols = (np.arange(n)[:, None] + p - np.arange(p + 1)[None, :]).ravel()
    vals = np.tile(np.concatenate([[1.0], -a]), n)
    A = sp.csr_matrix((vals, (rows, cols)), shape=(n, T))
    free = ~known
    sig_x = max(float(np.var(y[known])), 1e-12)
    sig_e = max(resid_var, 1e-9 * sig_x)
    Af, Ak = A[:, free], A[:, known]
    Q = (Af.T @ Af) / sig_e + sp.identity(Af.shape[1]) / sig_x
    x = y.astype(np.float64).copy()
    x[free] = spla.spsolve(Q.tocsc(), -(Af.T @ (Ak @ y[known])) / sig_e)
    return x


def local_ar_interpolate(fit_on, y, known, order, window=WINDOW):
    """ar_interpolate per window, coefficients fitted on `fit_on` in that window, Hann cross-faded."""
    T = len(y)
    if T <= window:
        return ar_interpolate(y, known, *lpc(fit_on, order))
    out, wsum = np.zeros(T), np.zeros(T)
    hop = window // 2
    win = np.hanning(window + 2)[1:-1]
    starts = sorted(set(list(range(0, T - window, hop)) + [T - window]))
    for s in starts:
        a, ev = lpc(fit_on[s:s + window], order)
        lo, hi = max(0, s - MARGIN), min(T, s + window + MARGIN)
        seg = ar_interpolate(y[lo:hi], known[lo:hi], a, ev)[s - lo:s - lo + window]
        out[s:s + window] += win * seg
        wsum[s:s + window] += win
    out = out / np.maximum(wsum, 1e-12)
    out[known] = y[known]
    return out


def bounds_for_clip(y, order):
    y = y.astype(np.float64)
    T = len(y)
    idx = np.arange(0, T, FACTOR)
    known = np.zeros(T, bool)
    known[idx] = True
    spline = CubicSpline(idx, y[idx])(np.arange(T))
    return {
        "spline": snr_db(y, spline),
        "oracle_global": snr_db(y, ar_interpolate(y, known, *lpc(y, order))),
        "oracle_local": snr_db(y, local_ar_interpolate(y, y, known, order)),
        "from_spline_local": snr_db(y, local_ar_interpolate(spline, y, known, order)),
    }


COLUMNS = [("spline", "cubic spline"), ("oracle_global", "AR oracle, one model per excerpt"),
           ("oracle_local", f"AR oracle, local ({WINDOW}-sample windows)"),
           ("from_spline_local", "AR fitted on the spline, local")]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=1.0, help="loudest excerpt per clip, as reference_sampler.py")
    ap.add_argument("--order", type=int, default=16)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "priors", "upsample-bounds"))
    args = ap.parse_args()
    res = {}
    for kind in ("piano", "voice"):
        rows = {}
        for p in eval_clips(kind):
            y = at_peak(excerpt(load_audio(p), args.seconds))
            rows[os.path.basename(p)] = bounds_for_clip(y, args.order)
            print(kind, os.path.basename(p), {k: round(v, 2) for k, v in rows[os.path.basename(p)].items()}, flush=True)
        mean = {k: float(np.mean([r[k] for r in rows.values()])) for k, _ in COLUMNS}
        res[kind] = {"clips": rows, "mean": mean}
    res["settings"] = {"factor": FACTOR, "seconds": args.seconds, "order": args.order, "window": WINDOW, "peak": 0.9}
    with open(args.out + ".json", "w") as f:
        json.dump(res, f, indent=1)
    md = ["# 4x upsampling: what a linear-prediction prior could add to the cubic spline", "",
          f"Command: `/usr/bin/python3 training/upsample_bounds.py --seconds {args.seconds} --order {args.order}`. "
          "Same clips, loudest excerpts, peak and decimation (keep every 4th sample) as `reference_sampler.py upsample` "
          "in `results.md`. SNR in dB. Method: see the script's docstring (Gaussian AR prior, MAP of the missing samples).", ""]
    for kind in ("piano", "voice"):
        md += [f"## {kind}", "", "| clip | " + " | ".join(h for _, h in COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
        for name, r in res[kind]["clips"].items():
            md.append(f"| {name} | " + " | ".join(f"{r[k]:.2f}" for k, _ in COLUMNS) + " |")
        m = res[kind]["mean"]
        md.append("| **mean** | " + " | ".join(f"{m[k]:.2f}" for k, _ in COLUMNS) + " |")
        md.append("")
    md += ["Reading: the oracle columns know the true full-rate signal: they show what an order-"
           f"{args.order} Gaussian AR prior adds to the spline when its coefficients are exactly right for the "
           "passage. The last column fits the same model without that knowledge, on the spline. "
           "The decimated signal does not reveal its own high band, so a prior that beats the spline has to "
           "bring that knowledge from training.", ""]
    with open(args.out + ".md", "w") as f:
        f.write("\n".join(md))
    print("wrote", args.out + ".md")


if __name__ == "__main__":
    main()
