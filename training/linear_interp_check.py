"""How well do a corpus's second-order statistics around the 2 kHz fold carry over to real piano recordings?

Fits a linear 4x interpolator (the best least-squares filter from the observed 4 kHz samples to each of the three
hidden phases, `--taps` observed samples either side: what a Gaussian prior of the corpus would interpolate) on
excerpts of a corpus, and reports its SNR gain over the cubic spline on the real eval clips (whole clips, peak 0.9,
paper-style decimation: every 4th sample kept). The spline assumes nothing about the spectrum; a corpus whose
spectra near the fold match real recordings gives a filter that beats it, one that does not loses to it.
Nothing is shipped from this: it is a diagnostic of training data, seconds of CPU.

  /usr/bin/python3 training/linear_interp_check.py --data-dir training/.data [--split train|val]
  /usr/bin/python3 training/linear_interp_check.py --leave-one-out   # fit on the other real clips (how alike they are)
"""
import argparse
import os

import numpy as np

from reference_sampler import SR, at_peak, eval_clips, load_audio, snr_db, spline_through_every

FACTOR = 4


def phase_features(y, taps, factor=FACTOR):
    """{phase p: (X, targets, positions)}: for every hidden position t = factor*j + p (1 <= p < factor) with `taps`
    observed samples on each side, the observed samples y[factor*(j-taps+1)] ... y[factor*(j+taps)] and y[t]."""
    lo = y[::factor]
    j = np.arange(taps - 1, len(lo) - taps)
    j = j[factor * j + factor - 1 < len(y)]
    X = np.stack([lo[j + o] for o in range(-taps + 1, taps + 1)], 1).astype(np.float64)
    return {p: (X, y[factor * j + p].astype(np.float64), factor * j + p) for p in range(1, factor)}


def fit_interpolator(signals, taps, ridge=1e-6, unit_rms=True):
    """Least-squares filters {phase: weights} over all signals, each scaled to unit RMS so none dominates
    (unit_rms=False: as they are, so loud excerpts weigh more)."""
    A, b = {}, {}
    for y in signals:
        y = np.asarray(y, np.float64)
        if unit_rms:
            y = y / (np.sqrt(np.mean(y ** 2)) + 1e-12)
        for p, (X, t, _) in phase_features(y, taps).items():
            A[p] = A.get(p, 0) + X.T @ X
            b[p] = b.get(p, 0) + X.T @ t
    return {p: np.linalg.solve(A[p] + ridge * np.trace(A[p]) / len(A[p]) * np.eye(len(A[p])), b[p]) for p in A}


def interpolate(y, weights, taps):
    """The spline through every 4th sample, with the hidden samples the filters reach replaced by theirs."""
    est, _ = spline_through_every(y, FACTOR)
    est = est.astype(np.float64)
    for p, (X, _, pos) in phase_features(y, taps).items():
        est[pos] = X @ weights[p]
    return est.astype(np.float32)


def corpus_excerpts(data_dir, split, n, seconds, seed=0):
    audio = np.load(os.path.join(data_dir, f"piano_{split}.npy"), mmap_mode="r")
    m = int(seconds * SR)
    starts = np.random.default_rng(seed).integers(0, len(audio) - m, n)
    return [np.asarray(audio[s:s + m], np.float64) for s in starts]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".data"))
    ap.add_argument("--split", default="train", choices=["train", "val"])
    ap.add_argument("--excerpts", type=int, default=60)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--taps", type=int, default=16)
    ap.add_argument("--energy-weighted", action="store_true", help="fit on the excerpts as they are (loud ones weigh "
                    "more) instead of each at unit RMS")
    ap.add_argument("--leave-one-out", action="store_true", help="fit on the other eval clips instead of a corpus")
    a = ap.parse_args()
    clips = [(os.path.basename(p), at_peak(load_audio(p))) for p in eval_clips("piano")]
    if not a.leave_one_out:
        w = fit_interpolator(corpus_excerpts(a.data_dir, a.split, a.excerpts, a.seconds), a.taps,
                             unit_rms=not a.energy_weighted)
        print(f"filter fit on {a.data_dir} ({a.split}, {a.excerpts} x {a.seconds:g} s, "
              f"{'energy-weighted' if a.energy_weighted else 'each at unit RMS'}), {a.taps} taps either side")
    gains = []
    for i, (name, y) in enumerate(clips):
        if a.leave_one_out:
            w = fit_interpolator([c for j, (_, c) in enumerate(clips) if j != i], a.taps, unit_rms=not a.energy_weighted)
        spline, _ = spline_through_every(y, FACTOR)
        gains.append(snr_db(y, interpolate(y, w, a.taps)) - snr_db(y, spline))
        print(f"  {name:40s} spline {snr_db(y, spline):6.2f} dB   linear filter {gains[-1]:+.3f} dB")
    print(f"  {'MEAN gain over the spline':40s} {np.mean(gains):+.3f} dB")


if __name__ == "__main__":
    main()
