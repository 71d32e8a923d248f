# The reference sampler's account of where an ascent went.
import numpy as np

from reference_sampler import ascent_geometry, snr_db


def test_ascent_geometry_explains_the_snr_change():
    rng = np.random.default_rng(0)
    truth = rng.standard_normal(4000)
    start = truth + 0.3 * rng.standard_normal(4000)
    for a_step, mix in [(0.2, 0.9), (0.5, 0.3), (0.1, -0.5)]:
        r = truth - start
        other = rng.standard_normal(4000)
        other -= (other @ r) / (r @ r) * r  # orthogonal to the way to the truth
        d = mix * r / np.linalg.norm(r) + np.sqrt(1 - mix ** 2) * other / np.linalg.norm(other)
        end = start + a_step * np.linalg.norm(r) * d
        g = ascent_geometry(truth, start, end)
        assert abs(g["moved"] - a_step) < 1e-9 and abs(g["cos_to_truth"] - mix) < 1e-9
        gain = snr_db(truth, end) - snr_db(truth, start)
        assert abs(gain + 10 * np.log10(1 - 2 * g["moved"] * g["cos_to_truth"] + g["moved"] ** 2)) < 1e-6
    assert ascent_geometry(truth, start, start) == {"moved": 0.0, "cos_to_truth": 0.0}
