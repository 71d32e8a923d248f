# The upsampling-direction term of train.py (--direction).
import numpy as np
import torch

from model import PriorConfig, WaveNetPrior
from train import direction_term, spline_from_every


def test_spline_keeps_every_factor_th_sample_from_its_phase_and_interpolates_between():
    t = np.arange(400)
    clean = np.stack([np.sin(2 * np.pi * t / 97), np.cos(2 * np.pi * t / 61)]).astype(np.float32)
    out = spline_from_every(clean, 4, [0, 3])
    np.testing.assert_array_equal(out[0, ::4], clean[0, ::4])
    np.testing.assert_array_equal(out[1, 3::4], clean[1, 3::4])
    assert not np.array_equal(out[1, ::4], clean[1, ::4])  # (phase 3: those are interpolated)
    assert np.max(np.abs(out[:, 8:-8] - clean[:, 8:-8])) < 1e-3  # slow tones: the spline is nearly exact
    noise = np.random.default_rng(0).standard_normal((1, 400)).astype(np.float32)
    assert np.std(spline_from_every(noise, 4, [0])[0] - noise[0]) > 0.5  # white noise: it is not


def test_direction_term_measures_the_step_towards_the_truth_and_trains_the_weights():
    torch.manual_seed(0)
    m = WaveNetPrior(PriorConfig(layers=4, channels=8, skip=8, head=16, dilations=[1, 2, 4, 8], emb=8, nfreq=2))
    rf = m.cfg.receptive_field
    clean = 0.3 * torch.randn(3, rf + 256)
    loss, d = direction_term(m, clean, np.random.default_rng(1), 4, 0.25, rf)
    assert torch.isfinite(loss) and np.isfinite(d)
    loss.backward()
    assert any(p.grad is not None and float(p.grad.abs().sum()) > 0 for p in m.parameters())
    # seeded: the same draws give the same value
    m.zero_grad()
    assert direction_term(m, clean, np.random.default_rng(1), 4, 0.25, rf)[1] == d


def test_score_alignment_term_is_a_cosine_over_the_interpolated_samples_and_trains_the_weights():
    from train import score_alignment_term
    torch.manual_seed(0)
    m = WaveNetPrior(PriorConfig(layers=4, channels=8, skip=8, head=16, dilations=[1, 2, 4, 8], emb=8, nfreq=2))
    rf = m.cfg.receptive_field
    clean = 0.3 * torch.randn(3, 2 * rf + 128)
    loss, cos = score_alignment_term(m, clean, np.random.default_rng(1), 4, rf)
    assert -1 <= cos <= 1 and abs(float(loss) - (1 - cos)) < 1e-6
    loss.backward()  # (through the score: the gradient of a gradient)
    assert any(p.grad is not None and float(p.grad.abs().sum()) > 0 for p in m.parameters())
    assert score_alignment_term(m, clean, np.random.default_rng(1), 4, rf)[1] == cos


def test_the_reach_form_is_the_error_left_after_the_ascents_steps_along_the_score():
    from train import score_alignment_term
    torch.manual_seed(0)
    m = WaveNetPrior(PriorConfig(layers=4, channels=8, skip=8, head=16, dilations=[1, 2, 4, 8], emb=8, nfreq=2))
    rf = m.cfg.receptive_field
    clean = 0.3 * torch.randn(2, 2 * rf + 128)
    none, cos0 = score_alignment_term(m, clean, np.random.default_rng(1), 4, rf, reach_steps=0)
    left, cos1 = score_alignment_term(m, clean, np.random.default_rng(1), 4, rf, reach_steps=80)
    assert cos0 == cos1 and float(left) >= 0
    tiny, _ = score_alignment_term(m, clean, np.random.default_rng(1), 4, rf, reach_steps=1e-9)
    assert abs(float(tiny) - 1) < 1e-3  # no move: all of the error is left
    left.backward()
    assert any(p.grad is not None and float(p.grad.abs().sum()) > 0 for p in m.parameters())


def test_training_draws_from_every_data_folder_and_validates_on_the_first(tmp_path):
    import json
    from train import Corpus, merged_summary
    for name, value, minutes in [("a", 1.0, 2.0), ("b", -1.0, 0.5)]:
        d = tmp_path / name
        d.mkdir()
        np.save(d / "voice_train.npy", np.full(8000, value, np.float32))
        json.dump({"clips": [{"offset": 0, "length": 4000}, {"offset": 4000, "length": 4000}]}, open(d / "voice_train.json", "w"))
        json.dump({"voice": {"train": {"clips": 2, "minutes": minutes, "renderers": [f"r:{name}"]}, "val": {"clips": 1}}},
                  open(d / "summary.json", "w"))
    both = Corpus(f"{tmp_path / 'a'},{tmp_path / 'b'}", "voice", "train")
    w = both.sample(np.random.default_rng(0), 64, 100)
    assert set(np.unique(w[:, 0])) == {1.0, -1.0}  # windows from both folders
    assert set(np.unique(Corpus(str(tmp_path / "a"), "voice", "train").sample(np.random.default_rng(0), 8, 100))) == {1.0}
    s = merged_summary([str(tmp_path / "a"), str(tmp_path / "b")], "voice")
    assert s["train"] == {"clips": 4, "minutes": 2.5, "renderers": ["r:a", "r:b"]} and s["val"] == {"clips": 1}
    # --val-dir: train on b alone, validate on a's validation split (and say so in the summary)
    json.dump({"voice": {"train": {"clips": 2, "minutes": 0.5, "renderers": ["r:b"]}}}, open(tmp_path / "b" / "summary.json", "w"))
    json.dump({"voice": {"val": {"clips": 3, "renderers": ["held-out"]}}}, open(tmp_path / "a" / "summary.json", "w"))
    s = merged_summary([str(tmp_path / "b")], "voice", val_dir=str(tmp_path / "a"))
    assert s == {"train": {"clips": 2, "minutes": 0.5, "renderers": ["r:b"]}, "val": {"clips": 3, "renderers": ["held-out"]}}
    assert "val" not in merged_summary([str(tmp_path / "b")], "voice")
