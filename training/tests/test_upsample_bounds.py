"""The Gaussian-AR interpolator behind bench/priors/upsample-bounds.md."""
import numpy as np
from scipy.interpolate import CubicSpline

from upsample_bounds import ar_interpolate, local_ar_interpolate, lpc, snr_db


def decimated(y, factor=4):
    known = np.zeros(len(y), bool)
    known[::factor] = True
    return known


def sine(freq, n=4000, sr=16000):
    t = np.arange(n) / sr
    return 0.5 * np.sin(2 * np.pi * freq * t + 0.3)


def test_lpc_recovers_the_recursion_of_a_sinusoid():
    y = sine(440.0)
    a, resid = lpc(y, 2)
    w = 2 * np.pi * 440.0 / 16000
    np.testing.assert_allclose(a, [2 * np.cos(w), -1.0], atol=1e-8)
    assert resid < 1e-20


def test_known_coefficients_de_alias_a_tone_above_the_low_rate_nyquist():
    # 3 kHz is above the 2 kHz Nyquist of the 4 kHz decimated signal: the spline sees an alias and
    # fails; an AR prior that knows the tone's recursion restores it.
    y = sine(3000.0)
    known = decimated(y)
    idx = np.flatnonzero(known)
    spline = CubicSpline(idx, y[idx])(np.arange(len(y)))
    x = ar_interpolate(y, known, *lpc(y, 2))
    assert snr_db(y, spline) < 3.0
    assert snr_db(y, x) > 60.0
    np.testing.assert_array_equal(x[known], y[known])


def test_interpolator_only_uses_the_known_samples():
    rng = np.random.default_rng(0)
    y = sine(700.0) + 0.01 * rng.standard_normal(4000)
    known = decimated(y)
    a, ev = lpc(y, 8)
    scrambled = y.copy()
    scrambled[~known] = rng.standard_normal(int((~known).sum()))
    np.testing.assert_allclose(ar_interpolate(y, known, a, ev), ar_interpolate(scrambled, known, a, ev), atol=1e-12)


def test_local_windows_cover_the_whole_signal():
    y = sine(500.0, n=5000) * np.linspace(0.2, 1.0, 5000)
    known = decimated(y)
    x = local_ar_interpolate(y, y, known, 4)
    assert x.shape == y.shape and np.all(np.isfinite(x))
    assert snr_db(y, x) > 40.0
