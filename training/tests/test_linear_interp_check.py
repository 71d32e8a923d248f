"""The linear-interpolator diagnostic: right positions and features, and it tells matching statistics from
mirrored ones."""
import numpy as np

import linear_interp_check as lic
from reference_sampler import snr_db, spline_through_every


def test_phase_features_are_the_observed_neighbours():
    y = np.arange(200, dtype=np.float64)
    feats = lic.phase_features(y, taps=3)
    assert sorted(feats) == [1, 2, 3]
    for p, (X, t, pos) in feats.items():
        assert np.all(pos % 4 == p) and np.array_equal(t, y[pos])
        j = pos // 4
        # observed samples 4(j-2) .. 4(j+3), i.e. 3 either side of the gap
        assert np.array_equal(X, np.stack([4 * (j + o) for o in range(-2, 4)], 1).astype(float))


def tones(freqs, seconds=3.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 16000)) / 16000
    return sum(rng.uniform(0.5, 1) * np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3)) for f in freqs).astype(np.float32)


def test_matching_statistics_beat_the_spline_and_mirrored_ones_lose():
    low = [1500, 1700, 1900]        # below the 2 kHz fold
    mirrored = [2500, 2300, 2100]   # their mirror images above it: the same 4 kHz samples up to sign
    test = tones(low, seed=1)
    spline, _ = spline_through_every(test, 4)
    right = lic.interpolate(test, lic.fit_interpolator([tones(low, seed=2)], taps=16), taps=16)
    wrong = lic.interpolate(test, lic.fit_interpolator([tones(mirrored, seed=3)], taps=16), taps=16)
    assert snr_db(test, right) > snr_db(test, spline) + 3
    assert snr_db(test, wrong) < snr_db(test, spline) - 3
