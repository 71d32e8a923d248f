"""Export parity: explicit backward vs autograd, ONNX graph structure, shipped fixtures."""
import json
import os

import numpy as np
import pytest
import torch

from export import check_backward, export_onnx, parity_inputs, tiny_model
from model import PriorConfig, WaveNetPrior, bin_spread_variance, mulaw_bins, quantize, smoothed_logp
from score_graph import ScoreGraph, autograd_score, rel_err

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def small_model(anchor=True, seed=0):
    torch.manual_seed(seed)
    m = WaveNetPrior(PriorConfig(layers=4, channels=8, skip=8, head=16, dilations=[1, 2, 4, 8], emb=8, nfreq=2,
                                 anchor=anchor, ar_order=4))
    with torch.no_grad():  # non-trivial anchor and conditioning
        if anchor:
            m.Wm.normal_(0, 0.3)
            m.ar.weight.normal_(0, 0.3)
        m.cond.weight.normal_(0, 0.3)
    return m.eval()


@pytest.mark.parametrize("anchor", [False, True])
def test_backward_matches_autograd_float64(anchor):
    errs = check_backward(small_model(anchor))
    assert len(errs) == 3
    for s, e in errs.items():
        assert e["logp"] <= 1e-4 and e["grad"] <= 1e-4, (s, e)
        assert e["grad"] <= 1e-9  # exact up to float64 rounding


@pytest.mark.parametrize("anchor", [False, True])
def test_backward_matches_autograd_float32(anchor):
    # float32: two evaluation orders of the 1/sigma^2-dominated gradient differ by rounding only
    errs = check_backward(small_model(anchor), dtype=torch.float32)
    for s, e in errs.items():
        assert e["logp"] <= 1e-4 and e["grad"] <= 5e-4, (s, e)


def test_logp_zero_at_t0_and_shapes():
    m = small_model()
    sg = ScoreGraph(m)
    for B, T in [(1, 17), (3, 100)]:
        x = torch.randn(B, T) * 0.1
        lp, g = sg(x, torch.full((B,), 0.01))
        assert lp.shape == (B, T) and g.shape == (B, T)
        assert torch.all(lp[:, 0] == 0)


def test_causality():
    """logp[t] must not depend on x[t+1:]; grad[t] only via logp[>=t]."""
    m = small_model()
    x = torch.randn(1, 64) * 0.1
    lp1, _ = autograd_score(m, x, torch.tensor([0.01]))
    x2 = x.clone()
    x2[0, 40:] += 0.3
    lp2, _ = autograd_score(m, x2, torch.tensor([0.01]))
    assert torch.allclose(lp1[0, :40], lp2[0, :40], atol=1e-6)
    assert not torch.allclose(lp1[0, 41:], lp2[0, 41:])


def test_bins_are_mulaw_spaced_linear_amplitude():
    b = mulaw_bins()
    assert b.shape == (256,)
    assert torch.all(b[1:] > b[:-1])
    assert -1 < b[0] < -0.97 and 0.97 < b[-1] < 1 and torch.allclose(b, -b.flip(0))
    assert (b[129] - b[128]) < (b[255] - b[254]) / 100  # fine near zero, coarse near full scale
    assert torch.equal(quantize(b, b), torch.arange(256))


def test_onnx_export_checker_and_dynamic_axes(tmp_path):
    onnx = pytest.importorskip("onnx")
    m = small_model()
    p = str(tmp_path / "m.onnx")
    export_onnx(m, p)
    g = onnx.load(p).graph
    assert [i.name for i in g.input] == ["x", "sigma"]
    assert [o.name for o in g.output] == ["logp", "grad"]
    dims = [[d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim] for i in g.input]
    assert dims == [["B", "T"], ["B"]]
    for o in g.output:
        assert [d.dim_param for d in o.type.tensor_type.shape.dim] == ["B", "T"]
    ops = {n.op_type for n in g.node}
    assert "MatMul" in ops and not ops & {"Conv", "ConvTranspose", "Loop", "Scan"}


def _run_reference(path, feeds):
    ref = pytest.importorskip("onnx.reference")
    onnx = pytest.importorskip("onnx")
    return ref.ReferenceEvaluator(onnx.load(path)).run(None, feeds)


def test_tiny_fixture_consistent():
    d = os.path.join(ROOT, "test", "fixtures", "models")
    card = json.load(open(os.path.join(d, "tiny.json")))
    par = json.load(open(os.path.join(d, "tiny.parity.json")))
    assert card["format"] == "pnf-score-graph/1" and card["source"] == "test"
    assert len(card["bins"]) == 256 and card["mu"] == 255 and card["sampleRate"] == 16000
    total = sum(os.path.getsize(os.path.join(d, f)) for f in ["tiny.onnx", "tiny.json", "tiny.parity.json"])
    assert total < 200_000
    m = tiny_model()
    assert np.allclose(card["bins"], m.bins.numpy())
    x = torch.tensor(par["x"], dtype=torch.float32)
    s = torch.tensor(par["sigma"], dtype=torch.float32)
    assert x.shape[1] == card["receptiveField"] + 512 and len(set(par["sigma"])) == 3
    with torch.no_grad():
        lp, g = ScoreGraph(m)(x, s)
    for got, exp in [(lp, par["logp"]), (g, par["grad"])]:
        exp = torch.tensor(exp)
        for b in range(exp.shape[0]):
            assert (got[b] - exp[b]).abs().max() <= 1e-4 * max(1.0, exp[b].abs().max().item())
    try:
        out = _run_reference(os.path.join(d, "tiny.onnx"), {"x": x.numpy(), "sigma": s.numpy()})
    except pytest.skip.Exception:
        return
    for got, exp in zip(out, [par["logp"], par["grad"]]):
        exp = np.array(exp)
        for b in range(exp.shape[0]):
            assert np.abs(got[b] - exp[b]).max() <= 1e-4 * max(1.0, np.abs(exp[b]).max())


@pytest.mark.parametrize("name", ["piano", "voice"])
def test_shipped_model_cards(name):
    d = os.path.join(ROOT, "resources", "models")
    cp = os.path.join(d, f"{name}.json")
    if not os.path.exists(cp):
        pytest.skip(f"{name} not shipped")
    card = json.load(open(cp))
    for k in ["format", "name", "source", "onnx", "parity", "sampleRate", "mu", "bins", "receptiveField", "sigma",
              "schedule", "model", "data", "validation", "training"]:
        assert k in card, k
    assert card["source"] == name and os.path.exists(os.path.join(d, card["onnx"]))
    assert card["receptiveField"] >= 1000
    par = json.load(open(os.path.join(d, card["parity"])))
    assert len(par["x"]) == len(par["sigma"]) == 3
    assert len(par["x"][0]) == card["receptiveField"] + 512


def test_cells_tile_the_range():
    b = mulaw_bins().double()
    v = bin_spread_variance(b)
    w = 2 * torch.sqrt(v)
    mids = 0.5 * (b[1:] + b[:-1])
    assert torch.allclose(w[1:-1], mids[1:] - mids[:-1])          # interior cells: midpoint to midpoint
    assert torch.allclose(w.sum(), (2 * b[-1] - mids[-1]) - (2 * b[0] - mids[0]))


def test_smoothed_density_has_no_comb_at_small_sigma():
    """Probability spread evenly over bins 225..235 (amplitude ~0.3, cells ~0.013 wide) must give a nearly
    flat density between their centres at sigma 0.001, so the score does not pull samples onto the
    centres. A density built from N(e_k, sigma^2) alone is a comb there (peaks e^31 x the troughs)."""
    bins = mulaw_bins()
    sigma = torch.tensor([0.001])
    logits = torch.full((256,), -1e4)
    logits[225:236] = 0.0
    x = torch.linspace(float(bins[227]), float(bins[233]), 601)
    lp = smoothed_logp(logits.expand(1, 601, 256), x.view(1, 601), sigma, bins)[0, 1:]
    assert float(lp.max() - lp.min()) < 0.4, "density not flat inside the band"  # the cell widths alone vary 0.26 nats
    d = x.view(-1, 1) - bins.view(1, -1)
    comb = torch.logsumexp(logits - d * d / (2 * sigma * sigma), -1)
    assert float(comb.max() - comb.min()) > 20  # the contrast this test exists for
    # and it is still a density: integrates to ~1 over the band
    xs = torch.linspace(float(bins[220]), float(bins[240]), 20001)
    lpa = smoothed_logp(logits.expand(1, 20001, 256), xs.view(1, 20001), sigma, bins)[0, 1:]
    mass = float(torch.exp(lpa).sum() * (xs[1] - xs[0]))
    assert abs(mass - 1.0) < 0.02, mass


def test_export_keeps_the_engine_measured_presets_of_the_card_it_replaces(tmp_path):
    from export import export_all

    m = tiny_model()
    first = export_all(m, "t", "test", str(tmp_path), check=False)
    assert "taskPresets" not in first
    path = tmp_path / "t.json"
    card = json.loads(path.read_text())
    card["taskPresets"] = {"upsample": {"standard": {"levels": 4, "stepsPerLevel": 10}}}
    card["warmStart"] = {"upsample": 0.002}
    card["presetsMeasured"] = {"by": "bench/engine/bench.ts --curve", "at": "then"}
    path.write_text(json.dumps(card))
    again = json.loads(json.dumps(export_all(m, "t", "test", str(tmp_path), check=False)))
    assert again["taskPresets"] == card["taskPresets"] and again["warmStart"] == card["warmStart"]
    assert again["presetsMeasured"]["onWeightsExportedAt"] == card.get("training", {}).get("exportedAt")
    assert json.loads(path.read_text())["taskPresets"] == card["taskPresets"]
