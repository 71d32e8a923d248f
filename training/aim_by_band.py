"""Where does a prior aim, band by band? For 4x upsampling from the cubic spline: the cosine between
the prior's score at the spline (the ascent's first direction, on the interpolated samples) and the
way to the truth (truth - spline), split into frequency bands, plus each band's share of the spline's
error. One score evaluation per clip (seconds), on the loudest 1 s excerpt at peak 0.9, as the screen.

  /usr/bin/python3 training/aim_by_band.py --ckpt training/checkpoints/piano.pt [--kind piano] [--sigma 0.005]

--chain hall|dark first passes each clip through a recording chain it does not have (a 2 s hall tail at the level
of the direct sound, or highs 6 dB down above about 2.5 kHz): does the aim depend on the room or the tone colour?
(--chain none is the comparison: the same excerpt, no chain; with --chain the 1 s excerpt is taken from the loudest
1.5 s, so a hall tail has material to come from, and so it can differ from the plain run's.)
"""
import argparse
import os

import numpy as np
import torch

from model import load_prior
from reference_sampler import SR, at_peak, clip_kind, cosine, eval_clips, excerpt, load_audio, score_at_spline

BANDS = ((0, 1000), (1000, 2000), (2000, 4000), (4000, SR // 2 + 1))


def hall(y, rt60=2.0, level=1.0, seed=0, sr=SR):
    """y through a hall: the direct sound plus, 20 ms later, a decaying noise tail (darker than the direct sound,
    as air and walls make it) with `level` times its energy. Deterministic for a seed."""
    from scipy.signal import fftconvolve, lfilter
    from train import decaying_noise, with_direct_sound
    tail = lfilter([0.3], [1, -0.7], decaying_noise(np.random.default_rng(seed), rt60, sr))
    tail *= np.sqrt(level / np.sum(tail ** 2))
    return fftconvolve(np.asarray(y, np.float64), with_direct_sound(tail, int(0.02 * sr)))[:len(y)]


def darker(y, corner=2500, sr=SR):
    """y with its highs about 6 dB down above `corner` (half of y plus half of y through a first-order low-pass)."""
    from scipy.signal import butter, sosfilt
    y = np.asarray(y, np.float64)
    return 0.5 * y + 0.5 * sosfilt(butter(1, corner, fs=sr, output="sos"), y)


CHAINS = {"none": lambda y: y, "hall": hall, "dark": darker}


def band_cosines(direction, way, sr=SR, bands=BANDS):
    """[(lo, hi, cosine of the two signals within the band, band's share of `way`'s energy in dB)]."""
    D, W = np.fft.rfft(direction), np.fft.rfft(way)
    f = np.fft.rfftfreq(len(way), 1 / sr)
    total = float((np.abs(W) ** 2).sum())
    out = []
    for lo, hi in bands:
        b = (f >= lo) & (f < hi)
        den = np.sqrt(float((np.abs(D[b]) ** 2).sum()) * float((np.abs(W[b]) ** 2).sum()))
        cos = float(np.real((D[b] * np.conj(W[b])).sum())) / den if den > 0 else 0.0
        share = 10 * np.log10(float((np.abs(W[b]) ** 2).sum()) / total) if total > 0 else float("-inf")
        out.append((lo, hi, cos, share))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--kind", choices=["piano", "voice"], default=None)
    ap.add_argument("--sigma", type=float, default=0.005)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--chain", choices=sorted(CHAINS), default=None,
                    help="a recording chain applied to the loudest 1.5 s of each clip first (none: the same excerpt, no chain)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    model, ck = load_prior(a.ckpt)
    for p in model.parameters():
        p.requires_grad_(False)
    for path in eval_clips(clip_kind(a.ckpt, ck, a.kind)):
        y = load_audio(path)
        if a.chain:
            y = CHAINS[a.chain](excerpt(y, a.seconds * 1.5))
        y = at_peak(excerpt(y, a.seconds))
        _, g, way = score_at_spline(model, y, a.sigma)
        allcos = cosine(g, way)
        parts = " | ".join(f"{lo}-{min(hi, SR // 2)} Hz: cos {c:+.2f} ({s:+.0f} dB)" for lo, hi, c, s in band_cosines(g, way))
        print(f"{os.path.basename(path)[:36]:36s} all {allcos:+.2f} | {parts}")


if __name__ == "__main__":
    main()
