"""Does a fixed step move quiet passages too far? The cosine between a prior's score at the spline
(the ascent's first direction, on the interpolated samples) and the way to the truth, over WHOLE
clips (4x, peak 0.9, sigma 0.005): plain; restricted to the louder frames; and with the step
weighted by the spline's level, (frame RMS / loudest frame RMS)^p for p = 0.5, 1, 2 (50 ms frames),
and by reference_sampler.level_weights (a 50 ms Hann window: what the sampler's --level-power runs).
Also how large the score is in the quietest quarter of the frames against the loudest quarter, and
the loudest quarter's share of the spline's error energy. The ideal gain of a cosine c is
-10 log10(1 - c^2) dB (a move of exactly the right length).

  /usr/bin/python3 training/aim_by_level.py --ckpt training/checkpoints/piano.pt            # ../shared/eval piano
  /usr/bin/python3 training/aim_by_level.py --ckpt training/checkpoints/piano.pt --tune 8   # the piano TUNE set
--tune N: N pieces of 20 s composed for the "tune" split and rendered with the held-out soundfont
(tune_upsampling.piano_tune_clips), whole: what a choice among the weightings is made on.
"""
import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "data"))
from model import load_prior  # noqa: E402
from reference_sampler import at_peak, cosine, eval_clips, level_weights, load_audio, score_at_spline  # noqa: E402

POWERS = (0.5, 1.0, 2.0)
LOUDER = (0.25, 0.5, 0.75, 0.9)


def ideal_gain_db(c):
    return -10 * np.log10(1 - max(c, 0.0) ** 2)


def frame_levels(y, frame=800):
    """Each sample's 50 ms frame RMS (the last partial frame takes the last full frame's)."""
    n = len(y) // frame * frame
    rms = np.sqrt(np.mean(np.asarray(y[:n], np.float64).reshape(-1, frame) ** 2, 1) + 1e-12)
    return rms, np.concatenate([np.repeat(rms, frame), np.full(len(y) - n, rms[-1])])


def aim_rows(model, y, sigma):
    spline, g, way = score_at_spline(model, y, sigma)
    rms, lev = frame_levels(spline)
    row = {"plain": cosine(g, way)}
    for q in LOUDER:
        row[f"frames louder than {q:.0%} of them"] = cosine(g * (lev >= np.quantile(rms, q)), way)
    for p in POWERS:
        row[f"weighted by level^{p:g}"] = cosine(g * (lev / lev.max()) ** p, way)
    for p in POWERS:  # what the sampler runs (--level-power): a 50 ms Hann window, not 50 ms blocks
        row[f"level_weights(p={p:g})"] = cosine(g * level_weights(spline, p), way)
    quiet, loud = lev < np.quantile(rms, 0.25), lev >= np.quantile(rms, 0.75)
    row["score RMS, quietest quarter / loudest"] = float(np.sqrt(np.mean(g[quiet] ** 2)) / np.sqrt(np.mean(g[loud] ** 2)))
    row["loudest quarter's share of the error"] = float(np.sum(way[loud] ** 2) / np.sum(way ** 2))
    return row


def main(aim=aim_rows, doc=__doc__):
    """Prints `aim(model, y, sigma)`'s rows (name -> cosine, or a ratio) for each clip and their means;
    aim_by_fold.py runs it with its own rows."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
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
        rows[name] = aim(model, y, a.sigma)
        print(f"{name[:40]:40s} " + "  ".join(f"{v:+.3f}" for v in rows[name].values()), flush=True)
    print(f"\nmean over {len(rows)} clips (cosine; ideal gain of each clip's cosine, mean):")
    for k in next(iter(rows.values())):
        vals = [r[k] for r in rows.values()]
        gain = f"   ideal {np.mean([ideal_gain_db(v) for v in vals]):+.3f} dB" if "share" not in k and "RMS" not in k else ""
        print(f"  {k:40s} {np.mean(vals):+.3f}{gain}")


if __name__ == "__main__":
    main()
