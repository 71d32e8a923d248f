"""Does a band-pass around the decimation's fold aim the ascent better? The cosine between a prior's score
at the spline (the ascent's first direction, on the interpolated samples) and the way to the truth, over
WHOLE clips (4x, peak 0.9, sigma 0.005), for the step as the sampler takes it:

  * plain (a fixed step), and weighted by reference_sampler.level_weights (p = 0.5, session 20);
  * that weighted step filtered by a Hann-windowed band-pass FIR (reference_sampler.band_fir) around
    the fold of the 4x decimation (2 kHz at 16 kHz), for a few bands and lengths; `fold_band(4)` is the
    1250-2750 Hz, 65-tap one.

The cubic spline's error sits around the fold (aim_by_band.py, session 16); the score points everywhere.
The ideal gain of a cosine c is -10 log10(1 - c^2) dB (a move of exactly the right length).

  /usr/bin/python3 training/aim_by_fold.py --ckpt training/checkpoints/piano.pt --tune 8   # the piano TUNE set
  /usr/bin/python3 training/aim_by_fold.py --ckpt training/checkpoints/piano.pt            # ../shared/eval piano
"""
import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "data"))
from aim_by_level import ideal_gain_db  # noqa: E402
from model import load_prior  # noqa: E402
from reference_sampler import SR, at_peak, band_fir, cosine, eval_clips, level_weights, load_audio, score_at_spline  # noqa: E402

BANDS_HZ = ((1000, 3000), (1500, 2500), (1250, 2750))
TAPS = (65, 129, 257)


def aim_rows(model, y, sigma):
    spline, g, way = score_at_spline(model, y, sigma)
    free = np.ones(len(y))
    free[::4] = 0
    wg = g * level_weights(spline, 0.5)
    row = {"plain": cosine(g, way), "level_weights(p=0.5)": cosine(wg, way)}
    for lo, hi in BANDS_HZ:
        for taps in TAPS:
            h = band_fir(lo / SR, hi / SR, taps)
            row[f"p=0.5, {lo}-{hi} Hz, {taps} taps"] = cosine(np.convolve(wg, h, "same") * free, way)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--sigma", type=float, default=0.005)
    ap.add_argument("--tune", type=int, default=0, help="use N whole tune pieces instead of ../shared/eval/piano")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model, _ = load_prior(a.ckpt)
    for p in model.parameters():
        p.requires_grad_(False)
    if a.tune:
        from tune_upsampling import piano_tune_clips
        items = [(name, y) for name, _, y in piano_tune_clips(a.tune, seconds=0, piece_seconds=20.0)]
    else:
        items = [(os.path.basename(p), at_peak(load_audio(p))) for p in eval_clips("piano")]
    rows = {}
    for name, y in items:
        rows[name] = aim_rows(model, y, a.sigma)
        print(f"{name[:40]:40s} " + "  ".join(f"{v:+.3f}" for v in rows[name].values()), flush=True)
    print(f"\nmean over {len(rows)} clips (cosine; ideal gain of each clip's cosine, mean):")
    for k in next(iter(rows.values())):
        vals = [r[k] for r in rows.values()]
        print(f"  {k:34s} {np.mean(vals):+.3f}   ideal {np.mean([ideal_gain_db(v) for v in vals]):+.3f} dB")


if __name__ == "__main__":
    main()
