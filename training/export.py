"""Export a prior as an ONNX score graph + JSON card + parity fixture.

  /usr/bin/python3 training/export.py --ckpt training/.runs/piano/ckpt.pt --name piano --source piano
  /usr/bin/python3 training/export.py --tiny          # test/fixtures/models/tiny.*

Outputs <out>/<name>.onnx, <name>.json (card, format pnf-score-graph/1), <name>.parity.json.
The explicit backward is checked against torch.autograd at three sigmas before export
(max relative error <= 1e-4, relative to the largest magnitude), and the parity fixture
holds inputs and the PyTorch score-graph outputs for the TypeScript/ORT test.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ROOT = os.path.dirname(HERE)

from model import PriorConfig, WaveNetPrior, load_prior, training_totals  # noqa: E402
from score_graph import ScoreGraph, autograd_score, rel_err  # noqa: E402

PARITY_SIGMAS = [0.003, 0.03, 0.3]
# best measured for 4x upsampling from a cubic-spline warm start (reference_sampler.py): no
# initial noise, low temperature (MAP-like refinement), small sigmas
UPSAMPLE_SCHEDULE = {"sigmaMax": 0.005, "sigmaMin": 0.001, "levels": 4, "stepsPerLevel": 20, "etaScale": 0.05,
                     "temperature": 0.0, "initNoise": False, "warmStart": "cubic spline"}
DEFAULT_SCHEDULE = {"sigmaMax": 0.05, "sigmaMin": 0.001, "levels": 8, "stepsPerLevel": 20, "etaScale": 0.05}


def audio_like(B, T, seed=0):
    """Deterministic test signal: decaying partials + a little noise, |x| < 0.6."""
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(T, dtype=torch.float64) / 16000.0
    rows = []
    for b in range(B):
        f0 = 110.0 * 2 ** (torch.rand(1, generator=g, dtype=torch.float64).item() * 4)
        y = torch.zeros(T, dtype=torch.float64)
        for k in range(1, 6):
            amp = 0.3 / k * torch.rand(1, generator=g, dtype=torch.float64).item()
            y += amp * torch.sin(2 * math.pi * f0 * k * t + k) * torch.exp(-t * (1 + k))
        y += 0.01 * torch.randn(T, generator=g, dtype=torch.float64)
        rows.append(y)
    return torch.stack(rows).float()


def parity_inputs(rf, sigmas=PARITY_SIGMAS, extra=512, seed=0):
    T = rf + extra
    B = len(sigmas)
    clean = audio_like(B, T, seed)
    g = torch.Generator().manual_seed(seed + 1)
    sigma = torch.tensor(sigmas, dtype=torch.float32)
    x = clean + sigma.view(-1, 1) * torch.randn(B, T, generator=g)
    return x.float(), sigma


def check_backward(model, T=None, seed=0, dtype=torch.float64):
    """Explicit backward vs autograd at three sigmas. Returns dict of errors (max |a-b| / max |b|).

    Run in float64 by default: that checks the derivation itself (float32 rounding of the two
    different evaluation orders is ~1e-5..1e-4 of the maximum at small sigma, where the
    gradient is dominated by the 1/sigma^2 Gaussian term)."""
    import copy
    rf = model.cfg.receptive_field
    x, sigma = parity_inputs(rf, extra=(T or 256), seed=seed)
    model = copy.deepcopy(model).to(dtype)
    x, sigma = x.to(dtype), sigma.to(dtype)
    sg = ScoreGraph(model).eval()
    out = {}
    with torch.no_grad():
        lp, gr = sg(x, sigma)
    for i, s in enumerate(sigma.tolist()):
        alp, agr = autograd_score(model, x[i:i + 1], sigma[i:i + 1])
        out[f"{s:g}"] = {"logp": rel_err(lp[i:i + 1], alp)[0], "grad": rel_err(gr[i:i + 1], agr)[0]}
    return out


def fmt(v):
    return float(np.float32(v))


def write_parity(model, path, seed=0):
    rf = model.cfg.receptive_field
    x, sigma = parity_inputs(rf, seed=seed)
    sg = ScoreGraph(model).eval()
    with torch.no_grad():
        lp, gr = sg(x, sigma)
    def arr(t):  # shortest decimal that round-trips each float32 value
        return "[" + ",".join("[" + ",".join(str(np.float32(v)) for v in row) + "]" for row in t.numpy()) + "]"

    parts = ['"sigma":[' + ",".join(str(np.float32(v)) for v in sigma.numpy()) + "]",
             '"x":' + arr(x), '"logp":' + arr(lp), '"grad":' + arr(gr)]
    doc = {"note": "outputs of the PyTorch score graph (float32). Tolerance: per output and per row b, max_t abs(got-expected) <= 1e-4 * max(1, max_t abs(expected)); grad scales like 1/sigma^2, so compare relative to the row maximum"}
    doc["receptiveField"] = rf
    with open(path, "w") as f:
        f.write("{" + ",".join(parts) + "," + json.dumps(doc, separators=(",", ":"))[1:])
    json.load(open(path))  # must parse
    return x, sigma, lp, gr


def export_onnx(model, path, opset=14):
    sg = ScoreGraph(model).eval()
    rf = model.cfg.receptive_field
    x = torch.zeros(2, rf + 64)
    sigma = torch.full((2,), 0.01)
    with torch.no_grad():
        torch.onnx.export(sg, (x, sigma), path, input_names=["x", "sigma"], output_names=["logp", "grad"],
                          dynamic_axes={"x": {0: "B", 1: "T"}, "sigma": {0: "B"}, "logp": {0: "B", 1: "T"},
                                        "grad": {0: "B", 1: "T"}},
                          opset_version=opset, do_constant_folding=True)
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return path


def build_card(model, name, source, extra=None):
    cfg = model.cfg
    fl = model.flops_per_sample()
    card = {
        "format": "pnf-score-graph/1",
        "name": name,
        "source": source,
        "onnx": f"{name}.onnx",
        "parity": f"{name}.parity.json",
        "sampleRate": cfg.sample_rate,
        "mu": cfg.mu,
        "bins": [fmt(v) for v in model.bins.tolist()],
        "receptiveField": cfg.receptive_field,
        "sigma": {"min": cfg.sigma_min, "max": cfg.sigma_max},
        "schedule": dict(DEFAULT_SCHEDULE),
        "model": {"layers": cfg.layers, "channels": cfg.channels, "skip": cfg.skip, "dilations": cfg.dilations,
                  "kernel": 2, "head": cfg.head, "params": model.n_params(), "flopsPerSample": fl["forward"],
                  "scoreGraphFlopsPerSample": fl["scoreGraph"],
                  "inputFeatures": ["x[t-1]", "mulaw(x[t-1])"], "conditioning": "log-sigma Fourier features -> MLP -> per-layer gate bias"},
        "io": {"inputs": {"x": "float32 [B,T] noisy waveform, linear amplitude", "sigma": "float32 [B]"},
               "outputs": {"logp": "float32 [B,T] smoothed log density of x[t] given x[<t]; 0 at t=0",
                           "density": "log sum_k p_k N(x[t]; e_k, sigma^2 + (w_k/2)^2): bin k's probability spread over its cell (width w_k) and convolved with the sigma noise",
                           "grad": "float32 [B,T] d sum(logp) / d x"},
               "opset": 14},
    }
    if extra:
        for k, v in extra.items():
            card[k] = v
    return card


# Written into a card by `bench/engine/bench.ts --curve --write-presets`, `bench/engine/separation.ts
# --write-presets` (measured on the engine) and `training/tune_upsampling.py --write-card` (on a tune set);
# levelPower and foldBand by the whole-clip gates (bench/priors/preregistered-session20.md, -session21.md);
# splineErrorStart and ascentFactors by the factor gate (bench/priors/preregistered-session25.md).
MEASURED_PRESET_KEYS = ("presets", "presetsMeasured", "taskPresets", "temperature", "warmStart", "taskEtaScale",
                        "separationMeasured", "upsampleTuned", "levelPower", "foldBand", "splineErrorStart",
                        "ascentFactors", "ascentFactorsMeasured")


def save_card(path, card):
    """Write a model card atomically (a temp file, then a rename): the app never reads half a card."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def keep_measured_presets(card, old_path):
    """Carry the engine-measured presets of the card being replaced into the new one (an export
    used to drop them, and the app then ran its untuned defaults). They were measured on the
    previous weights: presetsMeasured.onWeightsExportedAt says which, until the curve bench is
    re-run for these."""
    try:
        with open(old_path) as f:
            old = json.load(f)
    except (OSError, ValueError):
        return
    kept = [k for k in MEASURED_PRESET_KEYS if k in old and k not in card]
    for k in kept:
        card[k] = old[k]
    if "presetsMeasured" in kept and isinstance(card["presetsMeasured"], dict):
        card["presetsMeasured"].setdefault("onWeightsExportedAt", old.get("training", {}).get("exportedAt"))


def export_all(model, name, source, out_dir, extra=None, check=True):
    os.makedirs(out_dir, exist_ok=True)
    model = model.float().eval()
    if check:
        errs = check_backward(model)
        worst = max(max(v["logp"], v["grad"]) for v in errs.values())
        print(f"[export] explicit backward vs autograd (float64): worst rel err {worst:.2e}  {errs}")
        e32 = check_backward(model, dtype=torch.float32)
        print(f"[export] same in float32: {e32}")
        if worst > 1e-4:
            raise SystemExit(f"backward parity failed: {worst}")
    else:
        errs = None
    onnx_path = os.path.join(out_dir, f"{name}.onnx")
    export_onnx(model, onnx_path)
    write_parity(model, os.path.join(out_dir, f"{name}.parity.json"))
    card = build_card(model, name, source, extra)
    keep_measured_presets(card, os.path.join(out_dir, f"{name}.json"))
    if errs is not None:
        card["backwardCheck"] = {"maxRelErrVsAutograd": errs, "float32": e32,
                                 "metric": "max|explicit - autograd| / max|autograd| per sigma"}
    save_card(os.path.join(out_dir, f"{name}.json"), card)
    print(f"[export] wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes), card, parity")
    return card


def tiny_model(seed=1234):
    torch.manual_seed(seed)
    cfg = PriorConfig(layers=3, channels=8, skip=8, head=16, dilations=[1, 2, 4], emb=8, nfreq=2, anchor=True, ar_order=4)
    m = WaveNetPrior(cfg)
    with torch.no_grad():  # make the per-sigma conditioning and the anchor visible in a random model
        m.cond.weight.normal_(0, 0.3)
        m.Wm.normal_(0, 0.05)
        m.ar.weight.normal_(0, 0.2)
        m.bm[1] = -1.5
        m.rs.weight.normal_(0, 0.1)
        m.b2.copy_(-3.0 * m.bins.abs() / m.bins.abs().max())
    return m.eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt")
    ap.add_argument("--name")
    ap.add_argument("--source", choices=["piano", "voice", "test"])
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "resources", "models"))
    ap.add_argument("--tiny", action="store_true")
    ap.add_argument("--raw", action="store_true", help="use raw weights instead of EMA")
    ap.add_argument("--results", default=os.path.join(ROOT, "bench", "priors", "results.json"),
                    help="eval_priors.py results to copy into the card (validation)")
    a = ap.parse_args()
    if a.tiny:
        m = tiny_model()
        extra = {"data": {"note": "random weights; interface fixture only"},
                 "validation": None, "training": {"steps": 0, "samplesSeen": 0, "wallSeconds": 0, "device": "none"}}
        export_all(m, "tiny", "test", os.path.join(ROOT, "test", "fixtures", "models"), extra)
        return
    m, ck = load_prior(a.ckpt, use_ema=not a.raw)
    name = a.name or a.source
    st = ck.get("state", {})
    tot = training_totals(st)
    extra = {
        "data": st.get("data_summary", {}),
        "training": {"steps": tot["steps"], "samplesSeen": tot["samples_seen"],
                     "wallSeconds": round(tot["wall"], 1), "device": st.get("device", "cpu"),
                     **({"fineTunedFrom": st["before"]["lineage"], "augment": st.get("augment", [])} if st.get("before") else {}),
                     "weights": "raw" if a.raw else "ema", "exportedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
        "validation": st.get("last_val", None),
    }
    extra["tasks"] = {"upsample": dict(UPSAMPLE_SCHEDULE)}
    if a.results and os.path.exists(a.results):
        try:
            res = json.load(open(a.results)).get(a.source)
            # (only results measured on THESE weights describe them: another checkpoint's would be a false card)
            if res and (res.get("samplesSeen") != tot["samples_seen"] or st.get("blend")):  # (a blend carries b's totals)
                print(f"[export] {a.results} describes other weights ({res.get('samplesSeen')} samples seen, these {tot['samples_seen']}): "
                      "its validation and quality are left out of the card", flush=True)
                res = None
            if res:
                extra["validation"] = res.get("validation", extra["validation"])
                if res.get("schedule"):
                    extra["schedule"] = res["schedule"]
                u = res.get("upsample4x")
                if u:
                    um = u["mean"]
                    best = max(um["pnf"], um["pnf_denoised"])
                    extra["quality"] = {"upsample4xMeanSNR": um, "settings": u["settings"], "beatsCubicSpline": best > um["spline"],
                                        "note": "measured on short excerpts of shared/eval clips by eval_priors.py"}
        except Exception as e:  # a results file from an older run must not block export
            print("[export] could not read results:", e)
    export_all(m, name, a.source, a.out_dir, extra)


if __name__ == "__main__":
    main()
