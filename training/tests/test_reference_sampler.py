# The reference sampler's account of where an ascent went.
import numpy as np
import pytest

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


def test_the_self_check_is_blind_to_the_samples_upsampling_must_find(frozen_tiny_prior):
    from reference_sampler import self_check
    model = frozen_tiny_prior
    t = np.arange(1600) / 16000
    y = (0.5 * np.sin(2 * np.pi * 300 * t) + 0.2 * np.sin(2 * np.pi * 3100 * t)).astype(np.float32)
    g = self_check(model, y, levels=2, steps=3)
    assert np.isfinite(g) and g != 0.0
    # only every 4th sample (what a 4x upsampler observes) may count: change all the others
    z = y.copy()
    hidden = np.ones(len(y), bool)
    hidden[::4] = False
    z[hidden] = np.random.default_rng(1).standard_normal(hidden.sum()).astype(np.float32)
    assert self_check(model, z, levels=2, steps=3) == pytest.approx(g, abs=1e-6)


def test_a_long_input_scored_in_pieces_equals_scoring_it_whole(frozen_tiny_prior):
    import torch
    from reference_sampler import score
    model = frozen_tiny_prior
    rf = model.cfg.receptive_field
    torch.manual_seed(3)
    x = torch.randn(2, 7 * rf + 5) * 0.2
    whole_lp, whole_g = score(model, x, 0.01, window=None)
    lp, g = score(model, x, 0.01, window=2 * rf)  # 4 pieces, the last one short
    assert lp.shape == whole_lp.shape and g.shape == whole_g.shape
    assert torch.allclose(lp, whole_lp, rtol=1e-5, atol=1e-5 * float(whole_lp.abs().max()))
    assert torch.allclose(g, whole_g, rtol=1e-5, atol=1e-5 * float(whole_g.abs().max()))
    # (pieces cut without that context would differ: the check above can fail)
    from reference_sampler import _score_piece
    cut = 3 * rf
    short_lp, _ = _score_piece(model, x[:, cut - rf // 2:], 0.01)
    assert not torch.allclose(short_lp[:, rf // 2], whole_lp[:, cut], rtol=1e-5, atol=1e-6)


def test_level_weights_follow_the_level_smoothly_and_never_stop_a_sample():
    from reference_sampler import level_weights
    n = 16000
    i = np.arange(n)
    x = np.where(i < n // 2, 0.8, 0.2) * np.sin(i * 0.3)  # the second half a quarter of the level
    for p in (0.5, 1.0, 2.0):
        w = level_weights(x, p)
        assert w.dtype == np.float32 and w.max() <= 1.0
        assert w[n // 4] == pytest.approx(1.0, abs=0.01) and w[3 * n // 4] == pytest.approx(0.25 ** p, abs=0.01)
    w = level_weights(x, 1.0)
    assert w[n // 2 - 500] > 0.95 and 0.3 < w[n // 2] < 0.95 and w[n // 2 + 500] < 0.3
    assert level_weights(np.zeros(100), 1.0).min() == pytest.approx(1e-3)


def test_step_weights_scale_each_samples_move(frozen_tiny_prior):
    import torch
    from reference_sampler import langevin
    torch.manual_seed(0)
    x0 = torch.randn(1, 3000) * 0.2
    known = torch.zeros(1, 3000)
    known[:, ::4] = 1
    w = torch.where(torch.arange(3000) % 2 == 1, 1.0, 0.25)[None]
    args = dict(sigmas=[0.01], steps=1, eta_scale=0.5, init_noise=False, denoise=False, temperature=0.0)
    plain = langevin(frozen_tiny_prior, x0, known, x0, **args) - x0
    weighted = langevin(frozen_tiny_prior, x0, known, x0, step_weights=w, **args) - x0
    assert torch.allclose(weighted, w * plain, atol=1e-7)
    assert plain.abs().max() > 0 and float(plain[known == 1].abs().max()) == 0.0  # observed samples stay put


def test_fold_band_passes_the_fold_only():
    from reference_sampler import band_fir, fold_band
    for k in (2, 4, 8):
        h = fold_band(k)
        fold = 1 / (2 * k)
        assert len(h) == 16 * k + 1 and np.allclose(h, h[::-1])
        gain = lambda f: abs(np.sum(h * np.exp(-2j * np.pi * f * np.arange(len(h)))))  # noqa: E731
        assert gain(fold) > 0.99
        assert gain(0.625 * fold) == pytest.approx(0.5, abs=0.01) and gain(1.375 * fold) == pytest.approx(0.5, abs=0.01)
        assert max(gain(f) for f in (0, 0.4 * fold, 1.6 * fold, 2 * fold)) < 0.01
    assert np.array_equal(fold_band(4), band_fir(1250 / 16000, 2750 / 16000, 65))


def test_step_filter_filters_the_weighted_step_and_refuses_noise(frozen_tiny_prior):
    import torch
    from reference_sampler import fold_band, langevin
    torch.manual_seed(0)
    x0 = torch.randn(1, 3000) * 0.2
    known = torch.zeros(1, 3000)
    known[:, ::4] = 1
    w = torch.where(torch.arange(3000) < 1500, 1.0, 0.25)[None]
    h = fold_band(4)
    args = dict(sigmas=[0.01], steps=1, eta_scale=0.5, init_noise=False, denoise=False, temperature=0.0)
    plain = langevin(frozen_tiny_prior, x0, known, x0, **args) - x0
    filtered = langevin(frozen_tiny_prior, x0, known, x0, step_weights=w, step_filter=h, **args) - x0
    want = np.convolve((w * plain)[0].numpy().astype(np.float64), h, "same") * (1 - known[0].numpy())
    assert np.allclose(filtered[0].numpy(), want, atol=1e-7)
    assert float(filtered.abs().max()) > 0 and float(filtered[known == 1].abs().max()) == 0.0
    for bad in (dict(temperature=1.0), dict(init_noise=True)):
        with pytest.raises(ValueError, match="deterministic ascent"):
            langevin(frozen_tiny_prior, x0, known, x0, step_filter=h, **{**args, **bad})
