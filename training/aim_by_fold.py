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
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "data"))
import aim_by_level  # noqa: E402
from reference_sampler import SR, band_fir, cosine, level_weights, score_at_spline  # noqa: E402

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


if __name__ == "__main__":
    aim_by_level.main(aim_rows, __doc__)
